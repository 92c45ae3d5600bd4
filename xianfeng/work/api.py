"""API for 双领: campaigns, projects, tasks and their transitions (one endpoint each),
supervision (督办), visits (走访登记) and coverage. Reads through ``restrict``; writes through
``xianfeng.work.services``.

A transition that comes too late (the task was claimed a moment ago by someone else, or is no
longer in a state that allows the move) answers **409** with a Chinese ``detail``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xianfeng.core.api import (
    ListParams,
    OrgRef,
    errors_response,
    label,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Household, ResponsibilityZone
from xianfeng.work import selectors, services
from xianfeng.work.models import Campaign, Project, Supervision, Task, Visit

router = Router(tags=[gettext_lazy("双领：项目与任务")])
VISIT_TAGS = [gettext_lazy("走访与覆盖")]


def _conflict(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except services.StateConflict as exc:
        return Status(409, {"detail": "；".join(exc.messages)})


class MemberRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: PartyMember) -> str:
        return obj.person.name


# --- campaigns -------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    title: str
    theme: str
    goals: str
    starts_on: date
    ends_on: date
    organization: OrgRef


CampaignPage = page_of(CampaignOut)


class CampaignIn(Schema):
    organization: int = Field(description="发起组织编号")
    title: str = Field(max_length=100)
    theme: str = Field("", max_length=200)
    goals: str = ""
    starts_on: date
    ends_on: date


@router.get("/campaigns", response=errors_response({200: CampaignPage}), summary="专项行动列表")
def campaign_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    qs = Campaign.objects.select_related("organization").restrict(request.user)
    return paginate(qs.order_by("-starts_on", "-id"), filters)


@router.get(
    "/campaigns/{campaign_id}", response=errors_response({200: CampaignOut}), summary="专项行动详情"
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> Any:
    return get_object_for(
        user=request.user,
        model=Campaign,
        pk=campaign_id,
        queryset=Campaign.objects.select_related("organization"),
    )


@router.post("/campaigns", response=errors_response({201: CampaignOut}), summary="发起专项行动")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    require_can(request.user, Action.ADD, Campaign)
    data = payload.model_dump()
    with transaction.atomic():
        org = visible_one(
            Organization, data.pop("organization"), user=request.user, field="organization"
        )
        campaign = services.campaign_create(actor=request.user, organization=org, **data)
    return Status(201, campaign)


# --- projects --------------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    campaign_id: int
    title: str
    origin: str
    origin_label: str
    goals: str
    measures: str
    deadline: date
    organization: OrgRef
    leader: MemberRef | None

    @staticmethod
    def resolve_origin_label(obj: Project) -> str:
        return label(obj.get_origin_display())


ProjectPage = page_of(ProjectOut)


class ProjectFilters(ListParams):
    campaign: int | None = Field(None, description="专项行动编号")


class ProjectIn(Schema):
    campaign: int
    organization: int = Field(description="承担组织编号：本组织即“组织领项目”，下级即“交办”")
    title: str = Field(max_length=120)
    goals: str = ""
    measures: str = ""
    deadline: date
    leader: int | None = Field(None, description="联系负责的班子成员（党员编号）")


def _projects():
    return Project.objects.select_related("organization", "leader__person")


@router.get("/projects", response=errors_response({200: ProjectPage}), summary="项目列表")
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    qs = _projects().restrict(request.user)
    if filters.campaign is not None:
        qs = qs.filter(campaign_id=filters.campaign)
    return paginate(qs.order_by("deadline", "id"), filters)


@router.get(
    "/projects/{project_id}", response=errors_response({200: ProjectOut}), summary="项目详情"
)
def project_detail(request: HttpRequest, project_id: int) -> Any:
    return get_object_for(user=request.user, model=Project, pk=project_id, queryset=_projects())


@router.post("/projects", response=errors_response({201: ProjectOut}), summary="认领或交办项目")
def project_create(request: HttpRequest, payload: ProjectIn) -> Any:
    require_can(request.user, Action.ADD, Project)
    data = payload.model_dump()
    with transaction.atomic():
        campaign = visible_one(Campaign, data.pop("campaign"), user=request.user, field="campaign")
        org = visible_one(
            Organization, data.pop("organization"), user=request.user, field="organization"
        )
        leader = visible_one(PartyMember, data.pop("leader"), user=request.user, field="leader")
        project = services.project_create(
            actor=request.user, campaign=campaign, organization=org, leader=leader, **data
        )
    return Status(201, _projects().get(pk=project.pk))


# --- tasks -----------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    project_id: int
    title: str
    description: str
    deadline: date
    state: str
    state_label: str
    organization: OrgRef
    assignee: MemberRef | None
    evidence_notes: str
    return_reason: str
    claimed_at: datetime | None
    submitted_at: datetime | None
    verified_at: datetime | None
    done_at: datetime | None
    target_visits: int

    @staticmethod
    def resolve_state_label(obj: Task) -> str:
        return label(obj.get_state_display())


class ProgressOut(Schema):
    target: int = Field(description="目标：住户数或户次（0 为不要求走访）")
    visited: int = Field(description="已走访")
    by_household: bool = Field(description="按目标住户计")
    complete: bool
    missing: list[int] = Field(description="未走访的目标住户编号")

    @staticmethod
    def resolve_missing(obj: Any) -> list[int]:
        return [h.pk for h in obj.missing]


class TaskDetailOut(TaskOut):
    actions: list[str] = Field(description="当前用户可以进行的操作")
    photos: list[str] = Field(description="完成情况照片的地址")
    visit_progress: ProgressOut = Field(description="靠走访完成的任务的进度")

    @staticmethod
    def resolve_photos(obj: Task) -> list[str]:
        return [p.image.url for p in obj.photos.all()]


TaskPage = page_of(TaskOut)


class TaskFilters(ListParams):
    mine: bool = Field(False, description="只看我承担的任务")
    claimable: bool = Field(False, description="只看我可以认领的任务")
    state: str | None = Field(None, description="状态")
    project: int | None = Field(None, description="项目编号")


class TaskIn(Schema):
    project: int
    title: str = Field(max_length=120)
    description: str = ""
    deadline: date
    organization: int | None = Field(None, description="发布组织（默认项目承担组织）")
    target_visits: int = Field(0, ge=0, le=10000, description="要求走访户次（0 为不要求）")
    target_households: list[int] = Field(
        default_factory=list, description="目标住户编号：全部走访后才能提交"
    )


def _tasks():
    return Task.objects.select_related("organization", "assignee__person")


def task_queryset(request: HttpRequest, filters: Any) -> Any:
    """The task list as the user may see it, filtered (shared with the page)."""
    from xianfeng.work.choices import TaskState

    qs = _tasks().restrict(request.user)
    member = services.member_of(request.user)
    if getattr(filters, "mine", False):
        qs = qs.filter(assignee=member) if member else qs.none()
    if getattr(filters, "claimable", False):
        if member is None:
            qs = qs.none()
        else:
            ids = [int(s) for s in member.branch.path.split(".") if s]
            qs = qs.filter(
                state__in=(TaskState.OPEN, TaskState.OVERDUE),
                assignee__isnull=True,
                organization_id__in=ids,
            )
    if getattr(filters, "state", None):
        qs = qs.filter(state=filters.state)
    if getattr(filters, "project", None):
        qs = qs.filter(project_id=filters.project)
    return qs.order_by("deadline", "id")


@router.get("/tasks", response=errors_response({200: TaskPage}), summary="任务列表")
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    return paginate(task_queryset(request, filters), filters)


def _task_detail(request: HttpRequest, task_id: int) -> Any:
    task = get_object_for(user=request.user, model=Task, pk=task_id, queryset=_tasks())
    task.actions = services.task_actions(request.user, task)
    task.visit_progress = services.task_visit_progress(task)
    return task


@router.get("/tasks/{task_id}", response=errors_response({200: TaskDetailOut}), summary="任务详情")
def task_detail(request: HttpRequest, task_id: int) -> Any:
    return _task_detail(request, task_id)


@router.post("/tasks", response=errors_response({201: TaskDetailOut}), summary="发布任务")
def task_create(request: HttpRequest, payload: TaskIn) -> Any:
    require_can(request.user, Action.ADD, Task)
    data = payload.model_dump()
    with transaction.atomic():
        project = visible_one(Project, data.pop("project"), user=request.user, field="project")
        org = visible_one(
            Organization, data.pop("organization"), user=request.user, field="organization"
        )
        targets = [
            visible_one(
                Household,
                hid,
                user=request.user,
                field="target_households",
                queryset=Household.objects.select_related("organization", "building"),
            )
            for hid in dict.fromkeys(data.pop("target_households"))
        ]
        task = services.task_create(
            actor=request.user,
            project=project,
            organization=org,
            target_households=targets,
            **data,
        )
    return Status(201, _task_detail(request, task.pk))


def _transition(request: HttpRequest, task_id: int, verb: str, **kwargs: Any) -> Any:
    task = get_object_for(user=request.user, model=Task, pk=task_id, queryset=_tasks())
    service = services.TRANSITIONS[verb][0]

    def run() -> Any:
        service(actor=request.user, task=task, **kwargs)
        return _task_detail(request, task.pk)

    return _conflict(run)


TRANSITION_RESPONSE = errors_response({200: TaskDetailOut, 409: Any})


class AssignIn(Schema):
    member: int = Field(description="党员编号")


class VerifyIn(Schema):
    note: str = ""


class ReturnIn(Schema):
    reason: str = Field(min_length=1)


@router.post("/tasks/{task_id}/claim", response=TRANSITION_RESPONSE, summary="认领任务")
def task_claim(request: HttpRequest, task_id: int) -> Any:
    """党员领任务. Two members at once: one wins, the other gets 409 with who has it."""
    return _transition(request, task_id, "claim")


@router.post("/tasks/{task_id}/assign", response=TRANSITION_RESPONSE, summary="指派或改派任务")
def task_assign(request: HttpRequest, task_id: int, payload: AssignIn) -> Any:
    get_object_for(user=request.user, model=Task, pk=task_id, action=Action.CHANGE)
    member = visible_one(
        PartyMember,
        payload.member,
        user=request.user,
        field="member",
        queryset=PartyMember.objects.select_related("branch"),
    )
    return _transition(request, task_id, "assign", member=member)


@router.post("/tasks/{task_id}/start", response=TRANSITION_RESPONSE, summary="开始办理")
def task_start(request: HttpRequest, task_id: int) -> Any:
    return _transition(request, task_id, "start")


@router.post("/tasks/{task_id}/submit", response=TRANSITION_RESPONSE, summary="提交完成情况")
def task_submit(
    request: HttpRequest,
    task_id: int,
    notes: Form[str],
    photos: File[list[UploadedFile]] = None,
) -> Any:
    """multipart/form-data: ``notes`` and zero or more ``photos`` (real images, size-limited)."""
    return _transition(request, task_id, "submit", notes=notes, photos=photos or [])


@router.post("/tasks/{task_id}/verify", response=TRANSITION_RESPONSE, summary="核验通过")
def task_verify(request: HttpRequest, task_id: int, payload: VerifyIn) -> Any:
    return _transition(request, task_id, "verify", note=payload.note)


@router.post("/tasks/{task_id}/return", response=TRANSITION_RESPONSE, summary="退回重办")
def task_return(request: HttpRequest, task_id: int, payload: ReturnIn) -> Any:
    return _transition(request, task_id, "return", reason=payload.reason)


@router.post("/tasks/{task_id}/complete", response=TRANSITION_RESPONSE, summary="办结")
def task_complete(request: HttpRequest, task_id: int) -> Any:
    return _transition(request, task_id, "complete")


# --- supervision -----------------------------------------------------------------------------


class SupervisionOut(Schema):
    id: int
    issuer: OrgRef
    organization: OrgRef
    project_id: int | None
    task_id: int | None
    content: str
    due_on: date
    status: str
    answer: str
    answered_at: datetime | None


SupervisionPage = page_of(SupervisionOut)


class SupervisionIn(Schema):
    organization: int = Field(description="被督办的下级组织编号")
    content: str = Field(min_length=1)
    due_on: date
    project: int | None = None
    task: int | None = None


class AnswerIn(Schema):
    answer: str = Field(min_length=1)


def _supervisions():
    return Supervision.objects.select_related("issuer", "organization")


@router.get("/supervisions", response=errors_response({200: SupervisionPage}), summary="督办列表")
def supervision_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(_supervisions().restrict(request.user).order_by("due_on", "id"), filters)


@router.post("/supervisions", response=errors_response({201: SupervisionOut}), summary="督办")
def supervision_create(request: HttpRequest, payload: SupervisionIn) -> Any:
    require_can(request.user, Action.ADD, Supervision)
    with transaction.atomic():
        org = visible_one(
            Organization, payload.organization, user=request.user, field="organization"
        )
        project = visible_one(Project, payload.project, user=request.user, field="project")
        task = visible_one(Task, payload.task, user=request.user, field="task")
        note = services.supervision_create(
            actor=request.user,
            organization=org,
            content=payload.content,
            due_on=payload.due_on,
            project=project,
            task=task,
        )
    return Status(201, _supervisions().get(pk=note.pk))


@router.post(
    "/supervisions/{note_id}/answer",
    response=errors_response({200: SupervisionOut, 409: Any}),
    summary="答复督办",
)
def supervision_answer(request: HttpRequest, note_id: int, payload: AnswerIn) -> Any:
    note = get_object_for(user=request.user, model=Supervision, pk=note_id, action=Action.CHANGE)

    def run() -> Any:
        services.supervision_answer(actor=request.user, supervision=note, answer=payload.answer)
        return _supervisions().get(pk=note.pk)

    return _conflict(run)


# --- visits ----------------------------------------------------------------------------------


class HouseholdBrief(Schema):
    id: int
    label: str

    @staticmethod
    def resolve_label(obj: Household) -> str:
        return str(obj)


class VisitOut(Schema):
    id: int
    member: MemberRef
    household: HouseholdBrief | None
    building_id: int
    organization_id: int
    visited_at: datetime
    purposes: list[str]
    findings: str
    suggestions: str
    raises_hazard: bool
    raises_request: bool
    latitude: Decimal | None
    longitude: Decimal | None
    outside_reason: str
    task_id: int | None


class VisitDetailOut(VisitOut):
    photos: list[str]

    @staticmethod
    def resolve_photos(obj: Visit) -> list[str]:
        return [p.image.url for p in obj.photos.all()]


VisitPage = page_of(VisitOut)


class VisitFilters(ListParams):
    mine: bool = Field(False, description="只看我的走访")
    household: int | None = None


class VisitIn(Schema):
    household: int | None = Field(None, description="住户编号（与楼栋二选一）")
    building: int | None = Field(None, description="楼栋编号（不针对某一户时）")
    visited_at: datetime | None = Field(None, description="走访时间，默认现在；不能晚于现在")
    purposes: list[str] = Field(description="safety、policy、info、talk、care 中的一项或几项")
    findings: str = ""
    suggestions: str = ""
    raises_hazard: bool = False
    raises_request: bool = False
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    outside_reason: str = Field("", max_length=200)
    client_key: str = Field("", max_length=64, description="幂等键：同一键重复提交只保存一次")
    task: int | None = None


def _visits():
    return Visit.objects.select_related("member__person", "household__building")


@router.get(
    "/visits", response=errors_response({200: VisitPage}), summary="走访记录", tags=VISIT_TAGS
)
def visit_list(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    qs = _visits().restrict(request.user)
    if filters.mine:
        member = services.member_of(request.user)
        qs = qs.filter(member=member) if member else qs.none()
    if filters.household is not None:
        qs = qs.filter(household_id=filters.household)
    return paginate(qs.order_by("-visited_at", "-id"), filters)


@router.get(
    "/tasks/{task_id}/visits",
    response=errors_response({200: VisitPage}),
    summary="任务的关联走访",
    tags=VISIT_TAGS,
)
def task_visits(request: HttpRequest, task_id: int, filters: Query[ListParams]) -> Any:
    task = get_object_for(user=request.user, model=Task, pk=task_id)
    qs = _visits().restrict(request.user).filter(task=task)
    return paginate(qs.order_by("-visited_at", "-id"), filters)


def _visit_detail(visit_id: int) -> Visit:
    return _visits().get(pk=visit_id)


@router.get(
    "/visits/{visit_id}",
    response=errors_response({200: VisitDetailOut}),
    summary="走访详情",
    tags=VISIT_TAGS,
)
def visit_detail(request: HttpRequest, visit_id: int) -> Any:
    get_object_for(user=request.user, model=Visit, pk=visit_id)
    return _visit_detail(visit_id)


@router.post(
    "/visits",
    response=errors_response({200: VisitDetailOut, 201: VisitDetailOut}),
    summary="登记走访",
    tags=VISIT_TAGS,
)
def visit_create(
    request: HttpRequest,
    payload: Form[VisitIn],
    photos: File[list[UploadedFile]] = None,
) -> Any:
    """multipart/form-data (or urlencoded without photos). The ``Idempotency-Key`` header or
    ``client_key`` makes a resubmit answer 200 with the visit already stored instead of 201.
    A household the member does not answer for needs ``outside_reason``; a future time, a
    file that is not an image and a photo over the size limit answer 400 in Chinese."""
    require_can(request.user, Action.ADD, Visit)
    services.field_member(request.user)  # 403 for an account that is no party member, first
    household = None
    if payload.household is not None:
        try:
            household = services.household_for_visit(user=request.user, pk=payload.household)
        except Http404:
            raise ValidationError(
                {
                    "household": _("所选住户（编号%(id)s）不存在或不在您的管辖范围内。")
                    % {"id": payload.household}
                }
            ) from None
    building = visible_one(Building, payload.building, user=request.user, field="building")
    task = visible_one(Task, payload.task, user=request.user, field="task")
    key = request.headers.get("Idempotency-Key", "") or payload.client_key
    visit, created = services.visit_create(
        actor=request.user,
        household=household,
        building=building,
        task=task,
        visited_at=payload.visited_at or timezone.now(),
        purposes=payload.purposes,
        findings=payload.findings,
        suggestions=payload.suggestions,
        raises_hazard=payload.raises_hazard,
        raises_request=payload.raises_request,
        latitude=payload.latitude,
        longitude=payload.longitude,
        outside_reason=payload.outside_reason,
        client_key=key,
        photos=photos or [],
    )
    return Status(201 if created else 200, _visit_detail(visit.pk))


# --- coverage --------------------------------------------------------------------------------


class CoverageOut(Schema):
    organization: OrgRef | None
    zone_id: int | None
    start: datetime
    end: datetime
    households: int
    visited: int
    share: float


class CoverageParams(Schema):
    org: int | None = Field(None, description="组织编号（默认本人角色所在组织）")
    zone: int | None = Field(None, description="责任区编号")
    days: int = Field(30, ge=1, le=3660, description="统计最近多少天")


def coverage_target(request: HttpRequest, org_id: int | None, zone_id: int | None) -> Any:
    """The organization or zone asked for, within scope; by default the user's first role."""
    from xianfeng.core.scope import active_roles

    if zone_id is not None:
        return None, get_object_for(user=request.user, model=ResponsibilityZone, pk=zone_id)
    if org_id is None:
        roles = active_roles(request.user)
        if roles:
            org_id = roles[0].organization_id
        else:
            # Only a superuser has no role and still a scope: the whole tree.
            org = (
                Organization.objects.restrict(request.user)
                .filter(parent__isnull=True)
                .order_by("path")
                .first()
            )
            if org is None:
                raise Http404(_("对象不存在或不在您的管辖范围内。"))
            return org, None
    return get_object_for(user=request.user, model=Organization, pk=org_id), None


