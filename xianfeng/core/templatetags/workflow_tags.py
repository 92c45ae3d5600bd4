"""``{% step_forms obj "app:url_name" %}``: one small form per step the user may take now,
from the workflow's declarations (the same table the API's ``actions`` field reads)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from xianfeng.core import workflow

register = template.Library()


@register.inclusion_tag("core/_step_forms.html", takes_context=True)
def step_forms(context: dict[str, Any], obj: Any, url_name: str) -> dict[str, Any]:
    user = context["request"].user
    steps = [
        {"spec": spec, "url": reverse(url_name, args=[obj.pk, spec.name])}
        for spec in workflow.available(user, obj)
    ]
    return {"steps": steps, "csrf_token": context.get("csrf_token"), "obj": obj}
