"""The plan of the demo district: which organizations, grids and buildings, from the scale
and the seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from faker import Faker

from xianfeng.demo.base import (
    AGENCIES,
    DISTRICT_CODE,
    DISTRICT_NAME,
    RESIDENT_UNITS,
    ROADS,
    STREETS,
    Scale,
    _picks,
    _spread,
    chinese_number,
)
from xianfeng.orgs.choices import OrgCategory, OrgKind, UnitSituation
from xianfeng.places.choices import BuildingKind


@dataclass
class OrgPlan:
    code: str
    parent: str | None
    kind: str
    name: str
    short_name: str
    category: str
    unit_situation: str
    unit_name: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    established_on: date | None = None
    sort_order: int = 0
    members: int = 0  # members to generate directly in this organization


#: The grid of the lattice whose boundary is a MultiPolygon (issue 12: the map and the boundary
#: editor take every part and ring): its box with a hole (a park that is no one's grid) and a
#: second, detached part south of the lattice's first row, where no other grid lies.
SHAPED_GRID = 1
# As fractions of the grid's box (u west→east, v south→north): u0, v0, u1, v1.
HOLE = (0.55, 0.55, 0.8, 0.8)  # the north-east, clear of the box's centre (the branch's point)
SECOND_PART = (0.2, -0.5, 0.6, -0.1)  # below the box
HOLE_MARGIN = 0.05  # no building within this of the hole's edge
IN_SECOND_PART = 5  # every fifth building of the grid lies in the second part


@dataclass
class GridPlan:
    index: int
    code: str
    name: str
    suffix: str  # "S01-C01-G01"
    community: str
    branch: str
    groups: list[str]
    members: int
    building_kinds: list[str]
    boundary: dict[str, Any]
    centre: tuple[float, float]
    box: tuple[float, float, float]  # lon, lat, size
    shaped: bool = False  # the boundary of two parts, one with a hole (SHAPED_GRID)

    def place(self, u: float, v: float, seq: int) -> tuple[float, float]:
        """A building's (lon, lat) from two uniform draws, inside the grid's boundary: anywhere
        in its box; in the shaped grid, every ``IN_SECOND_PART``-th building in the second part
        and none in the hole (the same draws, moved, so every other grid is built as before)."""
        lon, lat, size = self.box
        if self.shaped:
            if seq % IN_SECOND_PART == 0:
                u0, v0, u1, v1 = SECOND_PART
                u, v = u0 + (u1 - u0) * (0.1 + 0.8 * u), v0 + (v1 - v0) * (0.1 + 0.8 * v)
            else:
                u0, v0, u1, v1 = HOLE
                west, east = u0 - HOLE_MARGIN, u1 + HOLE_MARGIN
                if west < u < east and v0 - HOLE_MARGIN < v < v1 + HOLE_MARGIN:
                    u = 0.1 + 0.3 * (u - west) / (east - west)  # west of the hole
        return lon + u * size, lat + v * size


@dataclass
class Plan:
    orgs: list[OrgPlan]
    grids: list[GridPlan]
    community_codes: list[str]


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def make_plan(scale: Scale, faker: Faker) -> Plan:
    """The organization tree and grids, with how many members and buildings go where."""
    orgs: list[OrgPlan] = []
    grids: list[GridPlan] = []
    communities: list[str] = []
    district = f"中共{DISTRICT_NAME}委员会"
    orgs.append(
        OrgPlan(
            DISTRICT_CODE,
            None,
            OrgKind.DISTRICT,
            district,
            f"{DISTRICT_NAME}委",
            OrgCategory.COMMITTEE,
            UnitSituation.PARTY_ORGAN,
            unit_name=f"中共{DISTRICT_NAME}委员会",
            address="云南省昆明市盘龙区北京路1号",
        )
    )
    for i in range(scale.agencies):
        unit = AGENCIES[i % len(AGENCIES)]
        orgs.append(
            OrgPlan(
                f"XF-A{i + 1:02d}",
                DISTRICT_CODE,
                OrgKind.AGENCY,
                f"{unit}机关党支部",
                f"{unit.removeprefix(DISTRICT_NAME)}机关党支部",
                OrgCategory.BRANCH,
                UnitSituation.PARTY_ORGAN,
                unit_name=unit,
                sort_order=100 + i,
                members=scale.agency_members,
            )
        )
    orgs.append(
        OrgPlan(
            "XF-M01",
            DISTRICT_CODE,
            OrgKind.MOBILE,
            f"中共{DISTRICT_NAME}流动党员委员会",
            "流动党员党委",
            OrgCategory.COMMITTEE,
            UnitSituation.OTHER,
            sort_order=200,
            members=scale.mobile_members,
        )
    )

    n_communities = sum(scale.communities_per_street)
    grids_per_community = _spread(scale.grid_branches, n_communities)
    groups_per_grid = _spread(scale.building_groups, scale.grid_branches)
    members_in_orgs = (
        scale.agencies * scale.agency_members
        + scale.mobile_members
        + len(scale.communities_per_street)
        * (
            scale.resident_units_per_street * scale.unit_members
            + scale.non_public_per_street * scale.non_public_members
            + scale.social_per_street * scale.social_members
            + scale.mobile_home_members
        )
    )
    members_per_grid = _spread(scale.members - members_in_orgs, scale.grid_branches)
    rentals_per_grid = _spread(scale.rentals, scale.grid_branches)
    specials = [
        (BuildingKind.SCHOOL, _picks(scale.schools, scale.grid_branches)),
        (BuildingKind.HOSPITAL, _picks(scale.hospitals, scale.grid_branches, 2)),
        (BuildingKind.INDUSTRIAL_PARK, _picks(scale.industrial_parks, scale.grid_branches, 5)),
        (BuildingKind.CROWDED, _picks(scale.crowded, scale.grid_branches, 1)),
    ]
    unit_index = 0
    community_index = 0
    grid_index = 0
    for s, n_comm in enumerate(scale.communities_per_street, start=1):
        street_short, community_names = STREETS[s - 1]
        street = f"S{s:02d}"
        street_code = f"XF-{street}"
        orgs.append(
            OrgPlan(
                street_code,
                DISTRICT_CODE,
                OrgKind.STREET,
                f"中共{DISTRICT_NAME}{street_short}街道工作委员会",
                f"{street_short}街道党工委",
                OrgCategory.WORKING_COMMITTEE,
                UnitSituation.STREET,
                unit_name=f"{DISTRICT_NAME}{street_short}街道办事处",
                address=f"云南省昆明市盘龙区{ROADS[s * 3 % len(ROADS)]}{s * 11}号",
                sort_order=s,
            )
        )
        for u in range(1, scale.resident_units_per_street + 1):
            unit, situation = RESIDENT_UNITS[unit_index % len(RESIDENT_UNITS)]
            unit_index += 1
            committee = u % 3 == 1
            orgs.append(
                OrgPlan(
                    f"{street_code}-U{u:02d}",
                    street_code,
                    OrgKind.RESIDENT_UNIT,
                    f"{unit}{'党委' if committee else '党支部'}",
                    unit,
                    OrgCategory.COMMITTEE if committee else OrgCategory.BRANCH,
                    situation,
                    unit_name=unit,
                    sort_order=300 + u,
                    members=scale.unit_members,
                )
            )
        for n in range(1, scale.non_public_per_street + 1):
            company = faker.company()
            orgs.append(
                OrgPlan(
                    f"{street_code}-N{n:02d}",
                    street_code,
                    OrgKind.NON_PUBLIC,
                    f"{company}党支部",
                    f"{company}党支部",
                    OrgCategory.BRANCH,
                    UnitSituation.NON_PUBLIC_ENTERPRISE,
                    unit_name=company,
                    sort_order=400 + n,
                    members=scale.non_public_members,
                )
            )
        for n in range(1, scale.social_per_street + 1):
            orgs.append(
                OrgPlan(
                    f"{street_code}-O{n:02d}",
                    street_code,
                    OrgKind.SOCIAL,
                    f"{street_short}街道社会组织联合党支部{'' if n == 1 else n}",
                    f"{street_short}社会组织联合党支部",
                    OrgCategory.JOINT_BRANCH,
                    UnitSituation.SOCIAL_ORGANIZATION,
                    sort_order=500 + n,
                    members=scale.social_members,
                )
            )
        orgs.append(
            OrgPlan(
                f"{street_code}-H01",
                street_code,
                OrgKind.MOBILE_HOME,
                f"{street_short}街道流动党员之家",
                f"{street_short}流动党员之家",
                OrgCategory.BRANCH,
                UnitSituation.STREET,
                sort_order=600,
                members=scale.mobile_home_members,
            )
        )
        for c in range(1, n_comm + 1):
            comm_short = f"{community_names[c - 1]}社区"
            comm = f"{street}-C{c:02d}"
            comm_code = f"XF-{comm}"
            communities.append(comm_code)
            general = community_index % 3 == 2
            first_grid_box = _grid_box(grid_index)
            orgs.append(
                OrgPlan(
                    comm_code,
                    street_code,
                    OrgKind.COMMUNITY,
                    f"中共{DISTRICT_NAME}{street_short}街道{comm_short}"
                    f"{'总支部委员会' if general else '委员会'}",
                    f"{comm_short}{'党总支' if general else '党委'}",
                    OrgCategory.GENERAL_BRANCH if general else OrgCategory.COMMITTEE,
                    UnitSituation.URBAN_COMMUNITY,
                    unit_name=f"{comm_short}居民委员会",
                    address=f"云南省昆明市盘龙区{ROADS[community_index % len(ROADS)]}"
                    f"{community_index * 7 + 3}号",
                    latitude=_dec(first_grid_box[1] + first_grid_box[2] / 2),
                    longitude=_dec(first_grid_box[0] + first_grid_box[2] / 2),
                    established_on=date(2000 + community_index % 15, 7, 1),
                    sort_order=c,
                )
            )
            for g in range(1, grids_per_community[community_index] + 1):
                suffix = f"{comm}-G{g:02d}"
                branch_code = f"XF-{suffix}"
                grid_name = f"{comm_short}第{chinese_number(g)}网格"
                lon, lat, size = _grid_box(grid_index)
                centre = (lon + size / 2, lat + size / 2)
                n_groups = groups_per_grid[grid_index]
                group_codes = [f"{branch_code}-B{b:02d}" for b in range(1, n_groups + 1)]
                members = members_per_grid[grid_index]
                branch_members = members if not n_groups else round(members * 0.4)
                orgs.append(
                    OrgPlan(
                        branch_code,
                        comm_code,
                        OrgKind.GRID_BRANCH,
                        f"{grid_name}党支部",
                        f"{grid_name}党支部",
                        OrgCategory.BRANCH,
                        UnitSituation.URBAN_COMMUNITY,
                        latitude=_dec(centre[1]),
                        longitude=_dec(centre[0]),
                        sort_order=g,
                        members=branch_members,
                    )
                )
                for b, (group_code, group_members) in enumerate(
                    zip(group_codes, _spread(members - branch_members, n_groups), strict=True),
                    start=1,
                ):
                    orgs.append(
                        OrgPlan(
                            group_code,
                            branch_code,
                            OrgKind.BUILDING_GROUP,
                            f"{grid_name}第{chinese_number(b)}楼栋党小组",
                            f"{grid_name}第{chinese_number(b)}楼栋党小组",
                            OrgCategory.GROUP,
                            UnitSituation.URBAN_COMMUNITY,
                            sort_order=b,
                            members=group_members,
                        )
                    )
                kinds = [BuildingKind.RENTAL] * rentals_per_grid[grid_index]
                kinds += [BuildingKind.RESIDENTIAL] * scale.residential_per_grid
                kinds += [BuildingKind.SMALL_VENUE] * scale.small_venues_per_grid
                kinds += [kind for kind, where in specials if grid_index in where]
                shaped = grid_index == SHAPED_GRID
                grids.append(
                    GridPlan(
                        index=grid_index,
                        code=f"G-{suffix}",
                        name=grid_name,
                        suffix=suffix,
                        community=comm_code,
                        branch=branch_code,
                        groups=group_codes,
                        members=members,
                        building_kinds=kinds,
                        boundary=_boundary(lon, lat, size, shaped=shaped),
                        centre=centre,
                        box=(lon, lat, size),
                        shaped=shaped,
                    )
                )
                grid_index += 1
            community_index += 1
    return Plan(orgs=orgs, grids=grids, community_codes=communities)


def _boundary(lon: float, lat: float, size: float, *, shaped: bool) -> dict[str, Any]:
    """The grid's box as a GeoJSON Polygon; the shaped grid's as a MultiPolygon: the box with
    ``HOLE`` cut out, and ``SECOND_PART`` (outer rings anticlockwise, the hole clockwise, as
    RFC 7946 asks)."""

    def ring(u0: float, v0: float, u1: float, v1: float) -> list[list[float]]:
        corners = [(u0, v0), (u1, v0), (u1, v1), (u0, v1), (u0, v0)]
        return [[round(lon + u * size, 6), round(lat + v * size, 6)] for u, v in corners]

    box = ring(0, 0, 1, 1)
    if not shaped:
        return {"type": "Polygon", "coordinates": [box]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[box, ring(*HOLE)[::-1]], [ring(*SECOND_PART)]],
    }


def _grid_box(index: int) -> tuple[float, float, float]:
    """Grids lie on a 9-wide lattice of ~500 m squares north of Kunming's centre."""
    col, row = index % 9, index // 9
    return 102.68 + col * 0.006, 25.03 + row * 0.006, 0.005


# --- the build ---------------------------------------------------------------------------