@router.get(
    "/coverage", response=errors_response({200: CoverageOut}), summary="走访覆盖率", tags=VISIT_TAGS
)
def coverage(request: HttpRequest, params: Query[CoverageParams]) -> Any:
    org, zone = coverage_target(request, params.org, params.zone)
    start, end = selectors.period(params.days)
    cov = selectors.coverage(org=org, zone=zone, start=start, end=end)
    return {
        "organization": org,
        "zone_id": zone.pk if zone else None,
        "start": start,
        "end": end,
        "households": cov.households,
        "visited": cov.visited,
        "share": round(cov.share, 4),
    }


class NotVisitedOut(Schema):
    id: int
    label: str
    building_id: int
    organization_id: int
    last_visited_at: datetime | None

    @staticmethod
    def resolve_label(obj: Household) -> str:
        return str(obj)


NotVisitedPage = page_of(NotVisitedOut)


class NotVisitedParams(ListParams):
    org: int | None = None
    zone: int | None = None
    days: int = Field(90, ge=1, le=3660, description="多少天内无人走访")


@router.get(
    "/coverage/not-visited",
    response=errors_response({200: NotVisitedPage}),
    summary="久未走访的住户",
    tags=VISIT_TAGS,
)
def not_visited(request: HttpRequest, params: Query[NotVisitedParams]) -> Any:
    org, zone = coverage_target(request, params.org, params.zone)
    return paginate(selectors.not_visited(org=org, zone=zone, days=params.days), params)


