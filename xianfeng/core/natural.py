"""Natural order for names with numbers (1号, 2号, 10号 rather than 1号, 10号, 2号), kept in
the database so that lists still sort and paginate there.

``NaturalSortField(sources=("unit", "room"))`` holds ``natural_key`` of those fields, joined,
recomputed whenever the row is saved (``save()`` and ``bulk_create`` both call ``pre_save``).
Order by it instead of the name.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

_DIGITS = re.compile(r"\d+")
WIDTH = 10  # numbers up to ten digits compare by value


def natural_key(*parts: Any) -> str:
    """Each run of digits zero-padded to ``WIDTH``, so text order is number order; parts are
    separated by a character below every printable one."""
    out = []
    for part in parts:
        text = "" if part is None else str(part)
        out.append(_DIGITS.sub(lambda m: m.group().lstrip("0").rjust(WIDTH, "0")[-WIDTH:], text))
    return "\x01".join(out)


class NaturalSortField(models.CharField):
    def __init__(self, *args: Any, sources: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("max_length", 255)
        kwargs["editable"] = False
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list, dict]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = natural_key(*(getattr(model_instance, s) for s in self.sources))[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


def fill_natural_keys(model: Any, field: str, sources: tuple[str, ...]) -> None:
    """For a migration that adds the field: compute it for the rows already stored."""
    batch = []
    for obj in model._base_manager.only("pk", *sources).iterator(chunk_size=2000):
        setattr(obj, field, natural_key(*(getattr(obj, s) for s in sources))[:255])
        batch.append(obj)
        if len(batch) >= 2000:
            model._base_manager.bulk_update(batch, [field])
            batch = []
    if batch:
        model._base_manager.bulk_update(batch, [field])
