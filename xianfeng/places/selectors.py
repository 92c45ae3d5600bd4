"""Reads of grids, buildings, households, residents and responsibility zones: the one place
their lists are filtered.

Each list's page, API endpoint and export (buildings, households) call these functions (see
``xianfeng/core/selectors.py``). A building code typed in part finds the building everywhere
(``icontains``; the page used to want the whole code, the API any part of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from xianfeng.core.choices import Action
from xianfeng.core.selectors import ListFilters
from xianfeng.orgs.selectors import in_subtree_of
from xianfeng.people.models import Resident
from xianfeng.places.choices import BuildingKind, CareTagCode, SafetyColour, ZoneKind
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone

if TYPE_CHECKING:
    from xianfeng.core.models import User


# --- grids -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridFilters(ListFilters):
    q: str = ""  # name contains, or code contains (any case)
    community: int | None = None
    no_boundary: bool = False  # grids nobody has drawn yet


def grid_list(*, user: User, filters: GridFilters) -> QuerySet[Grid]:
    """Grids in the user's scope by code, with community and branch."""
    qs = Grid.objects.restrict(user, Action.VIEW).select_related("community", "branch")
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(code__icontains=filters.q))
    if filters.community is not None:
        qs = qs.filter(community_id=filters.community)
    if filters.no_boundary:
        qs = qs.filter(boundary__isnull=True)
    return qs.order_by("code")


# --- buildings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingFilters(ListFilters):
    q: str = ""  # name or address contains, or code contains (any case)
    kind: str = field(default="", metadata={"choices": BuildingKind.values})
    safety_colour: str = field(default="", metadata={"choices": SafetyColour.values})
    grid: int | None = None


