"""Restore an archive made by ``manage.py backup`` (``xianfeng.core.backup``)::

    DATABASE_URL=... .venv/bin/python manage.py restore xianfeng-backup-20260101-020000.tar.gz

Migrates the database first, refuses one that holds data the archive lacks unless ``--force``,
loads everything in one transaction and compares every table's row count and checksum with
the archive's manifest before it commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.backup import BackupError, restore
from xianfeng.core.i18n import command_help


class Command(BaseCommand):
    help = command_help(gettext_lazy("从 manage.py backup 的备份文件恢复数据库和上传文件"))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help=_("备份文件路径"))
        parser.add_argument("--database", default="default", help=_("数据库别名"))
        parser.add_argument(
            "--force", action="store_true", help=_("数据库里已有数据时也恢复（现有数据全部被替换）")
        )
        parser.add_argument("--no-media", action="store_true", help=_("不恢复上传文件"))
        parser.add_argument(
            "--no-migrate", action="store_true", help=_("不先执行 migrate（数据库结构已是最新）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", database=options["database"], interactive=False, verbosity=0)
        try:
            summary = restore(
                Path(options["archive"]),
                using=options["database"],
                force=options["force"],
                media=not options["no_media"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "已恢复并校验 %(tables)s 张表 %(rows)s 行、%(files)s 个上传文件："
                "与备份一致，无数据丢失"
            )
            % {"tables": summary.tables, "rows": summary.rows, "files": summary.files}
        )
