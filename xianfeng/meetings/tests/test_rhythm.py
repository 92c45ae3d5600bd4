"""Meeting rhythms as rules: the periods, due and missed meetings of an organization, the
secretary's home panel, the assessment figures, the district's rule page and API, and the
reminder job before a period ends."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.meetings import rhythm
from xianfeng.meetings.choices import MeetingKind, MeetingState, Period
from xianfeng.meetings.models import Meeting, MeetingRule
from xianfeng.meetings.tasks import remind_rhythm_now
from xianfeng.work.models import Notice


def test_periods_and_the_last_one_ended():
    d = date(2026, 5, 20)
    assert rhythm.period_of(Period.MONTHLY, d) == (date(2026, 5, 1), date(2026, 5, 31))
    assert rhythm.period_of(Period.QUARTERLY, d) == (date(2026, 4, 1), date(2026, 6, 30))
    assert rhythm.period_of(Period.HALF_YEARLY, d) == (date(2026, 1, 1), date(2026, 6, 30))
    assert rhythm.period_of(Period.YEAR_START, d) is None
    assert rhythm.period_of(Period.YEAR_START, date(2026, 2, 1))[1] == date(2026, 3, 31)
    assert rhythm.last_ended(Period.QUARTERLY, d) == (date(2026, 1, 1), date(2026, 3, 31))
    assert rhythm.last_ended(Period.MONTHLY, date(2026, 1, 3))[0] == date(2025, 12, 1)
    assert rhythm.last_ended(Period.YEAR_START, d) == (date(2026, 1, 1), date(2026, 3, 31))
    assert rhythm.last_ended(Period.YEAR_START, date(2026, 2, 1))[0] == date(2025, 1, 1)
    assert rhythm.periods_between(Period.MONTHLY, date(2026, 1, 1), date(2026, 6, 30)) == 6
    assert rhythm.periods_between(Period.HALF_YEARLY, date(2026, 1, 1), date(2026, 12, 31)) == 2
    assert rhythm.periods_between(Period.YEAR_START, date(2025, 1, 1), date(2026, 12, 31)) == 2


def _held(org, kind: str, when: datetime) -> Meeting:
    meeting = Meeting.objects.create(
        organization=org, kind=kind, topic="例会", starts_at=when, place="会议室"
    )
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.HELD)
    return meeting


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9))


@pytest.mark.django_db
def test_a_branch_sees_what_is_due_now_and_what_it_missed(personas):
    branch = role_org(personas["wangge"])
    today = date(2026, 5, 20)
    _held(branch, MeetingKind.BRANCH_ASSEMBLY, _at(date(2026, 4, 10)))
    _held(branch, MeetingKind.BRANCH_COMMITTEE, _at(date(2026, 4, 10)))
    cancelled = _held(branch, MeetingKind.BRANCH_COMMITTEE, _at(date(2026, 5, 3)))
    Meeting.objects.filter(pk=cancelled.pk).update(state=MeetingState.CANCELLED)
    rows = {r.rule.meeting_kind: r for r in rhythm.rhythm_rows([branch], today)}
    assembly = rows[MeetingKind.BRANCH_ASSEMBLY]
    assert (assembly.held_now, assembly.due, assembly.missed) == (1, 0, 1)  # none in Q1
    committee = rows[MeetingKind.BRANCH_COMMITTEE]
    assert (committee.held_now, committee.due) == (0, 1)  # the cancelled one does not count
    assert committee.held_before == 1 and committee.missed == 0  # April held


@pytest.mark.django_db
def test_the_secretarys_home_page_shows_due_and_missed_meetings(client_for):
    page = client_for("wangge").get("/")
    text = page.content.decode()
    assert 'id="meetings-home"' in text and "本期待召开" in text
    assert "次会议本期按制度尚未召开" in text
    assert 'id="meetings-due"' not in client_for("jiancha").get("/").content.decode()


@pytest.mark.django_db
def test_the_reminder_job_warns_once_before_the_period_ends(personas):
    branch = role_org(personas["wangge"])
    end_of_month = date(2026, 5, 27)
    first = remind_rhythm_now(end_of_month)
    assert first > 0
    texts = list(Notice.objects.filter(organization=branch).values_list("text", flat=True))
    assert any("支部委员会本期（至2026-05-31）还需召开1次" in t for t in texts)
    assert remind_rhythm_now(end_of_month) == 0
    Notice.objects.all().delete()
    remind_rhythm_now(date(2026, 5, 3))  # four weeks left in May: no monthly reminder yet
    assert not Notice.objects.filter(organization=branch, text__contains="支部委员会").exists()


@pytest.mark.django_db
def test_assessment_figures_count_required_and_held(personas, client_for):
    branch = role_org(personas["wangge"])
    _held(branch, MeetingKind.BRANCH_COMMITTEE, _at(date(2026, 1, 8)))
    _held(branch, MeetingKind.BRANCH_COMMITTEE, _at(date(2026, 2, 8)))
    _held(branch, MeetingKind.BRANCH_COMMITTEE, _at(date(2026, 2, 9)))  # two in one month
    row = rhythm.figures([branch], date(2026, 1, 1), date(2026, 3, 31))[0]
    committee = next(i for i in row["items"] if i["meeting_kind"] == MeetingKind.BRANCH_COMMITTEE)
    assert committee == {"meeting_kind": "committee", "required": 3, "held": 3, "short": 0}
    assembly = next(i for i in row["items"] if i["meeting_kind"] == MeetingKind.BRANCH_ASSEMBLY)
    assert assembly["required"] == 1 and assembly["short"] == 1
    api = client_for("wangge").get("/api/v1/meeting-figures?start=2026-01-01&end=2026-03-31")
    assert api.status_code == 200
    mine = next(r for r in api.json()["results"] if r["organization"]["id"] == branch.pk)
    assert mine["required"] == row["required"] and mine["short"] == row["short"]
    bad = client_for("wangge").get("/api/v1/meeting-figures?start=2026-03-01&end=2026-01-01")
    assert bad.status_code == 400 and "截止日期不能早于起始日期" in bad.json()["errors"]["end"][0]
    ages = client_for("wangge").get("/api/v1/meeting-figures?start=0001-01-01&end=9999-12-31")
    assert ages.status_code == 400 and "最长十年" in ages.json()["errors"]["start"][0]
    page = client_for("wangge").get("/meetings/rhythm/?start=0001-01-01&end=9999-12-31")
    assert page.status_code == 200


@pytest.mark.django_db
def test_the_figures_page_runs_the_same_queries_for_any_page_size(client_for, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("shequ")
    client.get("/meetings/rhythm/")
    settings.PAGE_SIZE = 2
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/rhythm/").status_code == 200
    settings.PAGE_SIZE = 20
    with CaptureQueriesContext(connection) as many:
        assert client.get("/meetings/rhythm/").status_code == 200
    assert len(many) == len(few)


@pytest.mark.django_db
def test_only_the_district_sets_the_rules(client_for):
    rule = MeetingRule.objects.get(org_kind="grid_branch", meeting_kind="committee")
    body = {"org_kind": "grid_branch", "meeting_kind": "committee", "period": "quarterly",
            "times": 2, "is_active": True, "basis": "试行"}  # fmt: skip
    refused = client_for("shequ").put(
        f"/api/v1/meeting-rules/{rule.pk}", json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 403 and "区委组织部" in refused.json()["detail"]
    assert client_for("shequ").get(f"/meetings/rules/{rule.pk}/").status_code == 403
    done = client_for("qu").put(
        f"/api/v1/meeting-rules/{rule.pk}", json.dumps(body), content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["times"] == 2
    rule.refresh_from_db()
    assert (
        rule.period == "quarterly" and rule.history.latest().history_change_reason == "设置会议制度"
    )
    twin = client_for("qu").post(
        "/api/v1/meeting-rules", json.dumps(body), content_type="application/json"
    )
    assert twin.status_code == 409 and "已有这类会议的制度" in twin.json()["detail"]
    page = client_for("qu").post(f"/meetings/rules/{rule.pk}/", {**body, "times": 0})
    assert page.status_code == 400
    assert client_for("qu").get("/meetings/rhythm/").status_code == 200


@pytest.mark.django_db
def test_the_api_lists_my_due_meetings(client_for):
    rows = client_for("wangge").get("/api/v1/meeting-rhythm")
    assert rows.status_code == 200 and rows.json()
    assert all(r["due"] or r["missed"] for r in rows.json())
    assert client_for("dangyuan").get("/api/v1/meeting-rhythm").json() == []
