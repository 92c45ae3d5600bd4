"""Names with numbers sort by number (issue 10): 1号, 2号, 10号 — zones and a building's
households, in the database (so pages still paginate there)."""

from __future__ import annotations

import pytest

from xianfeng.core.natural import natural_key
from xianfeng.core.testing import role_org
from xianfeng.places.models import Building, Household, ResponsibilityZone
from xianfeng.places.selectors import HouseholdFilters, ZoneFilters, household_list, zone_list

pytestmark = pytest.mark.django_db


def test_natural_key_orders_numbers_by_value():
    ordered = sorted(["10号", "1号", "2号"], key=natural_key)
    assert ordered == ["1号", "2号", "10号"]
    assert sorted(["1号楼10室", "1号楼9室"], key=natural_key) == ["1号楼9室", "1号楼10室"]
    assert natural_key("", "101") < natural_key("", "1001") < natural_key("2", "101")


def test_zones_and_households_come_in_natural_order(personas):
    shequ = personas["shequ"]
    org = role_org(shequ)
    for name in ("10号测试区", "1号测试区", "2号测试区"):
        ResponsibilityZone.objects.create(organization=org, name=name)
    zones = [z.name for z in zone_list(user=shequ, filters=ZoneFilters(q="号测试区"))]
    assert zones == ["1号测试区", "2号测试区", "10号测试区"]
    building = Building.objects.filter(organization__path__startswith=org.path).first()
    for unit, room in (("10", "101"), ("2", "1001"), ("2", "201")):
        Household.objects.create(
            building=building, organization=building.organization, unit=unit, room=room
        )
    rows = [
        (h.unit, h.room)
        for h in household_list(user=shequ, filters=HouseholdFilters(building=building.pk))
        if h.unit in ("2", "10")
    ]
    assert rows == [("2", "201"), ("2", "1001"), ("10", "101")]


def test_one_door_is_one_household_however_it_is_written(personas):
    from django.core.exceptions import ValidationError

    from xianfeng.places.services import household_create

    shequ = personas["shequ"]
    building = Building.objects.restrict(shequ).first()
    first = household_create(actor=shequ, building=building, unit="", room="7单元808")
    assert (first.unit, first.room) == ("7", "808")
    for unit, room in (("7", "808"), ("", "7-808"), ("单元7", "房808"), ("７", "８０８室")):
        with pytest.raises(ValidationError) as exc:
            household_create(actor=shequ, building=building, unit=unit, room=room)
        assert "已登记过这户" in str(exc.value)
    assert Household.objects.filter(building=building, room="808").count() == 1
