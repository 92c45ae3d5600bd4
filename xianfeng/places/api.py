"""API for grids, buildings, households and responsibility zones (党员责任区). Lists read
through ``xianfeng.places.selectors`` (the same functions as the pages and exports), objects
through ``restrict``; writes go through ``xianfeng.places.services``; the shapes are in
``xianfeng.places.schemas``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from xianfeng.core.api import (
    errors_response,
    label,
    paginate,
    paginate_rows,
    require_can,
    visible_many,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.labels import field_labels
from xianfeng.core.services import NotFound, get_object_for
from xianfeng.core.validators import DbInt, mask_phone
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, Person
from xianfeng.places import selectors, services
from xianfeng.places.models import Building, CareTag, Grid, Household, ResponsibilityZone
from xianfeng.places.schemas import (
    BuildingFilters,
    BuildingIn,
    BuildingOut,
    BuildingPage,
    BuildingPatch,
    GridDetailOut,
    GridFilters,
    GridIn,
    GridPage,
    GridPatch,
    HouseholdDetailOut,
    HouseholdFilters,
    HouseholdIn,
    HouseholdPage,
    HouseholdPatch,
    MapOut,
    ZoneFilters,
    ZoneIn,
    ZoneOut,
    ZonePage,
    ZonePatch,
)

router = Router(tags=[gettext_lazy("网格与楼栋")])
ZONE_TAGS = [gettext_lazy("党员责任区")]


# --- grids -----------------------------------------------------------------------------------


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


@router.get("/grids", response=errors_response({200: GridPage}), summary=gettext_lazy("网格列表"))
def grid_list(request: HttpRequest, filters: Query[GridFilters]) -> Any:
    qs = selectors.grid_list(user=request.user, filters=selectors.GridFilters.from_schema(filters))
    return paginate(qs, filters)


@router.get(
    "/grids/{grid_id}",
    response=errors_response({200: GridDetailOut}),
    summary=gettext_lazy("网格详情"),
)
def grid_detail(request: HttpRequest, grid_id: int) -> Any:
    return get_object_for(
        user=request.user,
        model=Grid,
        pk=grid_id,
        queryset=_grid_queryset().prefetch_related("workers"),
    )


@router.post(
    "/grids", response=errors_response({201: GridDetailOut}), summary=gettext_lazy("网格新建")
)
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
    "/grids/{grid_id}",
    response=errors_response({200: GridDetailOut}),
    summary=gettext_lazy("网格修改"),
)
def grid_update(request: HttpRequest, grid_id: int, payload: GridPatch) -> Any:
    grid = get_object_for(user=request.user, model=Grid, pk=grid_id, action=Action.CHANGE)
    with transaction.atomic():
        data = _grid_fields(request, payload.model_dump(exclude_unset=True))
        services.grid_update(actor=request.user, grid=grid, **data)
    return _grid_queryset().prefetch_related("workers").get(pk=grid.pk)


# --- buildings -------------------------------------------------------------------------------


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


# The columns a ``BuildingOut`` shows: of the landlord only the mobile is decrypted (to be
# masked), not the ID number.
BUILDING_COLUMNS = (
    "id",
    "code",
    "name",
    "address",
    "grid_id",
    "grid__code",
    "grid__name",
    "building_group_id",
    "building_group__name",
    "organization_id",
    "kind",
    "floors",
    "landlord_id",
    "landlord__name",
    "landlord__mobile",
    "owner_name",
    "latitude",
    "longitude",
    "safety_colour",
    "note",
    "updated_at",
)


def building_rows(page: Any) -> list[dict[str, Any]]:
    """``BuildingOut`` of each building of a page of the selector's queryset, from plain rows."""
    kinds = field_labels(Building, "kind")
    colours = field_labels(Building, "safety_colour")
    rows = []
    for r in page.values(*BUILDING_COLUMNS):
        group, landlord = r["building_group_id"], r["landlord_id"]
        rows.append(
            {
                "id": r["id"],
                "code": r["code"],
                "name": r["name"],
                "address": r["address"],
                "grid": {"id": r["grid_id"], "code": r["grid__code"], "name": r["grid__name"]},
                "building_group": None
                if group is None
                else {"id": group, "name": r["building_group__name"]},
                "organization_id": r["organization_id"],
                "kind": r["kind"],
                "kind_label": label(kinds.get(r["kind"], r["kind"])),
                "floors": r["floors"],
                "landlord": None
                if landlord is None
                else {
                    "id": landlord,
                    "name": r["landlord__name"],
                    "mobile_masked": mask_phone(r["landlord__mobile"] or ""),
                },
                "owner_name": r["owner_name"],
                "latitude": r["latitude"],
                "longitude": r["longitude"],
                "safety_colour": r["safety_colour"],
                "safety_colour_label": label(colours.get(r["safety_colour"], r["safety_colour"])),
                "note": r["note"],
                "updated_at": r["updated_at"],
            }
        )
    return rows


