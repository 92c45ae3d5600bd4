"""``python manage.py import KIND FILE``: import a spreadsheet with a progress bar.

Runs as the given user (``--user``, default: the first superuser), so scope applies exactly as
on the page. ``--dry-run`` previews; ``--valid-only`` imports the valid rows when some are
rejected (otherwise nothing is imported).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.i18n import command_help
from xianfeng.core.models import User
from xianfeng.exchange.importers import IMPORTERS, run_import
from xianfeng.exchange.readers import FileRefused


class Command(BaseCommand):
    help = command_help(
        gettext_lazy("导入组织、党员、网格、楼栋或住户（.xlsx/.csv），显示进度条。")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--user", help=_("以哪个账号导入（按其管辖范围检查）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只预检，不写入"))
        parser.add_argument(
            "--valid-only", action="store_true", help=_("有被拒绝的行时只导入有效行")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        if user is None:
            raise CommandError(_("找不到导入账号，请用 --user 指定。"))
        started = time.monotonic()
        out = self.stdout

        def progress(done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            rate = done / max(time.monotonic() - started, 1e-6)
            bar = "#" * filled + "." * (width - filled)
            counts = _("%(done)s/%(total)s 行  %(rate)s 行/秒") % {
                "done": done,
                "total": total,
                "rate": f"{rate:,.0f}",
            }
            out.write(f"\r[{bar}] {counts}", ending="")
            if hasattr(sys.stdout, "flush"):
                out.flush()

        try:
            outcome = run_import(
                kind=options["kind"],
                path=options["file"],
                filename=options["file"],
                user=user,
                dry_run=options["dry_run"],
                valid_only=options["valid_only"],
                progress=progress,
            )
        except FileRefused as exc:
            raise CommandError(str(exc)) from None
        out.write("")
        seconds = time.monotonic() - started
        out.write(
            _(
                "共 %(total)s 行：新建 %(created)s，更新 %(updated)s，"
                "无变化 %(unchanged)s，拒绝 %(rejected)s（%(seconds).1f 秒）"
            )
            % {
                "total": outcome.total,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "rejected": outcome.rejected,
                "seconds": seconds,
            }
        )
        for error in outcome.errors[:50]:
            out.write("  " + _("第%(row)s行 [%(column)s] %(reason)s") % error)
        if options["dry_run"]:
            out.write(_("预检完成，未写入任何数据。"))
        elif outcome.rejected and not options["valid_only"]:
            out.write(
                self.style.ERROR(_("有被拒绝的行，全部未导入（可加 --valid-only 只导入有效行）。"))
            )
        else:
            out.write(self.style.SUCCESS(_("导入完成。")))
