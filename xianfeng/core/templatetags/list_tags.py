"""Filters for list rows: ``{{ kind_labels|label:m.kind }}`` reads a dict built once per
language (``xianfeng.core.labels``); an unknown value shows as itself."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def label(labels: dict[str, str], value: Any) -> Any:
    return labels.get(value, value)