@router.get(
    "/buildings", response=errors_response({200: BuildingPage}), summary=gettext_lazy("楼栋列表")
)
def building_list(request: HttpRequest, filters: Query[BuildingFilters]) -> Any:
    qs = selectors.building_list(
        user=request.user, filters=selectors.BuildingFilters.from_schema(filters)
    )
    return paginate_rows(qs, filters, building_rows)


@router.get(
    "/buildings/{building_id}",
    response=errors_response({200: BuildingOut}),
    summary=gettext_lazy("楼栋详情"),
)
def building_detail(request: HttpRequest, building_id: int) -> Any:
    return get_object_for(
        user=request.user, model=Building, pk=building_id, queryset=_building_queryset()
    )


@router.post(
    "/buildings", response=errors_response({201: BuildingOut}), summary=gettext_lazy("楼栋新建")
)
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
    "/buildings/{building_id}",
    response=errors_response({200: BuildingOut}),
    summary=gettext_lazy("楼栋修改"),
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


def _household_queryset():
    return Household.objects.select_related("building").prefetch_related("care_tags")


def _household_detail_queryset(user: Any):
    residents = selectors.resident_list(user=user)
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


HOUSEHOLD_COLUMNS = (
    "id",
    "building_id",
    "building__code",
    "building__name",
    "building__address",
    "organization_id",
    "unit",
    "room",
    "is_rental",
    "note",
    "updated_at",
)


def household_rows(page: Any) -> list[dict[str, Any]]:
    """``HouseholdOut`` of each household of a page of the selector's queryset, from plain rows;
    the care tags (reference data) by one more query, in their own order, as a prefetch reads
    them."""
    households = list(page.values(*HOUSEHOLD_COLUMNS))
    tags: dict[int, list[dict[str, str]]] = {r["id"]: [] for r in households}
    if tags:
        through = Household.care_tags.through.objects.filter(household_id__in=list(tags))
        for household, code, name in through.order_by("caretag_id", "id").values_list(
            "household_id", "caretag__code", "caretag__name"
        ):
            tags[household].append({"code": code, "name": name})
    return [
        {
            "id": r["id"],
            "building": {
                "id": r["building_id"],
                "code": r["building__code"],
                "name": r["building__name"],
                "address": r["building__address"],
            },
            "organization_id": r["organization_id"],
            "unit": r["unit"],
            "room": r["room"],
            "is_rental": r["is_rental"],
            "care_tags": tags[r["id"]],
            "note": r["note"],
            "updated_at": r["updated_at"],
        }
        for r in households
    ]


@router.get(
    "/households", response=errors_response({200: HouseholdPage}), summary=gettext_lazy("住户列表")
)
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> Any:
    qs = selectors.household_list(
        user=request.user, filters=selectors.HouseholdFilters.from_schema(filters)
    )
    return paginate_rows(qs, filters, household_rows)


@router.get(
    "/households/{household_id}",
    response=errors_response({200: HouseholdDetailOut}),
    summary=gettext_lazy("住户详情"),
)
def household_detail(request: HttpRequest, household_id: int) -> Any:
    """One household with its residents (ID numbers and phones masked)."""
    return get_object_for(
        user=request.user,
        model=Household,
        pk=household_id,
        queryset=_household_detail_queryset(request.user),
    )


