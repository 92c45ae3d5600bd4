"""One workflow mechanism for every state machine (tasks, supervision, member cases,
landlord declarations, import runs, townsman pairings, and the workflows still to come).

The transition table is django-fsm-2's: each transition is a model method decorated with
:func:`step`, a thin wrapper over ``django_fsm.transition`` that makes every declaration say
the same four things — its sources, its target, who may take it (``allowed``, a scope-aware
rule answering a Chinese refusal or ``None``) and what it writes (``ledger``, a duty kind
declared in the app's ``duty.py``). The method body validates its input and applies the
change to the row; it returns nothing, or a dict that adjusts the ledger entry
(``member``, ``organization``, ``note``, ``verified``, ``verifies``, ``occurred_at``).

What is ours, because django-fsm-2 leaves it to the caller, is :func:`take`: lock the row,
check the state (:class:`StateConflict`, 409), check the actor (``PermissionDenied``, 403),
run the method, save with history, write the duty ledger — all in one transaction. The same
declarations drive the buttons on pages and the ``actions`` field of API objects
(:func:`actions`), the API action endpoints, and the periodic jobs (:func:`take_due` for
transitions marked ``system=True``, such as overdue marking).

Objects are fetched by the caller through ``get_object_for`` (404 outside scope) first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import FSMField, can_proceed, transition

from xianfeng.core import ledger
from xianfeng.core.services import duty_record, save_with_history

if TYPE_CHECKING:
    from xianfeng.core.models import User

__all__ = [
    "FSMField",
    "Input",
    "StateConflict",
    "Step",
    "actions",
    "available",
    "check",
    "step",
    "steps_of",
    "take",
    "take_due",
]

#: A rule answers why the user may not take the step (a Chinese sentence), or ``None``.
Rule = Callable[[models.Model, Any], "str | Promise | None"]


class StateConflict(ValidationError):
    """The object is not (or no longer) in a state that allows the step: 409."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message, code="invalid_state")


@dataclass(frozen=True)
class Input:
    """A value a step asks for on a page (``note``, ``reason``): name, label, required."""

    name: str
    label: str | Promise
    required: bool = False
    kind: str = "text"  # text, textarea, date


@dataclass(frozen=True)
class Step:
    name: str
    attr: str  # the model method (``return_`` for the step ``return``)
    label: str | Promise
    sources: tuple[str, ...]
    target: str | None
    allowed: Rule | None
    ledger: str
    inputs: tuple[Input, ...]
    history: str | Promise
    system: bool
    style: str
    done: str | Promise
    conditions: tuple[Callable[[Any], bool], ...]
    field: str
    conflict: Callable[[Any], str | Promise | None] | None

    def permits(self, obj: models.Model, user: Any) -> str | None:
        """The refusal for this user, or ``None`` when they may take the step."""
        if self.system:
            return None if user is None else _("这一步由系统自动办理。")
        if user is None or not getattr(user, "is_authenticated", False):
            return _("请先登录。")
        if self.allowed is None:
            return None
        answer = self.allowed(obj, user)
        return None if answer is None else str(answer)


def step(
    *,
    source: str | Sequence[str],
    target: str | None,
    label: str | Promise,
    ledger: str,
    allowed: Rule | None = None,
    inputs: Sequence[Input] = (),
    history: str | Promise = "",
    system: bool = False,
    style: str = "",
    done: str | Promise = "",
    conditions: Sequence[Callable[[Any], bool]] = (),
    field: str = "state",
    name: str = "",
    conflict: Callable[[Any], str | Promise | None] | None = None,
) -> Callable[[Any], Any]:
    """Declare a transition on a model method (see the module docstring). ``name`` names the
    step where the method cannot (``return``); ``conflict`` may say better than the generic
    sentence why the object's state does not allow it ("已被某某认领")."""
    sources = (source,) if isinstance(source, str) else tuple(source)

    def decorate(method: Any) -> Any:
        spec = Step(
            name=name or method.__name__,
            attr=method.__name__,
            label=label,
            sources=sources,
            target=target,
            allowed=allowed,
            ledger=ledger,
            inputs=tuple(inputs),
            history=history or label,
            system=system,
            style=style,
            done=done or label,
            conditions=tuple(conditions),
            field=field,
            conflict=conflict,
        )
        wrapped = transition(
            field=field,
            source=list(sources),
            target=target,
            conditions=list(conditions),
            permission=lambda obj, user: spec.permits(obj, user) is None,
            custom={"step": spec},
        )(method)
        wrapped._xf_step = spec
        return wrapped

    return decorate


