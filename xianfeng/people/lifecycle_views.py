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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView
from xianfeng.core.workflow_views import StepView
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.choices import (
    HANDOVER_KINDS,
    CaseKind,
    CaseState,
    LostReason,
    MemberCategory,
    MemberKind,
)
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
        gettext_lazy("已提交社区报到。"),
        lambda r, m: lifecycle.member_report_register(
            actor=r.user,
            member=m,
            community=lifecycle.community_by_code(_post(r, "community_code")),
            note=_post(r, "note"),
        ),
    ),
    "handover": (
        gettext_lazy("已提交对接，待社区接收。"),
        lambda r, m: lifecycle.member_handover_register(
            actor=r.user,
            member=m,
            community=lifecycle.community_by_code(_post(r, "community_code")),
            note=_post(r, "note"),
        ),
    ),
    "flow-out": (
        gettext_lazy("已登记流出。"),
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
        gettext_lazy("已登记流入。"),
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
        gettext_lazy("已申请组织关系转接，待转出方审批。"),
        lambda r, m: lifecycle.member_transfer_request(
            actor=r.user,
            member=m,
            to_branch=lifecycle.branch_by_code(_post(r, "to_branch_code")),
            note=_post(r, "note"),
        ),
    ),
    "lost": (
        gettext_lazy("已登记为失联党员。"),
        lambda r, m: lifecycle.member_lost_mark(
            actor=r.user, member=m, reason=_post(r, "reason"), note=_post(r, "note")
        ),
    ),
}


def _run(request: HttpRequest, done: str, call: Callable[[], Any]) -> None:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


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
                "handover": member.kind in HANDOVER_KINDS
                and (can_change or lifecycle.is_unit_liaison_of(request.user, member)),
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


class MemberCaseDetailView(ScopedView):
    """One case on its own page: what the other side (the community a member reports to, the
    branch a transfer goes to) opens, since it does not see the member's page."""

    model = MemberCase

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _case_page(request, self.object_for(pk))


def _case_page(request: HttpRequest, case: MemberCase) -> HttpResponse:
    case = (
        MemberCase.objects.select_related("member__person", "member__branch", "organization")
        .prefetch_related("notes")
        .get(pk=case.pk)
    )
    return render(
        request,
        "people/case_detail.html",
        {
            "case": case,
            "member_visible": _member_visible(request, case.member_id),
            "history": history_rows(case),
        },
    )


def _member_visible(request: HttpRequest, member_id: int) -> bool:
    return PartyMember.objects.restrict(request.user).filter(pk=member_id).exists()


def _member_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """The member's page, shown again after a refused step (its message on it)."""
    from xianfeng.people.views import MemberDetailView

    view = MemberDetailView()
    view.setup(request, pk=member_id)
    return view.get(request, pk=member_id)


class CaseActionView(StepView):
    """POST /member-cases/<pk>/<step>/: one step of an open case (people/workflows.py)."""

    model = MemberCase

    def object_page(self, request: HttpRequest, obj: MemberCase) -> HttpResponse:
        if _member_visible(request, obj.member_id):
            return _member_page(request, obj.member_id)
        return _case_page(request, obj)

    def success_url(self, obj: MemberCase) -> str:
        if _member_visible(self.request, obj.member_id):
            return reverse("people:member_detail", args=[obj.member_id])
        return reverse("people:case_detail", args=[obj.pk])


class MemberStepView(StepView):
    """POST /members/<pk>/step/<step>/: a step on the member (预备 → 正式)."""

    model = PartyMember

    def object_page(self, request: HttpRequest, obj: PartyMember) -> HttpResponse:
        return _member_page(request, obj.pk)
