"""Meetings: planning, signing in (invited, uninvited, twice, out of time), 书记代签, minutes
before and after publication, decisions, the joint meeting's rotating convener and its public
decisions, and what each writes to the duty ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take
from xianfeng.demo.base import persona_member
from xianfeng.meetings import selectors, services
from xianfeng.meetings.choices import MeetingKind, MeetingState, SignIn
from xianfeng.meetings.models import Meeting
from xianfeng.meetings.tests import factories as f
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def _ledger(kind: str, meeting: Meeting) -> int:
    return DutyRecord.objects.filter(action=kind, object_id=str(meeting.pk)).count()


def test_an_invited_member_signs_in_once_and_it_is_on_the_ledger(personas):
    me = persona_member("dangyuan")
    meeting = f.meeting(personas["wangge"], invite=[me])
    row = services.attendance_sign_in(actor=personas["dangyuan"], meeting=meeting)
    assert row.invited and row.method == SignIn.SELF and row.signed_in_at
    record = DutyRecord.objects.get(action="meeting.attend", object_id=str(meeting.pk))
    assert record.member_id == me.pk and not record.verified
    with pytest.raises(ValidationError) as twice:
        services.attendance_sign_in(actor=personas["dangyuan"], meeting=meeting)
    assert "无需重复签到" in twice.value.messages[0]
    assert twice.value.error_list[0].code == "unique"
    assert _ledger("meeting.attend", meeting) == 1


def test_an_uninvited_member_of_the_branch_sits_in_with_a_reason(personas):
    other = [m for m in f.branch_members(role_org(personas["wangge"]), 5)
             if m.pk != persona_member("dangyuan").pk]  # fmt: skip
    meeting = f.meeting(personas["wangge"], invite=other[:1])
    with pytest.raises(ValidationError) as bare:
        services.attendance_sign_in(actor=personas["dangyuan"], meeting=meeting)
    assert "列席请写明理由" in bare.value.message_dict["reason"][0]
    assert not meeting.attendees.filter(member=persona_member("dangyuan")).exists()
    row = services.attendance_sign_in(
        actor=personas["dangyuan"], meeting=meeting, reason="代表本楼栋党小组列席"
    )
    assert not row.invited and row.reason == "代表本楼栋党小组列席"


def test_a_member_outside_the_hosting_organization_is_refused(personas):
    community_b = role_org(personas["shequ2"])
    meeting = f.meeting(personas["admin"], community_b, invite=[])
    with pytest.raises(PermissionDenied) as refused:
        services.attendance_sign_in(actor=personas["dangyuan"], meeting=meeting, reason="路过")
    assert "不在本次会议的邀请名单中" in str(refused.value)


def test_sign_in_opens_two_hours_before_and_closes_with_the_day(personas):
    me = persona_member("dangyuan")
    later = f.meeting(personas["wangge"], invite=[me], starts_in=timedelta(hours=5))
    with pytest.raises(ValidationError) as early:
        services.attendance_sign_in(actor=personas["dangyuan"], meeting=later)
    assert "开始前两小时内才能签到" in early.value.messages[0]
    past = f.meeting(personas["wangge"], invite=[me], starts_in=timedelta(days=-2))
    with pytest.raises(ValidationError) as late:
        services.attendance_sign_in(actor=personas["dangyuan"], meeting=past)
    assert "书记代签" in late.value.messages[0]
    # … and the secretary records it afterwards (verified on the ledger)
    take(past, "hold", actor=personas["wangge"])
    row = services.attendance_record(actor=personas["wangge"], meeting=past, member=me)
    assert row.method == SignIn.SECRETARY
    assert DutyRecord.objects.get(action="meeting.attend", object_id=str(past.pk)).verified


def test_a_member_may_not_record_others_and_twice_is_refused(personas):
    me = persona_member("dangyuan")
    meeting = f.meeting(personas["wangge"], invite=[me])
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=personas["dangyuan"], meeting=meeting, member=me)
    services.attendance_record(actor=personas["wangge"], meeting=meeting, member=me)
    with pytest.raises(ValidationError) as twice:
        services.attendance_record(actor=personas["wangge"], meeting=meeting, member=me)
    assert "已签到" in twice.value.message_dict["member"][0]


def test_minutes_after_publication_change_only_by_a_marked_revision_kept_in_history(personas):
    meeting = f.meeting(personas["wangge"])
    take(meeting, "hold", actor=personas["wangge"])
    assert _ledger("meeting.hold", meeting) == 1
    with pytest.raises(ValidationError) as empty:
        take(meeting, "publish", actor=personas["wangge"])
    assert "请先填写会议纪要" in empty.value.message_dict["minutes"][0]
    services.minutes_save(actor=personas["wangge"], meeting=meeting, minutes="第一稿")
    services.decision_add(actor=personas["wangge"], meeting=meeting, text="组织一次消防演练")
    take(meeting, "publish", actor=personas["wangge"])
    with pytest.raises(ValidationError) as frozen:
        services.minutes_save(actor=personas["wangge"], meeting=meeting, minutes="悄悄改")
    assert "修订纪要" in frozen.value.messages[0]
    with pytest.raises(ValidationError) as late:
        services.decision_add(actor=personas["wangge"], meeting=meeting, text="再加一条")
    assert "纪要公开前登记" in late.value.messages[0]
    with pytest.raises(ValidationError) as why:
        take(meeting, "revise", actor=personas["wangge"], minutes="第二稿")
    assert "必须写明原因" in why.value.message_dict["reason"][0]
    take(meeting, "revise", actor=personas["wangge"], minutes="第二稿", reason="补记时间")
    meeting.refresh_from_db()
    assert meeting.minutes == "第二稿" and meeting.revisions == 1 and meeting.revised_at
    assert meeting.state == MeetingState.PUBLISHED
    old = [h.minutes for h in meeting.history.order_by("history_date")]
    assert "第一稿" in old and old[-1] == "第二稿"
    assert "公开后修订：补记时间" in meeting.history.latest().history_change_reason


def _units(community: Organization) -> list[Organization]:
    from django.db.models import Q

    ids = set()
    for a, b in Pairing.objects.filter(Q(org_a=community) | Q(org_b=community)).values_list(
        "org_a_id", "org_b_id"
    ):
        ids.add(b if a == community.pk else a)
    return list(Organization.objects.filter(pk__in=ids).order_by("pk"))


def test_the_joint_meeting_convener_rotates_and_its_decisions_go_public(personas, client):
    community = role_org(personas["shequ"])
    units = _units(community)
    if len(units) < 2:  # the small district pairs each community with at least one unit
        units = units + units
    first = f.meeting(personas["admin"], community, kind=MeetingKind.JOINT, units=units, invite=[])
    second = f.meeting(
        personas["admin"], community, kind=MeetingKind.JOINT, units=units, invite=[],
        starts_in=timedelta(days=30),
    )  # fmt: skip
    ordered = sorted({u.pk for u in units})
    assert first.convener_id in ordered  # the demo's joint meeting had the turn before
    assert second.convener_id == ordered[(ordered.index(first.convener_id) + 1) % len(ordered)]
    take(first, "hold", actor=personas["shequ"])
    services.minutes_save(actor=personas["shequ"], meeting=first, minutes="议定停车难问题")
    services.decision_add(actor=personas["shequ"], meeting=first, text="共享单位车位夜间开放")
    page = client.get(f"/meetings/public/{community.pk}/")
    assert "共享单位车位夜间开放" not in page.content.decode()  # not yet published
    take(first, "publish", actor=personas["shequ"])
    page = client.get(f"/meetings/public/{community.pk}/")
    assert page.status_code == 200 and "共享单位车位夜间开放" in page.content.decode()
    api = client.get(f"/api/v1/public/communities/{community.pk}/decisions")
    assert api.status_code == 200 and api.json()["results"][0]["text"] == "共享单位车位夜间开放"
    # a branch meeting's decisions are not on the public page
    assert client.get(f"/meetings/public/{role_org(personas['wangge']).pk}/").status_code == 404


def test_a_joint_meeting_needs_paired_units_and_other_kinds_have_none(personas):
    community = role_org(personas["shequ"])
    with pytest.raises(ValidationError) as none:
        f.meeting(personas["shequ"], community, kind=MeetingKind.JOINT, invite=[])
    assert "至少一个成员单位" in none.value.message_dict["units"][0]
    stranger = role_org(personas["shequ2"])
    with pytest.raises(ValidationError) as unpaired:
        f.meeting(personas["admin"], community, kind=MeetingKind.JOINT, units=[stranger])
    assert "结对共建" in unpaired.value.message_dict["units"][0]
    with pytest.raises(ValidationError):
        f.meeting(personas["admin"], community, units=_units(community)[:1])


def test_invitees_outside_scope_and_organizations_outside_scope_are_refused(personas):
    outsider = PartyMember.objects.filter(
        branch__path__startswith=role_org(personas["shequ2"]).path
    ).first()
    with pytest.raises(ValidationError) as who:
        f.meeting(personas["wangge"], invite=[outsider])
    assert str(outsider.pk) in who.value.message_dict["invitees"][0]
    with pytest.raises(ValidationError) as where:
        f.meeting(personas["wangge"], role_org(personas["shequ2"]), invite=[])
    assert "无权以该组织名义" in where.value.message_dict["organization"][0]


def test_an_invited_secretary_sees_the_communitys_meeting_above_their_branch(personas):
    secretary = persona_member("wangge")
    meeting = f.meeting(personas["shequ"], kind=MeetingKind.SECRETARIES, invite=[secretary])
    assert selectors.meetings(personas["wangge"]).filter(pk=meeting.pk).exists()
    assert not selectors.meetings(personas["shequ2"]).filter(pk=meeting.pk).exists()
    services.attendance_sign_in(actor=personas["wangge"], meeting=meeting)
    assert meeting.attendees.get(member=secretary).present


def test_the_meeting_list_runs_the_same_queries_for_few_and_many(client_for, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("wangge")
    f.meeting(personas["wangge"])
    client.get("/meetings/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/").status_code == 200
    with CaptureQueriesContext(connection) as few_api:
        assert client.get("/api/v1/meetings").status_code == 200
    for _i in range(6):
        f.meeting(personas["wangge"])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/meetings/").status_code == 200
    with CaptureQueriesContext(connection) as many_api:
        assert client.get("/api/v1/meetings").status_code == 200
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)


def test_the_api_answers_bad_sign_ins_in_chinese_with_their_status(client_for, personas):
    me = persona_member("dangyuan")
    meeting = f.meeting(personas["wangge"], invite=[me])
    client = client_for("dangyuan")
    url = f"/api/v1/meetings/{meeting.pk}/sign-in"
    assert client.post(url, "{}", content_type="application/json").status_code == 201
    twice = client.post(url, "{}", content_type="application/json")
    assert twice.status_code == 409 and "无需重复签到" in twice.json()["detail"]
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.CANCELLED)
    other = f.meeting(personas["wangge"], invite=[])
    Meeting.objects.filter(pk=other.pk).update(starts_at=timezone.now())
    bare = client.post(
        f"/api/v1/meetings/{other.pk}/sign-in", "{}", content_type="application/json"
    )
    assert bare.status_code == 400 and "列席请写明理由" in bare.json()["errors"]["reason"][0]
    page = client.post(f"/meetings/{other.pk}/sign-in/", {"reason": ""})
    assert page.status_code == 400 and "列席请写明理由" in page.content.decode()


def test_the_page_offers_sign_in_only_when_it_would_be_taken(personas, client_for):
    me = persona_member("dangyuan")
    later = f.meeting(personas["wangge"], invite=[me], starts_in=timedelta(days=2))
    page = client_for("dangyuan").get(f"/meetings/{later.pk}/").content.decode()
    assert 'id="sign-in"' not in page and "开始前两小时内才能签到" in page
    soon = f.meeting(personas["wangge"], invite=[me], starts_in=timedelta(minutes=30))
    page = client_for("dangyuan").get(f"/meetings/{soon.pk}/").content.decode()
    assert 'id="sign-in"' in page and 'id="sign-in-note"' not in page