def steps_of(model: type[models.Model]) -> list[Step]:
    """Every step declared on a model, in declaration order."""
    found: list[Step] = []
    for klass in reversed(model.__mro__):
        for value in vars(klass).values():
            spec = getattr(value, "_xf_step", None)
            if spec is not None and spec not in found:
                found.append(spec)
    return found


def _step(model: type[models.Model], name: str) -> Step:
    for spec in steps_of(model):
        if spec.name == name:
            return spec
    raise LookupError(f"{model.__name__} has no step {name!r}")


def _state_label(obj: models.Model, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if display else str(getattr(obj, field, ""))


def state_allows(obj: models.Model, name: str) -> bool:
    """The object's state (and the step's conditions) allow the step, whoever asks."""
    return can_proceed(getattr(obj, _step(type(obj), name).attr))


def available(user: Any, obj: models.Model) -> list[Step]:
    """Steps this user may take on this object now: what buttons and ``actions`` show."""
    out = []
    for spec in steps_of(type(obj)):
        if spec.system or not state_allows(obj, spec.name):
            continue
        if spec.permits(obj, user) is None:
            out.append(spec)
    return out


def available_refusal(obj: models.Model, name: str, user: Any) -> str | None:
    """Why this user may never take the step on this object (whatever its state), or None."""
    return _step(type(obj), name).permits(obj, user)


def actions(user: Any, obj: models.Model) -> list[str]:
    """Names of the steps this user may take now (the API's ``actions`` field)."""
    return [spec.name for spec in available(user, obj)]


def _lock(obj: models.Model) -> models.Model:
    manager = type(obj)._default_manager
    return manager.select_for_update().get(pk=obj.pk)


def check(obj: models.Model, name: str, *, actor: User | None) -> Step:
    """The checks of :func:`take` without the change, for a page that validates a form only
    once the step is possible (state, then actor): raises ``StateConflict`` or
    ``PermissionDenied``. ``take`` checks again under the lock."""
    spec = _step(type(obj), name)
    if not state_allows(obj, name):
        reason = spec.conflict(obj) if spec.conflict else None
        raise StateConflict(
            reason
            or _("当前状态为“%(state)s”，不能%(step)s。")
            % {"state": _state_label(obj, spec.field), "step": spec.label}
        )
    refusal = spec.permits(obj, actor)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return spec


@transaction.atomic
def take(obj: models.Model, name: str, *, actor: User | None, **params: Any) -> models.Model:
    """Take one step: lock, check state (409) and actor (403), apply, save with history,
    write the ledger. Answers the saved object (a fresh copy of the locked row)."""
    locked = _lock(obj)
    spec = check(locked, name, actor=actor)
    extra = getattr(locked, spec.attr)(actor=actor, **params) or {}
    save_with_history(instance=locked, actor=actor, reason=str(extra.pop("history", spec.history)))
    write_ledger(locked, spec.ledger, actor=actor, **extra)
    # The caller's copy says what was saved, as a service that changed it in place would.
    if obj is not locked:
        obj.refresh_from_db()
    return locked


def write_ledger(obj: models.Model, kind: str, *, actor: User | None, **extra: Any) -> Any:
    """The duty record of a step (or of creating an object in its first state)."""
    ledger.get(kind)
    organization = extra.pop("organization", None) or obj.organization
    member = extra.pop("member", getattr(obj, "duty_member", None))
    return duty_record(
        actor=actor,
        action=kind,
        organization=organization,
        target=obj,
        member=member,
        note=str(extra.pop("note", ""))[:500],
        **extra,
    )


def take_due(
    objects: Iterable[models.Model], name: str, *, when: Callable[[models.Model], bool]
) -> int:
    """A periodic job's pass: take the system step ``name`` on every object whose state
    allows it and for which ``when`` holds (checked again under the lock). Answers how many
    moved."""
    moved = 0
    for obj in objects:
        with transaction.atomic():
            locked = _lock(obj)
            if not state_allows(locked, name) or not when(locked):
                continue
            take(locked, name, actor=None)
            moved += 1
    return moved
