"""API for mobile members' fellow townsmen (流动党员结对老乡) and their contacts. Lists through
``xianfeng.community.selectors`` (the pages use the same ones); writes through
``xianfeng.community.services``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xianfeng.community import hours, mobile, records, selectors, services, teams
from xianfeng.community.models import (
    MobileService,
    PerformanceRecord,
    ServiceSession,
    Team,
    Townsman,
    TownsmanContact,
)
from xianfeng.core.api import (
    ListParams,
    errors_response,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, Person, ServicePlace
from xianfeng.visits.models import Visit
from xianfeng.visits.services import household_for_visit
from xianfeng.work.api import MemberRef
from xianfeng.work.models import Task
from xianfeng.work.services import field_member

TOWNSMEN_TAGS = [gettext_lazy("流动党员结对老乡")]
router = Router(tags=TOWNSMEN_TAGS)


class TownsmanOut(Schema):
    id: int
    member: MemberRef
    person_id: int | None
    name: str
    phone: str = Field(description=gettext_lazy("已打码"))
    hometown: str
    whereabouts: str
    note: str
    active: bool
    state: str
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_actions(obj: Townsman, context: dict[str, Any]) -> list[str]:
        return actions(context["request"].user, obj)

    contact_count: int = 0
    last_contact: datetime | None = None

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return obj.phone_masked


class ContactOut(Schema):
    id: int
    townsman_id: int
    member: MemberRef
    way: str
    contacted_at: datetime
    purposes: list[str]
    findings: str
    raises_hazard: bool
    visit_id: int | None


class TownsmanIn(Schema):
    name: Text(50) = Field(
        "", max_length=50, description=gettext_lazy("姓名（选了登记人员时可省略）")
    )
    phone: Text(20) = Field("", max_length=20)
    person: DbInt | None = Field(None, description=gettext_lazy("登记人员编号（可选）"))
    hometown: Text(100) = Field("", max_length=100)
    whereabouts: Text(200) = Field("", max_length=200)
    note: Text(200) = Field("", max_length=200)


class ContactIn(Schema):
    way: Text(LINE_MAX_LENGTH) = Field(description="visit、phone、message、gathering")
    contacted_at: datetime | None = Field(None, description=gettext_lazy("默认现在；不能晚于现在"))
    purposes: list[Text(LINE_MAX_LENGTH)] = Field(
        description=gettext_lazy("safety、policy、info、talk、care 中的一项或几项")
    )
    findings: Text(TEXT_MAX_LENGTH) = ""
    raises_hazard: bool = False
    household: DbInt | None = Field(
        None, description=gettext_lazy("上门走访登记住户时：同时保存一条走访记录")
    )
    client_key: Text(64) = Field("", max_length=64, description=gettext_lazy("幂等键"))


class TownsmanFilters(ListParams):
    mine: bool = Field(False, description=gettext_lazy("只看我结对的"))
    ended: bool = Field(False, description=gettext_lazy("包括已结束结对的"))


@router.get(
    "/townsmen",
    response=errors_response({200: page_of(TownsmanOut)}),
    summary=gettext_lazy("结对老乡"),
)
def townsman_list(request: HttpRequest, filters: Query[TownsmanFilters]) -> Any:
    return paginate(
        selectors.townsmen(request.user, mine=filters.mine, ended=filters.ended), filters
    )


def _townsman(request: HttpRequest, townsman_id: int) -> Any:
    return get_object_for(
        user=request.user,
        model=Townsman,
        pk=townsman_id,
        queryset=selectors.townsmen(request.user, ended=True),
    )


@router.get(
    "/townsmen/{id:townsman_id}",
    response=errors_response({200: TownsmanOut}),
    summary=gettext_lazy("老乡详情"),
)
def townsman_detail(request: HttpRequest, townsman_id: int) -> Any:
    return _townsman(request, townsman_id)


@router.post(
    "/townsmen",
    response=errors_response({201: TownsmanOut}),
    summary=gettext_lazy("结对老乡（流动党员本人）"),
)
def townsman_create(request: HttpRequest, payload: TownsmanIn) -> Any:
    require_can(request.user, Action.ADD, Townsman)
    data = payload.model_dump()
    person = visible_one(Person, data.pop("person"), user=request.user, field="person")
    townsman = services.townsman_add(actor=request.user, person=person, **data)
    return Status(201, _townsman(request, townsman.pk))


@router.get(
    "/townsmen/{id:townsman_id}/contacts",
    response=errors_response({200: page_of(ContactOut)}),
    summary=gettext_lazy("与老乡的联系记录"),
)
def townsman_contacts(request: HttpRequest, townsman_id: int, filters: Query[ListParams]) -> Any:
    townsman = _townsman(request, townsman_id)
    return paginate(selectors.townsman_contacts(request.user, townsman), filters)


@router.post(
    "/townsmen/{id:townsman_id}/contacts",
    response=errors_response({201: ContactOut, 200: ContactOut}),
    summary=gettext_lazy("登记与老乡的联系"),
)
def townsman_contact_create(request: HttpRequest, townsman_id: int, payload: ContactIn) -> Any:
    require_can(request.user, Action.ADD, TownsmanContact)
    townsman = _townsman(request, townsman_id)
    data = payload.model_dump()
    household = None
    if data["household"] is not None:
        household = household_for_visit(user=request.user, pk=data["household"])
    data["household"] = household
    data["contacted_at"] = data["contacted_at"] or timezone.now()
    key = request.headers.get("Idempotency-Key", "") or data.pop("client_key")
    data.pop("client_key", None)
    contact, created = services.townsman_contact_log(
        actor=request.user, townsman=townsman, client_key=key, **data
    )
    return Status(201 if created else 200, contact)


# Ending a pairing, from the declaration in community/workflows.py.
add_step_endpoints(
    router,
    model=Townsman,
    param="townsman_id",
    fetch=_townsman,
    response=TownsmanOut,
    result=lambda request, townsman: _townsman(request, townsman.pk),
    paths={"end": "/townsmen/{id:townsman_id}/end"},
)


# --- in-service members in the community: hours, teams, records; mobile members' services ---

SERVICE_TAGS = [gettext_lazy("在职党员进社区")]


class OrgIdName(Schema):
    id: int
    name: str


class PlaceOut(Schema):
    id: int
    community: OrgIdName
    started_on: date
    ended_on: date | None
    end_reason: str


class SessionOut(Schema):
    id: int
    member: MemberRef
    organization: OrgIdName
    branch: OrgIdName
    source: str
    task_id: int | None
    visit_id: int | None
    activity_id: int | None
    served_on: date
    hours: Decimal
    content: str
    state: str
    note: str
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_actions(obj: ServiceSession, context: dict[str, Any]) -> list[str]:
        return actions(context["request"].user, obj)


class SessionIn(Schema):
    served_on: date
    hours: Decimal = Field(..., description=gettext_lazy("时长（小时），一天合计不超过24"))
    content: Text(200) = Field("", max_length=200)
    source: str = Field("self", description=gettext_lazy("self 自行申报（须附照片）、task、visit"))
    task: DbInt | None = None
    visit: DbInt | None = None


class SessionFilters(ListParams):
    state: str = ""
    year: int | None = Field(None, ge=2000, le=2100)


class MyServiceOut(Schema):
    member: MemberRef
    places: list[PlaceOut]
    year: int
    hours: Decimal
    sessions: int
    pending_hours: Decimal


class TeamOut(Schema):
    id: int
    organization: OrgIdName
    name: str
    kind: str
    duties: str
    is_active: bool


class TeamIn(Schema):
    organization: DbInt
    name: Text(60) = Field(..., max_length=60)
    kind: str
    duties: Text(TEXT_MAX_LENGTH) = Field("", max_length=TEXT_MAX_LENGTH)


class MembershipOut(Schema):
    id: int
    team_id: int
    member: MemberRef
    role: str
    joined_on: date
    left_on: date | None


class MembershipIn(Schema):
    member: DbInt
    role: str = "member"


class TeamClaimIn(Schema):
    task: DbInt


class TeamTaskOut(Schema):
    id: int
    team_id: int
    task_id: int
    claimed_by: MemberRef


class ActivityIn(Schema):
    kind: str
    held_on: date
    hours: Decimal
    content: Text(TEXT_MAX_LENGTH) = Field(..., max_length=TEXT_MAX_LENGTH)
    place: Text(200) = Field("", max_length=200)
    audience: int | None = Field(None, ge=0, le=1_000_000)
    participants: list[DbInt]


class ActivityOut(Schema):
    id: int
    team_id: int
    kind: str
    held_on: date
    hours: Decimal
    place: str
    content: str
    participants: list[int]

    @staticmethod
    def resolve_participants(obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.participants.all())


class RecordOut(Schema):
    id: int
    member: MemberRef
    organization: OrgIdName
    period_start: date
    period_end: date
    yearly: bool
    hours: Decimal
    sessions: int
    tasks_done: int
    visits: int
    orders_served: int = Field(description=gettext_lazy("期间办结的群众点单"))
    orders_rated: int = Field(description=gettext_lazy("其中群众评价的件数"))
    order_rating: Decimal | None = Field(
        description=gettext_lazy("群众平均评价（1-5星），无评价时为空")
    )
    rating: str
    positives: str
    negatives: str
    opinion: str
    pdf: str

    @staticmethod
    def resolve_pdf(obj: Any) -> str:
        from django.urls import reverse

        return reverse("work:record_pdf", args=[obj.pk])


class PerformanceRecordIn(Schema):
    place: DbInt = Field(..., description=gettext_lazy("服务地编号（报到接收后产生）"))
    rating: str
    opinion: Text(TEXT_MAX_LENGTH) = Field(..., max_length=TEXT_MAX_LENGTH)
    positives: Text(TEXT_MAX_LENGTH) = Field("", max_length=TEXT_MAX_LENGTH)
    negatives: Text(TEXT_MAX_LENGTH) = Field("", max_length=TEXT_MAX_LENGTH)
    year: int | None = Field(None, ge=2000, le=2100)
    period_start: date | None = None
    period_end: date | None = None


class UnreportedOut(Schema):
    id: int
    name: str
    branch: OrgIdName

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.person.name


class MobileServiceOut(Schema):
    id: int
    member: MemberRef
    organization: OrgIdName
    kind: str
    served_on: date
    content: str


class MobileServiceIn(Schema):
    member: DbInt
    home: DbInt
    kind: str
    served_on: date
    content: Text(TEXT_MAX_LENGTH) = Field(..., max_length=TEXT_MAX_LENGTH)


class TownsmenProgressOut(Schema):
    goal: int
    paired: int
    left: int
    beyond: int
    percent: int
    contacts_this_month: int


def _session(request: HttpRequest, session_id: int) -> ServiceSession:
    return get_object_for(
        user=request.user,
        model=ServiceSession,
        pk=session_id,
        queryset=ServiceSession.objects.select_related("member__person", "organization", "branch"),
    )


@router.get(
    "/service/me",
    response=errors_response({200: MyServiceOut}),
    summary=gettext_lazy("我的社区服务：服务社区和本年服务时长"),
    tags=SERVICE_TAGS,
)
def my_service(request: HttpRequest, year: int | None = None) -> Any:
    member = field_member(request.user)
    year = year or timezone.localdate().year
    figures = hours.member_year_hours(member, year)
    places = ServicePlace.objects.filter(member=member).select_related("community")
    return {"member": member, "places": list(places), **figures}


@router.get(
    "/sessions",
    response=errors_response({200: page_of(SessionOut)}),
    summary=gettext_lazy("8小时外服务时长记录"),
    tags=SERVICE_TAGS,
)
def session_list(request: HttpRequest, filters: Query[SessionFilters]) -> Any:
    qs = hours.sessions(request.user, state=filters.state, year=filters.year)
    return paginate(qs, filters)


@router.post(
    "/sessions",
    response=errors_response({201: SessionOut}),
    summary=gettext_lazy("登记服务时长（自行申报须附现场照片，社区确认）"),
    tags=SERVICE_TAGS,
)
def session_create(
    request: HttpRequest, payload: Form[SessionIn], photo: File[UploadedFile] = None
) -> Any:
    require_can(request.user, Action.ADD, ServiceSession)
    data = payload.model_dump()
    task = visible_one(Task, data.pop("task"), user=request.user, field="task")
    visit = visible_one(Visit, data.pop("visit"), user=request.user, field="visit")
    session = hours.session_log(actor=request.user, task=task, visit=visit, photo=photo, **data)
    return Status(201, _session(request, session.pk))


@router.get(
    "/sessions/{session_id}",
    response=errors_response({200: SessionOut}),
    summary=gettext_lazy("一条服务时长记录"),
    tags=SERVICE_TAGS,
)
def session_detail(request: HttpRequest, session_id: int) -> Any:
    return _session(request, session_id)


add_step_endpoints(
    router,
    model=ServiceSession,
    param="session_id",
    fetch=_session,
    response=SessionOut,
    result=lambda request, session: _session(request, session.pk),
    paths={
        "confirm": "/sessions/{session_id}/confirm",
        "reject": "/sessions/{session_id}/reject",
    },
)


def _team(request: HttpRequest, team_id: int, action: str = Action.VIEW) -> Team:
    return teams.team_for(request.user, team_id, action)


@router.get(
    "/teams",
    response=errors_response({200: page_of(TeamOut)}),
    summary=gettext_lazy("社区队伍"),
    tags=SERVICE_TAGS,
)
def team_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    qs = Team.objects.restrict(request.user).select_related("organization")
    return paginate(qs.order_by("organization__path", "name", "id"), filters)


@router.post(
    "/teams",
    response=errors_response({201: TeamOut}),
    summary=gettext_lazy("组建队伍（社区）"),
    tags=SERVICE_TAGS,
)
def team_create(request: HttpRequest, payload: TeamIn) -> Any:
    require_can(request.user, Action.ADD, Team)
    data = payload.model_dump()
    org = visible_one(
        Organization, data.pop("organization"), user=request.user, field="organization"
    )
    return Status(201, teams.team_create(actor=request.user, organization=org, **data))


@router.get(
    "/teams/{team_id}",
    response=errors_response({200: TeamOut}),
    summary=gettext_lazy("一支队伍"),
    tags=SERVICE_TAGS,
)
def team_detail(request: HttpRequest, team_id: int) -> Any:
    return _team(request, team_id)


@router.get(
    "/teams/{team_id}/members",
    response=errors_response({200: page_of(MembershipOut)}),
    summary=gettext_lazy("队员"),
    tags=SERVICE_TAGS,
)
def team_members(request: HttpRequest, team_id: int, filters: Query[ListParams]) -> Any:
    team = _team(request, team_id)
    qs = team.memberships.filter(left_on__isnull=True).select_related("member__person")
    return paginate(qs.order_by("id"), filters)


@router.post(
    "/teams/{team_id}/members",
    response=errors_response({201: MembershipOut}),
    summary=gettext_lazy("加入队伍（社区党员或在本社区报到的在职党员）"),
    tags=SERVICE_TAGS,
)
def team_member_create(request: HttpRequest, team_id: int, payload: MembershipIn) -> Any:
    team = _team(request, team_id, Action.CHANGE)
    member = (
        PartyMember.objects.restrict(request.user, serving=True)
        .select_related("person", "branch")
        .filter(pk=payload.member)
        .first()
    )
    if member is None or not member.acts_in(team.organization):
        raise ValidationError(
            {"member": gettext_lazy("只有本社区党员和在本社区报到的在职党员可以加入队伍。")}
        )
    membership = teams.team_member_add(
        actor=request.user, team=team, member=member, role=payload.role
    )
    return Status(201, membership)


@router.post(
    "/teams/{team_id}/claim",
    response=errors_response({201: TeamTaskOut}),
    summary=gettext_lazy("以队伍名义认领任务（本队队员）"),
    tags=SERVICE_TAGS,
)
def team_claim(request: HttpRequest, team_id: int, payload: TeamClaimIn) -> Any:
    team = _team(request, team_id)
    task = visible_one(Task, payload.task, user=request.user, field="task")
    return Status(201, teams.team_task_claim(actor=request.user, team=team, task=task))


@router.post(
    "/teams/{team_id}/activities",
    response=errors_response({201: ActivityOut}),
    summary=gettext_lazy("登记队伍的巡查、宣传活动及参加队员"),
    tags=SERVICE_TAGS,
)
def team_activity(request: HttpRequest, team_id: int, payload: ActivityIn) -> Any:
    team = _team(request, team_id)
    data = payload.model_dump()
    # only the team's own members, after the actor is checked (403 before 400)
    participants = teams.team_participants(
        actor=request.user, team=team, ids=data.pop("participants")
    )
    activity = teams.team_activity_log(
        actor=request.user, team=team, participants=participants, **data
    )
    return Status(201, activity)


def _record(request: HttpRequest, record_id: int) -> PerformanceRecord:
    return get_object_for(
        user=request.user,
        model=PerformanceRecord,
        pk=record_id,
        queryset=PerformanceRecord.objects.select_related(
            "member__person", "member__branch", "organization", "written_by"
        ),
    )


@router.get(
    "/records",
    response=errors_response({200: page_of(RecordOut)}),
    summary=gettext_lazy("进社区现实表现鉴定（社区、党员所在党组织和工作单位可见）"),
    tags=SERVICE_TAGS,
)
def record_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(records.records(request.user), filters)


@router.get(
    "/records/unreported",
    response=errors_response({200: page_of(UnreportedOut)}),
    summary=gettext_lazy("尚未进社区报到的在职党员"),
    tags=SERVICE_TAGS,
)
def record_unreported(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(records.unreported_members(request.user), filters)


@router.post(
    "/records",
    response=errors_response({201: RecordOut}),
    summary=gettext_lazy("填写进社区现实表现鉴定（年度或按起止日期）"),
    tags=SERVICE_TAGS,
)
def record_create(request: HttpRequest, payload: PerformanceRecordIn) -> Any:
    require_can(request.user, Action.ADD, PerformanceRecord)
    data = payload.model_dump()
    place = visible_one(
        ServicePlace,
        data.pop("place"),
        user=request.user,
        field="place",
        queryset=ServicePlace.objects.select_related("member", "community"),
    )
    record = records.record_write(
        actor=request.user, member=place.member, community=place.community, **data
    )
    return Status(201, _record(request, record.pk))


@router.get(
    "/records/{record_id}",
    response=errors_response({200: RecordOut}),
    summary=gettext_lazy("一份现实表现鉴定"),
    tags=SERVICE_TAGS,
)
def record_detail(request: HttpRequest, record_id: int) -> Any:
    return _record(request, record_id)


@router.get(
    "/mobile-services",
    response=errors_response({200: page_of(MobileServiceOut)}),
    summary=gettext_lazy("流动党员之家的服务记录（流出地党组织可见）"),
    tags=SERVICE_TAGS,
)
def mobile_service_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(mobile.mobile_services(request.user), filters)


@router.post(
    "/mobile-services",
    response=errors_response({201: MobileServiceOut}),
    summary=gettext_lazy("登记流动党员之家的服务（就业介绍、维权、培训）"),
    tags=SERVICE_TAGS,
)
def mobile_service_create(request: HttpRequest, payload: MobileServiceIn) -> Any:
    require_can(request.user, Action.ADD, MobileService)
    data = payload.model_dump()
    home = visible_one(Organization, data.pop("home"), user=request.user, field="home")
    member = mobile.service_member(request.user, data.pop("member"))
    service = mobile.mobile_service_record(actor=request.user, member=member, home=home, **data)
    return Status(201, service)


@router.get(
    "/townsmen-progress",
    response=errors_response({200: TownsmenProgressOut}),
    summary=gettext_lazy("结对老乡目标进度（默认20名，不设上限）和本月联系次数"),
)
def townsmen_progress(request: HttpRequest) -> Any:
    return mobile.townsmen_progress(services.mobile_member(request.user))


@router.get(
    "/townsmen/progress",
    response=errors_response({200: TownsmenProgressOut}),
    summary=gettext_lazy("结对老乡目标进度（同 /townsmen-progress）"),
)
def townsmen_progress_under_townsmen(request: HttpRequest) -> Any:
    # Registered after /townsmen/{id:townsman_id}: only numbers reach that route, so a word
    # in its place finds its own route (or a 404) instead of a 422 about the id.
    return mobile.townsmen_progress(services.mobile_member(request.user))
