"""Buildings, households, residents, members and zones of one grid."""

from __future__ import annotations

import uuid
from datetime import date

from xianfeng.demo.base import FLOORS, HOSPITAL_SCOPES, REFERENCE_DATE, ROADS, SCHOOL_SCOPES
from xianfeng.demo.context import (
    Context,
    Pending,
    _bulk_create,
    _grid_member_kind,
    _member,
    _person,
    _random_date,
    _through_create,
)
from xianfeng.demo.orgs import _address, _building_name
from xianfeng.demo.plan import GridPlan, _dec
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import (
    MemberKind,
    MemberStatus,
    ResidentRelation,
)
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places.choices import BuildingKind, SafetyColour, ZoneKind
from xianfeng.places.duty_templates import duties_for
from xianfeng.places.models import (
    Building,
    Grid,
    Household,
    ResponsibilityZone,
    normalize_address,
)


def build_grid(ctx: Context, plan: GridPlan, grid: Grid) -> None:
    """One grid's members, buildings, landlords, households, residents and zones.

    Each grid draws from its own seeded stream, so a grid already built can be skipped without
    changing what the others draw.
    """
    ctx.rng.seed(f"{ctx.seed}:{plan.code}")
    rng = ctx.rng
    scale = ctx.scale
    pending = Pending()
    branch = ctx.orgs[plan.branch]
    groups = [ctx.orgs[code] for code in plan.groups]
    community = ctx.orgs[plan.community]

    # Members of the branch and its building groups.
    member_orgs = [branch, *groups]
    grid_members: list[PartyMember] = []
    for org in member_orgs:
        for _n in range(ctx.org_members[org.code]):
            address = _address(rng.choice(ROADS), rng.randint(1, 400))
            member = _member(
                ctx,
                pending,
                org=org,
                kind=_grid_member_kind(rng),
                address=address,
                community=community,
            )
            grid_members.append(member)
            ctx.first_member.setdefault(org.code, member)

    # Buildings with their landlords, households and residents.
    dwellings: list[Building] = []
    households_of: dict[int, list[Household]] = {}
    specials: list[Building] = []
    landlord: Person | None = None
    for seq, kind in enumerate(plan.building_kinds, start=1):
        code = f"B-{plan.suffix}-{seq:04d}"
        road = rng.choice(ROADS)
        number = rng.randint(1, 600)
        name, owner = _building_name(ctx, kind, road, number, seq)
        address = _address(road, number)
        if kind == BuildingKind.RESIDENTIAL:
            address += name
        dwelling = kind in (BuildingKind.RENTAL, BuildingKind.RESIDENTIAL)
        group = rng.choice(groups) if groups and dwelling and rng.random() < 0.6 else None
        org = group or branch
        floors = rng.randint(*FLOORS[kind])
        roll = rng.random()
        colour = (
            SafetyColour.RED
            if roll < 0.02
            else SafetyColour.YELLOW
            if roll < 0.07
            else SafetyColour.GREEN
            if roll < 0.15
            else SafetyColour.UNRATED
        )
        point = plan.place(rng.random(), rng.random(), seq)
        if kind == BuildingKind.RENTAL:
            if landlord is None or rng.random() >= 0.2:
                landlord = _person(ctx, pending, org_id=org.pk, ages=(30, 80), address=address)
            owner_person: Person | None = landlord
            owner = ""
        else:
            owner_person = None
        existing = ctx.building_ids.get(code)
        building = Building(
            code=code,
            name=name,
            address=address,
            address_normalized=normalize_address(address),
            grid=grid,
            building_group=group,
            organization=org,
            kind=kind,
            floors=floors,
            landlord=owner_person,
            owner_name=owner,
            latitude=_dec(point[1]),
            longitude=_dec(point[0]),
            safety_colour=colour,
        )
        if existing is not None:
            building.pk = existing
        else:
            pending.buildings.append(building)
        if dwelling:
            dwellings.append(building)
            households_of[id(building)] = _plan_households(ctx, pending, building, address, kind)
        elif kind in (BuildingKind.SCHOOL, BuildingKind.HOSPITAL):
            specials.append(building)

    # Responsibility zones: community members in ones, twos and threes, each with some
    # buildings and households of the grid.
    eligible = [
        m
        for m in grid_members
        if m.kind == MemberKind.COMMUNITY and m.status == MemberStatus.NORMAL
    ]
    eligible = eligible[: int(len(eligible) * scale.zone_share)]
    zone_no: dict[str, int] = {}
    cursor = 0
    i = 0
    while i < len(eligible) and dwellings:
        size_ = rng.randint(1, 3)
        team = eligible[i : i + size_]
        i += size_
        org = team[0].branch
        zone_no[org.code] = zone_no.get(org.code, 0) + 1
        n_buildings = rng.randint(1, 4)
        zone_buildings = [dwellings[(cursor + k) % len(dwellings)] for k in range(n_buildings)]
        cursor += n_buildings
        zone_households: list[Household] = []
        if rng.random() < 0.5:
            for b in zone_buildings:
                zone_households += households_of.get(id(b), [])[: rng.randint(1, 3)]
        name = f"{org.short_name}{zone_no[org.code]}号党员责任区"
        _plan_zone(
            ctx,
            pending,
            org=org,
            name=name,
            kind=ZoneKind.COMMUNITY,
            members=team,
            buildings=zone_buildings,
            households=zone_households,
        )
    # A few school and hospital zones, divided by year group or ward.
    for building in specials:
        kind = ZoneKind.SCHOOL if building.kind == BuildingKind.SCHOOL else ZoneKind.HOSPITAL
        done = ctx.special_zones.get(building.code)
        if done is None or not grid_members:
            continue
        scopes = SCHOOL_SCOPES if kind == ZoneKind.SCHOOL else HOSPITAL_SCOPES
        scope = scopes[done % len(scopes)]
        team = [grid_members[(done * 3 + k) % len(grid_members)] for k in range(2)]
        _plan_zone(
            ctx,
            pending,
            org=branch,
            name=f"{branch.short_name}{scope}党员责任区",
            kind=kind,
            members=list({id(m): m for m in team}.values()),
            buildings=[building],
            households=[],
            unit_scope=scope,
        )
    _flush(ctx, pending)


