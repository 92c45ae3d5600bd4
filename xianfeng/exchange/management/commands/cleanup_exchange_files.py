"""``python manage.py cleanup_exchange_files [--days 30]``: remove uploaded import files and
generated export files older than N days (see ``xianfeng.exchange.cleanup``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xianfeng.exchange.cleanup import DEFAULT_DAYS, cleanup_files


class Command(BaseCommand):
    help = "清理超过保存期限的导入文件和导出文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"保存天数（默认{DEFAULT_DAYS}）"
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days 不能为负数")
        cleaned = cleanup_files(days=days)
        self.stdout.write(
            f"已清理导入文件{cleaned.imports}个、导出文件{cleaned.exports}个，"
            f"共{cleaned.bytes}字节；{cleaned.expired_runs}个待确认的导入因文件过期而失效。"
        )