def building_list(*, user: User, filters: BuildingFilters) -> QuerySet[Building]:
    """Buildings in the user's scope by code, with their grid."""
    qs = Building.objects.restrict(user, Action.VIEW).select_related("grid")
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q) | Q(code__icontains=q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.safety_colour:
        qs = qs.filter(safety_colour=filters.safety_colour)
    if filters.grid is not None:
        qs = qs.filter(grid_id=filters.grid)
    return qs.order_by("code")


# --- households and residents ----------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFilters(ListFilters):
    building: int | None = None
    grid: int | None = None
    is_rental: bool | None = None
    care_tag: str = field(default="", metadata={"choices": CareTagCode.values})


def household_list(*, user: User, filters: HouseholdFilters) -> QuerySet[Household]:
    """Households in the user's scope with their building, in the order of the unique index
    (building, unit, room), so that a page of a million households is read from the index."""
    qs = Household.objects.restrict(user, Action.VIEW).select_related("building")
    if filters.building is not None:
        qs = qs.filter(building_id=filters.building)
    if filters.grid is not None:
        qs = qs.filter(building__grid_id=filters.grid)
    if filters.is_rental is not None:
        qs = qs.filter(is_rental=filters.is_rental)
    if filters.care_tag:
        # A household carries a tag once, so this join adds no duplicate rows.
        qs = qs.filter(care_tags__code=filters.care_tag)
    return qs.order_by("building_id", "sort_key", "id")  # 2单元 before 10单元, 201 before 1001


def resident_list(*, user: User, household: Household | None = None) -> QuerySet[Resident]:
    """Residents the user sees with their person, in the order they were registered: of one
    household (its page), or of any (the API prefetches them for the households it shows)."""
    qs = Resident.objects.restrict(user, Action.VIEW).select_related("person").order_by("id")
    return qs if household is None else qs.filter(household=household)


# --- responsibility zones --------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneFilters(ListFilters):
    kind: str = field(default="", metadata={"choices": ZoneKind.values})
    organization: int | None = None  # the organization and its whole subtree
    q: str = ""  # name contains


def zone_list(*, user: User, filters: ZoneFilters) -> QuerySet[ResponsibilityZone]:
    """Responsibility zones in the user's scope, by organization in tree order, then name."""
    qs = ResponsibilityZone.objects.restrict(user, Action.VIEW).select_related("organization")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.organization is not None:
        qs = qs.filter(in_subtree_of(user, filters.organization, "organization__"))
    if filters.q:
        qs = qs.filter(name__contains=filters.q)
    return qs.order_by("organization__path", "name_sort", "id")  # 2号 before 10号


# --- the household picker ----------------------------------------------------------------------

PICKER_ROWS = 30


def household_choices(
    *, user: User, q: str = "", under: int | None = None, checked: list[int] | None = None
) -> dict[str, Any]:
    """The household picker's rows (search as you type): the ones already ticked first, then
    those found by building name, address, code or room, under one organization, in natural
    order; at most ``PICKER_ROWS`` found, and how many more a longer search would narrow."""
    base = Household.objects.restrict(user, Action.VIEW).select_related("building")
    if under is not None:
        base = base.filter(in_subtree_of(user, under, "organization__"))
    ticked = list(base.filter(pk__in=checked or []).order_by("building__code", "sort_key"))
    qs = base.exclude(pk__in=[h.pk for h in ticked])
    if q:
        qs = qs.filter(
            Q(building__name__contains=q)
            | Q(building__address__contains=q)
            | Q(building__code__icontains=q)
            | Q(room__startswith=q)
        )
    rows = list(qs.order_by("building__code", "sort_key", "id")[: PICKER_ROWS + 1])
    more = qs.count() - PICKER_ROWS if len(rows) > PICKER_ROWS else 0
    return {"ticked": ticked, "found": rows[:PICKER_ROWS], "more": more, "q": q}


# --- the map ---------------------------------------------------------------------------------


def map_communities(*, user: User) -> list[tuple[int, str]]:
    """The communities whose grids the user sees, for the map's picker: (id, name)."""
    rows = (
        Grid.objects.restrict(user, Action.VIEW)
        .values_list("community_id", "community__short_name", "community__name")
        .distinct()
        .order_by("community_id")
    )
    return [(pk, short or name) for pk, short, name in rows]


def map_data(*, user: User, community: int, limit: int) -> dict[str, Any]:
    """One community on the map as a GeoJSON FeatureCollection: its grids (with a drawn
    boundary) and buildings (with coordinates) in the user's scope, each building with its
    safety colour. At most ``limit`` buildings; ``truncated`` says when there were more.
    Three queries, nothing per row."""
    # Labels translated once, not once per building.
    colours = {value: str(label) for value, label in SafetyColour.choices}
    features: list[dict[str, Any]] = []
    grids = (
        Grid.objects.restrict(user, Action.VIEW)
        .filter(community_id=community, boundary__isnull=False)
        .order_by("code")
        .values_list("id", "code", "name", "boundary")
    )
    for pk, code, name, boundary in grids:
        features.append(
            {
                "type": "Feature",
                "geometry": boundary,
                "properties": {"kind": "grid", "id": pk, "code": code, "name": name},
            }
        )
    # The community's grids as literal ids, not a join: with a join PostgreSQL misjudged the
    # rows and read every building of the district, sorting 40,000 to keep 5,000 (200 ms);
    # with the ids it walks the primary key in order and stops at the limit (16 ms,
    # bench/safety.py). The scope is still ``restrict``'s.
    grid_ids = list(Grid.objects.filter(community_id=community).values_list("pk", flat=True))
    rows = list(
        Building.objects.restrict(user, Action.VIEW)
        .filter(grid_id__in=grid_ids, latitude__isnull=False, longitude__isnull=False)
        .order_by("id")
        .values_list("id", "name", "safety_colour", "latitude", "longitude", "grid_id")[: limit + 1]
    )
    truncated = len(rows) > limit
    for pk, name, colour, lat, lon, grid_id in rows[:limit]:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "kind": "building",
                    "id": pk,
                    "name": name,
                    "colour": colour,
                    "colour_label": colours[colour],
                    "grid": grid_id,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "truncated": truncated,
        "limit": limit,
    }