# --- paired safety checks reported upward (安全结对检查) -----------------------------------------


class PairedParams(Schema):
    org: int | None = Field(None, description="组织编号（默认本人角色所在组织），如机关工委")
    start: date | None = Field(None, description="开始日期（默认本月1日）")
    end: date | None = Field(None, description="结束日期，含当天（默认今天）")


class PairedRowOut(Schema):
    pairing_id: int
    kind: str
    kind_label: str
    ours: OrgRef = Field(description="本方组织（所读组织或其下级）")
    partner: OrgRef = Field(description="结对的社区等组织")
    visits: int = Field(description="走访次数")
    households_visited: int = Field(description="走访到的户数")
    households: int = Field(description="结对组织的住户总数")
    members: int = Field(description="参与的党员人数")
    hazards: int = Field(description="发现安全隐患的次数")
    last_visit: datetime | None

    @staticmethod
    def resolve_pairing_id(obj: Any) -> int:
        return obj.pairing.pk

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return obj.pairing.kind

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return label(obj.pairing.get_kind_display())


class PairedOut(Schema):
    organization: OrgRef
    start: date
    end: date
    count: int
    results: list[PairedRowOut]


def paired_target(request: HttpRequest, org_id: int | None, start: Any, end: Any) -> Any:
    """(org, start date, end date, low, high) for the paired-checks page and endpoints."""
    org, _zone = coverage_target(request, org_id, None)
    return (org, *selectors.date_period(start, end))


