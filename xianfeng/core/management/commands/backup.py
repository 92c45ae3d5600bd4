"""Back up the database and the uploaded files into one archive (``xianfeng.core.backup``)::

    .venv/bin/python manage.py backup /srv/backups/xianfeng-$(date +%F).tar.gz

Works on SQLite and PostgreSQL alike; the archive restores into either (``manage.py restore``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.backup import BackupError, backup
from xianfeng.core.i18n import command_help


class Command(BaseCommand):
    help = command_help(gettext_lazy("把整个数据库和上传文件备份成一个 .tar.gz 文件"))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive",
            nargs="?",
            help=_("备份文件路径（默认：当前目录下 xianfeng-backup-<时间>.tar.gz）"),
        )
        parser.add_argument("--database", default="default", help=_("数据库别名"))
        parser.add_argument("--no-media", action="store_true", help=_("不备份上传文件"))

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        archive = Path(options["archive"] or f"xianfeng-backup-{stamp}.tar.gz")
        try:
            summary = backup(archive, using=options["database"], media=not options["no_media"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("已备份 %(tables)s 张表 %(rows)s 行、%(files)s 个上传文件到 %(path)s")
            % {
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.files,
                "path": archive,
            }
        )
