"""Grids, buildings, households, residents and zones are one selector each: the page and the
API list the same ids, in the same order, for the same filters and user (the building and
household exports are compared in ``xianfeng/exchange/tests/test_selectors.py``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone
from xianfeng.places.selectors import BuildingFilters, building_list

pytestmark = pytest.mark.django_db

USERS = ["shequ", "wangge", "qu"]


def page_ids(client, url: str, key: str = "page") -> list[int]:
    """Every row of every page of a list page, in order."""
    ids: list[int] = []
    number = 1
    while True:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}page={number}")
        assert response.status_code == 200
        page = response.context[key]
        # list pages read plain tuples, the id first (issue 11); others model instances
        ids += [row[0] if isinstance(row, tuple) else row.pk for row in page.object_list]
        if not page.has_next():
            return ids
        number += 1


def api_ids(client, url: str) -> list[int]:
    sep = "&" if "?" in url else "?"
    body = client.get(f"{url}{sep}page_size=200").json()
    assert body["count"] == len(body["results"]), "the list should fit one API page here"
    return [row["id"] for row in body["results"]]


def assert_same(client, page_url: str, api_url: str, combinations: list[str]) -> None:
    for params in combinations:
        page = page_ids(client, f"{page_url}?{params}")
        assert page == api_ids(client, f"{api_url}?{params}"), params


@pytest.mark.parametrize("who", USERS)
def test_grids(client_for, personas, who):
    user = personas[who]
    grid = Grid.objects.restrict(user).order_by("code").first()
    Grid.objects.filter(pk=grid.pk).update(boundary=None)
    combinations = [
        "",
        f"q={grid.code[-3:].lower()}",  # part of the code, in another case
        f"q={grid.name[:2]}",
        f"community={grid.community_id}",
        "no_boundary=1",
    ]
    assert_same(client_for(who), "/places/grids/", "/api/v1/grids", combinations)
    assert grid.pk in page_ids(client_for(who), "/places/grids/?no_boundary=1")


@pytest.mark.parametrize("who", USERS)
def test_buildings(client_for, personas, who):
    user = personas[who]
    building = Building.objects.restrict(user).order_by("code").first()
    combinations = [
        "",
        f"q={building.code[2:-2].lower()}",  # a code typed in part finds it
        f"q={building.name[:2]}",
        f"q={building.address[:3]}&kind={building.kind}",
        f"grid={building.grid_id}&safety_colour={building.safety_colour}",
    ]
    assert_same(client_for(who), "/places/buildings/", "/api/v1/buildings", combinations)
    found = page_ids(client_for(who), f"/places/buildings/?q={building.code[2:-2].lower()}")
    assert building.pk in found


def test_a_building_code_is_found_in_part_the_same_way_everywhere(personas):
    user = personas["shequ"]
    building = Building.objects.restrict(user).order_by("code").first()
    for q in (building.code, building.code[:-1], building.code[3:], building.code.lower()):
        assert building in building_list(user=user, filters=BuildingFilters(q=q)), q


@pytest.mark.parametrize("who", USERS)
def test_buildings_of_a_grid_page_are_the_apis(client_for, personas, who):
    client = client_for(who)
    for grid in Grid.objects.restrict(personas[who]).order_by("code")[:3]:
        page = page_ids(client, f"/places/grids/{grid.pk}/")
        assert page == api_ids(client, f"/api/v1/buildings?grid={grid.pk}"), grid


@pytest.mark.parametrize("who", USERS)
def test_households_of_a_building_page_are_the_apis(client_for, personas, who):
    client = client_for(who)
    buildings = (
        Building.objects.restrict(personas[who])
        .filter(households__isnull=False)
        .distinct()
        .order_by("code")
    )
    for building in [buildings.first(), buildings.last()]:
        page = page_ids(client, f"/places/buildings/{building.pk}/")
        assert page, building
        assert page == api_ids(client, f"/api/v1/households?building={building.pk}")
    other = Building.objects.exclude(
        organization__path__startswith=role_org(personas[who]).path
    ).first()
    if other is not None:
        assert api_ids(client, f"/api/v1/households?building={other.pk}") == []


@pytest.mark.parametrize("who", USERS)
def test_residents_of_a_household_page_are_the_apis(client_for, personas, who):
    client = client_for(who)
    households = Household.objects.restrict(personas[who]).filter(residents__isnull=False)
    for household in households.distinct().order_by("pk")[:3]:
        response = client.get(f"/places/households/{household.pk}/")
        page = [r.pk for r in response.context["residents"]]
        body = client.get(f"/api/v1/households/{household.pk}").json()
        assert page and page == [r["id"] for r in body["residents"]], household


@pytest.mark.parametrize("who", USERS)
def test_zones(client_for, personas, who):
    user = personas[who]
    zone = ResponsibilityZone.objects.restrict(user).order_by("pk").first()
    top = role_org(user)
    combinations = [
        "",
        f"kind={zone.kind}",
        f"q={zone.name[-5:]}",
        f"organization={top.pk}&q=责任区",
        f"organization={zone.organization_id}&kind={zone.kind}",
    ]
    assert_same(client_for(who), "/zones/", "/api/v1/zones", combinations)


def test_the_building_page_loads_only_what_it_shows_without_a_query_per_row(client_for):
    # The page reads only the columns it shows (plain tuples); a column read per row would
    # cost one query per row, so one row and a full page must cost the same.
    client = client_for("qu")
    one = Building.objects.order_by("code").first()

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert len(page_ids(client, "/places/buildings/")) > 10
    assert count(f"/places/buildings/?q={one.code}") == count("/places/buildings/")
