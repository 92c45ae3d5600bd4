"""What a higher app adds to a lower app's object: facts on its detail page and the reasons it
cannot be deleted.

The apps stand in layers (places above people above orgs, core at the bottom), so an
organization's page cannot import the members that point at it. Instead the app that owns
the pointing rows registers, from its ``AppConfig.ready()``:

- ``register_detail_context``: variables for the detail page of a model (named by its label,
  ``"orgs.Organization"``), from a function of the user and the object — a member count on an
  organization, a member's responsibility zones.
- ``register_delete_blocker``: a count of rows that still point at the object, with the Chinese
  text that names them (``"%(n)d名党员"``); a non-zero count stops the delete.

A key registered again replaces the earlier entry, so a second ``ready()`` adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.db.models import Model

    from xianfeng.core.models import User


@dataclass(frozen=True)
class DeleteBlocker:
    key: str
    order: int
    text: str | Promise
    count: Callable[[Any], int]


_contexts: dict[str, dict[str, Callable[[Any, Any], dict[str, Any]]]] = {}
_blockers: dict[str, dict[str, DeleteBlocker]] = {}


def register_detail_context(
    model_label: str, key: str, build: Callable[[User, Any], dict[str, Any]]
) -> None:
    _contexts.setdefault(model_label, {})[key] = build


def detail_context(user: User, obj: Model) -> dict[str, Any]:
    """Every registered variable for ``obj``'s detail page."""
    context: dict[str, Any] = {}
    for _key, build in sorted(_contexts.get(obj._meta.label, {}).items()):
        context.update(build(user, obj))
    return context


def register_delete_blocker(
    model_label: str,
    key: str,
    *,
    order: int,
    text: str | Promise,
    count: Callable[[Any], int],
) -> None:
    _blockers.setdefault(model_label, {})[key] = DeleteBlocker(key, order, text, count)


def delete_blockers(obj: Model) -> list[str]:
    """The registered reasons that stop ``obj``'s delete, in order (empty when none does)."""
    entries = sorted(_blockers.get(obj._meta.label, {}).values(), key=lambda b: (b.order, b.key))
    reasons = []
    for entry in entries:
        n = entry.count(obj)
        if n:
            reasons.append(str(entry.text) % {"n": n})
    return reasons