@router.get(
    "/paired-checks",
    response=errors_response({200: PairedOut}),
    summary="结对检查汇总（按结对组织和期间）",
    tags=VISIT_TAGS,
)
def paired_checks(request: HttpRequest, params: Query[PairedParams]) -> Any:
    org, start, end, low, high = paired_target(request, params.org, params.start, params.end)
    rows = selectors.paired_checks(user=request.user, org=org, start=low, end=high)
    return {"organization": org, "start": start, "end": end, "count": len(rows), "results": rows}


class PairedVisitParams(ListParams, PairedParams):
    partner: int | None = Field(None, description="只看在这个结对组织的走访")


@router.get(
    "/paired-checks/visits",
    response=errors_response({200: VisitPage}),
    summary="结对检查的走访记录",
    tags=VISIT_TAGS,
)
def paired_check_visits(request: HttpRequest, params: Query[PairedVisitParams]) -> Any:
    org, _start, _end, low, high = paired_target(request, params.org, params.start, params.end)
    qs = selectors.paired_check_visits(user=request.user, org=org, start=low, end=high)
    if params.partner is not None:
        partner = selectors.paired_partner(user=request.user, org=org, pk=params.partner)
        qs = qs.filter(organization__path__startswith=partner.path)
    qs = qs.select_related("member__person", "household__building")
    return paginate(qs.order_by("-visited_at", "-id"), params)


