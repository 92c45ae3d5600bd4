"""``{% org_link org %}``: an organization as a link when the user may open it, else its name
as plain text (an ancestor or a paired organization outside the user's scope would answer
404). One query per organization per request, remembered on the user object."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from xianfeng.orgs.models import Organization

register = template.Library()


def visible(user: Any, org: Organization) -> bool:
    cache = getattr(user, "_xf_visible_orgs", None)
    if cache is None:
        cache = user._xf_visible_orgs = {}
    if org.pk not in cache:
        cache[org.pk] = Organization.objects.restrict(user).filter(pk=org.pk).exists()
    return cache[org.pk]


@register.simple_tag(takes_context=True)
def org_link(context: dict[str, Any], org: Organization | None, label: str = "") -> str:
    if org is None:
        return "—"
    text = label or str(org)
    if visible(context["request"].user, org):
        return format_html('<a href="{}">{}</a>', reverse("orgs:detail", args=[org.pk]), text)
    return format_html("<span>{}</span>", text)