@router.post(
    "/households",
    response=errors_response({201: HouseholdDetailOut}),
    summary=gettext_lazy("住户新建"),
)
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
    return Status(201, _household_detail_queryset(request.user).get(pk=household.pk))


@router.patch(
    "/households/{household_id}",
    response=errors_response({200: HouseholdDetailOut}),
    summary=gettext_lazy("住户修改"),
)
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Any:
    household = get_object_for(
        user=request.user, model=Household, pk=household_id, action=Action.CHANGE
    )
    data = _care_tags(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        services.household_update(actor=request.user, household=household, **data)
    return _household_detail_queryset(request.user).get(pk=household.pk)


# --- responsibility zones --------------------------------------------------------------------


def _zone_prefetches(qs: Any) -> Any:
    return qs.prefetch_related(
        Prefetch("members", queryset=PartyMember.objects.select_related("person").order_by("id")),
        Prefetch("buildings", queryset=Building.objects.order_by("code")),
        Prefetch("households", queryset=Household.objects.order_by("id")),
    )


def _zone_queryset():
    return _zone_prefetches(ResponsibilityZone.objects.select_related("organization"))


def _zone_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    user = request.user
    if "members" in data:
        data["members"] = visible_many(
            PartyMember,
            data["members"],
            user=user,
            field="members",
            queryset=PartyMember.objects.select_related("branch", "person"),
            scope={"serving": True},  # members in service (报到) in the community too
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
    "/zones",
    response=errors_response({200: ZonePage}),
    tags=ZONE_TAGS,
    summary=gettext_lazy("党员责任区列表"),
)
def zone_list(request: HttpRequest, filters: Query[ZoneFilters]) -> Any:
    qs = selectors.zone_list(user=request.user, filters=selectors.ZoneFilters.from_schema(filters))
    return paginate(_zone_prefetches(qs), filters)


@router.get(
    "/zones/{zone_id}",
    response=errors_response({200: ZoneOut}),
    tags=ZONE_TAGS,
    summary=gettext_lazy("党员责任区详情"),
)
def zone_detail(request: HttpRequest, zone_id: int) -> Any:
    return get_object_for(
        user=request.user, model=ResponsibilityZone, pk=zone_id, queryset=_zone_queryset()
    )


@router.post(
    "/zones",
    response=errors_response({201: ZoneOut}),
    tags=ZONE_TAGS,
    summary=gettext_lazy("党员责任区新建"),
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
    summary=gettext_lazy("党员责任区修改"),
)
def zone_update(request: HttpRequest, zone_id: int, payload: ZonePatch) -> Any:
    zone = get_object_for(
        user=request.user, model=ResponsibilityZone, pk=zone_id, action=Action.CHANGE
    )
    with transaction.atomic():
        data = _zone_fields(request, payload.model_dump(exclude_unset=True))
        services.zone_update(actor=request.user, zone=zone, **data)
    return _zone_queryset().get(pk=zone.pk)


# --- the map -----------------------------------------------------------------------------------


@router.get(
    "/map",
    response=errors_response({200: MapOut}),
    summary=gettext_lazy("安全地图数据（GeoJSON）"),
)
def map_data(request: HttpRequest, community: DbInt) -> Any:
    """A community's grid boundaries and buildings (coloured by safety class) in the user's
    scope, as GeoJSON; at most ``XIANFENG_MAP_MAX_BUILDINGS`` buildings. A community none of
    whose grids the user sees answers 404."""
    if not Grid.objects.restrict(request.user).filter(community_id=community).exists():
        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    data = selectors.map_data(
        user=request.user, community=community, limit=settings.XIANFENG_MAP_MAX_BUILDINGS
    )
    # Built by the selector in the shape of ``MapOut`` (the schema documents it): validating
    # thousands of features again through pydantic took longer than the query (bench/safety.py).
    return JsonResponse(data)
