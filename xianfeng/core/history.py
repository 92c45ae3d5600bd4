"""Readable history of an object, with protected fields masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.crypto import EncryptedCharField, EncryptedJSONField
from xianfeng.core.validators import mask_id_number, mask_phone

_MASKERS = {"id_number": mask_id_number, "mobile": mask_phone}
_KINDS = {"+": gettext_lazy("新建"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
_SKIP = {"updated_at", "created_at", "name_pinyin", "name_initials", "address_normalized"}


def _display(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.name in _MASKERS:
        return _MASKERS[field.name](str(value))
    if isinstance(field, EncryptedJSONField):
        return _("（已加密，不显示）")
    if isinstance(field, EncryptedCharField):  # a phone of another model (townsman, landlord)
        return mask_phone(str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(value, datetime):
        # Shown as people read time here: local (Asia/Shanghai), to the minute.
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    return str(value)


def history_rows(obj: models.Model, limit: int = 50) -> list[dict[str, Any]]:
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    rows = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in _SKIP or change.field.endswith("_index"):
                    continue  # a blind index changes with its field, and means nothing to read
                try:
                    field = obj._meta.get_field(change.field)
                except Exception:
                    changes.append({"field": change.field, "old": "…", "new": "…"})
                    continue
                if isinstance(field, models.ManyToManyField):
                    changes.append(
                        {
                            "field": field.verbose_name,
                            "old": _("%(n)d项") % {"n": len(change.old or [])},
                            "new": _("%(n)d项") % {"n": len(change.new or [])},
                        }
                    )
                    continue
                old, new = change.old, change.new
                if isinstance(field, models.ForeignKey):
                    old, new = _fk_names(field, old, new)
                    changes.append({"field": field.verbose_name, "old": old, "new": new})
                    continue
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, old),
                        "new": _display(field, new),
                    }
                )
        rows.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": _KINDS.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


def _fk_names(field: models.ForeignKey, old: Any, new: Any) -> tuple[str, str]:
    ids = [v for v in (old, new) if v is not None]
    names = {o.pk: str(o) for o in field.related_model._default_manager.filter(pk__in=ids)}
    return names.get(old, "" if old is None else f"#{old}"), names.get(
        new, "" if new is None else f"#{new}"
    )
