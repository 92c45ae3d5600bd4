"""A meeting's decision becomes a problem on the problem wall (the public app's
``problem_raise``), linked both ways, once; through the page and the API."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.workflow import take
from xianfeng.meetings import services
from xianfeng.meetings.tests import factories as f

pytestmark = pytest.mark.django_db


def _decision(personas):
    meeting = f.meeting(personas["wangge"])
    take(meeting, "hold", actor=personas["wangge"])
    return services.decision_add(
        actor=personas["wangge"], meeting=meeting, text="修复3号楼楼道照明，消除夜间安全隐患"
    )


def test_a_decision_becomes_a_problem_once_linked_both_ways(personas):
    decision = _decision(personas)
    with pytest.raises(PermissionDenied):
        services.decision_to_problem(
            actor=personas["dangyuan"], decision=decision, category="safety"
        )
    problem = services.decision_to_problem(
        actor=personas["wangge"], decision=decision, category="safety"
    )
    decision.refresh_from_db()
    assert decision.problem_id == problem.pk and problem.meeting_decision == decision
    assert problem.source == "meeting" and "楼道照明" in problem.title
    with pytest.raises(ValidationError) as twice:
        services.decision_to_problem(actor=personas["wangge"], decision=decision, category="safety")
    assert "无需重复" in twice.value.messages[0]


def test_the_page_and_the_api_raise_it_with_their_answers(personas, client_for):
    decision = _decision(personas)
    url = f"/api/v1/meetings/{decision.meeting_id}/decisions/{decision.pk}/problem"
    bad = client_for("wangge").post(
        url, json.dumps({"category": "x"}), content_type="application/json"
    )
    assert bad.status_code == 422
    denied = client_for("dangyuan").post(
        url, json.dumps({"category": "safety"}), content_type="application/json"
    )
    assert denied.status_code == 403
    done = client_for("wangge").post(
        url, json.dumps({"category": "safety"}), content_type="application/json"
    )
    assert done.status_code == 201 and done.json()["problem_id"]
    again = client_for("wangge").post(
        f"/meetings/{decision.meeting_id}/decisions/{decision.pk}/problem/", {"category": "safety"}
    )
    assert again.status_code == 409 and "无需重复" in again.content.decode()
    page = client_for("wangge").get(f"/meetings/{decision.meeting_id}/")
    assert "已上问题墙" in page.content.decode()
