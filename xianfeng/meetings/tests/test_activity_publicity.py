"""Fixed activity days (学习日、议事日、活动日 items that members claim as 双领 tasks, and
attendance by sign-in) and publicity events (sessions, participants, counts per scope and
period), with their bad input and their ledger records."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take
from xianfeng.demo.base import persona_member
from xianfeng.meetings import selectors, services
from xianfeng.meetings.choices import ItemKind, MeetingKind
from xianfeng.meetings.tests import factories as f
from xianfeng.work.models import Project

pytestmark = pytest.mark.django_db


def _project(branch):
    above = [int(s) for s in branch.path.split(".") if s]
    return (
        Project.objects.filter(organization_id__in=above, deadline__gte=timezone.localdate())
        .order_by("deadline")
        .first()
    )


def test_activity_day_items_are_tasks_members_claim_and_attendance_is_signed(personas):
    branch = role_org(personas["wangge"])
    me = persona_member("dangyuan")
    day = f.meeting(personas["wangge"], kind=MeetingKind.ACTIVITY_DAY, invite=[me])
    project = _project(branch)
    assert project is not None, "the demo district has a 双领 project over the persona branch"
    items = [
        services.activity_item_add(
            actor=personas["wangge"], meeting=day, kind=kind, title=title, project=project
        )
        for kind, title in [
            (ItemKind.STUDY, "学习消防安全知识"),
            (ItemKind.DELIBERATION, "为出租屋整治献计献策"),
            (ItemKind.ACTIVITY, "巡查网格内出租屋"),
        ]
    ]
    assert items[0].task.title == "【学习日】学习消防安全知识"
    assert items[2].task.organization_id == branch.pk
    assert (
        DutyRecord.objects.filter(action="activity_item.post", object_id=str(day.pk)).count() == 3
    )
    take(items[2].task, "claim", actor=personas["dangyuan"])  # the 双领 claim, nothing else
    items[2].task.refresh_from_db()
    assert items[2].task.assignee_id == me.pk
    services.attendance_sign_in(actor=personas["dangyuan"], meeting=day)
    assert day.attendees.get(member=me).present


def test_activity_items_refuse_bad_input(personas):
    branch = role_org(personas["wangge"])
    project = _project(branch)
    plain = f.meeting(personas["wangge"])
    with pytest.raises(ValidationError) as kind:
        services.activity_item_add(
            actor=personas["wangge"], meeting=plain, kind="study", title="学", project=project
        )
    assert "只有党员固定活动日" in kind.value.messages[0]
    day = f.meeting(personas["wangge"], kind=MeetingKind.ACTIVITY_DAY)
    with pytest.raises(ValidationError) as bad:
        services.activity_item_add(
            actor=personas["wangge"], meeting=day, kind="party", title="", project=None
        )
    assert set(bad.value.message_dict) == {"kind", "title", "project"}
    with pytest.raises(PermissionDenied):
        services.activity_item_add(
            actor=personas["dangyuan"], meeting=day, kind="study", title="学", project=project
        )


def test_publicity_events_are_counted_per_scope_and_period(personas, client_for):
    branch = role_org(personas["wangge"])
    today = timezone.localdate()
    ledger_before = DutyRecord.objects.filter(action="publicity.record").count()
    for sessions, people in ((3, 120), (1, 45)):
        services.publicity_record(
            actor=personas["wangge"],
            organization=branch,
            theme="不租违建房、不住有安全隐患住所",
            held_on=today - timedelta(days=2),
            place="网格广场",
            sessions=sessions,
            participants=people,
        )
    services.publicity_record(
        actor=personas["shequ2"],
        organization=role_org(personas["shequ2"]),
        theme="消防安全宣传车进社区",
        held_on=today,
        place="社区广场",
        participants=300,
    )
    counts = selectors.publicity_counts(personas["wangge"], start=today - timedelta(days=7))
    assert counts == {"events": 2, "sessions": 4, "participants": 165}
    assert selectors.publicity_counts(personas["qu"], start=today)["participants"] == 300
    # The demo district's own events lie weeks back: a span of days before these has none.
    before = {"start": today - timedelta(days=7), "end": today - timedelta(days=3)}
    assert selectors.publicity_counts(personas["wangge"], **before) == {
        "events": 0,
        "sessions": 0,
        "participants": 0,
    }
    api = client_for("wangge").get(f"/api/v1/publicity/counts?start={today - timedelta(days=7)}")
    assert api.json() == counts
    assert DutyRecord.objects.filter(action="publicity.record").count() == ledger_before + 3
    page = client_for("wangge").get(f"/meetings/publicity/?start={today - timedelta(days=7)}")
    assert page.status_code == 200 and "参与165人次" in page.content.decode()


def test_publicity_refuses_bad_input_in_chinese(personas, client_for):
    branch = role_org(personas["wangge"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as bad:
        services.publicity_record(
            actor=personas["wangge"], organization=branch, theme=" ", held_on=tomorrow,
            place="", sessions=0, participants=-1,
        )  # fmt: skip
    assert set(bad.value.message_dict) == {"theme", "held_on", "place", "sessions", "participants"}
    body = {"organization": role_org(personas["shequ2"]).pk, "theme": "宣讲",
            "held_on": "2026-01-05", "place": "广场", "participants": 10}  # fmt: skip
    outside = client_for("wangge").post(
        "/api/v1/publicity", json.dumps(body), content_type="application/json"
    )
    assert outside.status_code == 400 and "organization" in outside.json()["errors"]
    auditor = client_for("jiancha").post(
        "/api/v1/publicity", json.dumps(body), content_type="application/json"
    )
    assert auditor.status_code == 403
    page = client_for("wangge").post("/meetings/publicity/new/", {"theme": ""})
    assert page.status_code == 400


def test_the_publicity_list_runs_the_same_queries_for_few_and_many(personas, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    branch = role_org(personas["wangge"])
    client = client_for("wangge")

    def add():
        services.publicity_record(
            actor=personas["wangge"], organization=branch, theme="宣讲",
            held_on=timezone.localdate(), place="广场", participants=5,
        )  # fmt: skip

    add()
    client.get("/meetings/publicity/")
    with CaptureQueriesContext(connection) as few:
        client.get("/meetings/publicity/")
    with CaptureQueriesContext(connection) as few_api:
        client.get("/api/v1/publicity")
    for _i in range(5):
        add()
    with CaptureQueriesContext(connection) as many:
        client.get("/meetings/publicity/")
    with CaptureQueriesContext(connection) as many_api:
        client.get("/api/v1/publicity")
    assert len(many) == len(few) and len(many_api) == len(few_api)
