"""What the apps put on the role home page; core itself imports none of them.

Each app registers its pieces from its ``AppConfig.ready()``:

- ``register_todo``: a line of "今天需要我处理" (shown to managers): a count in the user's
  scope, the label after the count and the list it links to. A line whose count is zero is not
  shown.
- ``register_stat``: a tile of "我的管辖范围": a count in the user's scope, its label and the
  URL name of the list it opens (none: a tile without a link).
- ``register_context``: variables for a role's panel (``my_member``, ``pairings`` ...), from a
  function of the user and the kinds of the user's active roles. A later function sees what the
  earlier ones returned.
- ``register_panel``: a card of the page from an app's own template, with the variables its
  function returns for the user and the kinds of the user's roles (``None``: no card).

Every piece has an ``order``: the page shows them by it, whatever order the apps load in. A key
registered again replaces the earlier entry, so a second ``ready()`` adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from xianfeng.core.models import User

Label = str | Promise


@dataclass(frozen=True)
class Todo:
    key: str
    order: int
    label: Label
    url: str
    count: Callable[[User, date], int]


@dataclass(frozen=True)
class Stat:
    key: str
    order: int
    label: Label
    url_name: str
    count: Callable[[User], int]


@dataclass(frozen=True)
class Context:
    key: str
    order: int
    build: Callable[[User, frozenset[str], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    template: str
    build: Callable[[User, frozenset[str]], dict[str, Any] | None]


_panels: dict[str, Panel] = {}
_todos: dict[str, Todo] = {}
_stats: dict[str, Stat] = {}
_contexts: dict[str, Context] = {}


def register_todo(
    key: str, *, order: int, label: Label, url: str, count: Callable[[User, date], int]
) -> None:
    _todos[key] = Todo(key, order, label, url, count)


def register_stat(
    key: str, *, order: int, label: Label, count: Callable[[User], int], url_name: str = ""
) -> None:
    _stats[key] = Stat(key, order, label, url_name, count)


def register_context(
    key: str,
    *,
    order: int,
    build: Callable[[User, frozenset[str], dict[str, Any]], dict[str, Any]],
) -> None:
    _contexts[key] = Context(key, order, build)


def register_panel(
    key: str,
    *,
    order: int,
    template: str,
    build: Callable[[User, frozenset[str]], dict[str, Any] | None],
) -> None:
    _panels[key] = Panel(key, order, template, build)


def count_in_scope(model: Any) -> Callable[[User], int]:
    """A tile's count: the rows of ``model`` the user may see."""
    return lambda user: model.objects.restrict(user).count()


def _ordered(entries: dict[str, Any]) -> list[Any]:
    return sorted(entries.values(), key=lambda e: (e.order, e.key))


def todo_lines(user: User, today: date) -> list[dict[str, Any]]:
    """The lines of "今天需要我处理" with something to do, in order."""
    lines = [
        {"count": t.count(user, today), "label": t.label, "url": t.url} for t in _ordered(_todos)
    ]
    return [line for line in lines if line["count"]]


def stat_tiles(user: User) -> list[dict[str, Any]]:
    """The tiles of "我的管辖范围", in order; ``url`` is empty for a tile without a list."""
    return [
        {
            "key": s.key,
            "count": s.count(user),
            "label": s.label,
            "url": reverse(s.url_name) if s.url_name else "",
        }
        for s in _ordered(_stats)
    ]


def panel_context(user: User, kinds: frozenset[str]) -> dict[str, Any]:
    """The role panels' variables, from every registered function in order."""
    context: dict[str, Any] = {}
    for entry in _ordered(_contexts):
        context.update(entry.build(user, kinds, context))
    return context


def panels(user: User, kinds: frozenset[str]) -> list[dict[str, Any]]:
    """The apps' cards for this user, in order: ``template`` and its ``context``."""
    out = []
    for panel in _ordered(_panels):
        context = panel.build(user, kinds)
        if context is not None:
            out.append({"template": panel.template, "context": context})
    return out
