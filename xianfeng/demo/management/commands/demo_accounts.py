"""``manage.py demo_accounts``: print the demo accounts (username, password, role, organization)."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.i18n import command_help
from xianfeng.demo.accounts import demo_totp_code, persona_rows, two_factor_usernames
from xianfeng.demo.base import DEMO_TOTP_SECRET


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
        names = two_factor_usernames()
        if names:
            self.stdout.write("")
            self.stdout.write(
                _(
                    "%(names)s 登录时还需两步验证：在任一验证器应用（如 Google Authenticator、"
                    "Microsoft Authenticator、FreeOTP）中手动添加密钥 %(secret)s（基于时间），"
                    "输入它显示的 6 位动态验证码。此刻的验证码是 %(code)s（约 30 秒内有效），"
                    "也可运行 manage.py demo_accounts 再看一次。"
                )
                % {"names": "、".join(names), "secret": DEMO_TOTP_SECRET, "code": demo_totp_code()}
            )
