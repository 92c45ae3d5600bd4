"""The demo district: its shape, its personas, and that building it twice changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from django.apps import apps
from faker import Faker

from xianfeng.core.pinyin import name_pinyin
from xianfeng.core.validators import (
    birth_date_from_id,
    boundary_contains,
    gender_from_id,
    validate_geojson_geometry,
    validate_id_number,
)
from xianfeng.demo.accounts import persona_rows
from xianfeng.demo.base import (
    DANWEI_UNIT,
    DEMO_PASSWORD,
    SCALES,
    SEED,
    SHEQU2_COMMUNITY,
    SHEQU_COMMUNITY,
    WANGGE_BRANCH,
    WANGGE_GRID,
    demo_personas,
    persona_member,
)
from xianfeng.demo.district import build_demo_district
from xianfeng.demo.plan import make_plan
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization, Pairing, path_segment
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places.choices import BuildingKind, ZoneKind
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_the_small_district_has_the_shape_of_the_real_one():
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds[OrgKind.DISTRICT] == 1
    assert kinds[OrgKind.STREET] == 2
    assert kinds[OrgKind.COMMUNITY] == 4
    assert kinds[OrgKind.GRID_BRANCH] == 5
    assert kinds[OrgKind.BUILDING_GROUP] == 3
    for kind in (OrgKind.AGENCY, OrgKind.NON_PUBLIC, OrgKind.SOCIAL, OrgKind.MOBILE):
        assert kinds[kind] >= 1, kind
    assert kinds[OrgKind.RESIDENT_UNIT] == 2

    assert Grid.objects.count() == 5
    for grid in Grid.objects.select_related("branch", "community"):
        assert grid.branch.parent_id == grid.community_id
        assert grid.organization_id == grid.branch_id
        validate_geojson_geometry(grid.boundary)

    buildings = Counter(Building.objects.values_list("kind", flat=True))
    assert buildings[BuildingKind.RENTAL] == 20
    assert sum(buildings.values()) == 32
    assert not Building.objects.filter(kind=BuildingKind.RENTAL, landlord=None).exists()
    assert 60 <= Household.objects.count() <= 100
    per_household = Counter(Resident.objects.values_list("household_id", flat=True))
    assert set(per_household.values()) <= {1, 2, 3}
    assert len(per_household) == Household.objects.count()

    assert 55 <= PartyMember.objects.count() <= 70
    zones = ResponsibilityZone.objects.all()
    assert zones.count() >= 3
    assert all(zone.duties for zone in zones)
    assert all(1 <= zone.members.count() <= 3 for zone in zones)
    for kind in (ZoneKind.SCHOOL, ZoneKind.HOSPITAL):
        assert zones.filter(kind=kind).exclude(unit_scope="").exists(), kind
    assert Pairing.objects.count() >= 3


def test_the_district_scale_plans_the_numbers_of_the_seeds():
    plan = make_plan(SCALES["district"], Faker("zh_CN"))
    kinds = Counter(org.kind for org in plan.orgs)
    assert kinds[OrgKind.STREET] == 5
    assert kinds[OrgKind.COMMUNITY] == 31
    assert kinds[OrgKind.GRID_BRANCH] == 63
    assert kinds[OrgKind.BUILDING_GROUP] == 113
    assert kinds[OrgKind.RESIDENT_UNIT] == 20
    assert len(plan.grids) == 63
    rentals = sum(g.building_kinds.count(BuildingKind.RENTAL) for g in plan.grids)
    assert rentals == 8145
    assert sum(org.members for org in plan.orgs) == 11000
    assert len({org.code for org in plan.orgs}) == len(plan.orgs)


def test_every_persona_can_sign_in_with_its_role_at_its_organization(personas):
    for username, (kind, code) in demo_personas().items():
        user = personas[username]
        assert user.check_password(DEMO_PASSWORD), username
        assert user.display_name, username
        if kind is None:
            assert user.is_superuser and user.is_staff
            assert not user.roles.exists()
        else:
            assert list(user.roles.values_list("kind", "organization__code")) == [(kind, code)]
    assert [row[0] for row in persona_rows()] == list(demo_personas())


def test_the_personas_sit_where_the_tests_expect_them(personas):
    shequ, shequ2 = _org(SHEQU_COMMUNITY), _org(SHEQU2_COMMUNITY)
    assert shequ.kind == shequ2.kind == OrgKind.COMMUNITY
    assert not shequ2.is_descendant_of(shequ)
    assert _org("XF-S01") in shequ.ancestors()
    branch = _org(WANGGE_BRANCH)
    assert branch.kind == OrgKind.GRID_BRANCH and branch.is_descendant_of(shequ)
    unit = _org(DANWEI_UNIT)
    assert unit.kind == OrgKind.RESIDENT_UNIT
    assert Pairing.objects.filter(org_a=unit, org_b=shequ).exists()


def test_dangyuan_and_wangge_are_party_members_of_the_grid_branch(personas):
    for username in ("dangyuan", "wangge"):
        member = persona_member(username)
        assert member.branch.code == WANGGE_BRANCH
        assert member.person.name == personas[username].display_name
    assert _org(WANGGE_BRANCH).secretary == persona_member("wangge")


def test_building_it_a_second_time_changes_nothing():
    before = _row_counts()
    created = build_demo_district("small", seed=SEED)
    assert created == {}
    assert _row_counts() == before


def test_a_grid_left_half_built_is_completed_without_duplicates():
    last = Building.objects.filter(grid__code=WANGGE_GRID).order_by("code").last()
    code = last.code
    last.delete()
    before = _row_counts()
    assert build_demo_district("small") == {"places.Building": 1}
    assert Building.objects.filter(code=code).exists()
    after = _row_counts()
    changed = {label for label in after if after[label] != before[label]}
    assert changed == {"places.Building", "places.HistoricalBuilding"}


def test_every_person_has_a_valid_id_number_and_mobile():
    people = list(Person.objects.all())
    assert len({p.id_number for p in people}) == len(people)
    for person in people:
        validate_id_number(person.id_number)
        assert person.birth_date == birth_date_from_id(person.id_number)
        assert person.gender == gender_from_id(person.id_number)
        assert MOBILE.match(person.mobile), person.mobile
        assert person.name_pinyin == name_pinyin(person.name)


def test_every_organization_path_is_its_parent_path_and_its_own_segment():
    orgs = {org.pk: org for org in Organization.objects.all()}
    for org in orgs.values():
        parent_path = orgs[org.parent_id].path if org.parent_id else ""
        assert org.path == parent_path + path_segment(org.pk), org.code
        assert org.depth == org.path.count(".") - 1, org.code


def test_places_belong_to_the_most_specific_organization():
    for building in Building.objects.select_related("grid"):
        assert building.organization_id == (
            building.building_group_id or building.grid.organization_id
        )
        if building.building_group_id:
            assert building.building_group.parent_id == building.grid.branch_id
        assert building.code.startswith("B-" + building.grid.code.removeprefix("G-"))
    for household in Household.objects.select_related("building"):
        assert household.organization_id == household.building.organization_id
        assert household.is_rental == (household.building.kind == BuildingKind.RENTAL)


def test_member_personas_are_linked_to_their_member_and_share_a_zone(personas):
    from xianfeng.places.models import ResponsibilityZone

    for username in ("wangge", "dangyuan"):
        user = personas[username]
        assert user.person is not None
        assert user.person.member.branch.code == "XF-S01-C01-G01"
        assert ResponsibilityZone.objects.filter(members__person=user.person).exists()


def test_a_pairing_entered_the_other_way_round_is_not_built_again():
    pairing = Pairing.objects.order_by("id").first()
    org_a, org_b, kind = pairing.org_b, pairing.org_a, pairing.kind
    pairing.delete()
    Pairing.objects.create(kind=kind, org_a=org_a, org_b=org_b, starts_on=date(2025, 1, 1))
    assert "orgs.Pairing" not in build_demo_district("small", seed=SEED)


def test_one_grid_has_two_parts_and_a_hole_with_buildings_in_both_parts():
    """The demo shows a boundary of more than one ring (issue 12): one grid of ``shequ``'s
    community is a MultiPolygon of two parts, the first with a hole; the others are plain
    boxes. Every demo building lies inside its own grid's boundary, out of the hole (as
    ``places/tests/test_map.py`` checks for every building), and some lie in the second part."""
    grids = {g.pk: g for g in Grid.objects.all()}
    shaped = [g for g in grids.values() if g.boundary["type"] == "MultiPolygon"]
    assert len(shaped) == 1
    grid = shaped[0]
    assert grid.community.code == SHEQU_COMMUNITY
    first, second = grid.boundary["coordinates"]
    assert len(first) == 2 and len(second) == 1  # an outer ring and a hole; one ring
    assert all(g.boundary["type"] == "Polygon" for g in grids.values() if g != grid)
    located = Building.objects.filter(code__startswith="B-").values_list(
        "code", "grid_id", "longitude", "latitude"
    )
    assert located and all(lon is not None and lat is not None for _c, _g, lon, lat in located)
    outside = [c for c, g, x, y in located if not boundary_contains(grids[g].boundary, x, y)]
    assert not outside
    part = {"type": "Polygon", "coordinates": second}
    assert [c for c, g, lon, lat in located if g == grid.pk and boundary_contains(part, lon, lat)]
