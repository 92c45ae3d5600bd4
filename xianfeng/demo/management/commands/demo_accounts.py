"""``manage.py demo_accounts``: print the demo accounts (username, password, role, organization)."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.i18n import command_help
from xianfeng.demo.accounts import persona_rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = command_help(gettext_lazy("列出演示账号（用户名、密码、角色、所在组织）。"))

    def handle(self, *args: object, **options: object) -> None:
        rows = persona_rows()
        if not rows:
            self.stderr.write(_("还没有演示账号：请先运行 manage.py demo_district。"))
            return
        table = [(_("用户名"), _("密码"), _("姓名"), _("角色"), _("所在组织")), *rows]
        widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
        rule = "  ".join("-" * w for w in widths)
        self.stdout.write(_("演示账号："))
        for n, row in enumerate(table):
            cells = (_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if n == 0:
                self.stdout.write(rule)
