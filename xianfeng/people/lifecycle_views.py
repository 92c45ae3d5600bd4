"""Page actions of the member life-cycle: the matters panel on a member's page, and one POST
action per transition (each calling its service; errors come back as messages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.views import ScopedView
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.choices import CaseKind, CaseState, LostReason, MemberCategory, MemberKind
from xianfeng.people.models import MemberCase, PartyMember


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(_("日期格式应为2021-03-05。")) from None


def _org(request: HttpRequest, name: str) -> Organization | None:
    pk = _int(request.POST.get(name))
    return Organization.objects.restrict(request.user).filter(pk=pk).first() if pk else None


def _post(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()


MEMBER_ACTIONS: dict[str, tuple[str, Callable[[HttpRequest, PartyMember], Any]]] = {
    "report": (
        "已提交社区报到。",
        lambda r, m: lifecycle.member_report_register(
            actor=r.user,
            member=m,
            community=lifecycle.community_by_code(_post(r, "community_code")),
            note=_post(r, "note"),
        ),
    ),
    "flow-out": (
        "已登记流出。",
        lambda r, m: lifecycle.member_flow_out(
            actor=r.user,
            member=m,
            destination=_post(r, "destination"),
            contact=_post(r, "contact"),
            home=_org(r, "home"),
            fellows=_int(r.POST.get("fellows")),
        ),
    ),
    "flow-in": (
        "已登记流入。",
        lambda r, m: lifecycle.member_flow_in(
            actor=r.user,
            member=m,
            home=_org(r, "home"),
            origin=_post(r, "origin"),
            contact=_post(r, "contact"),
            fellows=_int(r.POST.get("fellows")),
        ),
    ),
    "transfer": (
        "已申请组织关系转接，待转出方审批。",
        lambda r, m: lifecycle.member_transfer_request(
            actor=r.user,
            member=m,
            to_branch=lifecycle.branch_by_code(_post(r, "to_branch_code")),
            note=_post(r, "note"),
        ),
    ),
    "lost": (
        "已登记为失联党员。",
        lambda r, m: lifecycle.member_lost_mark(
            actor=r.user, member=m, reason=_post(r, "reason"), note=_post(r, "note")
        ),
    ),
    "make-full": (
        "已转为正式党员。",
        lambda r, m: lifecycle.member_make_full(
            actor=r.user, member=m, full_member_on=_date(r.POST.get("full_member_on"))
        ),
    ),
}

CASE_ACTIONS: dict[str, tuple[str, Callable[[HttpRequest, MemberCase], Any]]] = {
    "report-accept": (
        "已接收报到。",
        lambda r, c: lifecycle.member_report_accept(actor=r.user, case=c, note=_post(r, "note")),
    ),
    "report-decline": (
        "已不接收报到。",
        lambda r, c: lifecycle.member_report_decline(actor=r.user, case=c, note=_post(r, "note")),
    ),
    "report-revoke": (
        "已撤销报到。",
        lambda r, c: lifecycle.member_report_revoke(actor=r.user, case=c, note=_post(r, "note")),
    ),
    "flow-end": (
        "已结束流动登记。",
        lambda r, c: lifecycle.member_flow_end(actor=r.user, case=c, note=_post(r, "note")),
    ),
    "transfer-approve-out": (
        "转出方已同意。",
        lambda r, c: lifecycle.member_transfer_approve_out(actor=r.user, case=c),
    ),
    "transfer-approve-in": (
        "已接收组织关系。",
        lambda r, c: lifecycle.member_transfer_approve_in(actor=r.user, case=c),
    ),
    "transfer-reject": (
        "已退回转接。",
        lambda r, c: lifecycle.member_transfer_reject(actor=r.user, case=c, note=_post(r, "note")),
    ),
    "lost-note": (
        "已记录这次查找。",
        lambda r, c: lifecycle.member_lost_note(actor=r.user, case=c, text=_post(r, "text")),
    ),
    "lost-found": (
        "已标记为取得联系。",
        lambda r, c: lifecycle.member_lost_found(actor=r.user, case=c, note=_post(r, "note")),
    ),
}


def _run(request: HttpRequest, done: str, call: Callable[[], Any]) -> None:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _(done))


class MemberCasesView(ScopedView):
    """The matters panel (loaded into the member page) with a form per allowed step."""

    model = PartyMember

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.object_for(pk, queryset=PartyMember.objects.select_related("branch"))
        cases = (
            MemberCase.objects.restrict(request.user)
            .filter(member=member)
            .select_related("organization", "from_branch")
            .prefetch_related("notes")
        )
        can_change = (
            PartyMember.objects.restrict(request.user, Action.CHANGE).filter(pk=pk).exists()
        )
        visible = Organization.objects.restrict(request.user)
        return render(
            request,
            "people/_cases.html",
            {
                "member": member,
                "cases": cases,
                "can_change": can_change,
                "is_self": request.user.person_id == member.person_id,
                "communities": Organization.objects.filter(kind=OrgKind.COMMUNITY).only(
                    "id", "name"
                )[:300],
                "homes": visible.filter(kind__in=[OrgKind.MOBILE_HOME, OrgKind.MOBILE]).only(
                    "id", "name"
                ),
                "reasons": LostReason.choices,
                "kinds": CaseKind,
                "states": CaseState,
                "in_service": member.kind == MemberKind.IN_SERVICE,
                "probationary": member.category == MemberCategory.PROBATIONARY,
            },
        )


class MemberActionView(ScopedView):
    model = PartyMember

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in MEMBER_ACTIONS:
            raise Http404
        member = self.object_for(pk)
        done, call = MEMBER_ACTIONS[action]
        _run(request, done, lambda: call(request, member))
        return redirect(member.get_absolute_url())


class CaseActionView(ScopedView):
    model = MemberCase

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in CASE_ACTIONS:
            raise Http404
        case = self.object_for(pk)
        done, call = CASE_ACTIONS[action]
        _run(request, done, lambda: call(request, case))
        return redirect(f"/members/{case.member_id}/")
