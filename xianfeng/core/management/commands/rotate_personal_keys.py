"""Re-encrypt ID numbers and phones with the current key and recompute their blind indexes
(``xianfeng.core.crypto``)::

    XIANFENG_FIELD_KEYS=<new>,<old> XIANFENG_INDEX_KEY=<new index key> \
        .venv/bin/python manage.py rotate_personal_keys

Run it after putting a new Fernet key in front of ``XIANFENG_FIELD_KEYS`` (then the old keys
may be dropped) and straight after changing ``XIANFENG_INDEX_KEY`` (until it has run, a search
by number finds nothing). Safe to run again: every token is simply rewritten.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import crypto
from xianfeng.core.i18n import command_help


class Command(BaseCommand):
    help = command_help(gettext_lazy("用当前密钥重新加密身份证号和手机号，并重算检索索引"))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default", help=_("数据库别名"))

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in crypto.models_with_encrypted_fields():
            n = crypto.rekey(model, using=options["database"])
            total += n
            self.stdout.write(_("%(table)s：%(n)d 行") % {"table": model._meta.db_table, "n": n})
        self.stdout.write(self.style.SUCCESS(_("已重新加密 %(n)d 行。") % {"n": total}))
