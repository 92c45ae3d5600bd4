"""The API of small works (零星工程) and focus days (集中整治日), under ``/api/v1/safety/``:
public filing (no login, rate-limited) and its status by signed token; the filings in scope
with one endpoint per step of ``WorksFlow``; works found unfiled on patrol (a hazard); the
focus days in scope, scheduling, and their two steps (pick the hazards, record the day)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from xianfeng.core import ratelimit
from xianfeng.core.api import (
    ListParams,
    OrgRef,
    choice_label,
    errors_response,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text, mask_phone
from xianfeng.core.workflow import actions, take
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.places.models import Building
from xianfeng.safety import selectors
from xianfeng.safety import services_works as works_services
from xianfeng.safety.choices import Severity, WorksKind, WorksState
from xianfeng.safety.models import FocusDay, SmallWork
from xianfeng.work.api import MemberRef

router = Router(tags=[gettext_lazy("零星工程与集中整治日")])


# --- public filing -------------------------------------------------------------------------------


class WorksFileIn(Schema):
    community: DbInt = Field(description=gettext_lazy("施工地点所在社区编号"))
    applicant: Text(40) = Field(description=gettext_lazy("报备人姓名"))
    phone: Text(20) = Field(description=gettext_lazy("联系电话"))
    site: Text(200) = Field(description=gettext_lazy("施工地点（小区、楼栋、门牌）"))
    kind: WorksKind
    start_on: date
    end_on: date
    measures: Text(TEXT_MAX_LENGTH) = Field(description=gettext_lazy("安全措施"))
    contractor: Text(100) = ""
    description: Text(TEXT_MAX_LENGTH) = ""


class PublicWorksOut(Schema):
    id: int
    token: str = Field(description=gettext_lazy("查看受理情况用的签名令牌"))
    site: str
    kind: str
    kind_label: str
    start_on: date
    end_on: date
    state: str
    state_label: str
    decision_note: str = Field(description=gettext_lazy("社区意见"))

    resolve_kind_label = choice_label("kind")
    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_token(obj: SmallWork) -> str:
        return works_services.works_token(obj)


@router.post(
    "/safety/public/works",
    auth=None,
    response=errors_response({201: PublicWorksOut}),
    summary=gettext_lazy("公开：零星工程报备（无需登录，按来源地址和手机号限流）"),
)
def public_works_file(request: HttpRequest, payload: WorksFileIn) -> Any:
    try:
        works = works_services.works_file(
            **payload.model_dump(), client_ip=ratelimit.client_ip(request)
        )
    except works_services.WorksThrottled:
        raise HttpError(429, "throttled") from None
    return Status(201, works)


@router.get(
    "/safety/public/works/{token}",
    auth=None,
    response=errors_response({200: PublicWorksOut}),
    summary=gettext_lazy("公开：零星工程报备的受理情况（凭签名令牌）"),
)
def public_works_status(request: HttpRequest, token: str) -> Any:
    try:
        return works_services.works_for_token(token[:400])
    except works_services.WorksLinkInvalid:
        raise HttpError(404, "not found") from None


# --- staff: small works --------------------------------------------------------------------------


class WorksOut(Schema):
    id: int
    community: OrgRef
    organization: OrgRef
    building_id: int | None
    applicant: str
    phone: str = Field(description=gettext_lazy("联系电话（部分隐藏）"))
    contractor: str
    site: str
    kind: str
    kind_label: str
    description: str
    start_on: date
    end_on: date
    measures: str
    state: str
    state_label: str
    decision_note: str
    decided_at: datetime | None
    checks: int = Field(description=gettext_lazy("施工期间检查次数"))
    finished_at: datetime | None
    filed_at: datetime

    resolve_kind_label = choice_label("kind")
    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_phone(obj: SmallWork) -> str:
        return mask_phone(obj.phone)


class WorksDetailOut(WorksOut):
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))


WorksPage = page_of(WorksOut)


class WorksFilters(ListParams):
    state: WorksState | None = Field(None, description=gettext_lazy("状态"))


@router.get(
    "/safety/works",
    response=errors_response({200: WorksPage}),
    summary=gettext_lazy("零星工程报备列表"),
)
def works_list(request: HttpRequest, filters: Query[WorksFilters]) -> Any:
    qs = selectors.small_works(request.user, state=filters.state)
    return paginate(qs.select_related("organization"), filters)


def _works_for(request: HttpRequest, works_id: int) -> SmallWork:
    return get_object_for(
        user=request.user,
        model=SmallWork,
        pk=works_id,
        queryset=SmallWork.objects.select_related("community", "organization", "building"),
    )


def _works_detail(request: HttpRequest, works: SmallWork) -> SmallWork:
    works = _works_for(request, works.pk)
    works.actions = actions(request.user, works)
    return works


@router.get(
    "/safety/works/{works_id}",
    response=errors_response({200: WorksDetailOut}),
    summary=gettext_lazy("零星工程报备详情"),
)
def works_detail(request: HttpRequest, works_id: int) -> Any:
    return _works_detail(request, _works_for(request, works_id))


add_step_endpoints(
    router,
    model=SmallWork,
    param="works_id",
    fetch=_works_for,
    response=WorksDetailOut,
    result=_works_detail,
    paths={
        "accept": "/safety/works/{works_id}/accept",
        "decline": "/safety/works/{works_id}/decline",
        "inspect": "/safety/works/{works_id}/inspect",
        "finish": "/safety/works/{works_id}/finish",
    },
)


class UnfiledIn(Schema):
    building: DbInt = Field(description=gettext_lazy("楼栋编号"))
    description: Text(TEXT_MAX_LENGTH) = Field(description=gettext_lazy("施工内容和现场情况"))
    contractor: Text(100) = ""
    severity: Severity = Severity.GENERAL
    client_key: Text(64) = Field("", description=gettext_lazy("提交标识（重发时只记一次）"))


class UnfiledOut(Schema):
    hazard_id: int = Field(description=gettext_lazy("立案的隐患编号"))
    state: str


@router.post(
    "/safety/works/unfiled",
    response=errors_response({201: UnfiledOut}),
    summary=gettext_lazy("巡查发现未报备施工（按隐患立案）"),
)
def works_unfiled(request: HttpRequest, payload: UnfiledIn) -> Any:
    building = visible_one(
        Building,
        payload.building,
        user=request.user,
        field="building",
        queryset=Building.objects.select_related("organization", "landlord"),
    )
    hazard = works_services.works_unfiled(
        actor=request.user,
        building=building,
        description=payload.description,
        contractor=payload.contractor,
        severity=payload.severity,
        client_key=payload.client_key,
    )
    return Status(201, {"hazard_id": hazard.pk, "state": hazard.state})


# --- focus days ----------------------------------------------------------------------------------


class FocusPickOut(Schema):
    hazard_id: int
    title: str
    resolved: bool
    note: str

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.hazard.title


class FocusOut(Schema):
    id: int
    organization: OrgRef
    day: date
    theme: str
    state: str
    state_label: str
    summary: str
    others: str
    held_at: datetime | None

    resolve_state_label = choice_label("state")


class FocusDetailOut(FocusOut):
    hazards: list[FocusPickOut] = Field(description=gettext_lazy("整治的隐患"))
    attendees: list[MemberRef] = Field(description=gettext_lazy("参加的党员"))
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))

    @staticmethod
    def resolve_hazards(obj: FocusDay) -> list[Any]:
        return list(obj.picks.select_related("hazard").order_by("id"))

    @staticmethod
    def resolve_attendees(obj: FocusDay) -> list[Any]:
        return list(obj.attendees.select_related("person", "branch").order_by("pk"))


FocusPage = page_of(FocusOut)


@router.get(
    "/safety/focus-days",
    response=errors_response({200: FocusPage}),
    summary=gettext_lazy("安全隐患集中整治日列表"),
)
def focus_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(selectors.focus_days(request.user), filters)


def _focus_for(request: HttpRequest, focus_id: int) -> FocusDay:
    return get_object_for(
        user=request.user,
        model=FocusDay,
        pk=focus_id,
        queryset=FocusDay.objects.select_related("organization"),
    )


def _focus_detail(request: HttpRequest, day: FocusDay) -> FocusDay:
    day = _focus_for(request, day.pk)
    day.actions = actions(request.user, day)
    return day


@router.get(
    "/safety/focus-days/{focus_id}",
    response=errors_response({200: FocusDetailOut}),
    summary=gettext_lazy("集中整治日详情"),
)
def focus_detail(request: HttpRequest, focus_id: int) -> Any:
    return _focus_detail(request, _focus_for(request, focus_id))


class FocusIn(Schema):
    organization: DbInt = Field(description=gettext_lazy("街道编号"))
    day: date | None = Field(None, description=gettext_lazy("整治日（默认本周二或下周二）"))
    theme: Text(120) = Field(description=gettext_lazy("整治重点"))


@router.post(
    "/safety/focus-days",
    response=errors_response({201: FocusDetailOut}),
    summary=gettext_lazy("安排集中整治日"),
)
def focus_create(request: HttpRequest, payload: FocusIn) -> Any:
    from xianfeng.orgs.models import Organization

    require_can(request.user, Action.ADD, FocusDay)
    street = visible_one(
        Organization, payload.organization, user=request.user, field="organization"
    )
    day = works_services.focus_schedule(
        actor=request.user, organization=street, day=payload.day, theme=payload.theme
    )
    return Status(201, _focus_detail(request, day))


class PickIn(Schema):
    hazards: list[DbInt] = Field(
        default_factory=list, max_length=200, description=gettext_lazy("隐患编号")
    )


class RecordIn(Schema):
    summary: Text(TEXT_MAX_LENGTH) = Field("", description=gettext_lazy("整治情况"))
    attendees: list[DbInt] = Field(
        default_factory=list, max_length=1000, description=gettext_lazy("参加的党员编号")
    )
    resolved: list[DbInt] = Field(
        default_factory=list, max_length=200, description=gettext_lazy("当天解决的隐患编号")
    )
    others: Text(LINE_MAX_LENGTH) = Field("", description=gettext_lazy("其他参加人员"))


@router.post(
    "/safety/focus-days/{focus_id}/pick",
    response=errors_response({200: FocusDetailOut}),
    summary=gettext_lazy("选定整治的隐患"),
)
def focus_pick(request: HttpRequest, focus_id: int, payload: PickIn) -> Any:
    """The state and the actor are checked before the list (409, then 403, then 400)."""
    day = _focus_for(request, focus_id)
    take(day, "pick", actor=request.user, hazards=payload.hazards)
    return _focus_detail(request, day)


@router.post(
    "/safety/focus-days/{focus_id}/record",
    response=errors_response({200: FocusDetailOut}),
    summary=gettext_lazy("登记集中整治日情况"),
)
def focus_record(request: HttpRequest, focus_id: int, payload: RecordIn) -> Any:
    day = _focus_for(request, focus_id)
    take(day, "record", actor=request.user, **payload.model_dump())
    return _focus_detail(request, day)
