"""The per-day summary of hazards that the district's and streets' figures read
(``xianfeng/safety/figures.py``), instead of counting a million hazards on every request.

Two tables (``models.HazardDay``, ``models.HazardDue``):

* ``HazardDay``: per organization, day, category and current state, the hazards reported that
  day (``found``) and the hazards closed that day (``removed``). "Found in the period", "removed
  in the period", by category, by state, by month and by the organization one level down are
  sums of its rows over the period's days.
* ``HazardDue``: the open hazards per organization, category, state and deadline: "open" and
  "overdue" (past the deadline, in a state that can still miss it) as of any day.

Every save of a hazard moves its counts from the keys it had to the keys it has now
(``Hazard.save`` calls :func:`move` in the same transaction), so the tables are never stale;
writes that bypass ``save`` (raw SQL, ``QuerySet.update``, a bulk load such as the benchmark's)
are followed by :func:`rebuild` (``manage.py rebuild_safety_summary``), which recomputes both
tables from the hazards in a few grouped queries.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from xianfeng.safety.choices import OPEN_STATES

if TYPE_CHECKING:
    from xianfeng.safety.models import Hazard

#: The hazard fields the keys are made of (a row loaded without one of them is re-read).
KEY_FIELDS = frozenset(
    {"organization", "reported_at", "category", "state", "closed_at", "deadline"}
)

#: ("day", organization id, day, category, state, column) or
#: ("due", organization id, category, state, deadline): one count each.
Key = tuple[Any, ...]

_OPEN = frozenset(str(s) for s in OPEN_STATES)


def _local_day(value: datetime | None) -> date | None:
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.date()


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _keys(
    organization_id: int,
    reported_at: datetime,
    category: str,
    state: str,
    closed_at: datetime | None,
    deadline: date | str,
) -> tuple[Key, ...]:
    state = str(state)
    keys: list[Key] = [("day", organization_id, _local_day(reported_at), category, state, "found")]
    closed = _local_day(closed_at)
    if closed is not None:
        keys.append(("day", organization_id, closed, category, state, "removed"))
    if state in _OPEN:
        keys.append(("due", organization_id, category, state, _date(deadline)))
    return tuple(keys)


def keys_of(hazard: Hazard) -> tuple[Key, ...]:
    """The counts one hazard adds to, as it stands in memory."""
    return _keys(
        hazard.organization_id,
        hazard.reported_at,
        hazard.category,
        hazard.state,
        hazard.closed_at,
        hazard.deadline,
    )


def stored_keys(pk: int) -> tuple[Key, ...] | None:
    """The counts the hazard adds to as stored (None when there is no such row)."""
    from xianfeng.safety.models import Hazard

    row = (
        Hazard.objects.filter(pk=pk)
        .values_list("organization_id", "reported_at", "category", "state", "closed_at", "deadline")
        .first()
    )
    return _keys(*row) if row else None


def move(before: tuple[Key, ...] | None, after: tuple[Key, ...] | None) -> None:
    """Take one from each key of ``before`` and add one to each of ``after`` (a key in both is
    left alone): the write of a hazard that had ``before`` and has ``after``."""
    delta: Counter[Key] = Counter(after or ())
    delta.subtract(before or ())
    for key, n in delta.items():
        if n:
            _add(key, n)


def _add(key: Key, n: int) -> None:
    from xianfeng.safety.models import HazardDay, HazardDue

    if key[0] == "day":
        _, organization_id, day, category, state, column = key
        model, lookup = (
            HazardDay,
            {"organization_id": organization_id, "day": day, "category": category, "state": state},
        )
    else:
        _, organization_id, category, state, deadline = key
        model, column = HazardDue, "count"
        lookup = {
            "organization_id": organization_id,
            "category": category,
            "state": state,
            "deadline": deadline,
        }
    rows = model.objects.filter(**lookup)
    if rows.update(**{column: F(column) + n}):
        return
    if n < 0:
        return  # nothing to take from: the table predates the row (rebuild puts it right)
    try:
        with transaction.atomic():  # a savepoint: another request may insert the key first
            model.objects.create(**lookup, **{column: n})
    except IntegrityError:
        rows.update(**{column: F(column) + n})


@transaction.atomic
def rebuild(apps: Any = None) -> dict[str, int]:
    """Recompute both tables from the hazards (after writes that bypassed ``Hazard.save``).
    Answers the number of rows written to each. ``apps``: a migration's historical models."""
    if apps is None:
        from django.apps import apps
    Hazard = apps.get_model("safety", "Hazard")
    HazardDay = apps.get_model("safety", "HazardDay")
    HazardDue = apps.get_model("safety", "HazardDue")
    HazardDay.objects.all().delete()
    HazardDue.objects.all().delete()
    days: dict[tuple, dict[str, int]] = {}
    found = (
        Hazard.objects.annotate(day=TruncDate("reported_at"))
        .values_list("organization_id", "day", "category", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organization_id, day, category, state, n in found.iterator(chunk_size=5000):
        days.setdefault((organization_id, day, category, state), {})["found"] = n
    removed = (
        Hazard.objects.filter(closed_at__isnull=False)
        .annotate(day=TruncDate("closed_at"))
        .values_list("organization_id", "day", "category", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organization_id, day, category, state, n in removed.iterator(chunk_size=5000):
        days.setdefault((organization_id, day, category, state), {})["removed"] = n
    HazardDay.objects.bulk_create(
        (
            HazardDay(
                organization_id=o, day=d, category=c, state=s, found=v.get("found", 0),
                removed=v.get("removed", 0),
            )
            for (o, d, c, s), v in days.items()
        ),
        batch_size=2000,
    )  # fmt: skip
    due = (
        Hazard.objects.filter(state__in=OPEN_STATES)
        .values_list("organization_id", "category", "state", "deadline")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        HazardDue(organization_id=o, category=c, state=s, deadline=d, count=n)
        for o, c, s, d, n in due.iterator(chunk_size=5000)
    ]
    HazardDue.objects.bulk_create(rows, batch_size=2000)
    return {"days": len(days), "due": len(rows)}
