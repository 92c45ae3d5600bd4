import pytest
from django.core.exceptions import ValidationError

from xianfeng.core.testing import first_in, role_org
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone
from xianfeng.places.services import (
    building_create,
    grid_create,
    grid_update,
    household_create,
    zone_create,
)

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[102.7, 25.0], [102.71, 25.0], [102.71, 25.01], [102.7, 25.01], [102.7, 25.0]]
    ],
}


def test_a_community_admin_draws_a_grid_with_a_boundary(personas):
    shequ = personas["shequ"]
    grid = grid_create(
        actor=shequ, community=role_org(shequ), code="G-T1", name="测试网格", boundary=SQUARE
    )
    assert grid.organization == role_org(shequ)
    assert grid.history.latest().history_user == shequ


def test_an_invalid_boundary_is_refused_and_the_old_one_kept(personas):
    shequ = personas["shequ"]
    grid = first_in(Grid, role_org(shequ))
    before = grid.boundary
    with pytest.raises(ValidationError) as exc:
        grid_update(actor=shequ, grid=grid, boundary={"type": "Point", "coordinates": [1, 2]})
    assert "Polygon" in str(exc.value)
    grid.refresh_from_db()
    assert grid.boundary == before


def test_a_building_takes_its_scope_from_the_grid(personas):
    wangge = personas["wangge"]
    grid = first_in(Grid, role_org(wangge))
    building = building_create(
        actor=wangge, grid=grid, code="B-T1", name="测试楼", address="测试路1号", kind="rental"
    )
    assert building.organization_id == grid.organization_id
    assert Building.objects.restrict(wangge).filter(pk=building.pk).exists()
    assert not Building.objects.restrict(personas["shequ2"]).filter(pk=building.pk).exists()


def test_a_building_in_a_grid_outside_scope_is_refused(personas):
    grid = first_in(Grid, role_org(personas["shequ2"]))
    with pytest.raises(ValidationError):
        building_create(actor=personas["wangge"], grid=grid, code="B-T2", name="越权", address="x")


def test_the_same_room_twice_is_refused(personas):
    wangge = personas["wangge"]
    household = first_in(Household, role_org(wangge))
    before = Household.objects.count()
    with pytest.raises(ValidationError) as exc:
        household_create(
            actor=wangge, building=household.building, unit=household.unit, room=household.room
        )
    assert "已登记" in str(exc.value)
    assert Household.objects.count() == before


def test_a_zone_gets_the_duty_template_of_its_kind(personas):
    wangge = personas["wangge"]
    branch = role_org(wangge)
    member = first_in(PartyMember, branch, "branch")
    zone = zone_create(actor=wangge, organization=branch, members=[member], name="一号责任区")
    assert len(zone.duties) >= 5
    assert any("居民公约" in d for d in zone.duties)


def test_a_school_zone_needs_its_grade_group(personas):
    wangge = personas["wangge"]
    branch = role_org(wangge)
    member = first_in(PartyMember, branch, "branch")
    with pytest.raises(ValidationError) as exc:
        zone_create(actor=wangge, organization=branch, members=[member], name="x", kind="school")
    assert "年级组" in str(exc.value)


def test_a_zone_member_from_another_branch_is_refused(personas):
    wangge = personas["wangge"]
    outsider = first_in(PartyMember, role_org(personas["shequ2"]), "branch")
    before = ResponsibilityZone.objects.count()
    with pytest.raises(ValidationError) as exc:
        zone_create(actor=wangge, organization=role_org(wangge), members=[outsider], name="x")
    assert outsider.person.name in str(exc.value)
    assert ResponsibilityZone.objects.count() == before
