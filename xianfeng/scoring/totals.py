"""Monthly totals of points (``MemberMonthPoints``, ``OrgMonthPoints``), kept incrementally:
every write of point entries goes through ``store()``, which inserts the entries and adds
their sums to the month's rows in the same transaction (``INSERT … ON CONFLICT DO UPDATE SET
points = points + excluded.points``, atomic per row on PostgreSQL and SQLite). Entries are
append-only, so the totals never need more than an addition; ``rebuild()`` recounts them from
the entries (the migration's backfill, and a check)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from xianfeng.scoring.models import MemberMonthPoints, OrgMonthPoints, PointEntry
from xianfeng.scoring.sums import PointsSum

#: Rows per INSERT statement of totals (well under SQLite's limit of bound parameters).
CHUNK = 500


@dataclass(slots=True)
class NewEntry:
    """A point entry to write, without a model instance (building one costs ~100x more, and a
    quarter's recomputation writes hundreds of thousands)."""

    member_id: int
    organization_id: int
    kind: str
    occurred_on: date
    entry_kind: str
    points: Decimal
    record_id: int | None = None
    rule_id: int | None = None
    target_type_id: int | None = None
    target_id: str = ""
    reverses_id: int | None = None
    recomputation_id: int | None = None
    note: str = ""


COLUMNS = [f.name for f in fields(NewEntry)]
#: A row's values in COLUMNS order. ``dataclasses.astuple`` deep-copies every field and was
#: almost half of a recomputation's time (profiled); the values are immutable, so no copy.
_values = attrgetter(*COLUMNS)


def month_of(day: date) -> date:
    return day.replace(day=1)


@transaction.atomic
def store(entries: Sequence[PointEntry]) -> None:
    """Insert ``entries`` and add them to the monthly totals."""
    if not entries:
        return
    if len(entries) == 1 and entries[0].pk is None:
        entries[0].save(force_insert=True)
    else:
        PointEntry.objects.bulk_create(entries)
    add([(e.member_id, e.organization_id, e.kind, e.occurred_on, e.points) for e in entries])


@transaction.atomic
def store_rows(rows: Sequence[NewEntry]) -> None:
    """Insert ``rows`` as point entries (PostgreSQL: COPY) and add them to the monthly totals.
    The unique award per record and rule holds as for any insert: a duplicate fails it all."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in [*COLUMNS, "created_at"])
        with connection.cursor() as cursor:
            copy_sql = f"COPY {qn(PointEntry._meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row((*_values(row), now))
    else:
        PointEntry.objects.bulk_create(
            [PointEntry(**dict(zip(COLUMNS, _values(row), strict=True))) for row in rows],
            batch_size=500,
        )
    add([(r.member_id, r.organization_id, r.kind, r.occurred_on, r.points) for r in rows])


def add(rows: Sequence[tuple[int, int, str, date, Decimal]]) -> None:
    """Add (member, organization, kind, day, points) rows to the monthly totals."""
    by_member: dict[tuple[int, date], list] = defaultdict(lambda: [Decimal(0), 0])
    by_org: dict[tuple[int, date, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for member, org, kind, day, points in rows:
        month = month_of(day)
        m = by_member[(member, month)]
        m[0] += points
        m[1] += 1
        o = by_org[(org, month, kind)]
        o[0] += points
        o[1] += 1
    _upsert(
        MemberMonthPoints._meta.db_table,
        ("member_id", "month"),
        [(*k, v[0], v[1]) for k, v in by_member.items()],
    )
    _upsert(
        OrgMonthPoints._meta.db_table,
        ("organization_id", "month", "kind"),
        [(*k, v[0], v[1]) for k, v in by_org.items()],
    )


#: PostgreSQL array types of the totals' columns (``_upsert`` sends one array per column).
_PG_TYPES = {
    "member_id": "bigint",
    "organization_id": "bigint",
    "month": "date",
    "kind": "text",
    "points": "numeric",
    "entries": "integer",
}


def _upsert(table: str, keys: tuple[str, ...], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    columns = [*keys, "points", "entries"]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Sorted by key: two transactions adding to the same rows lock them in the same order.
    rows.sort(key=lambda r: r[: len(keys)])
    conflict = (
        f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET"
        f" {qn('points')} = {qn(table)}.{qn('points')} + excluded.{qn('points')},"
        f" {qn('entries')} = {qn(table)}.{qn('entries')} + excluded.{qn('entries')}"
    )
    if connection.vendor == "postgresql" and rows:
        # One statement of one array per column: the driver no longer parses a query of
        # thousands of placeholders per chunk (a tenth of a recomputation's time, profiled).
        arrays = ", ".join(f"%s::{_PG_TYPES[c]}[]" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)})"
                f" SELECT * FROM unnest({arrays})" + conflict,
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            part = rows[i : i + CHUNK]
            cursor.execute(
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join([one] * len(part))
                + conflict,
                [v for row in part for v in row],
            )


@transaction.atomic
def rebuild() -> None:
    """Recount every monthly total from the entries (a check: the totals kept by ``store``
    must equal these)."""
    MemberMonthPoints.objects.all().delete()
    OrgMonthPoints.objects.all().delete()
    grouped = (
        PointEntry.objects.annotate(m=TruncMonth("occurred_on"))
        .values_list("member_id", "organization_id", "kind", "m")
        .annotate(total=PointsSum("points"), n=Count("pk"))
        .order_by()
    )
    by_member: dict[tuple[int, date], list] = defaultdict(lambda: [Decimal(0), 0])
    by_org: dict[tuple[int, date, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for member, org, kind, month, total, n in grouped.iterator(chunk_size=5000):
        month = month.date() if hasattr(month, "date") else month
        for bucket, key in ((by_member, (member, month)), (by_org, (org, month, kind))):
            bucket[key][0] += total
            bucket[key][1] += n
    _upsert(
        MemberMonthPoints._meta.db_table,
        ("member_id", "month"),
        [(*k, v[0], v[1]) for k, v in by_member.items()],
    )
    _upsert(
        OrgMonthPoints._meta.db_table,
        ("organization_id", "month", "kind"),
        [(*k, v[0], v[1]) for k, v in by_org.items()],
    )


def analyze() -> None:
    """Refresh PostgreSQL's statistics of the entries and the totals (after a bulk write:
    autovacuum would do it later, and plans made meanwhile read the old, small tables)."""
    if connection.vendor != "postgresql":
        return
    tables = (PointEntry, MemberMonthPoints, OrgMonthPoints)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
        )


def _month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def points_between(start: date, end: date, **member: Any) -> Decimal:
    """The points over [start, end] of the members matching ``member`` (lookups on the party
    member, e.g. ``branch__path__startswith=``): the whole months from the monthly totals, only
    a partial first or last month from the entries, so the cost does not grow with the ledger."""
    lookups = {f"member__{k}": v for k, v in member.items()}
    first = start if start.day == 1 else _month_end(start) + timedelta(days=1)
    last = end if end == _month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first > last:
        return _entries_sum(start, end, lookups)
    total = MemberMonthPoints.objects.filter(
        month__range=(first, month_of(last)), **lookups
    ).aggregate(s=PointsSum("points"))["s"] or Decimal(0)
    if start < first:
        total += _entries_sum(start, first - timedelta(days=1), lookups)
    if last < end:
        total += _entries_sum(last + timedelta(days=1), end, lookups)
    return total


def _entries_sum(start: date, end: date, lookups: dict[str, Any]) -> Decimal:
    return PointEntry.objects.filter(occurred_on__range=(start, end), **lookups).aggregate(
        s=PointsSum("points")
    )["s"] or Decimal(0)


def member_months(member_id: int, year: int) -> dict[int, tuple[Decimal, int]]:
    """month number -> (points, entries) of one member's year, from the monthly totals."""
    return {
        m.month: (p, n)
        for m, p, n in MemberMonthPoints.objects.filter(
            member_id=member_id, month__year=year
        ).values_list("month", "points", "entries")
    }
