"""Grid, building, household and responsibility-zone endpoints: scope, pagination, filters,
writes and refusals."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import first_in, role_org
from xianfeng.people.models import PartyMember, Person
from xianfeng.places import services
from xianfeng.places.models import Building, CareTag, Grid, Household, ResponsibilityZone

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[102.70, 25.04], [102.71, 25.04], [102.71, 25.05], [102.70, 25.04]]],
}


def new_code(prefix: str) -> str:
    return f"{prefix}-API-{next(_codes):05d}"


def make_grid(actor, community, **fields) -> Grid:
    return services.grid_create(
        actor=actor, community=community, code=new_code("WG"), name="测试网格", **fields
    )


def make_building(actor, grid, **fields) -> Building:
    fields.setdefault("name", "测试楼")
    fields.setdefault("address", "测试路1号")
    return services.building_create(actor=actor, grid=grid, code=new_code("LD"), **fields)


def make_household(actor, building, room: str, **fields) -> Household:
    return services.household_create(actor=actor, building=building, room=room, **fields)


def queries_for(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def assert_list_does_not_query_per_row(client, url: str, assert_max, most: int = 10) -> dict:
    """Equal query counts for a small and a large page, and a fixed ceiling (a session request
    spends four of them: session, user, session save in a savepoint)."""
    sep = "&" if "?" in url else "?"
    small, _ = queries_for(client, f"{url}{sep}page_size=5")
    big, body = queries_for(client, f"{url}{sep}page_size=50")
    assert len(body["results"]) > 5, "need more than one small page of rows"
    assert small == big
    with assert_max(most):
        client.get(f"{url}{sep}page_size=50")
    return body


def result_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def community(personas):
    return role_org(personas["shequ"])


@pytest.fixture
def other_community(personas):
    return role_org(personas["shequ2"])


@pytest.fixture
def grid(personas, community):
    return make_grid(personas["admin"], community)


@pytest.fixture
def building(personas, grid):
    return make_building(personas["admin"], grid)


# --- grids -------------------------------------------------------------------------------


def test_grids_are_listed_within_scope_without_a_query_per_row(
    client_for, personas, community, other_community, django_assert_max_num_queries
):
    for _ in range(6):
        make_grid(personas["admin"], community)
    far = make_grid(personas["admin"], other_community)
    client = client_for("shequ")
    body = assert_list_does_not_query_per_row(
        client, "/api/v1/grids", django_assert_max_num_queries
    )
    assert (
        body["count"] == Grid.objects.filter(organization__path__startswith=community.path).count()
    )
    assert far.pk not in {r["id"] for r in body["results"]}
    assert client.get(f"/api/v1/grids/{far.pk}").status_code == 404


def test_grids_filter_by_community_and_text(client_for, personas, community):
    grid = services.grid_create(
        actor=personas["admin"], community=community, code=new_code("WG"), name="翠湖北网格"
    )
    client = client_for("qu")
    assert grid.pk in result_ids(
        client.get(f"/api/v1/grids?community={community.pk}&page_size=200")
    )
    assert result_ids(client.get("/api/v1/grids?q=翠湖北")) == {grid.pk}
    assert result_ids(client.get(f"/api/v1/grids?q={grid.code}")) == {grid.pk}


def test_a_community_admin_draws_a_grid_with_a_boundary(client_for, personas, community):
    branch = role_org(personas["wangge"])
    worker = first_in(Person, community)
    response = client_for("shequ").post(
        "/api/v1/grids",
        {
            "community": community.pk,
            "code": new_code("WG"),
            "name": "第十网格",
            "branch": branch.pk,
            "boundary": SQUARE,
            "workers": [worker.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["boundary"] == SQUARE
    assert body["branch"]["id"] == branch.pk
    assert body["workers"] == [{"id": worker.pk, "name": worker.name}]
    grid = Grid.objects.get(pk=body["id"])
    assert grid.organization == branch
    assert grid.history.exists()
    assert {h.history_user for h in grid.history.all()} == {personas["shequ"]}


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [102.7, 25.04]},
        {"type": "Polygon", "coordinates": [[[102.7, 25.04], [102.71, 25.04], [102.7, 25.04]]]},
        {
            "type": "Polygon",
            "coordinates": [[[102.7, 25.04], [102.71, 25.04], [102.71, 95.0], [102.7, 25.04]]],
        },
        {
            "type": "Polygon",
            "coordinates": [[[102.7, 25.04], [102.71, 25.04], [102.71, 25.05], [102.72, 25.06]]],
        },
        # a bow tie, a hole outside its part, two overlapping parts (issue 12)
        {
            "type": "Polygon",
            "coordinates": [
                [[102.7, 25.04], [102.71, 25.05], [102.71, 25.04], [102.7, 25.05], [102.7, 25.04]]
            ],
        },
        {
            "type": "Polygon",
            "coordinates": [
                [[102.7, 25.04], [102.71, 25.04], [102.71, 25.05], [102.7, 25.05], [102.7, 25.04]],
                [[102.8, 25.1], [102.81, 25.1], [102.81, 25.11], [102.8, 25.1]],
            ],
        },
        {
            "type": "MultiPolygon",
            "coordinates": [
                [
                    [
                        [102.7, 25.04],
                        [102.71, 25.04],
                        [102.71, 25.05],
                        [102.7, 25.05],
                        [102.7, 25.04],
                    ]
                ],
                [[[102.701, 25.041], [102.702, 25.041], [102.702, 25.042], [102.701, 25.041]]],
            ],
        },
    ],
)
def test_an_invalid_geojson_boundary_answers_400_and_draws_nothing(client_for, community, boundary):
    before = Grid.objects.count()
    response = client_for("shequ").post(
        "/api/v1/grids",
        {"community": community.pk, "code": new_code("WG"), "name": "坏边界", "boundary": boundary},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "边界" in response.json()["errors"]["boundary"][0]
    assert Grid.objects.count() == before


def test_a_boundary_that_is_not_an_object_answers_422(client_for, community):
    response = client_for("shequ").post(
        "/api/v1/grids",
        {"community": community.pk, "code": new_code("WG"), "name": "坏边界", "boundary": "方形"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["boundary"] == ["应为 JSON 对象。"]


def test_a_duplicate_grid_code_answers_409(client_for, community, grid):
    before = Grid.objects.count()
    response = client_for("shequ").post(
        "/api/v1/grids",
        {"community": community.pk, "code": grid.code, "name": "重复"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["errors"]["code"] == ["网格编码已存在。"]
    assert Grid.objects.count() == before


def test_a_grid_in_a_community_outside_scope_is_refused(client_for, other_community):
    before = Grid.objects.count()
    response = client_for("shequ").post(
        "/api/v1/grids",
        {"community": other_community.pk, "code": new_code("WG"), "name": "越界"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "community" in response.json()["errors"]
    assert Grid.objects.count() == before


def test_a_grid_secretary_may_not_draw_grids(client_for, community):
    response = client_for("wangge").post(
        "/api/v1/grids",
        {"community": community.pk, "code": new_code("WG"), "name": "网格"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_grid_patch_keeps_history(client_for, personas, grid):
    before = grid.history.count()
    response = client_for("shequ").patch(
        f"/api/v1/grids/{grid.pk}",
        {"name": "改名网格", "boundary": SQUARE},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    grid.refresh_from_db()
    assert (grid.name, grid.boundary) == ("改名网格", SQUARE)
    assert grid.history.count() == before + 1
    assert grid.history.latest().history_user == personas["shequ"]


def test_the_auditor_may_not_change_a_grid(client_for, grid):
    response = client_for("jiancha").patch(
        f"/api/v1/grids/{grid.pk}", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
    grid.refresh_from_db()
    assert grid.name == "测试网格"


# --- buildings ---------------------------------------------------------------------------


def test_buildings_are_listed_within_scope_without_a_query_per_row(
    client_for, personas, grid, other_community, django_assert_max_num_queries
):
    landlord = first_in(Person, role_org(personas["shequ"]))
    for _ in range(6):
        make_building(personas["admin"], grid, landlord=landlord)
    far = make_building(personas["admin"], make_grid(personas["admin"], other_community))
    client = client_for("shequ")
    body = assert_list_does_not_query_per_row(
        client, "/api/v1/buildings", django_assert_max_num_queries
    )
    assert far.pk not in {r["id"] for r in body["results"]}
    assert client.get(f"/api/v1/buildings/{far.pk}").status_code == 404


def test_buildings_filter_by_grid_kind_colour_and_text(client_for, personas, grid):
    rental = make_building(
        personas["admin"], grid, kind="rental", name="城中村出租屋", address="福德巷8号"
    )
    Building.objects.filter(pk=rental.pk).update(safety_colour="red")
    client = client_for("shequ")
    assert result_ids(client.get(f"/api/v1/buildings?grid={grid.pk}")) == {rental.pk}
    kinds = client.get("/api/v1/buildings?kind=rental&page_size=200").json()["results"]
    assert rental.pk in {r["id"] for r in kinds}
    assert {r["kind"] for r in kinds} == {"rental"}
    reds = client.get("/api/v1/buildings?safety_colour=red&page_size=200").json()["results"]
    assert rental.pk in {r["id"] for r in reds}
    assert {r["safety_colour_label"] for r in reds} == {"红色"}
    assert rental.pk in result_ids(client.get("/api/v1/buildings?q=福德巷"))
    assert rental.pk in result_ids(client.get("/api/v1/buildings?q=城中村"))
    assert rental.pk in result_ids(client.get(f"/api/v1/buildings?q={rental.code}"))


def test_a_landlords_phone_is_masked(client_for, personas, grid):
    landlord = (
        Person.objects.exclude(mobile="")
        .filter(organization__path__startswith=role_org(personas["shequ"]).path)
        .first()
    )
    building = make_building(personas["admin"], grid, landlord=landlord)
    response = client_for("shequ").get(f"/api/v1/buildings/{building.pk}")
    assert landlord.mobile not in response.content.decode()
    assert response.json()["landlord"]["mobile_masked"] == landlord.mobile_masked


def test_a_grid_secretary_registers_a_building_with_history(client_for, personas, community):
    branch = role_org(personas["wangge"])
    grid = make_grid(personas["admin"], community, branch=branch)
    response = client_for("wangge").post(
        "/api/v1/buildings",
        {
            "grid": grid.pk,
            "code": new_code("LD"),
            "name": "幸福小区3栋",
            "address": "幸福路3号",
            "kind": "residential",
            "floors": 7,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"]["id"] == grid.pk
    assert body["organization_id"] == branch.pk
    building = Building.objects.get(pk=body["id"])
    assert building.history.get().history_user == personas["wangge"]


def test_a_building_in_a_grid_outside_scope_is_refused(client_for, personas, other_community):
    far_grid = make_grid(personas["admin"], other_community)
    before = Building.objects.count()
    response = client_for("shequ").post(
        "/api/v1/buildings",
        {"grid": far_grid.pk, "code": new_code("LD"), "name": "越界", "address": "外区1号"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["errors"]["grid"][0]
    assert Building.objects.count() == before


def test_a_duplicate_building_code_answers_409(client_for, grid, building):
    before = Building.objects.count()
    response = client_for("shequ").post(
        "/api/v1/buildings",
        {"grid": grid.pk, "code": building.code, "name": "重复", "address": "重复路1号"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert Building.objects.count() == before


def test_a_building_patch_keeps_history_and_refuses_the_auditor(client_for, personas, building):
    before = building.history.count()
    response = client_for("shequ").patch(
        f"/api/v1/buildings/{building.pk}",
        {"kind": "small_venue", "floors": 3},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["kind_label"] == "三小场所"
    assert building.history.count() == before + 1
    assert building.history.latest().history_user == personas["shequ"]
    response = client_for("jiancha").patch(
        f"/api/v1/buildings/{building.pk}", {"floors": 9}, content_type="application/json"
    )
    assert response.status_code == 403
    building.refresh_from_db()
    assert building.floors == 3


def test_the_safety_colour_is_not_set_through_the_api(client_for, building):
    client_for("shequ").patch(
        f"/api/v1/buildings/{building.pk}",
        {"safety_colour": "green"},
        content_type="application/json",
    )
    building.refresh_from_db()
    assert building.safety_colour == "unrated"


# --- households --------------------------------------------------------------------------


def test_households_are_listed_without_a_query_per_row(
    client_for, personas, building, django_assert_max_num_queries
):
    tags = list(CareTag.objects.all()[:2])
    for room in range(101, 108):
        make_household(personas["admin"], building, str(room), care_tags=tags)
    body = assert_list_does_not_query_per_row(
        client_for("shequ"),
        f"/api/v1/households?building={building.pk}",
        django_assert_max_num_queries,
    )
    assert body["count"] == 7
    assert {t["code"] for t in body["results"][0]["care_tags"]} == {t.code for t in tags}


def test_households_filter_by_rental_and_care_tag(client_for, personas, building):
    rental = make_household(personas["admin"], building, "201", is_rental=True)
    lonely = make_household(
        personas["admin"], building, "202", care_tags=[CareTag.objects.get(code="lonely_elder")]
    )
    client = client_for("shequ")
    base = f"/api/v1/households?building={building.pk}"
    assert result_ids(client.get(f"{base}&is_rental=true")) == {rental.pk}
    assert result_ids(client.get(f"{base}&is_rental=false")) == {lonely.pk}
    assert result_ids(client.get(f"{base}&care_tag=lonely_elder")) == {lonely.pk}


def test_a_household_outside_scope_is_not_found(client_for, personas, other_community):
    far = make_household(
        personas["admin"],
        make_building(personas["admin"], make_grid(personas["admin"], other_community)),
        "101",
    )
    client = client_for("shequ")
    assert client.get(f"/api/v1/households/{far.pk}").status_code == 404
    assert far.pk not in result_ids(client.get("/api/v1/households?page_size=200"))


def test_household_residents_are_shown_masked(client_for, personas, building):
    from xianfeng.people.services import resident_add

    household = make_household(personas["admin"], building, "301")
    person = (
        Person.objects.exclude(id_number=None)
        .exclude(mobile="")
        .filter(organization__path__startswith=role_org(personas["shequ"]).path)
        .first()
    )
    resident_add(actor=personas["admin"], household=household, person=person, relation="head")
    response = client_for("shequ").get(f"/api/v1/households/{household.pk}")
    text = response.content.decode()
    assert person.id_number not in text
    assert person.mobile not in text
    [resident] = response.json()["residents"]
    assert resident["person"]["id_number_masked"] == person.id_number_masked
    assert resident["relation_label"] == "户主"


def test_a_household_is_registered_with_care_tags_and_history(client_for, personas, building):
    response = client_for("shequ").post(
        "/api/v1/households",
        {
            "building": building.pk,
            "unit": "2",
            "room": "402",
            "is_rental": True,
            "care_tags": ["disabled", "laid_off"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {t["code"] for t in body["care_tags"]} == {"disabled", "laid_off"}
    household = Household.objects.get(pk=body["id"])
    assert household.organization_id == building.organization_id
    assert household.history.latest().history_user == personas["shequ"]


def test_a_room_registered_twice_answers_409(client_for, personas, building):
    make_household(personas["admin"], building, "501", unit="1")
    before = Household.objects.count()
    response = client_for("shequ").post(
        "/api/v1/households",
        {"building": building.pk, "unit": "1", "room": "501"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "该楼栋已登记过这户（" in response.json()["detail"]  # names the household
    assert Household.objects.count() == before


def test_an_unknown_care_tag_answers_422(client_for, building):
    before = Household.objects.count()
    response = client_for("shequ").post(
        "/api/v1/households",
        {"building": building.pk, "room": "601", "care_tags": ["rich"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "care_tags.0" in response.json()["errors"]
    assert Household.objects.count() == before


def test_a_household_patch_replaces_care_tags_with_history(client_for, personas, building):
    household = make_household(
        personas["admin"], building, "701", care_tags=[CareTag.objects.get(code="disabled")]
    )
    before = household.history.count()
    response = client_for("shequ").patch(
        f"/api/v1/households/{household.pk}",
        {"care_tags": ["military_family"], "is_rental": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [t["code"] for t in response.json()["care_tags"]] == ["military_family"]
    household.refresh_from_db()
    assert household.is_rental is True
    assert household.history.count() > before


def test_a_member_may_not_register_households(client_for, personas):
    building = first_in(Building, role_org(personas["dangyuan"]))
    before = Household.objects.count()
    response = client_for("dangyuan").post(
        "/api/v1/households",
        {"building": building.pk, "room": "9901"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Household.objects.count() == before


# --- responsibility zones ----------------------------------------------------------------


def members_of(org, n: int = 2) -> list[PartyMember]:
    members = list(PartyMember.objects.filter(branch__path__startswith=org.path)[:n])
    assert len(members) == n, f"demo data has fewer than {n} members under {org}"
    return members


def test_zones_are_listed_without_a_query_per_row(
    client_for, personas, community, building, django_assert_max_num_queries
):
    members = members_of(community)
    households = [make_household(personas["admin"], building, f"8{i:02d}") for i in range(3)]
    for i in range(6):
        services.zone_create(
            actor=personas["admin"],
            organization=community,
            members=members,
            buildings=[building],
            households=households,
            name=f"测试责任区{i}",
        )
    # Members (with their persons), buildings and households: three prefetches.
    body = assert_list_does_not_query_per_row(
        client_for("shequ"),
        f"/api/v1/zones?organization={community.pk}",
        django_assert_max_num_queries,
        most=12,
    )
    row = next(r for r in body["results"] if r["name"] == "测试责任区0")
    assert {m["id"] for m in row["members"]} == {m.pk for m in members}
    assert [b["id"] for b in row["buildings"]] == [building.pk]
    assert len(row["households"]) == 3
    assert row["duties"]


def test_zones_filter_by_organization_subtree_and_kind(client_for, personas, community):
    branch = role_org(personas["wangge"])
    zone = services.zone_create(
        actor=personas["admin"],
        organization=branch,
        members=members_of(branch, 1),
        name="学校年级组责任区",
        kind="school",
        unit_scope="初二年级组",
    )
    client = client_for("shequ")
    assert zone.pk in result_ids(
        client.get(f"/api/v1/zones?organization={community.pk}&page_size=200")
    )
    schools = client.get("/api/v1/zones?kind=school&page_size=200").json()["results"]
    assert zone.pk in {r["id"] for r in schools}
    assert {r["kind"] for r in schools} == {"school"}


def test_a_zone_is_drawn_with_members_and_places(client_for, personas, community, building):
    members = members_of(community)
    household = make_household(personas["admin"], building, "901")
    response = client_for("shequ").post(
        "/api/v1/zones",
        {
            "organization": community.pk,
            "name": "幸福小区党员责任区",
            "kind": "community",
            "members": [m.pk for m in members],
            "buildings": [building.pk],
            "households": [household.pk],
            "duties": ["每月走访责任区内住户一次"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["duties"] == ["每月走访责任区内住户一次"]
    assert {m["id"] for m in body["members"]} == {m.pk for m in members}
    zone = ResponsibilityZone.objects.get(pk=body["id"])
    assert zone.history.latest().history_user == personas["shequ"]


def test_a_zone_without_duties_gets_the_template_for_its_kind(client_for, community):
    response = client_for("shequ").post(
        "/api/v1/zones",
        {
            "organization": community.pk,
            "name": "模板责任区",
            "members": [members_of(community, 1)[0].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["duties"]) >= 5


def test_a_zone_member_outside_scope_answers_400(client_for, community, other_community):
    before = ResponsibilityZone.objects.count()
    response = client_for("shequ").post(
        "/api/v1/zones",
        {
            "organization": community.pk,
            "name": "越界责任区",
            "members": [members_of(other_community, 1)[0].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["errors"]["members"][0]
    assert ResponsibilityZone.objects.count() == before


def test_a_zone_member_of_another_branch_answers_400(client_for, personas, community):
    branch = role_org(personas["wangge"])
    outsider = (
        PartyMember.objects.filter(branch__path__startswith=community.path)
        .exclude(branch__path__startswith=branch.path)
        .first()
    )
    before = ResponsibilityZone.objects.count()
    response = client_for("shequ").post(
        "/api/v1/zones",
        {"organization": branch.pk, "name": "错配", "members": [outsider.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不属于该党组织" in response.json()["errors"]["members"][0]
    assert ResponsibilityZone.objects.count() == before


def test_a_school_zone_needs_a_unit_scope(client_for, community):
    before = ResponsibilityZone.objects.count()
    response = client_for("shequ").post(
        "/api/v1/zones",
        {
            "organization": community.pk,
            "name": "学校责任区",
            "kind": "school",
            "members": [members_of(community, 1)[0].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "年级组" in response.json()["errors"]["unit_scope"][0]
    assert ResponsibilityZone.objects.count() == before


def test_a_zone_with_no_members_answers_400(client_for, community):
    response = client_for("shequ").post(
        "/api/v1/zones",
        {"organization": community.pk, "name": "空责任区", "members": []},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "至少要有一名" in response.json()["errors"]["members"][0]


def test_a_zone_patch_changes_members_with_history(client_for, personas, community):
    first, second = members_of(community)
    zone = services.zone_create(
        actor=personas["admin"], organization=community, members=[first], name="调整责任区"
    )
    before = zone.history.count()
    response = client_for("shequ").patch(
        f"/api/v1/zones/{zone.pk}",
        {"members": [second.pk], "board_title": "党员责任区公示牌"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [m["id"] for m in response.json()["members"]] == [second.pk]
    zone.refresh_from_db()
    assert zone.board_title == "党员责任区公示牌"
    assert zone.history.count() > before
    assert zone.history.latest().history_user == personas["shequ"]


def test_the_auditor_may_not_draw_or_change_zones(client_for, personas, community):
    zone = services.zone_create(
        actor=personas["admin"],
        organization=community,
        members=members_of(community, 1),
        name="审计责任区",
    )
    client = client_for("jiancha")
    response = client.post(
        "/api/v1/zones",
        {"organization": community.pk, "name": "审计", "members": [members_of(community, 1)[0].pk]},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/zones/{zone.pk}", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
    zone.refresh_from_db()
    assert zone.name == "审计责任区"


def test_zone_members_are_not_exposed_with_protected_fields(client_for, personas, community):
    member = members_of(community, 1)[0]
    zone = services.zone_create(
        actor=personas["admin"], organization=community, members=[member], name="公示责任区"
    )
    text = client_for("shequ").get(f"/api/v1/zones/{zone.pk}").content.decode()
    if member.person.id_number:
        assert member.person.id_number not in text
    if member.person.mobile:
        assert member.person.mobile not in text
