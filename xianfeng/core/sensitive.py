"""Full phones and ID numbers only for the roles that may reveal them (``SENSITIVE_VIEWERS``):
everyone else — the auditor included — sees them masked, also where they stand inside free
text (a flow-out case's contact, a landlord's mobile)."""

from __future__ import annotations

import re
from typing import Any

from xianfeng.core.roles import SENSITIVE_VIEWERS
from xianfeng.core.scope import active_roles
from xianfeng.core.validators import mask_id_number, mask_phone

# A mainland mobile (11 digits from 1) or an 18-character ID number standing alone in text.
_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def sees_full(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool({r.kind for r in active_roles(user)} & SENSITIVE_VIEWERS)


def mask_text(text: str) -> str:
    """Every ID number and mobile inside ``text`` masked; the rest unchanged."""
    if not text:
        return text or ""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def for_user(text: str, user: Any) -> str:
    return text if sees_full(user) else mask_text(text)
