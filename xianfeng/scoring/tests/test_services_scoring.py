"""Point rules, points from the ledger, recomputation, adjustments and appeals (services)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core import workflow
from xianfeng.core.models import DutyRecord
from xianfeng.demo.base import persona_member
from xianfeng.places.models import Building, Household
from xianfeng.scoring import services
from xianfeng.scoring.choices import EntryKind
from xianfeng.scoring.models import PointEntry, PointRule
from xianfeng.scoring.tests.helpers import award, record, rule, total

pytestmark = pytest.mark.django_db

# Far from the demo ledger's days; a test's rule closes the demo's open-ended one before them.
DAY = date(2031, 11, 3)


@pytest.fixture
def member(personas):
    return persona_member("dangyuan")


def test_a_rule_with_a_negative_cap_is_refused_in_chinese(personas):
    with pytest.raises(ValidationError) as err:
        rule(personas["qu"], daily_cap=-1)
    assert "上限不能为负数" in str(err.value)
    assert not PointRule.objects.filter(kind="visit.log", effective_from__year=2031).exists()


def test_overlapping_dates_are_refused_and_an_open_version_is_closed(personas):
    first = rule(personas["qu"], start=date(2031, 1, 1), effective_to=date(2031, 6, 30))
    with pytest.raises(ValidationError) as err:
        rule(personas["qu"], start=date(2031, 6, 1))
    assert "重叠" in str(err.value)
    second = rule(personas["qu"], start=date(2031, 7, 1), points=3)
    third = rule(personas["qu"], start=date(2031, 10, 1), points=4)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.version, third.version) == (first.version + 1, first.version + 2)
    assert second.effective_to == date(2031, 9, 30)
    assert third.effective_to is None
    assert services.rules_in_force(date(2031, 8, 1))["visit.log"].pk == second.pk


def test_only_the_district_sets_rules(personas):
    for name in ("shequ", "jiedao", "dangyuan", "jiancha"):
        with pytest.raises(PermissionDenied):
            rule(personas[name])


def test_records_earn_points_once_and_reprocessing_awards_nothing(personas, member):
    rule(personas["qu"], points=2)
    first = record(member, day=DAY)
    assert award() >= 1
    assert total(member, record=first) == Decimal("2.00")
    entry = PointEntry.objects.get(record=first)
    assert entry.rule.kind == "visit.log" and entry.entry_kind == EntryKind.AWARD
    # Processing again from the start (the mark rewound) writes no second award.
    from xianfeng.scoring.models import ScoringMark

    ScoringMark.objects.filter(name="ledger").delete()
    award()
    assert PointEntry.objects.filter(record=first).count() == 1


def test_a_day_cap_and_once_per_household_per_day(personas, member):
    rule(personas["qu"], points=2, daily_cap=5, once_per_target_per_day=True)
    homes = list(Household.objects.all()[:4])
    twice = [record(member, day=DAY, target=homes[0], hour=h) for h in (9, 10)]
    others = [record(member, day=DAY, target=h, hour=11) for h in homes[1:4]]
    award()
    assert total(member, record=twice[0]) == 2
    assert total(member, record=twice[1]) == 0
    assert "同一对象当日已计分" in PointEntry.objects.get(record=twice[1]).note
    assert total(member, occurred_on=DAY) == 5
    assert [total(member, record=r) for r in others] == [2, 1, 0]
    # The next day counts again.
    record(member, day=DAY + timedelta(days=1), target=homes[0])
    award()
    assert total(member, occurred_on=DAY + timedelta(days=1)) == 2


def test_verified_only_waits_for_the_verifying_record(personas, member):
    rule(personas["qu"], "task.submit", points=5, verified_only=True)
    done = record(member, "task.submit", day=DAY)
    award()
    assert not PointEntry.objects.filter(record=done).exists()
    record(member, "task.verify", day=DAY, verifies=done, verified=True)
    award()
    assert total(member, record=done) == 5


def test_a_multiplier_reads_the_recorded_object(personas, member):
    # A building's floors as the multiplier source (as an order's rating would be): × floors ÷ 2.
    rule(
        personas["qu"], "inspection.submit", points=2, multiplier_field="floors", multiplier_base=2
    )
    building = Building.objects.filter(floors__gt=0).first()
    rec = record(member, "inspection.submit", day=DAY, target=building)
    award()
    assert total(member, record=rec) == Decimal(building.floors).quantize(Decimal("0.01"))


def test_a_deduction_is_a_rule_with_negative_points(personas, member):
    rule(personas["qu"], "task.overdue", points=-3, daily_cap=3)
    record(member, "task.overdue", day=DAY)
    record(member, "task.overdue", day=DAY, hour=11)
    award()
    assert total(member, kind="task.overdue") == -3


def test_a_new_rule_changes_nothing_until_a_recorded_recomputation(personas, member):
    rule(personas["qu"], points=2, start=date(2031, 1, 1))
    rec = record(member, day=DAY)
    award()
    rule(personas["qu"], points=5, start=date(2031, 11, 1))
    award()
    assert total(member, record=rec) == 2
    with pytest.raises(ValidationError):
        services.points_recompute(actor=personas["qu"], start=DAY, end=DAY, reason=" ")
    with pytest.raises(PermissionDenied):
        services.points_recompute(actor=personas["shequ"], start=DAY, end=DAY, reason="x")
    run = services.points_recompute(actor=personas["qu"], start=DAY, end=DAY, reason="新规则追溯")
    assert total(member, record=rec) == 5
    kinds = sorted(PointEntry.objects.filter(record=rec).values_list("entry_kind", flat=True))
    assert kinds == [EntryKind.AWARD, EntryKind.AWARD, EntryKind.REVERSAL]
    assert PointEntry.objects.filter(recomputation=run).count() == 2
    assert DutyRecord.objects.filter(action="points.recompute").exists()
    # Again: nothing to change.
    again = services.points_recompute(actor=personas["qu"], start=DAY, end=DAY, reason="复核")
    assert again.entries == 0
    with pytest.raises(RuntimeError):
        PointEntry.objects.filter(record=rec).delete()


def test_an_adjustment_needs_a_reason_and_another_approver(personas, member):
    with pytest.raises(ValidationError) as err:
        services.adjustment_request(actor=personas["shequ"], member=member, points=3, reason="")
    assert "调整理由" in str(err.value)
    adj = services.adjustment_request(
        actor=personas["shequ"], member=member, points=3, reason="抗洪抢险表现突出"
    )
    with pytest.raises(PermissionDenied) as err:
        workflow.take(adj, "approve", actor=personas["shequ"])
    assert "不能审批自己" in str(err.value)
    with pytest.raises(PermissionDenied):
        workflow.take(adj, "approve", actor=personas["shequ2"])
    workflow.take(adj, "approve", actor=personas["jiedao"])
    assert total(member, entry_kind=EntryKind.ADJUSTMENT) == 3
    with pytest.raises(workflow.StateConflict):
        workflow.take(adj, "approve", actor=personas["qu"])


def test_a_member_appeals_and_gets_an_answer(personas, member):
    rule(personas["qu"], points=2)
    record(member, day=DAY)
    award()
    entry = PointEntry.objects.filter(member=member).first()
    with pytest.raises(ValidationError):
        services.appeal_submit(actor=personas["dangyuan"], reason="", entry=entry)
    appeal = services.appeal_submit(
        actor=personas["dangyuan"], reason="这次走访漏记了", entry=entry
    )
    with pytest.raises(PermissionDenied):
        workflow.take(appeal, "answer", actor=personas["dangyuan"], answer="好")
    workflow.take(appeal, "answer", actor=personas["shequ"], answer="已核实，按规则计分")
    appeal.refresh_from_db()
    assert appeal.state == "answered" and appeal.answer_text