# --- mobile members and their fellow townsmen (老乡) ----------------------------------------

TOWNSMEN_TAGS = [gettext_lazy("流动党员结对老乡")]


class TownsmanOut(Schema):
    id: int
    member: MemberRef
    person_id: int | None
    name: str
    phone: str = Field(description="已打码")
    hometown: str
    whereabouts: str
    note: str
    active: bool
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
    name: str = Field("", max_length=50, description="姓名（选了登记人员时可省略）")
    phone: str = Field("", max_length=20)
    person: int | None = Field(None, description="登记人员编号（可选）")
    hometown: str = Field("", max_length=100)
    whereabouts: str = Field("", max_length=200)
    note: str = Field("", max_length=200)


class ContactIn(Schema):
    way: str = Field(description="visit、phone、message、gathering")
    contacted_at: datetime | None = Field(None, description="默认现在；不能晚于现在")
    purposes: list[str] = Field(description="safety、policy、info、talk、care 中的一项或几项")
    findings: str = ""
    raises_hazard: bool = False
    household: int | None = Field(None, description="上门走访登记住户时：同时保存一条走访记录")
    client_key: str = Field("", max_length=64, description="幂等键")


class TownsmanFilters(ListParams):
    mine: bool = Field(False, description="只看我结对的")
    ended: bool = Field(False, description="包括已结束结对的")


