"""What every page form of the project shares: limits on free text (issue 9).

``TextLimits`` (mixed into every ``Form`` and ``ModelForm``, before Django's class) gives each
text field a maximum length when it has none (a ``TextField`` column or a plain
``forms.CharField``: ``TEXT_MAX_LENGTH`` for a multi-line box, ``LINE_MAX_LENGTH`` for one
line), puts it on the widget (``maxlength``) and refuses NUL and the other control characters
(tabs and newlines stay allowed). A field that carries documents rather than text (GeoJSON)
says so with ``text_limit = None`` on its class.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from xianfeng.core.validators import (
    LINE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    NoControlsValidator,
    validate_geojson_geometry,
)

NO_CONTROLS = NoControlsValidator()


def limit_text_fields(fields: dict[str, forms.Field]) -> None:
    for field in fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field, forms.JSONField):
            continue
        if getattr(field, "text_limit", "") is None:
            continue
        if NO_CONTROLS not in field.validators:
            field.validators.append(NO_CONTROLS)
        if field.max_length is None:
            multi_line = isinstance(field.widget, forms.Textarea)
            field.max_length = TEXT_MAX_LENGTH if multi_line else LINE_MAX_LENGTH
            field.validators.append(MaxLengthValidator(field.max_length))
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("maxlength", str(field.max_length))


class TextLimits:
    """Mix in before ``forms.Form``/``forms.ModelForm``: ``class F(TextLimits, forms.Form)``."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_text_fields(self.fields)


class GeoJSONField(forms.CharField):
    text_limit = None  # a document, not text: its own checks (core/forms.py)
    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not value:
            return None
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("边界不是有效的JSON，请粘贴GeoJSON文本。")) from None
        validate_geojson_geometry(data)
        return data

    def prepare_value(self, value: Any) -> Any:
        # No boundary is an empty box, not the text "null".
        if value is None or value == "null":
            return ""
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value
