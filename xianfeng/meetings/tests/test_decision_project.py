"""A meeting's decision becomes a project under a campaign (the 双领 board's
``project_create``), linked both ways, once; refused in Chinese for a campaign not seen, a
deadline outside the campaign; through the page and the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take
from xianfeng.meetings import services
from xianfeng.meetings.tests import factories as f
from xianfeng.work.models import Campaign

pytestmark = pytest.mark.django_db


def _campaign(personas) -> Campaign:
    found = services.decision_campaigns(personas["wangge"], f.meeting(personas["wangge"]))
    assert found, "the demo district has a campaign over the persona branch"
    return found[0]


def _decision(personas):
    meeting = f.meeting(personas["wangge"])
    take(meeting, "hold", actor=personas["wangge"])
    return services.decision_add(
        actor=personas["wangge"],
        meeting=meeting,
        text="每月第一个周六联合开展消防安全宣传",
        responsible="社区物业",
    )


def test_a_decision_becomes_a_project_once_linked_both_ways(personas, client_for):
    campaign = _campaign(personas)
    decision = _decision(personas)
    deadline = campaign.ends_on - timedelta(days=1)
    with pytest.raises(PermissionDenied):
        services.decision_to_project(
            actor=personas["dangyuan"], decision=decision, campaign=campaign, deadline=deadline
        )
    project = services.decision_to_project(
        actor=personas["wangge"], decision=decision, campaign=campaign.pk, deadline=deadline
    )
    decision.refresh_from_db()
    assert decision.project_id == project.pk and project.meeting_decision == decision
    assert project.organization_id == role_org(personas["wangge"]).pk
    assert project.title == decision.text and "社区物业" in project.measures
    with pytest.raises(ValidationError) as twice:
        services.decision_to_project(
            actor=personas["wangge"], decision=decision, campaign=campaign, deadline=deadline
        )
    assert "无需重复" in twice.value.messages[0]
    page = client_for("wangge").get(f"/meetings/{decision.meeting_id}/").content.decode()
    assert f'data-decision-project="{decision.pk}"' in page
    back = client_for("wangge").get(f"/work/projects/{project.pk}/").content.decode()
    assert 'id="from-meeting"' in back and f"/meetings/{decision.meeting_id}/" in back


def test_bad_input_is_refused_in_chinese_and_nothing_is_made(personas):
    campaign = _campaign(personas)
    decision = _decision(personas)
    with pytest.raises(ValidationError) as late:
        services.decision_to_project(
            actor=personas["wangge"],
            decision=decision,
            campaign=campaign,
            deadline=campaign.ends_on + timedelta(days=30),
        )
    assert "专项行动的起止日期之内" in late.value.message_dict["deadline"][0]
    hidden = Campaign.objects.exclude(pk__in=Campaign.objects.restrict(personas["wangge"]))
    stranger = hidden.first()
    if stranger is not None:  # a campaign the secretary does not see reads as none
        with pytest.raises(ValidationError) as unseen:
            services.decision_to_project(
                actor=personas["wangge"], decision=decision, campaign=stranger, deadline=None
            )
        assert "专项行动" in unseen.value.message_dict["campaign"][0]
    decision.refresh_from_db()
    assert decision.project_id is None


def test_the_page_and_the_api_make_it_with_their_answers(personas, client_for):
    campaign = _campaign(personas)
    decision = _decision(personas)
    url = f"/api/v1/meetings/{decision.meeting_id}/decisions/{decision.pk}/project"
    body = {"campaign": campaign.pk, "deadline": str(campaign.ends_on)}
    denied = client_for("dangyuan").post(url, json.dumps(body), content_type="application/json")
    assert denied.status_code == 403
    outside = client_for("shequ2").post(url, json.dumps(body), content_type="application/json")
    assert outside.status_code == 404
    page = client_for("wangge").post(
        f"/meetings/{decision.meeting_id}/decisions/{decision.pk}/project/",
        {"campaign": campaign.pk, "deadline": "不是日期"},
    )
    assert page.status_code == 400 and "请填写完成时限" in page.content.decode()
    done = client_for("wangge").post(url, json.dumps(body), content_type="application/json")
    assert done.status_code == 201 and done.json()["project_id"]
    again = client_for("wangge").post(
        f"/meetings/{decision.meeting_id}/decisions/{decision.pk}/project/",
        {"campaign": campaign.pk, "deadline": str(campaign.ends_on)},
    )
    assert again.status_code == 409 and "无需重复" in again.content.decode()
    shown = client_for("wangge").get(f"/api/v1/meetings/{decision.meeting_id}").json()
    assert shown["decisions"][0]["project_id"] == done.json()["project_id"]
