"""API for grids, buildings, households and responsibility zones (党员责任区). Reads through
``restrict``; writes through ``xianfeng.places.services``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from xianfeng.core.api import (
    ListParams,
    OrgRef,
    PersonRef,
    errors_response,
    label,
    page_of,
    paginate,
    require_can,
    visible_many,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places import services
from xianfeng.places.choices import BuildingKind, CareTagCode, SafetyColour, ZoneKind
from xianfeng.places.models import Building, CareTag, Grid, Household, ResponsibilityZone

router = Router(tags=[gettext_lazy("网格与楼栋")])
ZONE_TAGS = [gettext_lazy("党员责任区")]


class OrgBrief(Schema):
    id: int
    name: str


class NamedRef(Schema):
    id: int
    name: str


class GridRef(Schema):
    id: int
    code: str
    name: str


class BuildingRef(Schema):
    id: int
    code: str
    name: str
    address: str


# --- grids -----------------------------------------------------------------------------------


class GridOut(Schema):
    id: int
    code: str
    name: str
    community: OrgRef
    branch: OrgRef | None
    organization_id: int
    note: str
    updated_at: datetime


class GridDetailOut(GridOut):
    boundary: dict[str, Any] | None
    workers: list[NamedRef]


GridPage = page_of(GridOut)


class GridFilters(ListParams):
    community: int | None = Field(None, description="所属社区编号")
    q: str | None = Field(None, description="网格名称或编码包含")


class GridFields(Schema):
    name: str = Field(max_length=80)
    branch: int | None = Field(None, description="网格党支部编号")
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon")
    note: str = ""
    workers: list[int] | None = Field(None, description="网格员（人员编号）")


class GridIn(GridFields):
    community: int = Field(description="所属社区编号")
    code: str = Field(max_length=40)


class GridPatch(GridFields):
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=80)


def _grid_queryset():
    return Grid.objects.select_related("community", "branch")


def _grid_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "branch" in data:
        data["branch"] = visible_one(
            Organization, data["branch"], user=request.user, field="branch"
        )
    if "workers" in data:
        data["workers"] = visible_many(Person, data["workers"], user=request.user, field="workers")
    return data


@router.get("/grids", response=errors_response({200: GridPage}), summary="网格列表")
def grid_list(request: HttpRequest, filters: Query[GridFilters]) -> Any:
    qs = _grid_queryset().restrict(request.user, Action.VIEW)
    if filters.community is not None:
        qs = qs.filter(community_id=filters.community)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return paginate(qs, filters)


@router.get("/grids/{grid_id}", response=errors_response({200: GridDetailOut}), summary="网格详情")
def grid_detail(request: HttpRequest, grid_id: int) -> Any:
    return get_object_for(
        user=request.user,
        model=Grid,
        pk=grid_id,
        queryset=_grid_queryset().prefetch_related("workers"),
    )


@router.post("/grids", response=errors_response({201: GridDetailOut}), summary="网格新建")
def grid_create(request: HttpRequest, payload: GridIn) -> Any:
    """Draw a grid in a community of the user's scope; ``boundary`` is a GeoJSON Polygon or
    MultiPolygon (a Feature wrapping one is accepted)."""
    require_can(request.user, Action.ADD, Grid)
    data = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        community = visible_one(
            Organization, data.pop("community"), user=request.user, field="community"
        )
        grid = services.grid_create(
            actor=request.user, community=community, **_grid_fields(request, data)
        )
    return Status(201, _grid_queryset().prefetch_related("workers").get(pk=grid.pk))


@router.patch(
    "/grids/{grid_id}", response=errors_response({200: GridDetailOut}), summary="网格修改"
)
def grid_update(request: HttpRequest, grid_id: int, payload: GridPatch) -> Any:
    grid = get_object_for(user=request.user, model=Grid, pk=grid_id, action=Action.CHANGE)
    with transaction.atomic():
        data = _grid_fields(request, payload.model_dump(exclude_unset=True))
        services.grid_update(actor=request.user, grid=grid, **data)
    return _grid_queryset().prefetch_related("workers").get(pk=grid.pk)


# --- buildings -------------------------------------------------------------------------------


class LandlordRef(Schema):
    id: int
    name: str
    mobile_masked: str


class BuildingOut(Schema):
    id: int
    code: str
    name: str
    address: str
    grid: GridRef
    building_group: OrgBrief | None
    organization_id: int
    kind: str
    kind_label: str
    floors: int | None
    landlord: LandlordRef | None
    owner_name: str
    latitude: Decimal | None
    longitude: Decimal | None
    safety_colour: str
    safety_colour_label: str
    note: str
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj: Building) -> str:
        return label(obj.get_kind_display())

    @staticmethod
    def resolve_safety_colour_label(obj: Building) -> str:
        return label(obj.get_safety_colour_display())


BuildingPage = page_of(BuildingOut)


class BuildingFilters(ListParams):
    grid: int | None = Field(None, description="所属网格编号")
    kind: BuildingKind | None = None
    safety_colour: SafetyColour | None = None
    q: str | None = Field(None, description="名称、地址或编码包含")


class BuildingFields(Schema):
    name: str = Field(max_length=100)
    address: str = Field(max_length=200)
    building_group: int | None = Field(None, description="楼栋党小组编号")
    kind: BuildingKind = BuildingKind.RESIDENTIAL
    floors: int | None = Field(None, ge=0, le=300)
    landlord: int | None = Field(None, description="业主/房东（人员编号）")
    owner_name: str = Field("", max_length=120)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    note: str = ""


class BuildingIn(BuildingFields):
    grid: int = Field(description="所属网格编号")
    code: str = Field(max_length=40)


class BuildingPatch(BuildingFields):
    grid: int | None = None
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    kind: BuildingKind | None = None


def _building_queryset():
    return Building.objects.select_related("grid", "building_group", "landlord")


def _building_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("grid") is not None:
        data["grid"] = visible_one(
            Grid,
            data["grid"],
            user=request.user,
            field="grid",
            queryset=Grid.objects.select_related("organization"),
        )
    if "building_group" in data:
        data["building_group"] = visible_one(
            Organization, data["building_group"], user=request.user, field="building_group"
        )
    if "landlord" in data:
        data["landlord"] = visible_one(
            Person, data["landlord"], user=request.user, field="landlord"
        )
    return data


@router.get("/buildings", response=errors_response({200: BuildingPage}), summary="楼栋列表")
def building_list(request: HttpRequest, filters: Query[BuildingFilters]) -> Any:
    qs = _building_queryset().restrict(request.user, Action.VIEW)
    if filters.grid is not None:
        qs = qs.filter(grid_id=filters.grid)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.safety_colour:
        qs = qs.filter(safety_colour=filters.safety_colour)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(code__icontains=q))
    return paginate(qs, filters)


@router.get(
    "/buildings/{building_id}", response=errors_response({200: BuildingOut}), summary="楼栋详情"
)
def building_detail(request: HttpRequest, building_id: int) -> Any:
    return get_object_for(
        user=request.user, model=Building, pk=building_id, queryset=_building_queryset()
    )


@router.post("/buildings", response=errors_response({201: BuildingOut}), summary="楼栋新建")
def building_create(request: HttpRequest, payload: BuildingIn) -> Any:
    """Register a building in a grid of the user's scope. The safety colour is set by
    inspections, not here."""
    require_can(request.user, Action.ADD, Building)
    data = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        data = _building_fields(request, data)
        building = services.building_create(actor=request.user, grid=data.pop("grid"), **data)
    return Status(201, _building_queryset().get(pk=building.pk))


@router.patch(
    "/buildings/{building_id}", response=errors_response({200: BuildingOut}), summary="楼栋修改"
)
def building_update(request: HttpRequest, building_id: int, payload: BuildingPatch) -> Any:
    building = get_object_for(
        user=request.user, model=Building, pk=building_id, action=Action.CHANGE
    )
    with transaction.atomic():
        data = _building_fields(request, payload.model_dump(exclude_unset=True))
        services.building_update(
            actor=request.user, building=building, grid=data.pop("grid", None), **data
        )
    return _building_queryset().get(pk=building.pk)


# --- households ------------------------------------------------------------------------------


class CareTagOut(Schema):
    code: str
    name: str


class ResidentOut(Schema):
    id: int
    person: PersonRef
    relation: str
    relation_label: str
    moved_in_on: date | None

    @staticmethod
    def resolve_relation_label(obj: Resident) -> str:
        return label(obj.get_relation_display())


class HouseholdOut(Schema):
    id: int
    building: BuildingRef
    organization_id: int
    unit: str
    room: str
    is_rental: bool
    care_tags: list[CareTagOut]
    note: str
    updated_at: datetime


class HouseholdDetailOut(HouseholdOut):
    residents: list[ResidentOut]


HouseholdPage = page_of(HouseholdOut)


class HouseholdFilters(ListParams):
    building: int | None = Field(None, description="所在楼栋编号")
    is_rental: bool | None = Field(None, description="是否出租户")
    care_tag: CareTagCode | None = Field(None, description="关爱标签代码")


class HouseholdFields(Schema):
    unit: str = Field("", max_length=20)
    is_rental: bool = False
    care_tags: list[CareTagCode] | None = Field(None, description="关爱标签代码")
    note: str = ""


class HouseholdIn(HouseholdFields):
    building: int = Field(description="所在楼栋编号")
    room: str = Field(max_length=20)


class HouseholdPatch(HouseholdFields):
    room: str | None = Field(None, max_length=20)
    is_rental: bool | None = None


def _household_queryset():
    return Household.objects.select_related("building").prefetch_related("care_tags")


def _household_detail_queryset():
    residents = Resident.objects.select_related("person").order_by("id")
    return _household_queryset().prefetch_related(Prefetch("residents", queryset=residents))


def _care_tags(data: dict[str, Any]) -> dict[str, Any]:
    codes = data.get("care_tags")
    if codes is not None:
        # Reference data, the same for everyone: no scope.
        tags = list(CareTag.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {t.code for t in tags})
        if missing:
            raise ValidationError(
                {"care_tags": _("未知的关爱标签：%(codes)s") % {"codes": "、".join(missing)}}
            )
        data["care_tags"] = tags
    return data


@router.get("/households", response=errors_response({200: HouseholdPage}), summary="住户列表")
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> Any:
    qs = _household_queryset().restrict(request.user, Action.VIEW)
    if filters.building is not None:
        qs = qs.filter(building_id=filters.building)
    if filters.is_rental is not None:
        qs = qs.filter(is_rental=filters.is_rental)
    if filters.care_tag:
        qs = qs.filter(care_tags__code=filters.care_tag)
    return paginate(qs, filters)


@router.get(
    "/households/{household_id}",
    response=errors_response({200: HouseholdDetailOut}),
    summary="住户详情",
)
def household_detail(request: HttpRequest, household_id: int) -> Any:
    """One household with its residents (ID numbers and phones masked)."""
    return get_object_for(
        user=request.user,
        model=Household,
        pk=household_id,
        queryset=_household_detail_queryset(),
    )


@router.post("/households", response=errors_response({201: HouseholdDetailOut}), summary="住户新建")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    """Register a household in a building of the user's scope; a room already registered in
    the same building and unit answers 409."""
    require_can(request.user, Action.ADD, Household)
    data = _care_tags(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        building = visible_one(
            Building,
            data.pop("building"),
            user=request.user,
            field="building",
            queryset=Building.objects.select_related("organization"),
        )
        household = services.household_create(actor=request.user, building=building, **data)
    return Status(201, _household_detail_queryset().get(pk=household.pk))


@router.patch(
    "/households/{household_id}",
    response=errors_response({200: HouseholdDetailOut}),
    summary="住户修改",
)
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Any:
    household = get_object_for(
        user=request.user, model=Household, pk=household_id, action=Action.CHANGE
    )
    data = _care_tags(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        services.household_update(actor=request.user, household=household, **data)
    return _household_detail_queryset().get(pk=household.pk)


# --- responsibility zones --------------------------------------------------------------------


class ZoneMemberRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: PartyMember) -> str:
        return obj.person.name


class ZoneHouseholdRef(Schema):
    id: int
    building_id: int
    unit: str
    room: str


class ZoneOut(Schema):
    id: int
    organization: OrgRef
    name: str
    kind: str
    kind_label: str
    unit_scope: str
    duties: list[Any]
    board_title: str
    board_contact_phone: str
    board_show_members: bool
    public_code: UUID
    members: list[ZoneMemberRef]
    buildings: list[BuildingRef]
    households: list[ZoneHouseholdRef]
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj: ResponsibilityZone) -> str:
        return label(obj.get_kind_display())

    @staticmethod
    def resolve_duties(obj: ResponsibilityZone) -> list[Any]:
        return [str(d) if not isinstance(d, dict | list) else d for d in obj.duties or []]


ZonePage = page_of(ZoneOut)


class ZoneFilters(ListParams):
    organization: int | None = Field(None, description="党组织编号（含其全部下级组织）")
    kind: ZoneKind | None = None


class ZoneFields(Schema):
    name: str = Field(max_length=100)
    kind: ZoneKind = ZoneKind.COMMUNITY
    members: list[int] = Field(description="责任党员（党员编号），至少一名")
    buildings: list[int] | None = Field(None, description="包含楼栋编号")
    households: list[int] | None = Field(None, description="包含住户编号")
    unit_scope: str = Field("", max_length=120)
    duties: list[str] | None = Field(None, description="职责任务；不填则按责任区类型套用模板")
    board_title: str = Field("", max_length=100)
    board_contact_phone: str = Field("", max_length=20)
    board_show_members: bool = True


class ZoneIn(ZoneFields):
    organization: int = Field(description="所属党组织编号")


class ZonePatch(ZoneFields):
    name: str | None = Field(None, max_length=100)
    kind: ZoneKind | None = None
    members: list[int] | None = Field(None, description="责任党员（党员编号）")
    board_show_members: bool | None = None


def _zone_queryset():
    return ResponsibilityZone.objects.select_related("organization").prefetch_related(
        Prefetch("members", queryset=PartyMember.objects.select_related("person").order_by("id")),
        Prefetch("buildings", queryset=Building.objects.order_by("code")),
        Prefetch("households", queryset=Household.objects.order_by("id")),
    )


def _zone_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    user = request.user
    if "members" in data:
        data["members"] = visible_many(
            PartyMember,
            data["members"],
            user=user,
            field="members",
            queryset=PartyMember.objects.select_related("branch", "person"),
        )
    if "buildings" in data:
        data["buildings"] = visible_many(
            Building,
            data["buildings"],
            user=user,
            field="buildings",
            queryset=Building.objects.select_related("organization"),
        )
    if "households" in data:
        data["households"] = visible_many(
            Household,
            data["households"],
            user=user,
            field="households",
            queryset=Household.objects.select_related("organization", "building"),
        )
    if data.get("duties") is None:
        data.pop("duties", None)
    return data


@router.get(
    "/zones", response=errors_response({200: ZonePage}), tags=ZONE_TAGS, summary="党员责任区列表"
)
def zone_list(request: HttpRequest, filters: Query[ZoneFilters]) -> Any:
    qs = _zone_queryset().restrict(request.user, Action.VIEW)
    if filters.organization is not None:
        path = (
            Organization.objects.restrict(request.user, Action.VIEW)
            .filter(pk=filters.organization)
            .values_list("path", flat=True)
            .first()
        )
        qs = qs.filter(organization__path__startswith=path) if path else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs, filters)


@router.get(
    "/zones/{zone_id}",
    response=errors_response({200: ZoneOut}),
    tags=ZONE_TAGS,
    summary="党员责任区详情",
)
def zone_detail(request: HttpRequest, zone_id: int) -> Any:
    return get_object_for(
        user=request.user, model=ResponsibilityZone, pk=zone_id, queryset=_zone_queryset()
    )


@router.post(
    "/zones", response=errors_response({201: ZoneOut}), tags=ZONE_TAGS, summary="党员责任区新建"
)
def zone_create(request: HttpRequest, payload: ZoneIn) -> Any:
    """Draw a responsibility zone: members of the organization answer for buildings and
    households of its community, with duties (a template by kind when none are given)."""
    require_can(request.user, Action.ADD, ResponsibilityZone)
    data = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        organization = visible_one(
            Organization, data.pop("organization"), user=request.user, field="organization"
        )
        zone = services.zone_create(
            actor=request.user, organization=organization, **_zone_fields(request, data)
        )
    return Status(201, _zone_queryset().get(pk=zone.pk))


@router.patch(
    "/zones/{zone_id}",
    response=errors_response({200: ZoneOut}),
    tags=ZONE_TAGS,
    summary="党员责任区修改",
)
def zone_update(request: HttpRequest, zone_id: int, payload: ZonePatch) -> Any:
    zone = get_object_for(
        user=request.user, model=ResponsibilityZone, pk=zone_id, action=Action.CHANGE
    )
    with transaction.atomic():
        data = _zone_fields(request, payload.model_dump(exclude_unset=True))
        services.zone_update(actor=request.user, zone=zone, **data)
    return _zone_queryset().get(pk=zone.pk)