def _townsmen(request: HttpRequest) -> Any:
    from django.db.models import Count, Max

    from xianfeng.work.models import Townsman

    return (
        Townsman.objects.restrict(request.user)
        .select_related("member__person")
        .annotate(contact_count=Count("contacts"), last_contact=Max("contacts__contacted_at"))
    )


@router.get(
    "/townsmen",
    response=errors_response({200: page_of(TownsmanOut)}),
    summary="结对老乡",
    tags=TOWNSMEN_TAGS,
)
def townsman_list(request: HttpRequest, filters: Query[TownsmanFilters]) -> Any:
    qs = _townsmen(request)
    if filters.mine:
        member = services.member_of(request.user)
        qs = qs.filter(member=member) if member else qs.none()
    if not filters.ended:
        qs = qs.filter(active=True)
    return paginate(qs.order_by("-active", "name", "id"), filters)


def _townsman(request: HttpRequest, townsman_id: int) -> Any:
    from xianfeng.work.models import Townsman

    return get_object_for(
        user=request.user, model=Townsman, pk=townsman_id, queryset=_townsmen(request)
    )


@router.get(
    "/townsmen/{townsman_id}",
    response=errors_response({200: TownsmanOut}),
    summary="老乡详情",
    tags=TOWNSMEN_TAGS,
)
def townsman_detail(request: HttpRequest, townsman_id: int) -> Any:
    return _townsman(request, townsman_id)


