"""考核: an indicator set with quantitative (from the ledger), qualitative (reviewers, 述职评议)
and veto items; a cycle opened, refreshed from the ledger, scored, closed (ranking, stars,
veto), reported upward; outcomes; a street's set copied from the district's; bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.services import duty_record
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take
from xianfeng.demo.base import persona_member
from xianfeng.orgs.choices import OrgKind
from xianfeng.scoring import assessment as svc
from xianfeng.scoring.choices import CycleState, IndicatorKind, Outcome
from xianfeng.scoring.models import Assessment

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _set(personas, *, title="社区党建年度考核", year=None):
    street = role_org(personas["jiedao"])
    found = svc.indicator_set_create(
        actor=personas["jiedao"],
        organization=street,
        target_kind=OrgKind.COMMUNITY,
        year=year or timezone.localdate().year,
        title=title,
    )
    work = svc.indicator_add(
        actor=personas["jiedao"], indicator_set=found, name="履职成效", kind="qual", weight=60
    )
    svc.indicator_add(
        actor=personas["jiedao"],
        indicator_set=found,
        parent=work,
        name="走访户次",
        kind="quant",
        metric="visits",
        target=4,
        weight=1,
    )
    svc.indicator_add(
        actor=personas["jiedao"],
        indicator_set=found,
        parent=work,
        name="隐患整改销号",
        kind="quant",
        metric="hazards_removed",
        target=10,
        weight=1,
    )
    svc.indicator_add(
        actor=personas["jiedao"], indicator_set=found, name="述职评议", kind="qual", weight=40
    )
    svc.indicator_add(
        actor=personas["jiedao"],
        indicator_set=found,
        name="安全事故",
        kind="veto",
        metric="serious_incident",
    )
    return found


def _year_cycle(personas, found):
    return svc.cycle_open(
        actor=personas["jiedao"],
        indicator_set=found,
        kind="year",
        period=str(timezone.localdate().year),
    )


def test_a_year_is_assessed_from_the_ledger_scored_closed_and_reported(personas, client_for):
    found = _set(personas)
    cycle = _year_cycle(personas, found)
    community = role_org(personas["shequ"])
    mine = Assessment.objects.get(cycle=cycle, organization=community)
    others = list(cycle.assessments.exclude(pk=mine.pk))
    visits = {i.indicator.name: i for i in svc.items_of(mine)}["走访户次"]
    before = visits.value
    # two more visits in the community's ledger: the refreshed figure counts them
    member = persona_member("dangyuan")
    for _n in range(2):
        duty_record(actor=None, action="visit.log", organization=member.branch, member=member)
    svc.cycle_refresh(cycle, actor=personas["jiedao"])
    visits = {i.indicator.name: i for i in svc.items_of(mine)}["走访户次"]
    assert visits.value == before + 2
    assert visits.score == min(100, (before + 2) * 100 / 4)
    assert "走访登记" in visits.explanation
    # the community's secretary reports (述职); the street scores; the community cannot
    page = client_for("shequ").post(
        f"/scoring/assessment/{mine.pk}/report/", {"text": "今年走访全覆盖，隐患全部销号。"}
    )
    assert page.status_code == 302
    review = next(i for i in svc.items_of(mine) if i.indicator.name == "述职评议").indicator
    refused = client_for("shequ").post(
        f"/api/v1/scoring/assessments/{mine.pk}/score",
        {"indicator_id": review.pk, "score": 100},
        content_type=JSON,
    )
    assert refused.status_code == 403
    # closing with a qualitative item unscored is refused, in Chinese, nothing changed
    with pytest.raises(ValidationError) as err:
        take(cycle, "close", actor=personas["jiedao"])
    assert "未评分" in str(err.value)
    cycle.refresh_from_db()
    assert cycle.state == CycleState.SCORING
    for a in [mine, *others]:
        for item in svc.items_of(a):
            if (
                item.indicator.kind == IndicatorKind.QUALITATIVE
                and not item.indicator.children.exists()
            ):
                svc.review_score(
                    actor=personas["jiedao"], assessment=a, indicator=item.indicator, score=90
                )
    api = client_for("jiedao").post(
        f"/api/v1/scoring/assessments/{mine.pk}/score",
        {"indicator_id": review.pk, "score": 101},
        content_type=JSON,
    )
    assert api.status_code == 400 and "0到100" in str(api.json())
    ok = client_for("jiedao").post(
        f"/api/v1/scoring/assessment/cycles/{cycle.pk}/close", {}, content_type=JSON
    )
    assert ok.status_code == 200, ok.content
    mine.refresh_from_db()
    assert mine.rank is not None and mine.stars == svc.stars_of(mine.total, mine.vetoed)
    tree = svc.indicator_tree(found)
    scores = {i.indicator_id: i.score for i in svc.items_of(mine)}
    assert mine.total == svc.total_of(tree, scores)
    # the ranking goes up to the district; the street records outcomes
    reported = client_for("jiedao").post(
        f"/api/v1/scoring/assessment/cycles/{cycle.pk}/report",
        {"note": "请备案"},
        content_type=JSON,
    )
    assert (
        reported.status_code == 200
        and reported.json()["reported_to_id"] == role_org(personas["jiedao"]).parent_id
    )
    assert client_for("qu").get(f"/api/v1/scoring/assessment/cycles/{cycle.pk}").status_code == 200
    rectify = client_for("jiedao").post(
        f"/api/v1/scoring/assessments/{mine.pk}/outcome",
        {"outcome": "rectify", "note": "会议不按规律召开"},
        content_type=JSON,
    )
    assert rectify.status_code == 400 and "整改期限" in str(rectify.json())
    done = client_for("jiedao").post(
        f"/api/v1/scoring/assessments/{mine.pk}/outcome",
        {
            "outcome": "rectify",
            "note": "会议不按规律召开",
            "rectify_by": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        content_type=JSON,
    )
    assert done.status_code == 200 and done.json()["outcome"] == Outcome.RECTIFY
    assert (
        DutyRecord.objects.filter(action="assessment.outcome", object_id=str(mine.pk)).count() == 1
    )


def test_a_serious_incident_vetoes_the_year_and_bars_commendation(personas):
    from xianfeng.safety.services import incident_record

    found = _set(personas)
    community = role_org(personas["shequ"])
    incident_record(
        actor=personas["shequ"],
        organization=community,
        title="出租屋火灾",
        occurred_on=timezone.localdate(),
        severity="larger",
        responsible=[community],
        deaths=3,
    )
    cycle = _year_cycle(personas, found)
    mine = Assessment.objects.get(cycle=cycle, organization=community)
    assert mine.vetoed and "较大及以上安全事故" in mine.veto_reason
    for a in cycle.assessments.all():
        for item in svc.items_of(a):
            if item.indicator.name == "述职评议":
                svc.review_score(
                    actor=personas["jiedao"], assessment=a, indicator=item.indicator, score=100
                )
    take(cycle, "close", actor=personas["jiedao"])
    mine.refresh_from_db()
    assert mine.stars <= 4
    assert all(a.rank < mine.rank for a in cycle.assessments.filter(vetoed=False))  # vetoed last
    with pytest.raises(ValidationError) as err:
        svc.outcome_record(actor=personas["jiedao"], assessment=mine, outcome="commend")
    assert "一票否决" in str(err.value) and "不能表彰" in str(err.value)
    mine.refresh_from_db()
    assert mine.outcome == ""
    assert "一票否决：取消本年度评优资格" in svc.honours(mine)
    assert "五星级党组织" not in svc.honours(mine)


def test_a_street_copies_the_districts_set_and_half_year_spot_checks_a_sample(personas):
    district = role_org(personas["qu"])
    base = svc.indicator_set_create(
        actor=personas["qu"],
        organization=district,
        target_kind=OrgKind.COMMUNITY,
        year=timezone.localdate().year,
        title="全区社区考核指标",
    )
    svc.indicator_add(
        actor=personas["qu"],
        indicator_set=base,
        name="走访覆盖率",
        kind="quant",
        metric="coverage",
        weight=50,
    )
    svc.indicator_add(
        actor=personas["qu"],
        indicator_set=base,
        name="群众满意度",
        kind="quant",
        metric="orders_rating",
        weight=50,
    )
    copy = svc.indicator_set_create(
        actor=personas["jiedao"],
        organization=role_org(personas["jiedao"]),
        target_kind=OrgKind.COMMUNITY,
        year=base.year,
        title="本街道社区考核",
        base=base,
    )
    assert [i.name for i in copy.indicators.order_by("position")] == ["走访覆盖率", "群众满意度"]
    cycle = svc.cycle_open(
        actor=personas["jiedao"],
        indicator_set=copy,
        kind="half",
        period=f"{base.year}-H1",
        sample_size=1,
    )
    assert cycle.assessments.count() == 1 and cycle.start == date(base.year, 1, 1)
    assert cycle.end == date(base.year, 6, 30)
    # a set in use cannot change
    with pytest.raises(ValidationError) as err:
        svc.indicator_add(actor=personas["jiedao"], indicator_set=copy, name="新", kind="qual")
    assert "已用于考核" in str(err.value)


def test_bad_indicators_and_cycles_answer_in_chinese(personas, client_for):
    found = _set(personas, title="试行")
    cases = [
        ({"name": "x", "kind": "quant", "metric": "visits", "weight": -1}, "权重"),
        ({"name": "x", "kind": "quant", "metric": "visits", "target": 0}, "目标值"),
        ({"name": "x", "kind": "quant", "metric": "nothing"}, "计算口径"),
        ({"name": "x", "kind": "veto", "metric": "visits"}, "一票否决事项"),
        ({"name": " ", "kind": "qual"}, "指标名称"),
    ]
    for body, words in cases:
        answer = client_for("jiedao").post(
            f"/api/v1/scoring/indicator-sets/{found.pk}/indicators", body, content_type=JSON
        )
        assert answer.status_code in (400, 422), body
        assert words in str(answer.json()), (body, answer.json())
    for period in ("2026-Q5", "2026-H3", "明年"):
        with pytest.raises(ValidationError) as err:
            svc.cycle_open(
                actor=personas["jiedao"], indicator_set=found, kind="half", period=period
            )
        assert "周期" in str(err.value)
    with pytest.raises(ValidationError) as err:
        svc.indicator_set_create(
            actor=personas["jiedao"],
            organization=role_org(personas["jiedao"]),
            target_kind=OrgKind.STREET,
            year=found.year,
            title="街道考街道",
        )
    assert "没有这种类型的组织" in str(err.value)
    with pytest.raises(PermissionDenied):
        svc.indicator_set_create(
            actor=personas["shequ2"],
            organization=role_org(personas["jiedao"]),
            target_kind=OrgKind.COMMUNITY,
            year=found.year,
            title="越权",
        )
    # the ranking of another street is not there for shequ2 / jiedao's cycle
    cycle = _year_cycle(personas, found)
    assert (
        client_for("shequ2").get(f"/api/v1/scoring/assessment/cycles/{cycle.pk}").status_code == 404
    )
    assert client_for("shequ2").get(f"/scoring/assessment/cycles/{cycle.pk}/").status_code == 404
    with pytest.raises(StateConflict):
        take(cycle, "report", actor=personas["jiedao"])
