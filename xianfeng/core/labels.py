"""Choice labels as plain dicts, built once per language (issue 11): a list page looks each
row's label up in a dict instead of calling ``get_FOO_display`` and gettext for every row, and
the API and exports can share the same dicts."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from django.db.models import Choices
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe


@cache
def _labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def labels(choices: type[Choices]) -> dict[str, str]:
    """``{value: label}`` in the active language."""
    return _labels(choices, translation.get_language())


def escaped(choices: type[Choices]) -> dict[str, str]:
    """``{value: label}`` in the active language, each label HTML-escaped: for rows built in
    Python, so a page does not escape the same few labels once per row."""
    return _escaped(choices, translation.get_language())


@cache
def _escaped(choices: type[Choices], language: str | None) -> dict[str, str]:
    return {value: escape(label) for value, label in _labels(choices, language).items()}


def options(choices: type[Choices]) -> list[tuple[str, str]]:
    """``[(value, label)]`` for a filter's ``<select>``, in the active language."""
    return list(labels(choices).items())


def option_tags(choices: type[Choices], selected: Any) -> SafeString:
    """A filter's ``<option>`` tags, ``selected`` marked, as the template loop
    ``<option value="{{ v }}" {% if selected == v %}selected{% endif %}>{{ l }}</option>``
    wrote them, byte for byte: built once per language and selected value (issue 11)."""
    language = translation.get_language()
    return _option_tags(choices, language, selected if selected in labels(choices) else None)


@cache
def _option_tags(choices: type[Choices], language: str | None, selected: Any) -> SafeString:
    # only values of ``choices`` (or None) get here: the cache holds a few tags per filter
    return mark_safe(  # every value is escaped
        "".join(
            f'<option value="{escape(str(value))}" {"selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in _labels(choices, language).items()
        )
    )


@cache
def url_prefix(url_name: str) -> str:
    """The address of ``url_name``'s object 0 without its trailing ``0/``: rows link with
    ``{{ prefix }}{{ row.pk }}/`` instead of resolving ``{% url %}`` once per row."""
    url = reverse(url_name, args=[0])
    if not url.endswith("/0/"):
        raise ValueError(f"{url_name}: {url} does not end with /0/")
    return url[:-2]


@cache
def _field_labels(model: type, field: str, language: str | None) -> dict[Any, str]:
    with translation.override(language):
        return {value: str(name) for value, name in model._meta.get_field(field).flatchoices}


def field_labels(model: type, field: str) -> dict[Any, str]:
    """``{value: label}`` of a model field's choices in the active language (what
    ``get_FOO_display`` gives, without a gettext call per row)."""
    return _field_labels(model, field, translation.get_language())
