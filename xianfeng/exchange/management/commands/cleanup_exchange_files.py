"""``python manage.py cleanup_exchange_files [--days 30]``: remove uploaded import files and
generated export files older than N days (see ``xianfeng.exchange.cleanup``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.i18n import command_help
from xianfeng.exchange.cleanup import DEFAULT_DAYS, cleanup_files


class Command(BaseCommand):
    help = command_help(gettext_lazy("清理超过保存期限的导入文件和导出文件。"))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=_("保存天数（默认%(days)s）") % {"days": DEFAULT_DAYS},
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if days < 0:
            raise CommandError(_("--days 不能为负数"))
        cleaned = cleanup_files(days=days)
        self.stdout.write(
            _(
                "已清理导入文件%(imports)s个、导出文件%(exports)s个，"
                "共%(bytes)s字节；%(expired)s个待确认的导入因文件过期而失效。"
            )
            % {
                "imports": cleaned.imports,
                "exports": cleaned.exports,
                "bytes": cleaned.bytes,
                "expired": cleaned.expired_runs,
            }
        )
