"""The safety map's data (GeoJSON of a community's grids and buildings, scoped, bounded), its
page, and the grid boundary drawn on the map (saved through the grid service, with history)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.core.validators import boundary_contains
from xianfeng.orgs.choices import OrgKind
from xianfeng.places.models import Building, Grid

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[102.7, 25.04], [102.705, 25.04], [102.705, 25.045], [102.7, 25.045], [102.7, 25.04]]
    ],
}


def _community_of(user) -> int:
    org = role_org(user)
    while org.kind != OrgKind.COMMUNITY:
        org = org.parent
    return org.pk


def test_demo_buildings_lie_inside_their_grid(personas):
    """The demo district draws every grid's boundary and puts its buildings inside it: inside
    one of its parts and out of that part's holes (one demo grid has two parts and a hole)."""
    grids = {g.pk: g.boundary for g in Grid.objects.all()}
    assert grids and all(b is not None for b in grids.values())
    assert any(b["type"] == "MultiPolygon" for b in grids.values())
    rows = Building.objects.values_list("code", "grid_id", "longitude", "latitude")
    assert rows
    outside = [
        code for code, grid_id, lon, lat in rows if not boundary_contains(grids[grid_id], lon, lat)
    ]
    assert not outside


def test_map_data_is_the_users_part_of_the_community(client_for, personas):
    community = _community_of(personas["wangge"])
    client = client_for("shequ")
    client.get(f"/api/v1/map?community={community}")  # the session's first request loads roles
    with CaptureQueriesContext(connection) as ctx:
        everything = client.get(f"/api/v1/map?community={community}").json()
    sql = "\n".join(q["sql"][:160] for q in ctx.captured_queries)
    assert len(ctx) <= 8, sql  # session, user, roles, ...; then the check, grids, buildings
    mine = client_for("wangge").get(f"/api/v1/map?community={community}").json()
    assert everything["type"] == "FeatureCollection" and everything["truncated"] is False
    kinds = {f["properties"]["kind"] for f in everything["features"]}
    assert kinds == {"grid", "building"}
    buildings = [f for f in everything["features"] if f["properties"]["kind"] == "building"]
    expected = Building.objects.filter(grid__community_id=community, latitude__isnull=False)
    assert len(buildings) == expected.count()
    point = buildings[0]
    assert point["geometry"]["type"] == "Point" and len(point["geometry"]["coordinates"]) == 2
    assert point["properties"]["colour"] in {"red", "yellow", "green", "unrated"}
    # the grid secretary sees only their own grid's part of it
    wangge_grids = set(Grid.objects.restrict(personas["wangge"]).values_list("pk", flat=True))
    mine_grids = {
        f["properties"]["id"] for f in mine["features"] if f["properties"]["kind"] == "grid"
    }
    assert mine_grids == wangge_grids and len(mine["features"]) < len(everything["features"])


def test_map_data_is_bounded(client_for, personas, settings):
    settings.XIANFENG_MAP_MAX_BUILDINGS = 3
    community = _community_of(personas["wangge"])
    body = client_for("shequ").get(f"/api/v1/map?community={community}").json()
    buildings = [f for f in body["features"] if f["properties"]["kind"] == "building"]
    assert len(buildings) == 3 and body["truncated"] is True and body["limit"] == 3


def test_map_data_outside_scope_or_malformed(client_for, personas):
    community = _community_of(personas["wangge"])
    outside = client_for("shequ2").get(f"/api/v1/map?community={community}")
    assert outside.status_code == 404 and outside.json()["detail"]
    assert client_for("shequ").get("/api/v1/map").status_code == 422
    assert client_for("shequ").get("/api/v1/map?community=abc").status_code == 422
    assert client_for("shequ").get(f"/api/v1/map?community={2**63}").status_code == 422
    assert client_for("shequ").get("/places/map/?community=abc").status_code == 404
    assert client_for("shequ2").get(f"/places/map/?community={community}").status_code == 404


def test_the_map_page_needs_no_internet(client_for, personas, settings):
    page = client_for("shequ").get("/places/map/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html and 'data-tiles=""' in html
    assert "http://" not in html.split("<main>")[1] and "https://" not in html.split("<main>")[1]
    settings.XIANFENG_MAP_TILES = "https://tiles.example.cn/{z}/{x}/{y}.png"
    html = client_for("shequ").get("/places/map/").content.decode()
    assert 'data-tiles="https://tiles.example.cn/{z}/{x}/{y}.png"' in html
    none = client_for("danwei").get("/places/map/")
    assert none.status_code == 200 and "没有网格" in none.content.decode()


def test_boundary_drawn_on_the_map_is_saved_with_history(client_for, personas):
    grid = Grid.objects.restrict(personas["wangge"]).order_by("pk").first()
    client = client_for("shequ")
    page = client.get(f"/places/grids/{grid.pk}/boundary/")
    assert page.status_code == 200 and 'id="boundary-map"' in page.content.decode()
    before = grid.history.count()
    response = client.post(f"/places/grids/{grid.pk}/boundary/", {"boundary": json.dumps(SQUARE)})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.boundary == SQUARE
    assert grid.history.count() == before + 1
    assert grid.history.first().history_change_reason == "修改网格"
    assert grid.history.first().history_user == personas["shequ"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "边界不是有效的JSON"),
        (json.dumps({"type": "Point", "coordinates": [102.7, 25.0]}), ""),
        (json.dumps({"type": "Polygon", "coordinates": [[[102.7, 25.0], [102.8, 25.0]]]}), ""),
    ],
)
def test_a_bad_boundary_is_refused_in_chinese(client_for, personas, text, message):
    grid = Grid.objects.restrict(personas["wangge"]).order_by("pk").first()
    kept = grid.boundary
    response = client_for("shequ").post(f"/places/grids/{grid.pk}/boundary/", {"boundary": text})
    assert response.status_code == 400
    errors = response.context["form"].errors["boundary"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
    assert message in " ".join(errors)
    grid.refresh_from_db()
    assert grid.boundary == kept


def test_a_cleared_boundary_is_no_boundary(client_for, personas):
    grid = Grid.objects.restrict(personas["wangge"]).order_by("pk").first()
    response = client_for("shequ").post(f"/places/grids/{grid.pk}/boundary/", {"boundary": ""})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.boundary is None
