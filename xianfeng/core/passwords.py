"""Password rules beyond Django's: the username may not be a part of the password."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PARTS = re.compile(r"[^0-9a-z]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


class UsernameInPasswordValidator:
    """Refuse a password that has the username as one of its parts (split at punctuation and
    at letter/digit changes: ``qu-password``, ``2024qu``, ``my.qu.key`` for ``qu``), or that
    contains a username of four letters or more anywhere (``xshequpass`` for ``shequ``).
    Django's similarity validator compares whole strings, so a short username inside a long
    password slips past it."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if len(username) < 2 or not password:
            return
        lowered = password.lower()
        parts = {p for p in _PARTS.split(lowered) if p}
        if username in parts or (len(username) >= 4 and username in lowered):
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")
