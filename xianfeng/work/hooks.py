"""What 双领 asks of the apps above it, without importing them.

A task can be done by visits (``Task.target_households`` / ``Task.target_visits``); visits
live in ``xianfeng.visits``, which imports this app, so the dependency is inverted here: the
visits app registers, in its ``AppConfig.ready()``, the functions below.

* ``progress(task) -> VisitProgress``: how far a task done by visits has got.
* ``store_photos(actor=, task=, uploads=, kinds=)``: keep a submitted task's evidence photos.
* ``count_visits(path=, start=, end=) -> int``: visits in an organization's subtree in a
  period, for the daily digest.
* ``task_sections``: extra sections of a task's page: ``(request, task, actions, progress)
  -> {"template": ..., ...}``, rendered in order below the task's buttons.
* ``home_sections``: extra lines of the 双领 card on the home page: ``(user, member, org)
  -> {"template": ..., ...}``.

With nothing registered a task needs no visits, a digest counts none and a page shows no
extra section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xianfeng.work.models import Task


@dataclass(frozen=True)
class VisitProgress:
    """How far a task that is done by visits has got: ``visited`` of ``target``."""

    target: int
    visited: int
    by_household: bool
    missing: list[Any] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return self.target > 0

    @property
    def complete(self) -> bool:
        return self.visited >= self.target

    @property
    def left(self) -> int:
        return max(0, self.target - self.visited)


NO_VISITS_NEEDED = VisitProgress(target=0, visited=0, by_household=False)


@dataclass
class Hooks:
    progress: Callable[[Task], VisitProgress] | None = None
    store_photos: Callable[..., None] | None = None
    count_visits: Callable[..., int] | None = None
    task_sections: list[Callable[..., dict[str, Any]]] = field(default_factory=list)
    home_sections: list[Callable[..., dict[str, Any] | None]] = field(default_factory=list)


hooks = Hooks()


def task_visit_progress(task: Task) -> VisitProgress:
    """Target households visited by visits linked to the task, else linked visits counted
    against ``target_visits`` (answered by the visits app)."""
    if hooks.progress is None:
        return NO_VISITS_NEEDED
    return hooks.progress(task)


def store_task_photos(*, actor: Any, task: Task, uploads: list[Any], kinds: list[str]) -> None:
    if not uploads:
        return
    if hooks.store_photos is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("No app stores task photos (install xianfeng.visits).")
    hooks.store_photos(actor=actor, task=task, uploads=uploads, kinds=kinds)


def count_visits(*, path: str, start: datetime, end: datetime) -> int:
    if hooks.count_visits is None:
        return 0
    return hooks.count_visits(path=path, start=start, end=end)


def task_sections(request: Any, task: Task, actions: list[str], progress: VisitProgress) -> list:
    return [section(request, task, actions, progress) for section in hooks.task_sections]


def home_sections(user: Any, member: Any, org: Any) -> list:
    found = (section(user, member, org) for section in hooks.home_sections)
    return [s for s in found if s]
