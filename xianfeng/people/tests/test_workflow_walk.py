"""The transition walk of the member life-cycle (xianfeng/core/workflow_walk.py): every step
of a member case and 转正, through the API and the page, allowed and refused."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest

from xianfeng.core.workflow import take
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.choices import LostReason, MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import MemberCase, PartyMember

pytestmark = pytest.mark.django_db

_used = count()
BRANCH = "XF-S01-C01-G01"  # wangge's branch, in shequ's community
OTHER_COMMUNITY = "XF-S02-C01"  # shequ2's


def _member(kind: str = MemberKind.IN_SERVICE) -> PartyMember:
    """A different member of wangge's branch each time, in a plain state."""
    members = PartyMember.objects.filter(branch__code=BRANCH, person__user__isnull=True)
    m = members.order_by("pk")[next(_used) % members.count()]
    MemberCase.objects.filter(member=m).delete()
    m.kind, m.status, m.category = kind, MemberStatus.NORMAL, MemberCategory.FULL
    m.save()
    return m


def _report(p, *then: str) -> MemberCase:
    case = lifecycle.member_report_register(
        actor=p["wangge"],
        member=_member(),
        community=Organization.objects.get(code=OTHER_COMMUNITY),
    )
    for name in then:
        actor = p["shequ2"] if name in ("report_accept", "report_decline") else p["wangge"]
        take(case, name, actor=actor, note="已处理")
    case.refresh_from_db()
    return case


def _flow(p, *then: str) -> MemberCase:
    case = lifecycle.member_flow_out(
        actor=p["wangge"], member=_member(), destination="深圳市", contact="13800138000"
    )
    for name in then:
        take(case, name, actor=p["wangge"])
    case.refresh_from_db()
    return case


def _transfer(p, *then: str) -> MemberCase:
    to_branch = Organization.objects.filter(
        path__startswith=Organization.objects.get(code=OTHER_COMMUNITY).path, kind="grid_branch"
    ).first()
    case = lifecycle.member_transfer_request(
        actor=p["wangge"], member=_member(), to_branch=to_branch
    )
    for name in then:
        actor = p["shequ2"] if name == "transfer_approve_in" else p["wangge"]
        take(case, name, actor=actor, **({"note": "材料不全"} if name == "transfer_reject" else {}))
    case.refresh_from_db()
    return case


def _lost(p, *then: str) -> MemberCase:
    case = lifecycle.member_lost_mark(
        actor=p["wangge"], member=_member(), reason=LostReason.MOVED, note=""
    )
    for name in then:
        take(case, name, actor=p["wangge"])
    case.refresh_from_db()
    return case


def _probationary(p) -> PartyMember:
    m = _member(MemberKind.COMMUNITY)
    m.category, m.joined_on = MemberCategory.PROBATIONARY, date.today() - timedelta(days=800)
    m.save()
    return m


CASE_API = "/api/v1/member-cases/{pk}/"
CASE_PAGE = "/member-cases/{pk}/"

WALKS = [
    Walk(MemberCase, "report_accept", _report, lambda p: _report(p, "report_accept"),
         "shequ2", "wangge", CASE_API + "report/accept", CASE_PAGE + "report_accept/"),
    Walk(MemberCase, "report_decline", _report, lambda p: _report(p, "report_accept"),
         "shequ2", "wangge", CASE_API + "report/decline", CASE_PAGE + "report_decline/",
         {"note": "不在本社区居住"}),
    Walk(MemberCase, "report_revoke", _report, lambda p: _report(p, "report_decline"),
         "wangge", "jiancha", CASE_API + "report/revoke", CASE_PAGE + "report-revoke/"),
    Walk(MemberCase, "flow_end", _flow, lambda p: _flow(p, "flow_end"),
         "wangge", "jiancha", CASE_API + "flow/end", CASE_PAGE + "flow_end/"),
    Walk(MemberCase, "transfer_approve_out", _transfer,
         lambda p: _transfer(p, "transfer_approve_out"), "wangge", "shequ2",
         CASE_API + "transfer/approve-out", CASE_PAGE + "transfer_approve_out/"),
    Walk(MemberCase, "transfer_approve_in", lambda p: _transfer(p, "transfer_approve_out"),
         _transfer, "shequ2", "wangge",
         CASE_API + "transfer/approve-in", CASE_PAGE + "transfer_approve_in/"),
    Walk(MemberCase, "transfer_reject", _transfer,
         lambda p: _transfer(p, "transfer_reject"), "wangge",
         "shequ2", CASE_API + "transfer/reject", CASE_PAGE + "transfer_reject/",
         {"note": "材料不全"}),
    Walk(MemberCase, "lost_note", _lost, lambda p: _lost(p, "lost_found"),
         "wangge", "jiancha", CASE_API + "lost/notes", CASE_PAGE + "lost_note/",
         {"text": "电话停机，走访原住址无人"}),
    Walk(MemberCase, "lost_found", _lost, lambda p: _lost(p, "lost_found"),
         "wangge", "jiancha", CASE_API + "lost/found", CASE_PAGE + "lost_found/"),
    Walk(PartyMember, "make_full", _probationary, lambda p: _member(MemberKind.COMMUNITY),
         "wangge", "jiancha", "/api/v1/members/{pk}/make-full", "/members/{pk}/step/make_full/",
         {"full_member_on": date.today()}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)


def test_a_branch_user_sees_no_community_button_on_a_report(personas, client_for):
    """Buttons come from the same table: the branch side of a registered report sees
    revoke, not the community's accept."""
    case = _report(personas)
    body = client_for("wangge").get(f"/members/{case.member_id}/cases/").content.decode()
    assert 'data-step="report_revoke"' in body
    assert 'data-step="report_accept"' not in body
    body = client_for("shequ2").get(f"/member-cases/{case.pk}/").content.decode()
    assert 'data-step="report_accept"' in body
    api = client_for("wangge").get(f"/api/v1/members/{case.member_id}/cases").json()
    assert api[0]["actions"] == ["report_revoke"]
