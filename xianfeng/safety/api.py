"""The safety API under ``/api/v1/``: checklists, inspections (one request each, stored once
per ``client_key``), the buildings due for a patrol, the colour history and its review, and
hazards with one endpoint per workflow step (``xianfeng/safety/workflows.py``). Lists are
paginated and filtered in the database through ``xianfeng.safety.selectors``; errors answer
``{"detail": ..., "errors": ...}`` in Chinese (``xianfeng/api.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xianfeng.core.api import (
    ListParams,
    OrgRef,
    PageBase,
    choice_label,
    errors_response,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions, take
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.people.members import field_member
from xianfeng.places.choices import SafetyColour
from xianfeng.places.models import Building
from xianfeng.safety import selectors, services
from xianfeng.safety.choices import (
    HazardCategory,
    HazardState,
    IncidentSeverity,
    InspectionState,
    Outcome,
    ResponsibleParty,
    Severity,
)
from xianfeng.safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    ColourChange,
    Hazard,
    Incident,
    Inspection,
)
from xianfeng.work.api import MemberRef

SAFETY_TAGS = [gettext_lazy("安全检查与隐患")]
router = Router(tags=SAFETY_TAGS)


class SafetyBuildingRef(Schema):
    id: int
    name: str
    safety_colour: str


# --- checklists ----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    order: int
    title: str
    guidance: str = Field(description=gettext_lazy("检查要点"))
    category: str
    category_label: str
    severity: str
    severity_label: str
    responsible_party: str = Field(description=gettext_lazy("主体责任"))
    responsible_party_label: str
    standard: str = Field(description=gettext_lazy("整治标准"))
    veto: bool = Field(description=gettext_lazy("一票否决项"))

    resolve_category_label = choice_label("category")
    resolve_severity_label = choice_label("severity")
    resolve_responsible_party_label = choice_label("responsible_party")


class ChecklistOut(Schema):
    id: int
    place_kind: str
    place_kind_label: str
    name: str
    version: int
    is_current: bool
    yellow_fails: int
    red_fails: int
    red_days: int
    yellow_days: int
    green_days: int
    note: str
    items: list[ItemOut]

    resolve_place_kind_label = choice_label("place_kind")

    @staticmethod
    def resolve_items(obj: ChecklistTemplate) -> list[ChecklistItem]:
        return list(obj.items.all())


ChecklistPage = page_of(ChecklistOut)


class ChecklistFilters(ListParams):
    all_versions: bool = Field(False, description=gettext_lazy("包括旧版本"))
    place_kind: Text(LINE_MAX_LENGTH) | None = Field(None, description=gettext_lazy("场所类型"))


@router.get(
    "/safety/checklists",
    response=errors_response({200: ChecklistPage}),
    summary=gettext_lazy("安全检查表"),
)
def checklist_list(request: HttpRequest, filters: Query[ChecklistFilters]) -> Any:
    qs = ChecklistTemplate.objects.prefetch_related("items")
    if not filters.all_versions:
        qs = qs.filter(is_current=True)
    if filters.place_kind:
        qs = qs.filter(place_kind=filters.place_kind)
    return paginate(qs, filters)


def _checklist(pk: int) -> ChecklistTemplate:
    from xianfeng.core.services import NotFound

    found = ChecklistTemplate.objects.prefetch_related("items").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    return found


@router.get(
    "/safety/checklists/{checklist_id}",
    response=errors_response({200: ChecklistOut}),
    summary=gettext_lazy("检查表详情"),
)
def checklist_detail(request: HttpRequest, checklist_id: int) -> Any:
    return _checklist(checklist_id)


class ItemIn(Schema):
    title: Text(100) = Field(max_length=100)
    guidance: Text(TEXT_MAX_LENGTH)
    category: HazardCategory
    severity: Severity
    responsible_party: ResponsibleParty
    standard: Text(TEXT_MAX_LENGTH)
    veto: bool = False


class ReviseIn(Schema):
    note: Text(200) = Field(max_length=200, description=gettext_lazy("修订说明"))
    name: Text(100) | None = None
    yellow_fails: int | None = Field(None, ge=1, le=100)
    red_fails: int | None = Field(None, ge=1, le=100)
    red_days: int | None = Field(None, ge=1, le=366)
    yellow_days: int | None = Field(None, ge=1, le=366)
    green_days: int | None = Field(None, ge=1, le=366)
    items: list[ItemIn] | None = Field(None, description=gettext_lazy("新的检查项目（不填沿用）"))


@router.post(
    "/safety/checklists/{checklist_id}/revise",
    response=errors_response({201: ChecklistOut}),
    summary=gettext_lazy("修订检查表（生成新版本）"),
)
def checklist_revise(request: HttpRequest, checklist_id: int, payload: ReviseIn) -> Any:
    data = payload.model_dump()
    note, items = data.pop("note"), data.pop("items")
    changes = {k: v for k, v in data.items() if v is not None}
    fresh = services.template_revise(
        actor=request.user,
        template=_checklist(checklist_id),
        note=note,
        changes=changes,
        items=items,
    )
    return Status(201, _checklist(fresh.pk))


# --- inspections ---------------------------------------------------------------------------------


class ResultOut(Schema):
    item_id: int
    outcome: str
    outcome_label: str
    note: str
    photo: str | None

    resolve_outcome_label = choice_label("outcome")

    @staticmethod
    def resolve_photo(obj: Any) -> str | None:
        return obj.photo.url if obj.photo else None


class InspectionOut(Schema):
    id: int
    building: SafetyBuildingRef
    organization: OrgRef
    template_id: int
    template_version: int
    inspector: MemberRef
    state: str
    state_label: str
    colour_before: str
    colour: str
    fails: int
    note: str
    task_id: int | None
    visit_id: int | None
    started_at: datetime
    submitted_at: datetime | None

    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_template_version(obj: Inspection) -> int:
        return obj.template.version


class InspectionDetailOut(InspectionOut):
    results: list[ResultOut]
    hazards: list[int] = Field(description=gettext_lazy("本次检查发现的隐患编号"))

    @staticmethod
    def resolve_results(obj: Inspection) -> list[Any]:
        return list(obj.results.all())

    @staticmethod
    def resolve_hazards(obj: Inspection) -> list[int]:
        return list(obj.hazards.values_list("pk", flat=True))


InspectionPage = page_of(InspectionOut)


class InspectionFilters(ListParams):
    building: DbInt | None = Field(None, description=gettext_lazy("楼栋编号"))
    state: InspectionState | None = Field(None, description=gettext_lazy("状态"))
    mine: bool = Field(False, description=gettext_lazy("只看我登记的"))


def _inspections():
    return Inspection.objects.select_related(
        "building", "organization", "template", "inspector__person"
    )


@router.get(
    "/inspections",
    response=errors_response({200: InspectionPage}),
    summary=gettext_lazy("安全检查列表"),
)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]) -> Any:
    qs = selectors.inspections(
        request.user, building=filters.building, state=filters.state, mine=filters.mine
    )
    return paginate(qs.select_related("organization", "template"), filters)


@router.get(
    "/inspections/{inspection_id}",
    response=errors_response({200: InspectionDetailOut}),
    summary=gettext_lazy("安全检查详情"),
)
def inspection_detail(request: HttpRequest, inspection_id: int) -> Any:
    return get_object_for(
        user=request.user, model=Inspection, pk=inspection_id, queryset=_inspections()
    )


class ResultIn(Schema):
    item: DbInt
    outcome: Outcome
    note: Text(200) = Field("", max_length=200)


class InspectionIn(Schema):
    building: DbInt
    results: list[ResultIn] = Field(description=gettext_lazy("每个检查项目的结果"))
    note: Text(TEXT_MAX_LENGTH) = ""
    client_key: Text(64) = Field(
        "", max_length=64, description=gettext_lazy("提交标识：同一标识重复提交只保存一次")
    )
    task: DbInt | None = Field(None, description=gettext_lazy("关联任务编号"))
    visit: DbInt | None = Field(None, description=gettext_lazy("关联走访编号"))
    template: DbInt | None = Field(
        None,
        description=gettext_lazy("检查表版本编号（离线填写时手机上的版本；默认现行版本）"),
    )
    started_at: datetime | None = Field(
        None,
        description=gettext_lazy(
            "检查开始的时间（离线填写时手机记下的时间），默认现在；不能晚于现在，不能早于补登期限"
        ),
    )


@router.post(
    "/inspections",
    response=errors_response({201: InspectionDetailOut, 200: InspectionDetailOut}),
    summary=gettext_lazy("提交安全检查（逐项结果）"),
)
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Any:
    """All the results at once (a phone that filled them in offline). The building's colour
    follows; each failed item opens a hazard. The same ``client_key`` again answers 200 with
    the inspection stored the first time."""
    from xianfeng.visits.models import Visit
    from xianfeng.work.models import Task

    require_can(request.user, Action.ADD, Inspection)
    field_member(request.user)  # only a party member inspects (403 before anything else)
    building = visible_one(
        Building,
        payload.building,
        user=request.user,
        field="building",
        queryset=Building.objects.select_related("organization"),
    )
    task = visible_one(Task, payload.task, user=request.user, field="task")
    visit = visible_one(Visit, payload.visit, user=request.user, field="visit")
    # Checklists are district configuration, the same for everyone (no scope to apply).
    template = None
    if payload.template is not None:
        template = ChecklistTemplate.objects.filter(pk=payload.template).first()
        if template is None:
            raise ValidationError({"template": _("没有这个检查表版本。")})
    inspection, created = services.inspection_create(
        actor=request.user,
        building=building,
        results=[r.model_dump() for r in payload.results],
        note=payload.note,
        client_key=request.headers.get("Idempotency-Key", "") or payload.client_key,
        task=task,
        visit=visit,
        template=template,
        started_at=payload.started_at,
    )
    found = _inspections().get(pk=inspection.pk)
    return Status(201 if created else 200, found)


# --- buildings: due, colour ----------------------------------------------------------------------


class DueOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    safety_colour: str
    safety_colour_label: str
    due_on: date | None = Field(description=gettext_lazy("应巡查日期（空：从未检查）"))
    escalated_to_id: int | None = Field(description=gettext_lazy("巡查逾期升级至（组织编号）"))

    resolve_kind_label = choice_label("kind")
    resolve_safety_colour_label = choice_label("safety_colour")

    @staticmethod
    def resolve_due_on(obj: Building) -> date | None:
        status = getattr(obj, "safety", None) if hasattr(obj, "safety") else None
        return status.due_on if status else None

    @staticmethod
    def resolve_escalated_to_id(obj: Building) -> int | None:
        status = getattr(obj, "safety", None) if hasattr(obj, "safety") else None
        return status.escalated_to_id if status else None


DuePage = page_of(DueOut)


class DueFilters(ListParams):
    mine: bool = Field(False, description=gettext_lazy("只看我责任区的楼栋"))
    escalated: bool = Field(
        False, description=gettext_lazy("只看巡查逾期、升级到我所在组织督办的楼栋")
    )


@router.get(
    "/safety/due",
    response=errors_response({200: DuePage}),
    summary=gettext_lazy("到期需巡查的楼栋"),
)
def due_list(request: HttpRequest, filters: Query[DueFilters]) -> Any:
    from xianfeng.people.members import member_of

    if filters.escalated:
        return paginate(selectors.escalated_patrols(request.user), filters)
    member = member_of(request.user) if filters.mine else None
    if filters.mine and member is None:
        return paginate(Building.objects.none(), filters)
    return paginate(selectors.due_buildings(request.user, member=member), filters)


class ColourChangeOut(Schema):
    id: int
    colour_from: str
    colour_to: str
    source: str
    source_label: str
    inspection_id: int | None
    reason: str
    changed_at: datetime

    resolve_source_label = choice_label("source")


class ColourReviewIn(Schema):
    colour: SafetyColour
    reason: Text(200) = Field(max_length=200, description=gettext_lazy("复核依据"))


@router.get(
    "/buildings/{building_id}/colour-history",
    response=errors_response({200: list[ColourChangeOut]}),
    summary=gettext_lazy("楼栋安全等级变更记录"),
)
def colour_history(request: HttpRequest, building_id: int) -> Any:
    building = get_object_for(user=request.user, model=Building, pk=building_id)
    return list(ColourChange.objects.restrict(request.user).filter(building=building)[:200])


@router.post(
    "/buildings/{building_id}/colour-review",
    response=errors_response({201: ColourChangeOut}),
    summary=gettext_lazy("复核楼栋安全等级"),
)
def colour_review(request: HttpRequest, building_id: int, payload: ColourReviewIn) -> Any:
    building = get_object_for(user=request.user, model=Building, pk=building_id)
    change = services.colour_review(
        actor=request.user, building=building, colour=payload.colour, reason=payload.reason
    )
    return Status(201, change)


# --- hazards -------------------------------------------------------------------------------------


class HazardOut(Schema):
    id: int
    title: str
    building: SafetyBuildingRef
    organization: OrgRef
    category: str
    category_label: str
    severity: str
    severity_label: str
    responsible_party: str
    responsible_party_label: str
    responsible_name: str
    source: str
    state: str
    state_label: str
    deadline: date
    escalated_to: OrgRef | None
    lead_branch_id: int | None = Field(
        description=gettext_lazy("责任领办支部（房东是党员的出租户所在支部）")
    )
    reported_at: datetime

    resolve_category_label = choice_label("category")
    resolve_severity_label = choice_label("severity")
    resolve_responsible_party_label = choice_label("responsible_party")
    resolve_state_label = choice_label("state")


class PhotoOut(Schema):
    stage: str
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.image.url


class HazardDetailOut(HazardOut):
    description: str
    standard: str = Field(description=gettext_lazy("整治标准"))
    inspection_id: int | None
    visit_id: int | None
    assignee: MemberRef | None
    rectification: str
    submitted_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    return_reason: str
    merged_into_id: int | None
    enforcement_agency: str = Field(description=gettext_lazy("移交执法部门"))
    referred_at: datetime | None
    enforcement_outcome: str = Field(description=gettext_lazy("执法检查结果"))
    enforced_at: datetime | None
    photos: list[PhotoOut]
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))

    @staticmethod
    def resolve_photos(obj: Hazard) -> list[Any]:
        return list(obj.photos.all())


class HazardPage(PageBase):
    """A page of hazards; its count stops at ``selectors.COUNT_CAP``."""

    results: list[HazardOut]
    count_capped: bool = Field(
        False,
        description=gettext_lazy(
            "为真时匹配的隐患超过1000条，count 只计到1000（不逐条计数，请用筛选缩小范围）"
        ),
    )


class HazardFilters(ListParams):
    state: HazardState | None = Field(None, description=gettext_lazy("状态"))
    open: bool = Field(False, description=gettext_lazy("只看未销号的"))
    overdue: bool = Field(False, description=gettext_lazy("只看超过整改时限的"))
    building: DbInt | None = Field(None, description=gettext_lazy("楼栋编号"))
    category: HazardCategory | None = Field(None, description=gettext_lazy("隐患类别"))
    severity: Severity | None = Field(None, description=gettext_lazy("隐患等级"))
    mine: bool = Field(False, description=gettext_lazy("只看我督促整改的"))


@router.get(
    "/hazards", response=errors_response({200: HazardPage}), summary=gettext_lazy("隐患列表")
)
def hazard_list(request: HttpRequest, filters: Query[HazardFilters]) -> Any:
    qs = selectors.hazards(
        request.user,
        state=filters.state,
        open_only=filters.open,
        overdue=filters.overdue,
        building=filters.building,
        category=filters.category,
        severity=filters.severity,
        mine=filters.mine,
    )
    # A capped count: the page itself reads only its rows (the open-hazard index in order).
    count, capped = selectors.capped_count(qs)
    start = (filters.page - 1) * filters.page_size
    page = qs.select_related("escalated_to")[start : start + filters.page_size]
    return {
        "count": count,
        "count_capped": capped,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": list(page),
    }


def _hazards():
    return Hazard.objects.select_related(
        "building", "organization", "escalated_to", "assignee__person"
    )


def _hazard_for(request: HttpRequest, hazard_id: int) -> Hazard:
    return get_object_for(user=request.user, model=Hazard, pk=hazard_id, queryset=_hazards())


def _hazard_detail(request: HttpRequest, hazard_id: int) -> Hazard:
    hazard = _hazard_for(request, hazard_id)
    hazard.actions = actions(request.user, hazard)
    return hazard


@router.get(
    "/hazards/{hazard_id}",
    response=errors_response({200: HazardDetailOut}),
    summary=gettext_lazy("隐患详情"),
)
def hazard_detail(request: HttpRequest, hazard_id: int) -> Any:
    return _hazard_detail(request, hazard_id)


class HazardIn(Schema):
    building: DbInt
    title: Text(120) = Field(max_length=120)
    category: HazardCategory
    severity: Severity
    description: Text(TEXT_MAX_LENGTH) = ""
    responsible_party: ResponsibleParty | None = Field(
        None, description=gettext_lazy("主体责任（默认按楼栋类型）")
    )
    responsible_name: Text(120) = Field("", max_length=120)
    standard: Text(TEXT_MAX_LENGTH) = ""
    deadline: date | None = Field(None, description=gettext_lazy("整改时限（默认按隐患等级）"))
    client_key: Text(64) = Field(
        "", max_length=64, description=gettext_lazy("提交标识：同一标识重复提交只保存一次")
    )
    reported_at: datetime | None = Field(
        None,
        description=gettext_lazy(
            "发现隐患的时间（离线报告时手机记下的时间），默认现在；不能晚于现在，不能早于补登期限"
        ),
    )


@router.post(
    "/hazards",
    response=errors_response({201: HazardDetailOut, 200: HazardDetailOut}),
    summary=gettext_lazy("报告隐患"),
)
def hazard_create(request: HttpRequest, payload: HazardIn) -> Any:
    """The same ``client_key`` (or ``Idempotency-Key`` header) again answers 200 with the
    hazard stored the first time."""
    require_can(request.user, Action.ADD, Hazard)
    data = payload.model_dump()
    building = visible_one(
        Building,
        data.pop("building"),
        user=request.user,
        field="building",
        queryset=Building.objects.select_related("organization", "landlord"),
    )
    data["responsible_party"] = data["responsible_party"] or ""
    data["client_key"] = request.headers.get("Idempotency-Key", "") or data["client_key"]
    hazard, created = services.hazard_report_once(actor=request.user, building=building, **data)
    return Status(201 if created else 200, _hazard_detail(request, hazard.pk))


# Every step of a hazard from the declarations in safety/workflows.py, answering the hazard as
# ``GET /hazards/{id}`` shows it. ``submit`` takes files, so it is written out below.
add_step_endpoints(
    router,
    model=Hazard,
    param="hazard_id",
    fetch=_hazard_for,
    response=HazardDetailOut,
    result=lambda request, hazard: _hazard_detail(request, hazard.pk),
    paths={
        "confirm": "/hazards/{hazard_id}/confirm",
        "dismiss": "/hazards/{hazard_id}/dismiss",
        "assign": "/hazards/{hazard_id}/assign",
        "start": "/hazards/{hazard_id}/start",
        "submit": None,
        "verify": "/hazards/{hazard_id}/verify",
        "return": "/hazards/{hazard_id}/return",
        "close": "/hazards/{hazard_id}/close",
        "merge": "/hazards/{hazard_id}/merge",
        "refer": "/hazards/{hazard_id}/refer",
        "enforce": "/hazards/{hazard_id}/enforce",
    },
)


@router.post(
    "/hazards/{hazard_id}/submit",
    response=errors_response({200: HazardDetailOut}),
    summary=gettext_lazy("提交整改"),
)
def hazard_submit(
    request: HttpRequest,
    hazard_id: int,
    rectification: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
    before_photos: File[list[UploadedFile]] = None,
) -> Any:
    """multipart/form-data: ``rectification``, ``photos`` (after, at least one) and
    ``before_photos`` (needed when the hazard has none from its report). The state and the
    actor are checked before the evidence (409, then 403, then 400)."""
    hazard = _hazard_for(request, hazard_id)
    take(
        hazard,
        "submit",
        actor=request.user,
        rectification=rectification,
        photos=photos or [],
        before_photos=before_photos or [],
    )
    return _hazard_detail(request, hazard.pk)


# --- incidents -----------------------------------------------------------------------------------


class IncidentOut(Schema):
    id: int
    title: str
    organization: OrgRef
    building_id: int | None
    occurred_on: date
    severity: str
    severity_label: str
    serious: bool = Field(description=gettext_lazy("较大及以上（评星评优一票否决）"))
    deaths: int
    injuries: int
    description: str
    responsible: list[OrgRef] = Field(description=gettext_lazy("负有责任的组织"))
    recorded_at: datetime

    resolve_severity_label = choice_label("severity")

    @staticmethod
    def resolve_serious(obj: Incident) -> bool:
        from xianfeng.safety.choices import SERIOUS_INCIDENTS

        return obj.severity in SERIOUS_INCIDENTS

    @staticmethod
    def resolve_responsible(obj: Incident) -> list[Any]:
        return sorted(obj.responsible.all(), key=lambda o: o.path)


IncidentPage = page_of(IncidentOut)


class IncidentFilters(ListParams):
    year: int | None = Field(None, ge=1949, le=9999, description=gettext_lazy("年份"))
    severity: IncidentSeverity | None = Field(None, description=gettext_lazy("事故等级"))


@router.get(
    "/safety/incidents",
    response=errors_response({200: IncidentPage}),
    summary=gettext_lazy("安全事故列表"),
)
def incident_list(request: HttpRequest, filters: Query[IncidentFilters]) -> Any:
    qs = selectors.incidents(request.user, year=filters.year, severity=filters.severity)
    return paginate(qs, filters)


def _incident_for(request: HttpRequest, incident_id: int) -> Incident:
    return get_object_for(
        user=request.user,
        model=Incident,
        pk=incident_id,
        queryset=Incident.objects.select_related("organization").prefetch_related("responsible"),
    )


@router.get(
    "/safety/incidents/{incident_id}",
    response=errors_response({200: IncidentOut}),
    summary=gettext_lazy("安全事故详情"),
)
def incident_detail(request: HttpRequest, incident_id: int) -> Any:
    return _incident_for(request, incident_id)


class IncidentIn(Schema):
    organization: DbInt = Field(description=gettext_lazy("事发地组织编号"))
    title: Text(120) = Field(max_length=120)
    occurred_on: date
    severity: IncidentSeverity
    responsible: list[DbInt] = Field(description=gettext_lazy("负有责任的组织编号"))
    deaths: int = Field(0, ge=0, le=10000)
    injuries: int = Field(0, ge=0, le=10000)
    description: Text(TEXT_MAX_LENGTH) = ""
    building: DbInt | None = None


@router.post(
    "/safety/incidents",
    response=errors_response({201: IncidentOut}),
    summary=gettext_lazy("登记安全事故"),
)
def incident_create(request: HttpRequest, payload: IncidentIn) -> Any:
    from xianfeng.orgs.models import Organization

    require_can(request.user, Action.ADD, Incident)
    organization = visible_one(
        Organization, payload.organization, user=request.user, field="organization"
    )
    building = visible_one(
        Building,
        payload.building,
        user=request.user,
        field="building",
        queryset=Building.objects.select_related("organization"),
    )
    incident = services.incident_record(
        actor=request.user,
        organization=organization,
        building=building,
        title=payload.title,
        occurred_on=payload.occurred_on,
        severity=payload.severity,
        responsible=payload.responsible,
        deaths=payload.deaths,
        injuries=payload.injuries,
        description=payload.description,
    )
    return Status(201, _incident_for(request, incident.pk))
