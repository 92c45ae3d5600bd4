"""What every app's selectors share: one filter object per list, parsed in one place.

A *selector* (``<app>/selectors.py``) is the one function that answers a list: the page, the
API endpoint and the export all call it, and it is where ``restrict(user, action)`` is applied.
Its filters are a frozen dataclass derived from ``ListFilters``:

* ``from_params(request.GET)`` parses a page's or an export's query string. A value that does
  not parse (an unknown choice, a non-number) is ignored, as the pages' filter forms always
  did, so a hand-edited URL never answers an error page.
* ``from_schema(filters)`` takes the API's query schema, which ninja has already validated.

Both give the same object, so the three readers of a list cannot drift apart again (they did:
member search had pinyin on the page and not in the API, building codes were matched two ways).
Ordering, ``select_related`` and annotations that only one reader shows stay with that reader.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

from xianfeng.core.validators import parse_db_int

_TRUE = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


def _accepts(hint: Any, kind: type) -> bool:
    if hint is kind:
        return True
    if get_origin(hint) in (Union, types.UnionType):
        return kind in get_args(hint)
    return False


@dataclass(frozen=True)
class ListFilters:
    """Base of a list's filters. A field may name its allowed values with
    ``field(default="", metadata={"choices": SomeChoices.values})``."""

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if raw is None:
                continue
            raw = str(raw).strip()
            if not raw:
                continue
            hint = hints[f.name]
            value: Any
            if _accepts(hint, bool):
                value = _TRUE.get(raw.lower())
            elif _accepts(hint, int):
                # past 2^63 is no id (the database cannot compare it): ignored like any
                # other value that is not a number
                value = parse_db_int(raw)
            else:
                value = raw
            choices = f.metadata.get("choices")
            if value is None or (choices is not None and value not in choices):
                continue
            values[f.name] = value
        return cls(**values)

    @classmethod
    def from_schema(cls, schema: Any) -> Self:
        """From the API's query schema: fields it has and the client gave; enum members
        become their plain values."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = getattr(schema, f.name, None)
            if value is None:
                continue
            if isinstance(value, enum.Enum):
                value = value.value
            if isinstance(value, str):
                value = value.strip()
            values[f.name] = value
        return cls(**values)

    @classmethod
    def kept(cls, params: Mapping[str, Any]) -> dict[str, str]:
        """The filter parameters as given (for a page's form and its paging links, and for
        an export's record), in the order the fields are declared."""
        return {k: params[k] for k in cls.keys() if params.get(k)}
