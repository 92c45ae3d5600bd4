"""The duty ledger's vocabulary: every kind of duty record, declared once by the app that
writes it.

Point rules (scoring) are set per kind, so the list must be complete and stable: codes are
``<thing>.<verb>`` in English (``task.claim``, ``visit.log``), labels are Chinese. Each app
declares its kinds in ``<app>/duty.py`` with :func:`declare`; the modules are imported when
the apps are ready (``CoreConfig.ready``), and ``duty_record()`` refuses a kind nobody
declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class DutyKind:
    code: str
    label: str | Promise
    app: str


_KINDS: dict[str, DutyKind] = {}


class UnknownDutyKind(LookupError):
    pass


def declare(app: str, kinds: dict[str, str | Promise]) -> None:
    """Declare the kinds an app writes. Declaring a code twice from two apps is an error."""
    for code, label in kinds.items():
        if not CODE_PATTERN.match(code):
            raise ValueError(f"duty kind {code!r} must look like 'thing.verb'")
        known = _KINDS.get(code)
        if known is not None and known.app != app:
            raise ValueError(f"duty kind {code!r} is declared by {known.app} already")
        _KINDS[code] = DutyKind(code=code, label=label, app=app)


def get(code: str) -> DutyKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownDutyKind(f"undeclared duty kind {code!r}") from None


def is_declared(code: str) -> bool:
    return code in _KINDS


def all_kinds() -> list[DutyKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.app, k.code))


def label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code
