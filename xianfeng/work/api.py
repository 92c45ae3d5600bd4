"""API for 双领: campaigns, projects, tasks and their transitions (one endpoint each),
supervision (督办). Lists through ``xianfeng.work.selectors`` (the pages use the same ones);
writes through ``xianfeng.work.services``. Visits and coverage: ``xianfeng.visits.api``;
townsmen: ``xianfeng.community.api``.

A transition that comes too late (the task was claimed a moment ago by someone else, or is no
longer in a state that allows the move) answers **409** with a Chinese ``detail``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xianfeng.core.api import (
    ListParams,
    OrgRef,
    errors_response,
    label,
    org_ref,
    page_of,
    paginate,
    paginate_rows,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.labels import field_labels
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions, take
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.work import selectors, services
from xianfeng.work.models import Campaign, Project, Supervision, Task

router = Router(tags=[gettext_lazy("双领：项目与任务")])


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
    organization: DbInt = Field(description=gettext_lazy("发起组织编号"))
    title: Text(100) = Field(max_length=100)
    theme: Text(200) = Field("", max_length=200)
    goals: Text(TEXT_MAX_LENGTH) = ""
    starts_on: date
    ends_on: date


@router.get(
    "/campaigns",
    response=errors_response({200: CampaignPage}),
    summary=gettext_lazy("专项行动列表"),
)
def campaign_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(selectors.campaigns(request.user), filters)


@router.get(
    "/campaigns/{campaign_id}",
    response=errors_response({200: CampaignOut}),
    summary=gettext_lazy("专项行动详情"),
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> Any:
    return get_object_for(
        user=request.user,
        model=Campaign,
        pk=campaign_id,
        queryset=Campaign.objects.select_related("organization"),
    )


@router.post(
    "/campaigns", response=errors_response({201: CampaignOut}), summary=gettext_lazy("发起专项行动")
)
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
    campaign: DbInt | None = Field(None, description=gettext_lazy("专项行动编号"))


class ProjectIn(Schema):
    campaign: DbInt
    organization: DbInt = Field(
        description=gettext_lazy("承担组织编号：本组织即“组织领项目”，下级即“交办”")
    )
    title: Text(120) = Field(max_length=120)
    goals: Text(TEXT_MAX_LENGTH) = ""
    measures: Text(TEXT_MAX_LENGTH) = ""
    deadline: date
    leader: DbInt | None = Field(None, description=gettext_lazy("联系负责的班子成员（党员编号）"))


def _projects():
    return Project.objects.select_related("organization", "leader__person")


@router.get(
    "/projects", response=errors_response({200: ProjectPage}), summary=gettext_lazy("项目列表")
)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    return paginate(selectors.projects(request.user, campaign=filters.campaign), filters)


@router.get(
    "/projects/{project_id}",
    response=errors_response({200: ProjectOut}),
    summary=gettext_lazy("项目详情"),
)
def project_detail(request: HttpRequest, project_id: int) -> Any:
    return get_object_for(user=request.user, model=Project, pk=project_id, queryset=_projects())


@router.post(
    "/projects", response=errors_response({201: ProjectOut}), summary=gettext_lazy("认领或交办项目")
)
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
    target: int = Field(description=gettext_lazy("目标：住户数或户次（0 为不要求走访）"))
    visited: int = Field(description=gettext_lazy("已走访"))
    by_household: bool = Field(description=gettext_lazy("按目标住户计"))
    complete: bool
    missing: list[int] = Field(description=gettext_lazy("未走访的目标住户编号"))

    @staticmethod
    def resolve_missing(obj: Any) -> list[int]:
        return [h.pk for h in obj.missing]


class TaskDetailOut(TaskOut):
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))
    photos: list[str] = Field(description=gettext_lazy("完成情况照片的地址"))
    visit_progress: ProgressOut = Field(description=gettext_lazy("靠走访完成的任务的进度"))

    @staticmethod
    def resolve_photos(obj: Task) -> list[str]:
        return [p.image.url for p in obj.photos.all()]


TaskPage = page_of(TaskOut)


class TaskFilters(ListParams):
    mine: bool = Field(False, description=gettext_lazy("只看我承担的任务"))
    claimable: bool = Field(False, description=gettext_lazy("只看我可以认领的任务"))
    state: Text(LINE_MAX_LENGTH) | None = Field(None, description=gettext_lazy("状态"))
    project: DbInt | None = Field(None, description=gettext_lazy("项目编号"))


class TaskIn(Schema):
    project: DbInt
    title: Text(120) = Field(max_length=120)
    description: Text(TEXT_MAX_LENGTH) = ""
    deadline: date
    organization: DbInt | None = Field(
        None, description=gettext_lazy("发布组织（默认项目承担组织）")
    )
    target_visits: DbInt = Field(
        0, ge=0, le=10000, description=gettext_lazy("要求走访户次（0 为不要求）")
    )
    target_households: list[DbInt] = Field(
        default_factory=list, description=gettext_lazy("目标住户编号：全部走访后才能提交")
    )


def _tasks():
    return Task.objects.select_related("organization", "assignee__person")


TASK_COLUMNS = (
    "id",
    "project_id",
    "title",
    "description",
    "deadline",
    "state",
    "organization_id",
    "organization__name",
    "organization__code",
    "organization__kind",
    "assignee_id",
    "assignee__person__name",
    "evidence_notes",
    "return_reason",
    "claimed_at",
    "submitted_at",
    "verified_at",
    "done_at",
    "target_visits",
)


def task_rows(page: Any) -> list[dict[str, Any]]:
    """``TaskOut`` of each task of a page of the selector's queryset, from plain rows (of the
    assignee only the name: no decrypting their ID number and phone)."""
    states = field_labels(Task, "state")
    rows = []
    for r in page.values(*TASK_COLUMNS):
        assignee = r["assignee_id"]
        rows.append(
            {
                "id": r["id"],
                "project_id": r["project_id"],
                "title": r["title"],
                "description": r["description"],
                "deadline": r["deadline"],
                "state": r["state"],
                "state_label": label(states.get(r["state"], r["state"])),
                "organization": org_ref(
                    r["organization_id"],
                    r["organization__name"],
                    r["organization__code"],
                    r["organization__kind"],
                ),
                "assignee": None
                if assignee is None
                else {"id": assignee, "name": r["assignee__person__name"]},
                "evidence_notes": r["evidence_notes"],
                "return_reason": r["return_reason"],
                "claimed_at": r["claimed_at"],
                "submitted_at": r["submitted_at"],
                "verified_at": r["verified_at"],
                "done_at": r["done_at"],
                "target_visits": r["target_visits"],
            }
        )
    return rows


@router.get("/tasks", response=errors_response({200: TaskPage}), summary=gettext_lazy("任务列表"))
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    return paginate_rows(
        selectors.tasks(
            request.user,
            mine=filters.mine,
            claimable=filters.claimable,
            state=filters.state,
            project=filters.project,
        ),
        filters,
        task_rows,
    )


def _task_detail(request: HttpRequest, task_id: int) -> Any:
    task = get_object_for(user=request.user, model=Task, pk=task_id, queryset=_tasks())
    task.actions = services.task_actions(request.user, task)
    task.visit_progress = services.task_visit_progress(task)
    return task


@router.get(
    "/tasks/{task_id}",
    response=errors_response({200: TaskDetailOut}),
    summary=gettext_lazy("任务详情"),
)
def task_detail(request: HttpRequest, task_id: int) -> Any:
    return _task_detail(request, task_id)


@router.post(
    "/tasks", response=errors_response({201: TaskDetailOut}), summary=gettext_lazy("发布任务")
)
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


def _task_for_step(request: HttpRequest, task_id: int) -> Task:
    return get_object_for(user=request.user, model=Task, pk=task_id, queryset=_tasks())


# Every step of a task from the declarations in work/workflows.py, answering the task as
# ``GET /tasks/{id}`` shows it. ``submit`` takes files, so it is written out below.
add_step_endpoints(
    router,
    model=Task,
    param="task_id",
    fetch=_task_for_step,
    response=TaskDetailOut,
    result=lambda request, task: _task_detail(request, task.pk),
    paths={
        "claim": "/tasks/{task_id}/claim",
        "assign": "/tasks/{task_id}/assign",
        "start": "/tasks/{task_id}/start",
        "submit": None,
        "verify": "/tasks/{task_id}/verify",
        "return": "/tasks/{task_id}/return",
        "complete": "/tasks/{task_id}/complete",
    },
)


@router.post(
    "/tasks/{task_id}/submit",
    response=errors_response({200: TaskDetailOut}),
    summary=gettext_lazy("提交完成情况"),
)
def task_submit(
    request: HttpRequest,
    task_id: int,
    notes: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
) -> Any:
    """multipart/form-data: ``notes`` and zero or more ``photos`` (real images, size-limited).
    The state and the actor are checked before the notes (409, then 403, then 400)."""
    task = _task_for_step(request, task_id)
    take(task, "submit", actor=request.user, notes=notes, photos=photos or [])
    return _task_detail(request, task.pk)


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
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_actions(obj: Supervision, context: dict[str, Any]) -> list[str]:
        return actions(context["request"].user, obj)


SupervisionPage = page_of(SupervisionOut)


class SupervisionIn(Schema):
    organization: DbInt = Field(description=gettext_lazy("被督办的下级组织编号"))
    content: Text(TEXT_MAX_LENGTH) = Field(min_length=1)
    due_on: date
    project: DbInt | None = None
    task: DbInt | None = None


def _supervisions():
    return Supervision.objects.select_related("issuer", "organization")


@router.get(
    "/supervisions",
    response=errors_response({200: SupervisionPage}),
    summary=gettext_lazy("督办列表"),
)
def supervision_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(selectors.supervisions(request.user), filters)


@router.post(
    "/supervisions", response=errors_response({201: SupervisionOut}), summary=gettext_lazy("督办")
)
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


def _note_for_step(request: HttpRequest, note_id: int) -> Supervision:
    return get_object_for(user=request.user, model=Supervision, pk=note_id)


add_step_endpoints(
    router,
    model=Supervision,
    param="note_id",
    fetch=_note_for_step,
    response=SupervisionOut,
    result=lambda request, note: _supervisions().get(pk=note.pk),
    paths={"answer": "/supervisions/{note_id}/answer"},
)
