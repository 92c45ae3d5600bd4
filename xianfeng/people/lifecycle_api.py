"""API of the member life-cycle: opening a case (one endpoint per matter, calling its service
in ``xianfeng.people.lifecycle``) and one endpoint per step of an open case, made from the
workflow's declarations. 404 outside scope; 409 when the state does not allow the step; 403
when the actor may not take it; then 400 for a missing value."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema

from xianfeng.core import workflow
from xianfeng.core.api import errors_response, visible_one
from xianfeng.core.sensitive import for_user
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.choices import LostReason
from xianfeng.people.models import MemberCase, PartyMember

router = Router(tags=[gettext_lazy("党员组织生活事项")])


class CaseOut(Schema):
    id: int
    member_id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    organization_id: int | None
    from_branch_id: int | None
    destination: str
    contact: str
    fellows: int | None
    reason: str
    note: str
    started_on: date | None
    ended_on: date | None

    @staticmethod
    def resolve_kind_label(obj: MemberCase) -> str:
        return str(obj.get_kind_display())

    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_contact(obj: MemberCase, context: dict[str, Any]) -> str:
        return for_user(obj.contact, context["request"].user)

    @staticmethod
    def resolve_state_label(obj: MemberCase) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_actions(obj: MemberCase, context: dict[str, Any]) -> list[str]:
        return workflow.actions(context["request"].user, obj)


class MemberStateOut(Schema):
    id: int
    category: str
    full_member_on: date | None
    status: str
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_actions(obj: PartyMember, context: dict[str, Any]) -> list[str]:
        return workflow.actions(context["request"].user, obj)


class NoteIn(Schema):
    note: Text(TEXT_MAX_LENGTH) = ""


class ReportIn(Schema):
    community_code: Text(40) = Field(description=gettext_lazy("居住地社区的组织代码"))
    note: Text(TEXT_MAX_LENGTH) = ""


class HandoverIn(Schema):
    community_code: Text(40) = Field(description=gettext_lazy("接收的居住地社区的组织代码"))
    note: Text(TEXT_MAX_LENGTH) = ""


class FlowOutIn(Schema):
    destination: Text(120)
    contact: Text(120)
    home: DbInt | None = Field(None, description=gettext_lazy("接收的流动党员之家编号"))
    fellows: DbInt | None = Field(None, ge=0, le=200, description=gettext_lazy("结对老乡人数"))
    started_on: date | None = None


class FlowInIn(Schema):
    home: DbInt = Field(description=gettext_lazy("接收的流动党员之家编号"))
    origin: Text(120)
    contact: Text(120)
    fellows: DbInt | None = Field(None, ge=0, le=200)
    started_on: date | None = None


class TransferIn(Schema):
    to_branch_code: Text(40) = Field(description=gettext_lazy("转入党组织的组织代码"))
    note: Text(TEXT_MAX_LENGTH) = ""


class LostIn(Schema):
    reason: LostReason
    note: Text(TEXT_MAX_LENGTH) = ""


class NoteOut(Schema):
    id: int
    text: str


def _member(request: HttpRequest, member_id: int) -> PartyMember:
    return get_object_for(user=request.user, model=PartyMember, pk=member_id)


def _case(request: HttpRequest, case_id: int) -> MemberCase:
    return get_object_for(user=request.user, model=MemberCase, pk=case_id)


def _org(request: HttpRequest, pk: int | None, field: str) -> Organization | None:
    return visible_one(Organization, pk, user=request.user, field=field)


OK = errors_response({200: CaseOut})


@router.get(
    "/members/{member_id}/cases",
    response=errors_response({200: list[CaseOut]}),
    summary=gettext_lazy("党员的组织生活事项"),
)
def case_list(request: HttpRequest, member_id: int) -> Any:
    member = _member(request, member_id)
    return list(MemberCase.objects.restrict(request.user).filter(member=member))


@router.post("/members/{member_id}/report", response=OK, summary=gettext_lazy("在职党员进社区报到"))
def report_register(request: HttpRequest, member_id: int, payload: ReportIn) -> Any:
    return lifecycle.member_report_register(
        actor=request.user,
        member=_member(request, member_id),
        community=lifecycle.community_by_code(payload.community_code),
        note=payload.note,
    )


@router.post(
    "/members/{member_id}/handover",
    response=OK,
    summary=gettext_lazy("离退休、下岗党员对接社区"),
    description=gettext_lazy(
        "工作单位（党员所在党组织或驻区单位联络人）把离退休、下岗失业党员对接到居住地社区；"
        "社区接收、拒绝或撤销走与报到相同的步骤（/member-cases/{case_id}/report/...）。"
    ),
)
def handover_register(request: HttpRequest, member_id: int, payload: HandoverIn) -> Any:
    return lifecycle.member_handover_register(
        actor=request.user,
        member=_member(request, member_id),
        community=lifecycle.community_by_code(payload.community_code),
        note=payload.note,
    )


@router.post("/members/{member_id}/flow-out", response=OK, summary=gettext_lazy("流动党员流出登记"))
def flow_out(request: HttpRequest, member_id: int, payload: FlowOutIn) -> Any:
    return lifecycle.member_flow_out(
        actor=request.user,
        member=_member(request, member_id),
        destination=payload.destination,
        contact=payload.contact,
        home=_org(request, payload.home, "home"),
        fellows=payload.fellows,
        started_on=payload.started_on,
    )


@router.post("/members/{member_id}/flow-in", response=OK, summary=gettext_lazy("流动党员流入登记"))
def flow_in(request: HttpRequest, member_id: int, payload: FlowInIn) -> Any:
    return lifecycle.member_flow_in(
        actor=request.user,
        member=_member(request, member_id),
        home=_org(request, payload.home, "home"),
        origin=payload.origin,
        contact=payload.contact,
        fellows=payload.fellows,
        started_on=payload.started_on,
    )


@router.post("/members/{member_id}/transfer", response=OK, summary=gettext_lazy("申请组织关系转接"))
def transfer_request(request: HttpRequest, member_id: int, payload: TransferIn) -> Any:
    member = _member(request, member_id)
    return lifecycle.member_transfer_request(
        actor=request.user,
        member=member,
        to_branch=lifecycle.branch_by_code(payload.to_branch_code),
        note=payload.note,
    )


@router.post("/members/{member_id}/lost", response=OK, summary=gettext_lazy("登记失联党员"))
def lost_mark(request: HttpRequest, member_id: int, payload: LostIn) -> Any:
    return lifecycle.member_lost_mark(
        actor=request.user,
        member=_member(request, member_id),
        reason=payload.reason,
        note=payload.note,
    )


# Every step of an open case, and 转正, from the declarations in people/workflows.py.
add_step_endpoints(
    router,
    model=MemberCase,
    param="case_id",
    fetch=_case,
    response=CaseOut,
    paths={
        "report_accept": "/member-cases/{case_id}/report/accept",
        "report_decline": "/member-cases/{case_id}/report/decline",
        "report_revoke": "/member-cases/{case_id}/report/revoke",
        "flow_end": "/member-cases/{case_id}/flow/end",
        "transfer_approve_out": "/member-cases/{case_id}/transfer/approve-out",
        "transfer_approve_in": "/member-cases/{case_id}/transfer/approve-in",
        "transfer_reject": "/member-cases/{case_id}/transfer/reject",
        "lost_note": "/member-cases/{case_id}/lost/notes",
        "lost_found": "/member-cases/{case_id}/lost/found",
    },
    overrides={"lost_note": (NoteOut, lambda request, case: case.new_note)},
)
add_step_endpoints(
    router,
    model=PartyMember,
    param="member_id",
    fetch=_member,
    response=MemberStateOut,
    paths={"make_full": "/members/{member_id}/make-full"},
)
