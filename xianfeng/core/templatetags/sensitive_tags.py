"""``{{ text|masked_for:request.user }}``: free text with phones and ID numbers masked for a
user who may not see them in full (see ``xianfeng.core.sensitive``)."""

from __future__ import annotations

from typing import Any

from django import template

from xianfeng.core.sensitive import for_user

register = template.Library()


@register.filter
def masked_for(text: Any, user: Any) -> str:
    return for_user(str(text or ""), user)
