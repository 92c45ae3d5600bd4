"""What the one search box looks in; core itself imports none of the apps it searches.

Each app registers its sources from its ``AppConfig.ready()`` with ``register_source``: a key,
an ``order`` (the page shows the sources by it), the heading of its results, the template of
one result row (it sees the row as ``obj``) and ``find(user, q)``, which returns at most
``LIMIT`` rows the user may see. A key registered again replaces the earlier source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from xianfeng.core.models import User

# Rows per source.
LIMIT = 20


@dataclass(frozen=True)
class Source:
    key: str
    order: int
    title: str | Promise
    row_template: str
    find: Callable[[User, str], list[Any]]


_sources: dict[str, Source] = {}


def register_source(
    key: str,
    *,
    order: int,
    title: str | Promise,
    row_template: str,
    find: Callable[[User, str], list[Any]],
) -> None:
    _sources[key] = Source(key, order, title, row_template, find)


def search(user: User, q: str) -> list[dict[str, Any]]:
    """Every source's results for ``q``, in order (an empty ``q`` finds nothing)."""
    return [
        {
            "key": s.key,
            "title": s.title,
            "row_template": s.row_template,
            "results": s.find(user, q) if q else [],
        }
        for s in sorted(_sources.values(), key=lambda s: (s.order, s.key))
    ]
