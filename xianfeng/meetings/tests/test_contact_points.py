"""基层党建联系点 (seed 002): the district names its 常委's contact points, a street its
leading team's; each leader's party lessons at the point are counted per year (held lessons
only), credited to the leader on the duty ledger; page and API, with the bad input refused in
Chinese."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.workflow import take
from xianfeng.demo.base import SHEQU2_COMMUNITY, SHEQU_COMMUNITY, persona_member
from xianfeng.meetings import selectors, services
from xianfeng.meetings.choices import MeetingKind, MeetingState
from xianfeng.meetings.models import ContactPoint, Meeting
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def _org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def _point(personas, org_code: str = SHEQU_COMMUNITY, leader=None) -> ContactPoint:
    leader = leader or persona_member("wangge")
    return services.contact_point_add(
        actor=personas["qu"],
        leader=leader.pk,
        title="区委常委",
        organization=_org(org_code),
        since=date(2026, 1, 5),
    )


def _lesson(personas, point: ContactPoint, **extra) -> Meeting:
    return services.meeting_plan(
        actor=personas["shequ"],
        organization=point.organization,
        kind=extra.pop("kind", MeetingKind.PARTY_LESSON),
        topic="学习党的二十大精神",
        starts_at=extra.pop("starts_at", timezone.now() + timedelta(hours=1)),
        place="社区党群服务中心",
        contact_point=point,
        **extra,
    )


def test_a_leaders_lesson_at_the_point_counts_when_held_and_is_their_duty(personas):
    point = _point(personas)
    year = timezone.localdate().year
    row = selectors.contact_points(personas["qu"], year=year).get(pk=point.pk)
    assert row.lessons_held == 0

    lesson = _lesson(personas, point)
    planned = selectors.contact_points(personas["qu"], year=year).get(pk=point.pk)
    assert planned.lessons_held == 0  # planned is not given
    take(lesson, "hold", actor=personas["shequ"])
    row = selectors.contact_points(personas["shequ"], year=year).get(pk=point.pk)
    assert row.lessons_held == 1
    record = DutyRecord.objects.get(action="meeting.hold", object_id=str(lesson.pk))
    assert record.member_id == point.leader_id  # the leader gave it
    assert (
        selectors.contact_points(personas["qu"], year=year - 1).get(pk=point.pk).lessons_held == 0
    )

    # A cancelled lesson and another organization's meetings are not the point's lessons.
    other = _lesson(personas, point)
    Meeting.objects.filter(pk=other.pk).update(state=MeetingState.CANCELLED)
    assert selectors.contact_points(personas["qu"], year=year).get(pk=point.pk).lessons_held == 1


def test_bad_lessons_and_points_are_refused_in_chinese(personas):
    before = ContactPoint.objects.count()
    point = _point(personas)
    with pytest.raises(ValidationError) as kind:
        _lesson(personas, point, kind=MeetingKind.BRANCH_ASSEMBLY)
    assert "只有党课" in str(kind.value)
    elsewhere = _point(personas, SHEQU2_COMMUNITY)
    with pytest.raises(ValidationError) as wrong:
        services.meeting_plan(
            actor=personas["shequ"],
            organization=point.organization,
            kind=MeetingKind.PARTY_LESSON,
            topic="党课",
            starts_at=timezone.now(),
            place="会议室",
            contact_point=elsewhere,
        )
    assert "不是召开组织" in str(wrong.value)

    with pytest.raises(ValidationError) as twice:
        _point(personas)
    assert "已把该组织作为联系点" in str(twice.value)
    assert ContactPoint.objects.count() == before + 2  # the two points, not a third

    with pytest.raises(ValidationError) as community:
        services.contact_point_add(
            actor=personas["shequ"],
            leader=persona_member("wangge").pk,
            title="社区书记",
            organization=point.organization,
            since=date(2026, 1, 1),
        )
    assert "区委组织部或街道党工委" in str(community.value)

    # A street names points in its own street, with leaders it sees.
    outside = PartyMember.objects.exclude(branch__path__startswith=_org("XF-S01").path).first()
    with pytest.raises(ValidationError) as stranger:
        services.contact_point_add(
            actor=personas["jiedao"],
            leader=outside.pk,
            title="街道党工委副书记",
            organization=point.organization,
            since=date(2026, 1, 1),
        )
    assert "不在您的管辖范围内" in str(stranger.value)
    with pytest.raises(ValidationError):
        services.contact_point_add(
            actor=personas["jiedao"],
            leader=persona_member("dangyuan").pk,
            title="街道党工委副书记",
            organization=_org(SHEQU2_COMMUNITY),
            since=date(2026, 1, 1),
        )

    # Ended: kept with its lessons, ended once, no new lessons named on it.
    with pytest.raises(ValidationError) as early:
        services.contact_point_end(actor=personas["qu"], point=point, ended_on=date(2025, 12, 1))
    assert "不能早于确定日期" in str(early.value)
    services.contact_point_end(actor=personas["qu"], point=point, ended_on=date(2026, 6, 30))
    with pytest.raises(ValidationError) as again:
        services.contact_point_end(actor=personas["qu"], point=point, ended_on=date(2026, 7, 1))
    assert "已于2026-06-30结束" in str(again.value)
    with pytest.raises(PermissionDenied):
        services.contact_point_end(actor=personas["shequ"], point=elsewhere, ended_on=date.today())
    with pytest.raises(ValidationError) as ended:
        _lesson(personas, point)
    assert "联系已结束" in str(ended.value)
    # The same leader may take the organization again after the end.
    assert _point(personas).pk != point.pk


def test_the_page_names_points_and_shows_who_owes_a_lesson(personas, client_for):
    qu = client_for("qu")
    leader = persona_member("wangge")
    form = {
        "organization": _org(SHEQU_COMMUNITY).pk,
        "leader": leader.pk,
        "title": "区委常委",
        "since": "2026-01-05",
    }
    answer = qu.post("/meetings/contact-points/new/", form)
    assert answer.status_code == 302
    point = ContactPoint.objects.get(leader=leader)
    page = qu.get("/meetings/contact-points/").content.decode()
    assert f'data-point="{point.pk}"' in page and "尚未上党课" in page
    again = qu.post("/meetings/contact-points/new/", form)
    assert again.status_code == 400 and "已把该组织作为联系点" in again.content.decode()

    assert client_for("shequ").get("/meetings/contact-points/new/").status_code == 403
    shequ_page = client_for("shequ").get("/meetings/contact-points/").content.decode()
    assert f'data-point="{point.pk}"' in shequ_page and 'data-end="' not in shequ_page
    other = client_for("shequ2").get("/meetings/contact-points/").content.decode()
    assert f'data-point="{point.pk}"' not in other

    lesson = _lesson(personas, point)
    take(lesson, "hold", actor=personas["shequ"])
    listed = qu.get("/meetings/contact-points/").content.decode()
    row = listed.split(f'data-point="{point.pk}"')[1].split("</tr>")[0]
    assert "已上1次" in row and "尚未上党课" not in row
    detail = client_for("shequ").get(f"/meetings/{lesson.pk}/").content.decode()
    assert "联系点领导授课" in detail and leader.person.name in detail

    assert client_for("shequ").post(f"/meetings/contact-points/{point.pk}/end/").status_code == 403
    assert qu.post(f"/meetings/contact-points/{point.pk}/end/").status_code == 302
    point.refresh_from_db()
    assert point.ended_on == timezone.localdate()


def test_the_plan_form_names_the_lecturer(personas, client_for):
    point = _point(personas)
    client = client_for("shequ")
    form = client.get("/meetings/new/").content.decode()
    assert 'name="contact_point"' in form and "区委常委" in form
    starts = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        "/meetings/new/",
        {
            "organization": point.organization_id,
            "kind": MeetingKind.BRANCH_ASSEMBLY,
            "topic": "党员大会",
            "starts_at": starts,
            "place": "会议室",
            "contact_point": point.pk,
        },
    )
    assert answer.status_code == 400 and "只有党课" in answer.content.decode()
    answer = client.post(
        "/meetings/new/",
        {
            "organization": point.organization_id,
            "kind": MeetingKind.PARTY_LESSON,
            "topic": "联系点党课",
            "starts_at": starts,
            "place": "会议室",
            "contact_point": point.pk,
        },
    )
    assert answer.status_code == 302
    assert Meeting.objects.get(topic="联系点党课").contact_point_id == point.pk


def test_the_api_lists_names_and_ends_points(personas, client_for):
    qu = client_for("qu")
    leader = persona_member("wangge")
    body = {
        "leader": leader.pk,
        "title": "区委常委",
        "organization": _org(SHEQU_COMMUNITY).pk,
        "since": "2026-01-05",
    }
    made = qu.post("/api/v1/contact-points", body, content_type="application/json")
    assert made.status_code == 201, made.content
    point_id = made.json()["id"]
    assert made.json()["lessons_held"] == 0 and made.json()["lessons_required"] == 1
    assert made.json()["leader"]["name"] == leader.person.name
    twice = qu.post("/api/v1/contact-points", body, content_type="application/json")
    assert (
        twice.status_code == 409  # a duplicate, as everywhere in the API
        and "已把该组织作为联系点" in twice.json()["errors"]["organization"][0]
    )
    refused = client_for("shequ").post(
        "/api/v1/contact-points", body, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["detail"]
    no_one = qu.post(
        "/api/v1/contact-points", {**body, "leader": 10**9}, content_type="application/json"
    )
    assert (
        no_one.status_code == 400 and "不在您的管辖范围内" in no_one.json()["errors"]["leader"][0]
    )

    end = f"/api/v1/contact-points/{point_id}/end"
    early = qu.post(end, {"ended_on": "2025-01-01"}, content_type="application/json")
    assert early.status_code == 400 and "不能早于" in early.json()["errors"]["ended_on"][0]
    assert (
        client_for("shequ2")
        .post(end, {"ended_on": "2026-06-30"}, content_type="application/json")
        .status_code
        == 404
    )
    done = qu.post(end, {"ended_on": "2026-06-30"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["ended_on"] == "2026-06-30"
    again = qu.post(end, {"ended_on": "2026-07-01"}, content_type="application/json")
    assert again.status_code == 400
    listed = qu.get("/api/v1/contact-points?open_only=true").json()
    assert point_id not in [r["id"] for r in listed["results"]]


def test_the_list_runs_the_same_queries_for_few_and_many(personas, client_for):
    client = client_for("qu")
    community = _org(SHEQU_COMMUNITY)
    members = list(
        PartyMember.objects.filter(branch__path__startswith=community.path).order_by("pk")[:8]
    )
    already = ContactPoint.objects.count()  # the demo's
    _point(personas, leader=members[0])
    client.get("/meetings/contact-points/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/contact-points/").status_code == 200
    with CaptureQueriesContext(connection) as few_api:
        assert client.get("/api/v1/contact-points").status_code == 200
    for leader in members[1:]:
        point = _point(personas, leader=leader)
        take(_lesson(personas, point), "hold", actor=personas["shequ"])
    with CaptureQueriesContext(connection) as many:
        page = client.get("/meetings/contact-points/")
    with CaptureQueriesContext(connection) as many_api:
        api = client.get("/api/v1/contact-points")
    assert page.content.decode().count("data-point=") == already + 8
    assert len(api.json()["results"]) == already + 8
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)
    # Those still owing this year's lesson come first.
    assert api.json()["results"][0]["lessons_held"] == 0


def test_a_lesson_from_last_year_does_not_count_this_year(personas):
    point = _point(personas)
    last = timezone.localdate().year - 1
    lesson = _lesson(
        personas,
        point,
        starts_at=timezone.make_aware(datetime(last, 11, 3, 9)),
    )
    Meeting.objects.filter(pk=lesson.pk).update(state=MeetingState.HELD)
    assert selectors.contact_points(personas["qu"], year=last).get(pk=point.pk).lessons_held == 1
    now = timezone.localdate().year
    assert selectors.contact_points(personas["qu"], year=now).get(pk=point.pk).lessons_held == 0


def test_leaders_still_owing_the_years_lesson_are_reminded_once_near_its_end(personas):
    from xianfeng.meetings.tasks import remind_lessons_now
    from xianfeng.work.models import Notice

    owing = _point(personas)
    given = _point(personas, SHEQU2_COMMUNITY)
    lesson = services.meeting_plan(
        actor=personas["shequ2"],
        organization=given.organization,
        kind=MeetingKind.PARTY_LESSON,
        topic="联系点党课",
        starts_at=timezone.now(),
        place="会议室",
        contact_point=given,
    )
    take(lesson, "hold", actor=personas["shequ2"])
    year = timezone.localdate().year
    assert remind_lessons_now(date(year, 11, 1)) == 0  # two months left: not yet
    assert remind_lessons_now(date(year, 12, 10)) >= 1
    notice = Notice.objects.get(dedup_key=f"meetings:point:{owing.pk}:{year}")
    assert notice.member_id == owing.leader_id and "还没有为联系点党员上党课" in notice.text
    assert not Notice.objects.filter(dedup_key=f"meetings:point:{given.pk}:{year}").exists()
    assert remind_lessons_now(date(year, 12, 20)) == 0  # once a year