def _plan_households(
    ctx: Context, pending: Pending, building: Building, address: str, kind: str
) -> list[Household]:
    rng = ctx.rng
    scale = ctx.scale
    rental = kind == BuildingKind.RENTAL
    households: list[Household] = []
    for k in range(rng.randint(*scale.households_per_building)):
        if rental:
            unit, room = "", f"{k // 3 + 1}0{k % 3 + 1}"
        else:
            unit, room = str(k % 2 + 1), f"{k // 2 + 1}0{rng.randint(1, 2)}"
        existing = (
            ctx.household_ids.get((building.pk, unit, room)) if building.pk is not None else None
        )
        household = Household(
            building=building,
            organization=building.organization,
            unit=unit,
            room=room,
            is_rental=rental,
        )
        if existing is not None:
            household.pk = existing
        else:
            pending.households.append(household)
        households.append(household)
        where = f"{address}{unit + '单元' if unit else ''}{room}室"
        for r in range(rng.randint(*scale.residents_per_household)):
            if rental:
                relation, ages = ResidentRelation.TENANT, (18, 60)
            elif r == 0:
                relation, ages = ResidentRelation.HEAD, (25, 85)
            elif r == 1:
                relation, ages = ResidentRelation.SPOUSE, (25, 85)
            else:
                relation, ages = rng.choice(
                    ((ResidentRelation.CHILD, (1, 30)), (ResidentRelation.PARENT, (60, 92)))
                )
            person = _person(
                ctx, pending, org_id=building.organization.pk, ages=ages, address=where
            )
            moved_in = _random_date(rng, date(2000, 1, 1), REFERENCE_DATE)
            pending.residents.append((household, person, relation, moved_in))
        if ctx.care_tags and rng.random() < scale.care_share:
            tags = rng.sample(ctx.care_tags, 2 if rng.random() < 0.1 else 1)
            pending.care += [(household, tag) for tag in tags]
    return households


def _plan_zone(
    ctx: Context,
    pending: Pending,
    *,
    org: Organization,
    name: str,
    kind: str,
    members: list[PartyMember],
    buildings: list[Building],
    households: list[Household],
    unit_scope: str = "",
) -> None:
    public_code = uuid.UUID(int=ctx.rng.getrandbits(128), version=4)
    if (org.pk, name) in ctx.zone_keys:
        return
    ctx.zone_keys.add((org.pk, name))
    zone = ResponsibilityZone(
        organization=org,
        name=name,
        kind=kind,
        unit_scope=unit_scope,
        duties=duties_for(kind),
        board_title=f"{name}公示牌",
        board_contact_phone=getattr(members[0].person, "mobile", "") or "",
        public_code=public_code,
    )
    pending.zones.append((zone, members, buildings, households))


def _flush(ctx: Context, pending: Pending) -> None:
    """Insert what was planned, parents before children."""
    _bulk_create(ctx, Person, pending.persons)
    for person in pending.persons:
        ctx.person_ids[person.id_number] = person.pk
    _bulk_create(ctx, PartyMember, pending.members)
    for member in pending.members:
        ctx.member_ids[member.person_id] = member.pk
    _bulk_create(ctx, Building, pending.buildings)
    _bulk_create(ctx, Household, pending.households)

    residents = []
    for household, person, relation, moved_in in pending.residents:
        key = (household.pk, person.pk)
        if key in ctx.resident_pairs:
            continue
        ctx.resident_pairs.add(key)
        residents.append(
            Resident(household=household, person=person, relation=relation, moved_in_on=moved_in)
        )
    _bulk_create(ctx, Resident, residents)

    through = Household.care_tags.through
    care_rows = []
    for household, tag in pending.care:
        key = (household.pk, tag.pk)
        if key not in ctx.care_pairs:
            ctx.care_pairs.add(key)
            care_rows.append(through(household_id=household.pk, caretag_id=tag.pk))
    _through_create(through, care_rows)

    zones = [zone for zone, *_ in pending.zones]
    _bulk_create(ctx, ResponsibilityZone, zones)
    z_members = ResponsibilityZone.members.through
    z_buildings = ResponsibilityZone.buildings.through
    z_households = ResponsibilityZone.households.through
    member_rows, building_rows, household_rows = [], [], []
    for zone, members, buildings, households in pending.zones:
        member_rows += [
            z_members(responsibilityzone_id=zone.pk, partymember_id=m.pk) for m in members
        ]
        building_rows += [
            z_buildings(responsibilityzone_id=zone.pk, building_id=b.pk)
            for b in dict.fromkeys(buildings)
        ]
        household_rows += [
            z_households(responsibilityzone_id=zone.pk, household_id=h.pk)
            for h in dict.fromkeys(households)
        ]
    _through_create(z_members, member_rows)
    _through_create(z_buildings, building_rows)
    _through_create(z_households, household_rows)
