"""Organizations and grids of the demo district."""

from __future__ import annotations

from collections import Counter

from xianfeng.demo.base import (
    BATCH_SIZE,
    CROWDED,
    DISTRICT_NAME,
    ESTATES,
    HISTORY_REASON,
    HOSPITALS,
    PARKS,
    VENUES,
    Scale,
)
from xianfeng.demo.context import Context, _bulk_create, _count, _mobile
from xianfeng.demo.plan import GridPlan, OrgPlan, Plan
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization, path_segment
from xianfeng.places.choices import BuildingKind
from xianfeng.places.models import (
    Grid,
)


def build_orgs(ctx: Context, plan: Plan) -> None:
    """Create the missing organizations level by level, each path = parent's path + own pk."""
    existing = {
        o.code: o for o in Organization.objects.filter(code__in=[p.code for p in plan.orgs])
    }
    ctx.orgs.update(existing)
    depth_of: dict[str, int] = {}
    levels: dict[int, list[OrgPlan]] = {}
    for p in plan.orgs:
        depth = 0 if p.parent is None else depth_of[p.parent] + 1
        depth_of[p.code] = depth
        levels.setdefault(depth, []).append(p)
    phones = {p.code: _mobile(ctx.rng) for p in plan.orgs}
    for depth in sorted(levels):
        new = [
            Organization(
                parent=ctx.orgs[p.parent] if p.parent else None,
                path="",
                depth=depth,
                kind=p.kind,
                name=p.name,
                short_name=p.short_name,
                code=p.code,
                category=p.category,
                unit_situation=p.unit_situation,
                unit_name=p.unit_name,
                address=p.address,
                latitude=p.latitude,
                longitude=p.longitude,
                established_on=p.established_on,
                sort_order=p.sort_order,
                contact_phone=phones[p.code],
            )
            for p in levels[depth]
            if p.code not in ctx.orgs
        ]
        if not new:
            continue
        Organization.objects.bulk_create(new, batch_size=BATCH_SIZE)
        for org in new:
            parent_path = ctx.orgs[org.parent.code].path if org.parent else ""
            org.path = parent_path + path_segment(org.pk)
            ctx.orgs[org.code] = org
        Organization.objects.bulk_update(new, ["path"], batch_size=BATCH_SIZE)
        if ctx.history:
            Organization.history.bulk_history_create(
                new, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON
            )
        _count(ctx, Organization, len(new))
    # In-service members work in the units and agencies, two-new members in the companies.
    ctx.unit_names = [p.unit_name for p in plan.orgs if p.kind == OrgKind.RESIDENT_UNIT]
    ctx.unit_names += [p.unit_name for p in plan.orgs if p.kind == OrgKind.AGENCY]
    ctx.company_names = [p.unit_name for p in plan.orgs if p.kind == OrgKind.NON_PUBLIC]


def build_grids(ctx: Context, plan: Plan) -> dict[str, Grid]:
    grids = {g.code: g for g in Grid.objects.filter(code__in=[p.code for p in plan.grids])}
    new = []
    for p in plan.grids:
        if p.code in grids:
            continue
        branch = ctx.orgs[p.branch]
        grid = Grid(
            code=p.code,
            name=p.name,
            community=ctx.orgs[p.community],
            branch=branch,
            organization=branch,
            boundary=p.boundary,
            note="",
        )
        new.append(grid)
        grids[p.code] = grid
    _bulk_create(ctx, Grid, new)
    return grids


def _address(road: str, number: int) -> str:
    return f"云南省昆明市{DISTRICT_NAME}{road}{number}号"


def _building_name(ctx: Context, kind: str, road: str, number: int, seq: int) -> tuple[str, str]:
    """(name, owner name) of a building of this kind."""
    rng = ctx.rng
    if kind == BuildingKind.RENTAL:
        return f"{road}{number}号出租屋", ""
    if kind == BuildingKind.RESIDENTIAL:
        estate = rng.choice(ESTATES)
        return f"{estate}{seq % 20 + 1}栋", f"{estate}物业服务中心"
    if kind == BuildingKind.SMALL_VENUE:
        shop = f"{rng.choice(ctx.surnames[:60])}记{rng.choice(VENUES)}"
        return shop, shop
    if kind == BuildingKind.CROWDED:
        place = f"{road}{rng.choice(CROWDED)}"
        return place, place
    if kind == BuildingKind.SCHOOL:
        school = f"{DISTRICT_NAME}{road.removesuffix('路').removesuffix('街')}小学"
        return school, school
    if kind == BuildingKind.HOSPITAL:
        hospital = f"{DISTRICT_NAME}{rng.choice(HOSPITALS)}"
        return hospital, hospital
    park = rng.choice(PARKS)
    return park, f"{park}管理委员会"


def grid_is_built(ctx: Context, plan: GridPlan) -> bool:
    """A grid is flushed at once, so its last building tells whether all of it is there."""
    return f"B-{plan.suffix}-{len(plan.building_kinds):04d}" in ctx.building_ids


def special_zone_numbers(scale: Scale, plan: Plan) -> dict[str, int]:
    """Code of each school or hospital building that gets a zone -> its number in its kind."""
    numbers: dict[str, int] = {}
    seen: Counter[str] = Counter()
    for grid in plan.grids:
        for seq, kind in enumerate(grid.building_kinds, start=1):
            if kind in (BuildingKind.SCHOOL, BuildingKind.HOSPITAL) and grid.members:
                if seen[kind] < scale.special_zones:
                    numbers[f"B-{grid.suffix}-{seq:04d}"] = seen[kind]
                    seen[kind] += 1
    return numbers
