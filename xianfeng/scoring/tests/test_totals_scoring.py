"""The monthly totals of points are kept with every write of entries (awards, a recorded
recomputation's reversals and corrections, an approved adjustment) and always equal the sums
of the entries; the index and the leaderboards read them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from xianfeng.core import workflow
from xianfeng.demo.base import persona_member
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.scoring import selectors, services, totals
from xianfeng.scoring.models import MemberMonthPoints, OrgMonthPoints, PointEntry
from xianfeng.scoring.periods import parse_period
from xianfeng.scoring.tests.helpers import award, record, rule

pytestmark = pytest.mark.django_db


def _sums_of_entries():
    by_member: dict = defaultdict(Decimal)
    by_org: dict = defaultdict(Decimal)
    for member, org, kind, day, points in PointEntry.objects.values_list(
        "member_id", "organization_id", "kind", "occurred_on", "points"
    ):
        by_member[(member, day.replace(day=1))] += points
        by_org[(org, day.replace(day=1), kind)] += points
    return dict(by_member), dict(by_org)


def _kept():
    return (
        {
            (r.member_id, r.month): r.points
            for r in MemberMonthPoints.objects.all()
            if r.points or r.entries
        },
        {(r.organization_id, r.month, r.kind): r.points for r in OrgMonthPoints.objects.all()},
    )


def test_totals_follow_awards_recomputations_and_adjustments(personas):
    member = persona_member("dangyuan")
    homes = list(Household.objects.filter(organization__path__startswith=member.branch.path)[:3])
    rule(personas["qu"], points=2, start=date(2031, 1, 1), daily_cap=3)
    for day in (date(2031, 10, 30), date(2031, 11, 3), date(2031, 11, 4)):
        for home in homes:
            record(member, day=day, target=home)
    award()
    member_sums, org_sums = _sums_of_entries()
    assert member_sums[(member.pk, date(2031, 11, 1))] == Decimal(6)  # two days, capped at 3
    assert _kept() == (member_sums, org_sums)

    # a new rule applied by a recorded recomputation: reversals and new awards, both counted
    rule(personas["qu"], points=1, start=date(2031, 11, 1))
    services.points_recompute(
        actor=personas["qu"], start=date(2031, 11, 1), end=date(2031, 11, 30), reason="新规则"
    )
    member_sums, org_sums = _sums_of_entries()
    assert member_sums[(member.pk, date(2031, 11, 1))] == Decimal(6)  # 3 a day at 1 each
    assert member_sums[(member.pk, date(2031, 10, 1))] == Decimal(3)
    assert _kept() == (member_sums, org_sums)

    # an approved adjustment
    adj = services.adjustment_request(
        actor=personas["shequ"],
        member=member,
        points=4,
        reason="抢险",
        occurred_on=date(2031, 11, 20),
    )
    workflow.take(adj, "approve", actor=personas["jiedao"])
    member_sums, org_sums = _sums_of_entries()
    assert member_sums[(member.pk, date(2031, 11, 1))] == Decimal(10)
    assert _kept() == (member_sums, org_sums)

    # the index reads the totals: the member's summary equals the entries' sum
    period = parse_period("2031-11", today=date(2031, 12, 1))
    assert selectors.member_summary(member, period)["total"] == Decimal(10)
    board = selectors.leaderboard(personas["qu"], member.branch, period)
    assert next(r for r in board if r["member_id"] == member.pk)["points"] == Decimal(10)

    # recounting from the entries changes nothing
    before = _kept()
    totals.rebuild()
    assert _kept() == before


def test_the_member_file_and_the_assessment_read_the_totals(personas):
    """Whole months come from the monthly totals, a partial month from the entries; the
    member file's months and the assessment's points per member read the same figures."""
    from xianfeng.scoring import assessment, memberfile

    member = persona_member("dangyuan")
    homes = list(Household.objects.filter(organization__path__startswith=member.branch.path)[:2])
    rule(personas["qu"], points=2, start=date(2031, 1, 1))
    for day in (date(2031, 9, 30), date(2031, 10, 1), date(2031, 10, 31), date(2031, 11, 2)):
        for home in homes:
            record(member, day=day, target=home)
    award()

    def entries(start, end):
        return sum(
            PointEntry.objects.filter(
                member__branch__path__startswith=member.branch.path,
                occurred_on__range=(start, end),
            ).values_list("points", flat=True),
            Decimal(0),
        )

    path = member.branch.path
    for start, end in [
        (date(2031, 10, 1), date(2031, 10, 31)),  # one whole month
        (date(2031, 9, 30), date(2031, 11, 1)),  # a day of September, October, a day of November
        (date(2031, 10, 2), date(2031, 10, 30)),  # inside one month
        (date(2031, 7, 1), date(2031, 12, 31)),  # a half year
    ]:
        assert totals.points_between(start, end, branch__path__startswith=path) == entries(
            start, end
        ), (start, end)
    assert totals.points_between(date(2031, 10, 1), date(2031, 10, 31), pk=member.pk) == 8

    # The file's months are the totals' rows (a changed total shows: nothing else is read).
    file = memberfile.member_file(member, 2031)
    assert [m["points"] for m in file["months"]][8:11] == [Decimal(4), Decimal(8), Decimal(4)]
    assert (
        file["entry_count"]
        == PointEntry.objects.filter(member=member, occurred_on__year=2031).count()
        == 8
    )
    MemberMonthPoints.objects.filter(member=member, month=date(2031, 10, 1)).update(points=50)
    assert memberfile.member_file(member, 2031)["months"][9]["points"] == Decimal(50)
    members = PartyMember.objects.filter(branch__path__startswith=path).count()
    got = assessment._points(member.branch, date(2031, 10, 1), date(2031, 12, 31))
    assert got == (Decimal(50 + 4) / members).quantize(Decimal("0.01"))


def test_every_sum_of_points_is_exact_cents_on_every_database(personas):
    """SQLite sums decimals as floats: three visits at 0.10 used to read back as
    ``0.300000000000000`` (15 significant digits) in the summary, the leaderboards, the
    totals and the dashboard, and could not be stored in a two-place field. ``PointsSum`` sums
    whole cents, so every reader answers ``0.30`` exactly."""
    from xianfeng.scoring import dashboards
    from xianfeng.scoring.sums import PointsSum

    member = persona_member("dangyuan")
    homes = list(Household.objects.filter(organization__path__startswith=member.branch.path)[:3])
    assert len(homes) == 3
    rule(personas["qu"], points=Decimal("0.10"), start=date(2031, 1, 1))
    for home in homes:
        record(member, day=date(2031, 11, 4), target=home)
    award()
    cents = Decimal("0.30")

    def exact(value: Decimal) -> bool:
        return value == cents and value.as_tuple().exponent == -2

    entries = PointEntry.objects.filter(member=member, occurred_on__year=2031)
    assert exact(entries.aggregate(s=PointsSum("points"))["s"])
    assert PointEntry.objects.none().aggregate(s=PointsSum("points"))["s"] is None
    period = parse_period("2031-11", today=date(2031, 12, 1))
    summary = selectors.member_summary(member, period)
    assert exact(summary["total"])
    assert exact(next(r for r in summary["breakdown"] if r["kind"] == "visit.log")["points"])
    board = selectors.leaderboard(personas["qu"], member.branch, period)
    assert exact(next(r for r in board if r["member_id"] == member.pk)["points"])
    assert exact(totals.points_between(date(2031, 11, 1), date(2031, 11, 30), pk=member.pk))
    # a partial month reads the entries themselves
    assert exact(totals.points_between(date(2031, 11, 2), date(2031, 11, 5), pk=member.pk))
    rows = selectors.org_leaderboard(personas["qu"], member.branch.parent, period)
    assert exact(next(r for r in rows if r["pk"] == member.branch_id)["points"])
    data = dashboards.dashboard(personas["qu"], member.branch, period)
    assert exact(data["points"]["total"])
    assert exact(next(r for r in data["points"]["by_kind"] if r["kind"] == "visit.log")["points"])


def test_a_large_recomputation_refreshes_the_statistics_once_committed(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    """After a recomputation writes many entries, the tables' statistics are refreshed once
    it commits (PostgreSQL's ANALYZE; nothing on SQLite); a small one leaves them be."""
    member = persona_member("dangyuan")
    homes = list(Household.objects.filter(organization__path__startswith=member.branch.path)[:2])
    rule(personas["qu"], points=2, start=date(2031, 1, 1))
    for home in homes:
        record(member, day=date(2031, 11, 3), target=home)
    analyzed: list[bool] = []
    monkeypatch.setattr(totals, "analyze", lambda real=totals.analyze: analyzed.append(real()))
    monkeypatch.setattr(services, "ANALYZE_AFTER", 2)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.points_recompute(
            actor=personas["qu"], start=date(2031, 11, 1), end=date(2031, 11, 30), reason="大批"
        )
    assert run.entries == 2 and analyzed == [None]
    rule(personas["qu"], points=3, start=date(2031, 11, 1))
    monkeypatch.setattr(services, "ANALYZE_AFTER", 100)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.points_recompute(
            actor=personas["qu"], start=date(2031, 11, 1), end=date(2031, 11, 30), reason="少量"
        )
    assert run.entries >= 2 and analyzed == [None]
