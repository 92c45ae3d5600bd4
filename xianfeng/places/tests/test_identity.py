"""One door however it is written (places/identity.py), including rows stored before input
was folded to half-width digits."""

import pytest

from xianfeng.core.testing import first_in, role_org
from xianfeng.places.identity import match_household, split_unit_room
from xianfeng.places.models import Building, Household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("unit", "room", "expected"),
    [
        ("1", "101", ("1", "101")),
        ("", "1单元101", ("1", "101")),
        ("", "1-101", ("1", "101")),
        ("单元1", "房101", ("1", "101")),
        ("１", "１０１室", ("1", "101")),
    ],
)
def test_written_forms_fold_to_one_door(unit, room, expected):
    assert split_unit_room(unit, room) == expected


def test_a_row_stored_with_full_width_digits_is_found(personas):
    building = first_in(Building, role_org(personas["shequ"]))
    stored = Household.objects.create(
        building=building, organization=building.organization, unit="９", room="９０７"
    )
    assert match_household(building, "9", "907") == stored
    assert match_household(building, "", "9-907") == stored
    assert match_household(building, "9", "908") is None
