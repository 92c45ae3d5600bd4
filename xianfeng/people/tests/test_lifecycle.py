"""Member life-cycle workflows: each transition checks the role on its side, keeps history,
and refuses steps out of order with a Chinese message."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.models import DutyRecord
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.choices import CaseState, MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(personas):
    m = (
        PartyMember.objects.filter(branch__code="XF-S01-C01-G01")
        .exclude(person__user__isnull=False)
        .first()
    )
    m.kind, m.work_unit, m.status = MemberKind.IN_SERVICE, "区教育局", MemberStatus.NORMAL
    m.category = MemberCategory.FULL
    m.save()
    return m


def test_an_in_service_member_reports_and_the_community_accepts(personas, member):
    case = lifecycle.member_report_register(
        actor=personas["wangge"],
        member=member,
        community=Organization.objects.get(code="XF-S02-C01"),
    )
    assert case.state == CaseState.REGISTERED
    with pytest.raises(PermissionDenied):
        lifecycle.member_report_accept(actor=personas["shequ"], case=case)
    lifecycle.member_report_accept(actor=personas["shequ2"], case=case)
    member.refresh_from_db()
    assert member.residence_community.code == "XF-S02-C01"
    assert DutyRecord.objects.filter(action="member.report_accept").exists()
    lifecycle.member_report_revoke(actor=personas["wangge"], case=case)
    member.refresh_from_db()
    assert member.residence_community is None
    assert member.history.first().history_change_reason == "撤销社区报到"


def test_a_community_declines_with_a_reason(personas, member):
    case = lifecycle.member_report_register(
        actor=personas["wangge"], member=member, community=lifecycle.community_by_code("XF-S01-C01")
    )
    with pytest.raises(ValidationError):
        lifecycle.member_report_decline(actor=personas["shequ"], case=case, note=" ")
    case = lifecycle.member_report_decline(actor=personas["shequ"], case=case, note="不住本社区")
    assert case.state == CaseState.DECLINED


def test_only_in_service_members_report(personas, member):
    member.kind = MemberKind.COMMUNITY
    member.save()
    with pytest.raises(ValidationError, match="在职党员"):
        lifecycle.member_report_register(
            actor=personas["wangge"],
            member=member,
            community=lifecycle.community_by_code("XF-S01-C01"),
        )


def test_flow_out_and_back(personas, member):
    home = Organization.objects.filter(kind="mobile_home").first()
    case = lifecycle.member_flow_out(
        actor=personas["wangge"],
        member=member,
        destination="广东省深圳市",
        contact="老乡会 13900000000",
        home=home,
        fellows=20,
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.MOBILE and member.current_place == "广东省深圳市"
    with pytest.raises(ValidationError, match="已登记为流出"):
        lifecycle.member_flow_out(
            actor=personas["wangge"], member=member, destination="x", contact="y"
        )
    lifecycle.member_flow_end(actor=personas["wangge"], case=case)
    member.refresh_from_db()
    assert member.status == MemberStatus.NORMAL


def test_flow_out_needs_destination_and_contact(personas, member):
    with pytest.raises(ValidationError) as exc:
        lifecycle.member_flow_out(
            actor=personas["wangge"], member=member, destination="", contact=""
        )
    assert set(exc.value.message_dict) == {"destination", "contact"}


def test_flow_in_is_received_by_a_mobile_members_home(personas, member):
    home = Organization.objects.get(code="XF-S01-H01")
    case = lifecycle.member_flow_in(
        actor=personas["jiedao"],
        member=member,
        home=home,
        origin="四川省",
        contact="13900000000",
        fellows=18,
    )
    assert case.organization == home
    member.refresh_from_db()
    assert member.kind == MemberKind.MOBILE and member.origin == "四川省"
    with pytest.raises(ValidationError, match="流动党员之家"):
        lifecycle.member_flow_in(
            actor=personas["jiedao"], member=member, home=member.branch, origin="x", contact="y"
        )


def test_a_transfer_needs_both_sides(personas, member):
    target = Organization.objects.get(code="XF-S02-C01")
    case = lifecycle.member_transfer_request(
        actor=personas["wangge"], member=member, to_branch=target
    )
    with pytest.raises(ValidationError, match="状态"):
        lifecycle.member_transfer_approve_in(actor=personas["shequ2"], case=case)
    with pytest.raises(PermissionDenied):
        lifecycle.member_transfer_approve_out(actor=personas["shequ2"], case=case)
    lifecycle.member_transfer_approve_out(actor=personas["shequ"], case=case)
    with pytest.raises(PermissionDenied):
        lifecycle.member_transfer_approve_in(actor=personas["shequ"], case=case)
    case = lifecycle.member_transfer_approve_in(actor=personas["shequ2"], case=case)
    member.refresh_from_db()
    assert case.state == CaseState.COMPLETED and member.branch == target
    assert member.history.filter(branch__code="XF-S01-C01-G01").exists()


def test_a_transfer_to_a_branch_that_does_not_exist_is_refused(personas, member):
    with pytest.raises(ValidationError, match="不存在"):
        lifecycle.branch_by_code("XF-NOPE")
    assert member.cases.count() == 0


def test_the_receiving_side_may_reject(personas, member):
    case = lifecycle.member_transfer_request(
        actor=personas["wangge"],
        member=member,
        to_branch=Organization.objects.get(code="XF-S02-C01"),
    )
    lifecycle.member_transfer_approve_out(actor=personas["wangge"], case=case)
    case = lifecycle.member_transfer_reject(actor=personas["shequ2"], case=case, note="查无此人")
    member.refresh_from_db()
    assert case.state == CaseState.REJECTED and member.branch.code == "XF-S01-C01-G01"


def test_lost_contact_with_reason_notes_and_found(personas, member):
    case = lifecycle.member_lost_mark(
        actor=personas["wangge"], member=member, reason="contact_invalid"
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.LOST_CONTACT
    lifecycle.member_lost_note(actor=personas["wangge"], case=case, text="电话停机，走访原住址无人")
    assert DutyRecord.objects.filter(action="member.lost_search").exists()
    with pytest.raises(PermissionDenied):
        lifecycle.member_lost_note(actor=personas["dangyuan"], case=case, text="x")
    lifecycle.member_lost_found(actor=personas["wangge"], case=case, note="已联系上")
    member.refresh_from_db()
    assert member.status == MemberStatus.NORMAL


def test_an_other_reason_needs_a_note(personas, member):
    with pytest.raises(ValidationError):
        lifecycle.member_lost_mark(actor=personas["wangge"], member=member, reason="other")


def test_a_probationary_member_becomes_full_after_a_year(personas, member):
    member.category, member.joined_on, member.full_member_on = (
        MemberCategory.PROBATIONARY,
        date(2024, 7, 1),
        None,
    )
    member.save()
    with pytest.raises(ValidationError, match="预备期为一年"):
        lifecycle.member_make_full(
            actor=personas["wangge"], member=member, full_member_on=date(2025, 1, 1)
        )
    with pytest.raises(ValidationError, match="晚于今天"):
        lifecycle.member_make_full(
            actor=personas["wangge"], member=member, full_member_on=date.today() + timedelta(days=3)
        )
    lifecycle.member_make_full(
        actor=personas["wangge"], member=member, full_member_on=date(2025, 7, 1)
    )
    member.refresh_from_db()
    assert member.category == MemberCategory.FULL and member.full_member_on == date(2025, 7, 1)


def test_the_auditor_and_members_take_no_steps(personas, member):
    for who in ("jiancha", "dangyuan"):
        with pytest.raises(PermissionDenied):
            lifecycle.member_lost_mark(actor=personas[who], member=member, reason="moved")


def test_page_actions_call_the_services(client_for, member):
    client = client_for("wangge")
    response = client.post(f"/members/{member.pk}/do/lost/", {"reason": "moved", "note": "搬走了"})
    assert response.status_code == 302
    case = member.cases.get()
    assert case.state == CaseState.ACTIVE
    client.post(f"/member-cases/{case.pk}/lost-note/", {"text": "问了邻居"})
    assert case.notes.count() == 1
    page = client.get(f"/members/{member.pk}/cases/")
    assert "问了邻居" in page.content.decode()
    bad = client.post(f"/members/{member.pk}/do/transfer/", {"to_branch_code": "NOPE"}, follow=True)
    assert "不存在" in bad.content.decode()


def test_api_transitions_answer_json(client_for, member):
    client = client_for("wangge")
    response = client.post(
        f"/api/v1/members/{member.pk}/transfer",
        data={"to_branch_code": "XF-S02-C01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case_id = response.json()["id"]
    assert (
        client.post(f"/api/v1/member-cases/{case_id}/transfer/approve-out").json()["state"]
        == "out_approved"
    )
    assert (
        client_for("shequ").post(f"/api/v1/member-cases/{case_id}/transfer/approve-in").status_code
        == 403
    )
    missing = client.post(
        f"/api/v1/members/{member.pk}/transfer",
        data={"to_branch_code": "NOPE"},
        content_type="application/json",
    )
    assert missing.status_code in (400, 409) and "不存在" in missing.json()["detail"]
