"""Writes for grids, buildings, households and responsibility zones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.services import (
    apply_fields,
    require_org_in_scope,
    save_unique_with_history,
    save_with_history,
)
from xianfeng.places.duty_templates import duties_for
from xianfeng.places.identity import match_household, split_unit_room
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember

GRID_FIELDS = ("code", "name", "branch", "boundary", "note")
BUILDING_FIELDS = (
    "code",
    "name",
    "address",
    "building_group",
    "kind",
    "floors",
    "landlord",
    "owner_name",
    "latitude",
    "longitude",
    "note",
)
HOUSEHOLD_FIELDS = ("unit", "room", "is_rental", "note")
ZONE_FIELDS = (
    "name",
    "kind",
    "unit_scope",
    "duties",
    "board_title",
    "board_contact_phone",
    "board_show_members",
)


@transaction.atomic
def grid_create(*, actor: User, community: Organization, **fields: Any) -> Grid:
    require_org_in_scope(
        user=actor, org=community, model=Grid, action=Action.ADD, field="community"
    )
    workers = fields.pop("workers", None)
    grid = Grid(community=community)
    apply_fields(grid, fields, GRID_FIELDS)
    grid.organization_id = grid.branch_id or community.pk
    save_with_history(instance=grid, actor=actor, reason=_("新建网格"))
    if workers is not None:
        grid.workers.set(workers)
    return grid


@transaction.atomic
def grid_update(*, actor: User, grid: Grid, **fields: Any) -> Grid:
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    workers = fields.pop("workers", None)
    apply_fields(grid, fields, GRID_FIELDS)
    grid.organization_id = grid.branch_id or grid.community_id
    save_with_history(instance=grid, actor=actor, reason=_("修改网格"))
    if workers is not None:
        grid.workers.set(workers)
    if "branch" in fields:
        # Buildings without their own building group follow the grid's owner.
        Building.objects.filter(grid=grid, building_group__isnull=True).update(
            organization_id=grid.organization_id
        )
        Household.objects.filter(building__grid=grid).update(organization_id=grid.organization_id)
    return grid


@transaction.atomic
def building_create(*, actor: User, grid: Grid, **fields: Any) -> Building:
    require_org_in_scope(
        user=actor, org=grid.organization, model=Building, action=Action.ADD, field="grid"
    )
    building = Building(grid=grid)
    apply_fields(building, fields, BUILDING_FIELDS)
    building.organization_id = building.building_group_id or grid.organization_id
    save_with_history(instance=building, actor=actor, reason=_("新建楼栋"))
    return building


@transaction.atomic
def building_update(
    *, actor: User, building: Building, grid: Grid | None = None, **fields: Any
) -> Building:
    building = Building.objects.select_for_update().get(pk=building.pk)
    if grid is not None and grid.pk != building.grid_id:
        require_org_in_scope(
            user=actor, org=grid.organization, model=Building, action=Action.ADD, field="grid"
        )
        building.grid = grid
    apply_fields(building, fields, BUILDING_FIELDS)
    building.organization_id = building.building_group_id or building.grid.organization_id
    save_with_history(instance=building, actor=actor, reason=_("修改楼栋"))
    Household.objects.filter(building=building).exclude(
        organization_id=building.organization_id
    ).update(organization_id=building.organization_id)
    return building


@transaction.atomic
def household_create(*, actor: User, building: Building, **fields: Any) -> Household:
    require_org_in_scope(
        user=actor,
        org=building.organization,
        model=Household,
        action=Action.ADD,
        field="building",
    )
    care_tags = fields.pop("care_tags", None)
    household = Household(building=building, organization_id=building.organization_id)
    apply_fields(household, fields, HOUSEHOLD_FIELDS)
    # One door, one household: 1单元101, 1-101 and 单元1 房101 are stored alike, and a door
    # already registered (with or without its unit) is not registered again.
    household.unit, household.room = split_unit_room(household.unit, household.room)
    existing = match_household(building, household.unit, household.room)
    if existing is not None:
        raise ValidationError(
            {"room": _("该楼栋已登记过这户（%(h)s），请勿重复登记。") % {"h": existing}}
        )
    save_with_history(instance=household, actor=actor, reason=_("新建住户"))
    if care_tags is not None:
        household.care_tags.set(care_tags)
    return household


@transaction.atomic
def household_update(*, actor: User, household: Household, **fields: Any) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    care_tags = fields.pop("care_tags", None)
    apply_fields(household, fields, HOUSEHOLD_FIELDS)
    household.unit, household.room = split_unit_room(household.unit, household.room)
    save_with_history(instance=household, actor=actor, reason=_("修改住户"))
    if care_tags is not None:
        household.care_tags.set(care_tags)
    return household


def _check_zone_members(organization: Organization, members: list[PartyMember] | None) -> None:
    if members is None:
        return
    if not members:
        raise ValidationError({"members": _("责任区至少要有一名责任党员。")})
    # A member of the branch's subtree, or one serving (报到) in its community.
    outside = [m for m in members if not m.acts_in(organization)]
    if outside:
        raise ValidationError(
            {
                "members": _("以下党员不属于该党组织：%(names)s")
                % {"names": "、".join(m.person.name for m in outside)}
            }
        )


def _check_zone_places(organization: Organization, buildings: list, households: list) -> None:
    # A zone is drawn by a branch but may cover places of its community (就近、方便).
    root = organization.community() or organization
    bad = [b.name for b in buildings or [] if not b.organization.path.startswith(root.path)]
    bad += [str(h) for h in households or [] if not h.organization.path.startswith(root.path)]
    if bad:
        raise ValidationError(
            {"buildings": _("以下楼栋或住户不在本社区：%(names)s") % {"names": "、".join(bad)}}
        )


@transaction.atomic
def zone_create(
    *,
    actor: User,
    organization: Organization,
    members: list[PartyMember],
    buildings: list[Building] | None = None,
    households: list[Household] | None = None,
    **fields: Any,
) -> ResponsibilityZone:
    require_org_in_scope(
        user=actor,
        org=organization,
        model=ResponsibilityZone,
        action=Action.ADD,
        field="organization",
    )
    _check_zone_members(organization, members)
    _check_zone_places(organization, buildings or [], households or [])
    zone = ResponsibilityZone(organization=organization)
    apply_fields(zone, fields, ZONE_FIELDS)
    if not zone.duties:
        zone.duties = duties_for(zone.kind)
    save_unique_with_history(instance=zone, actor=actor, reason=_("划分责任区"))
    zone.members.set(members)
    zone.buildings.set(buildings or [])
    zone.households.set(households or [])
    return zone


@transaction.atomic
def zone_update(
    *,
    actor: User,
    zone: ResponsibilityZone,
    members: list[PartyMember] | None = None,
    buildings: list[Building] | None = None,
    households: list[Household] | None = None,
    **fields: Any,
) -> ResponsibilityZone:
    zone = ResponsibilityZone.objects.select_for_update().get(pk=zone.pk)
    apply_fields(zone, fields, ZONE_FIELDS)
    _check_zone_members(zone.organization, members)
    _check_zone_places(zone.organization, buildings or [], households or [])
    save_unique_with_history(instance=zone, actor=actor, reason=_("修改责任区"))
    if members is not None:
        zone.members.set(members)
    if buildings is not None:
        zone.buildings.set(buildings)
    if households is not None:
        zone.households.set(households)
    return zone
