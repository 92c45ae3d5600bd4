"""Monthly totals of points (``MemberMonthPoints``, ``OrgMonthPoints``), kept incrementally:
every write of point entries goes through ``store()``, which inserts the entries and adds
their sums to the month's rows in the same transaction (``INSERT … ON CONFLICT DO UPDATE SET
points = points + excluded.points``, atomic per row on PostgreSQL and SQLite). Entries are
append-only, so the totals never need more than an addition; ``rebuild()`` recounts them from
the entries (the migration's backfill, and a check)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from xianfeng.scoring.models import MemberMonthPoints, OrgMonthPoints, PointEntry

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
                    copy.write_row((*astuple(row), now))
    else:
        PointEntry.objects.bulk_create(
            [PointEntry(**dict(zip(COLUMNS, astuple(row), strict=True))) for row in rows],
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


def _upsert(table: str, keys: tuple[str, ...], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    columns = [*keys, "points", "entries"]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Sorted by key: two transactions adding to the same rows lock them in the same order.
    rows.sort(key=lambda r: r[: len(keys)])
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            part = rows[i : i + CHUNK]
            cursor.execute(
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join([one] * len(part))
                + f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET"
                f" {qn('points')} = {qn(table)}.{qn('points')} + excluded.{qn('points')},"
                f" {qn('entries')} = {qn(table)}.{qn('entries')} + excluded.{qn('entries')}",
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
        .annotate(total=Sum("points"), n=Count("pk"))
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