@router.post(
    "/townsmen",
    response=errors_response({201: TownsmanOut}),
    summary="结对老乡（流动党员本人）",
    tags=TOWNSMEN_TAGS,
)
def townsman_create(request: HttpRequest, payload: TownsmanIn) -> Any:
    from xianfeng.people.models import Person
    from xianfeng.work.models import Townsman

    require_can(request.user, Action.ADD, Townsman)
    data = payload.model_dump()
    person = visible_one(Person, data.pop("person"), user=request.user, field="person")
    townsman = services.townsman_add(actor=request.user, person=person, **data)
    return Status(201, _townsman(request, townsman.pk))


@router.get(
    "/townsmen/{townsman_id}/contacts",
    response=errors_response({200: page_of(ContactOut)}),
    summary="与老乡的联系记录",
    tags=TOWNSMEN_TAGS,
)
def townsman_contacts(request: HttpRequest, townsman_id: int, filters: Query[ListParams]) -> Any:
    from xianfeng.work.models import TownsmanContact

    townsman = _townsman(request, townsman_id)
    qs = (
        TownsmanContact.objects.restrict(request.user)
        .filter(townsman=townsman)
        .select_related("member__person")
    )
    return paginate(qs.order_by("-contacted_at", "-id"), filters)


@router.post(
    "/townsmen/{townsman_id}/contacts",
    response=errors_response({201: ContactOut, 200: ContactOut}),
    summary="登记与老乡的联系",
    tags=TOWNSMEN_TAGS,
)
def townsman_contact_create(request: HttpRequest, townsman_id: int, payload: ContactIn) -> Any:
    from xianfeng.work.models import TownsmanContact

    require_can(request.user, Action.ADD, TownsmanContact)
    townsman = _townsman(request, townsman_id)
    data = payload.model_dump()
    household = None
    if data["household"] is not None:
        household = services.household_for_visit(user=request.user, pk=data["household"])
    data["household"] = household
    data["contacted_at"] = data["contacted_at"] or timezone.now()
    key = request.headers.get("Idempotency-Key", "") or data.pop("client_key")
    data.pop("client_key", None)
    contact, created = services.townsman_contact_log(
        actor=request.user, townsman=townsman, client_key=key, **data
    )
    return Status(201 if created else 200, contact)


@router.post(
    "/townsmen/{townsman_id}/end",
    response=errors_response({200: TownsmanOut, 409: Any}),
    summary="结束结对",
    tags=TOWNSMEN_TAGS,
)
def townsman_end(request: HttpRequest, townsman_id: int) -> Any:
    townsman = _townsman(request, townsman_id)

    def run() -> Any:
        services.townsman_end(actor=request.user, townsman=townsman)
        return _townsman(request, townsman_id)

    return _conflict(run)
