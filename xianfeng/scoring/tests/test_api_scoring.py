"""Scoring's pages and API with bad input (Chinese messages, nothing stored), the index and
the leaderboards, and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.scoring import selectors, services
from xianfeng.scoring.models import Adjustment, PointRule
from xianfeng.scoring.periods import parse_period
from xianfeng.scoring.tests.helpers import award, record, rule

pytestmark = pytest.mark.django_db

DAY = date(2031, 11, 3)
JSON = "application/json"


def test_bad_rules_answer_400_in_chinese_and_store_nothing(client_for):
    client = client_for("qu")
    before = PointRule.objects.count()
    for body, word in (
        (
            {"kind": "visit.log", "effective_from": "2031-01-01", "points": 1, "daily_cap": -1},
            "负数",
        ),
        (
            {
                "kind": "visit.log",
                "effective_from": "2031-02-01",
                "effective_to": "2031-01-01",
                "points": 1,
            },
            "早于",
        ),
        ({"kind": "no.such", "effective_from": "2031-01-01", "points": 1}, "履职事项"),
        ({"kind": "visit.log", "effective_from": "2031-01-01", "points": 5000}, "分值"),
    ):
        response = client.post("/api/v1/scoring/rules", body, content_type=JSON)
        assert response.status_code == 400, body
        assert word in response.json()["detail"] + str(response.json().get("errors")), body
    client.post(
        "/api/v1/scoring/rules",
        {
            "kind": "visit.log",
            "effective_from": "2031-01-01",
            "effective_to": "2031-03-31",
            "points": 1,
        },
        content_type=JSON,
    )
    overlap = client.post(
        "/api/v1/scoring/rules",
        {
            "kind": "visit.log",
            "effective_from": "2031-03-01",
            "effective_to": "2031-04-30",
            "points": 1,
        },
        content_type=JSON,
    )
    assert overlap.status_code == 400
    assert "重叠" in str(overlap.json())
    # the page says the same on its form
    page = client_for("qu").post(
        "/scoring/rules/",
        {
            "kind": "visit.log",
            "effective_from": "2031-02-01",
            "points": "1",
            "cap_period": "month",
            "multiplier_base": "1",
        },
    )
    assert page.status_code == 400 and "重叠" in page.content.decode()
    # one closing of the demo's open-ended version, one new version: nothing else
    assert PointRule.objects.count() == before + 1


def test_an_adjustment_without_a_reason_and_a_self_approval_are_refused(client_for):
    member = persona_member("dangyuan")
    client = client_for("shequ")
    response = client.post(
        "/api/v1/scoring/adjustments",
        {"member_id": member.pk, "points": "3", "reason": ""},
        content_type=JSON,
    )
    assert response.status_code == 400 and "调整理由" in str(response.json())
    created = client.post(
        "/api/v1/scoring/adjustments",
        {"member_id": member.pk, "points": "3", "reason": "补记"},
        content_type=JSON,
    )
    assert created.status_code == 201
    own = client.post(
        f"/api/v1/scoring/adjustments/{created.json()['id']}/approve", {}, content_type=JSON
    )
    assert own.status_code == 403 and "不能审批自己" in own.json()["detail"]
    assert Adjustment.objects.get(pk=created.json()["id"]).state == "requested"
    page = client.post(
        "/scoring/adjustments/new/", {"member": member.pk, "points": "3", "reason": " "}
    )
    assert page.status_code == 400


def test_a_ranking_outside_scope_answers_404_in_chinese(client_for, personas):
    other = role_org(personas["shequ2"])
    response = client_for("shequ").get(f"/api/v1/scoring/leaderboard?org={other.pk}")
    assert response.status_code == 404
    assert "管辖范围" in response.json()["detail"]
    assert client_for("shequ").get(f"/scoring/leaderboard/?org={other.pk}").status_code == 404
    bad = client_for("shequ").get("/api/v1/scoring/me?period=2031-13")
    assert bad.status_code in (400, 403)


def test_the_index_compares_within_the_group_and_explains_itself(personas):
    me = persona_member("dangyuan")
    rule(personas["qu"], points=2)
    rule(personas["qu"], "task.claim", points=1)
    for hour in (9, 10, 11):
        record(me, day=DAY, hour=hour)
    record(me, "task.claim", day=DAY)
    award()
    period = parse_period("2031-11", today=DAY)
    summary = selectors.member_summary(me, period)
    assert summary["total"] == 7
    assert summary["index"] == 100  # nobody else in the group earned points that month
    assert {b["kind"]: b["points"] for b in summary["breakdown"]} == {
        "visit.log": 6,
        "task.claim": 1,
    }
    board = selectors.leaderboard(personas["shequ"], role_org(personas["shequ"]), period)
    assert board[0]["member_id"] == me.pk and board[0]["rank"] == 1
    quarter = selectors.member_summary(me, parse_period("2031-Q4", today=DAY))
    assert quarter["total"] == 7
    orgs = selectors.org_leaderboard(personas["jiedao"], role_org(personas["jiedao"]), period)
    assert orgs[0]["pk"] == role_org(personas["shequ"]).pk and orgs[0]["index"] == 100


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_take_the_same_queries_whatever_the_rows(client_for, personas):
    shequ = client_for("shequ")
    member = persona_member("dangyuan")
    urls = [
        "/scoring/adjustments/",
        "/api/v1/scoring/adjustments",
        "/scoring/leaderboard/",
        "/api/v1/scoring/leaderboard",
    ]
    services.adjustment_request(actor=personas["shequ"], member=member, points=1, reason="一")
    first = [_queries(shequ, u) for u in urls]
    rule(personas["qu"], points=2)
    for i in range(12):
        services.adjustment_request(
            actor=personas["shequ"], member=member, points=1, reason=f"第{i}"
        )
        record(member, day=DAY, hour=8 + i % 10)
    record(member, day=date(2031, 10, 9))
    award()
    assert [_queries(shequ, u) for u in urls] == first
    me = client_for("dangyuan")
    # one entry in October, twelve in November
    assert _queries(me, "/scoring/?period=2031-11") == _queries(me, "/scoring/?period=2031-10")


def test_the_rules_page_queues_the_recomputation_as_a_job(
    client_for, django_capture_on_commit_callbacks
):
    from xianfeng.core.models import JobRun
    from xianfeng.scoring.models import Recomputation

    client = client_for("qu")
    bad = client.post(
        "/scoring/recompute/", {"start": "2031-02-01", "end": "2031-01-01", "reason": "x"}
    )
    assert bad.status_code == 400 and "不能早于" in bad.content.decode()
    assert not JobRun.objects.filter(name="scoring.recompute").exists()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            "/scoring/recompute/", {"start": "2031-01-01", "end": "2031-01-31", "reason": "核对"}
        )
    assert ok.status_code == 302
    run = JobRun.objects.get(name="scoring.recompute")
    assert run.status == "done", run.result
    assert Recomputation.objects.filter(start=date(2031, 1, 1), reason="核对").exists()
