"""API for visits (走访登记), coverage (覆盖率), households not visited and paired safety checks
(安全结对检查). Lists through ``xianfeng.visits.selectors`` (the pages use the same ones);
writes through ``xianfeng.visits.services``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
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
    paginate_rows,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.places.models import Building, Household
from xianfeng.visits import selectors, services
from xianfeng.visits.models import Visit
from xianfeng.work.api import MemberRef
from xianfeng.work.models import Task
from xianfeng.work.services import field_member

VISIT_TAGS = [gettext_lazy("走访与覆盖")]
router = Router(tags=VISIT_TAGS)


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
    moved_household: str = Field(
        description=gettext_lazy("住户已迁走时，走访当时的住户名称（待社区更新住户信息）")
    )
    household_update: str = Field(
        description=gettext_lazy("住户信息更新：none 无需、pending 待社区更新、done 已处理")
    )
    household_update_note: str = Field(description=gettext_lazy("社区的处理说明"))
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))
    notice: str = Field(
        "",
        description=gettext_lazy(
            "服务器与提交不同的处理（住户已迁走、任务不由本人承担），供手机发件箱显示"
        ),
    )

    @staticmethod
    def resolve_photos(obj: Visit) -> list[str]:
        return [p.image.url for p in obj.photos.all()]

    @staticmethod
    def resolve_notice(obj: Visit) -> str:
        return " ".join(getattr(obj, "notices", ()))

    @staticmethod
    def resolve_actions(obj: Visit, context: dict[str, Any]) -> list[str]:
        return actions(context["request"].user, obj)


VisitPage = page_of(VisitOut)


class VisitFilters(ListParams):
    mine: bool = Field(False, description=gettext_lazy("只看我的走访"))
    since: date | None = Field(None, description=gettext_lazy("只看这一天（含）以后的走访"))
    household: DbInt | None = None


class VisitIn(Schema):
    household: DbInt | None = Field(None, description=gettext_lazy("住户编号（与楼栋二选一）"))
    building: DbInt | None = Field(None, description=gettext_lazy("楼栋编号（不针对某一户时）"))
    visited_at: datetime | None = Field(
        None, description=gettext_lazy("走访时间，默认现在；不能晚于现在")
    )
    purposes: list[Text(LINE_MAX_LENGTH)] = Field(
        description=gettext_lazy("safety、policy、info、talk、care 中的一项或几项")
    )
    findings: Text(TEXT_MAX_LENGTH) = ""
    suggestions: Text(TEXT_MAX_LENGTH) = ""
    raises_hazard: bool = False
    raises_request: bool = False
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    outside_reason: Text(200) = Field("", max_length=200)
    client_key: Text(64) = Field(
        "", max_length=64, description=gettext_lazy("幂等键：同一键重复提交只保存一次")
    )
    task: DbInt | None = None


VISIT_COLUMNS = (
    "id",
    "member_id",
    "member__person__name",
    "household_id",
    "building_id",
    "organization_id",
    "visited_at",
    "purposes",
    "findings",
    "suggestions",
    "raises_hazard",
    "raises_request",
    "latitude",
    "longitude",
    "outside_reason",
    "task_id",
)


def visit_rows(page: list[tuple]) -> list[dict[str, Any]]:
    """``VisitOut`` of each visit of a page of ``selectors.visit_list`` (``VISIT_COLUMNS``
    tuples); the households' labels by one more query (joined into the page query they made
    PostgreSQL plan eight tables)."""
    visits = [dict(zip(VISIT_COLUMNS, row, strict=True)) for row in page]
    labels = selectors.household_labels(
        r["household_id"] for r in visits if r["household_id"] is not None
    )
    households = {pk: {"id": pk, "label": label} for pk, label in labels.items()}
    return [
        {
            "id": r["id"],
            "member": {"id": r["member_id"], "name": r["member__person__name"]},
            "household": households.get(r["household_id"]),
            "building_id": r["building_id"],
            "organization_id": r["organization_id"],
            "visited_at": r["visited_at"],
            "purposes": r["purposes"],
            "findings": r["findings"],
            "suggestions": r["suggestions"],
            "raises_hazard": r["raises_hazard"],
            "raises_request": r["raises_request"],
            "latitude": r["latitude"],
            "longitude": r["longitude"],
            "outside_reason": r["outside_reason"],
            "task_id": r["task_id"],
        }
        for r in visits
    ]


@router.get("/visits", response=errors_response({200: VisitPage}), summary=gettext_lazy("走访记录"))
def visit_list(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    return paginate_rows(
        selectors.visit_list(
            request.user,
            VISIT_COLUMNS,
            mine=filters.mine,
            household=filters.household,
            since=filters.since,
        ),
        filters,
        visit_rows,
    )


@router.get(
    "/tasks/{task_id}/visits",
    response=errors_response({200: VisitPage}),
    summary=gettext_lazy("任务的关联走访"),
)
def task_visits(request: HttpRequest, task_id: int, filters: Query[ListParams]) -> Any:
    task = get_object_for(user=request.user, model=Task, pk=task_id)
    return paginate_rows(
        selectors.visit_list(request.user, VISIT_COLUMNS, task=task), filters, visit_rows
    )


def _visit_detail(visit_id: int) -> Visit:
    return Visit.objects.select_related(
        "member__person", "household__building", "organization"
    ).get(pk=visit_id)


class MovedOut(Schema):
    id: int
    visited_at: datetime
    moved_household: str = Field(description=gettext_lazy("走访当时的住户名称"))
    building_id: int
    building: str
    organization_id: int
    member: MemberRef
    household_update: str
    household_update_note: str

    @staticmethod
    def resolve_building(obj: Visit) -> str:
        return obj.building.name


class MovedParams(ListParams):
    state: str = Field("pending", description=gettext_lazy("pending 待处理（默认）、done 已处理"))


@router.get(
    "/visits/moved-households",
    response=errors_response({200: page_of(MovedOut)}),
    summary=gettext_lazy("待社区更新住户信息的走访"),
)
def moved_households(request: HttpRequest, params: Query[MovedParams]) -> Any:
    """Visits that found their household moved; for the staff who keep the households (403
    for others). Closed with ``POST /visits/{visit_id}/household-updated``."""
    require_can(request.user, Action.CHANGE, Household)
    return paginate(selectors.moved_household_visits(request.user, state=params.state), params)


@router.get(
    "/visits/{visit_id}",
    response=errors_response({200: VisitDetailOut}),
    summary=gettext_lazy("走访详情"),
)
def visit_detail(request: HttpRequest, visit_id: int) -> Any:
    get_object_for(user=request.user, model=Visit, pk=visit_id)
    return _visit_detail(visit_id)


@router.post(
    "/visits",
    response=errors_response({200: VisitDetailOut, 201: VisitDetailOut}),
    summary=gettext_lazy("登记走访"),
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
    field_member(request.user)  # 403 for an account that is no party member, first
    household = None
    building = visible_one(Building, payload.building, user=request.user, field="building")
    visited_at = payload.visited_at or timezone.now()
    moved = ""
    if payload.household is not None:
        try:
            household = services.household_for_visit(user=request.user, pk=payload.household)
        except Http404:
            # Moved (or removed) since the phone kept the form: kept where it was, flagged.
            was = services.household_as_it_was(
                user=request.user, pk=payload.household, at=visited_at
            )
            if was is None:
                raise ValidationError(
                    {
                        "household": _("所选住户（编号%(id)s）不存在或不在您的管辖范围内。")
                        % {"id": payload.household}
                    }
                ) from None
            building, moved = was
    task = visible_one(Task, payload.task, user=request.user, field="task")
    key = request.headers.get("Idempotency-Key", "") or payload.client_key
    visit, created = services.visit_create(
        actor=request.user,
        household=household,
        building=building,
        task=task,
        visited_at=visited_at,
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
        moved_household=moved,
    )
    detail = _visit_detail(visit.pk)
    detail.notices = visit.notices
    return Status(201 if created else 200, detail)


def _visit_for(request: HttpRequest, visit_id: int) -> Visit:
    get_object_for(user=request.user, model=Visit, pk=visit_id)
    return _visit_detail(visit_id)


add_step_endpoints(
    router,
    model=Visit,
    param="visit_id",
    fetch=_visit_for,
    response=VisitDetailOut,
    result=lambda request, visit: _visit_detail(visit.pk),
    paths={"close_household_update": "/visits/{visit_id}/household-updated"},
)


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
    org: DbInt | None = Field(None, description=gettext_lazy("组织编号（默认本人角色所在组织）"))
    zone: DbInt | None = Field(None, description=gettext_lazy("责任区编号"))
    days: DbInt = Field(30, ge=1, le=3660, description=gettext_lazy("统计最近多少天"))


@router.get(
    "/coverage", response=errors_response({200: CoverageOut}), summary=gettext_lazy("走访覆盖率")
)
def coverage(request: HttpRequest, params: Query[CoverageParams]) -> Any:
    org, zone = selectors.coverage_target(request.user, params.org, params.zone)
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
    org: DbInt | None = None
    zone: DbInt | None = None
    days: DbInt = Field(90, ge=1, le=3660, description=gettext_lazy("多少天内无人走访"))


@router.get(
    "/coverage/not-visited",
    response=errors_response({200: NotVisitedPage}),
    summary=gettext_lazy("久未走访的住户"),
)
def not_visited(request: HttpRequest, params: Query[NotVisitedParams]) -> Any:
    org, zone = selectors.coverage_target(request.user, params.org, params.zone)
    return paginate(selectors.not_visited(org=org, zone=zone, days=params.days), params)


# --- paired safety checks reported upward (安全结对检查) -----------------------------------------


class PairedParams(Schema):
    org: DbInt | None = Field(
        None, description=gettext_lazy("组织编号（默认本人角色所在组织），如机关工委")
    )
    start: date | None = Field(None, description=gettext_lazy("开始日期（默认本月1日）"))
    end: date | None = Field(None, description=gettext_lazy("结束日期，含当天（默认今天）"))


class PairedRowOut(Schema):
    pairing_id: int
    kind: str
    kind_label: str
    ours: OrgRef = Field(description=gettext_lazy("本方组织（所读组织或其下级）"))
    partner: OrgRef = Field(description=gettext_lazy("结对的社区等组织"))
    visits: int = Field(description=gettext_lazy("走访次数"))
    households_visited: int = Field(description=gettext_lazy("走访到的户数"))
    households: int = Field(description=gettext_lazy("结对组织的住户总数"))
    members: int = Field(description=gettext_lazy("参与的党员人数"))
    hazards: int = Field(description=gettext_lazy("发现安全隐患的次数"))
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


@router.get(
    "/paired-checks",
    response=errors_response({200: PairedOut}),
    summary=gettext_lazy("结对检查汇总（按结对组织和期间）"),
)
def paired_checks(request: HttpRequest, params: Query[PairedParams]) -> Any:
    org, start, end, low, high = selectors.paired_target(
        request.user, params.org, params.start, params.end
    )
    rows = selectors.paired_checks(user=request.user, org=org, start=low, end=high)
    return {"organization": org, "start": start, "end": end, "count": len(rows), "results": rows}


class PairedVisitParams(ListParams, PairedParams):
    partner: DbInt | None = Field(None, description=gettext_lazy("只看在这个结对组织的走访"))


@router.get(
    "/paired-checks/visits",
    response=errors_response({200: VisitPage}),
    summary=gettext_lazy("结对检查的走访记录"),
)
def paired_check_visits(request: HttpRequest, params: Query[PairedVisitParams]) -> Any:
    org, _start, _end, low, high = selectors.paired_target(
        request.user, params.org, params.start, params.end
    )
    qs = selectors.paired_visits(
        user=request.user, org=org, start=low, end=high, partner=params.partner
    )
    return paginate(qs, params)
