"""The safety map and figures in real headless Chromium at desktop size, with no internet: the
community admin opens the map (buildings coloured by class, grid boundaries, no tiles), redraws
a grid's boundary on the map (adds a vertex on an edge, drags one, removes one, saves: history;
then adds a hole and a second part, and has a hole outside its part refused),
and reads the figures (ECharts from /static/vendor), drilling down one level. axe-core checks
every page. Screenshots ``safety-desktop-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.places.models import Grid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ring(grid: Grid) -> list:
    return grid.boundary["coordinates"][0]


def test_map_boundary_and_figures_on_a_desktop_with_no_internet(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
):
    from xianfeng.core.models import User

    base = demo_live_server.url
    shequ = User.objects.get(username="shequ")
    community = role_org(shequ)
    context, page, external = _page(browser, "desktop")
    _login(page, base, "shequ")

    # 1. the map: every located building of the community as a coloured circle, grids outlined
    page.goto(f"{base}/places/map/?community={community.pk}")
    page.wait_for_selector("#map[data-loaded]")
    assert page.get_attribute("#map", "data-loaded") != "error"
    n_buildings = page.locator("#map path.building").count()
    assert n_buildings > 0
    assert page.locator("#map path.building.unrated").count() > 0
    total = sum(
        int(page.text_content(f"#map-legend [data-count={c}]"))
        for c in ("red", "yellow", "green", "unrated")
    )
    assert total == n_buildings
    assert page.locator(".leaflet-tile").count() == 0  # no background tiles asked for
    # every grid's outline with all its rings: the demo's grid of two parts, one with a hole,
    # is one path of three rings
    drawn = page.eval_on_selector_all(
        "#map path.grid", "ps => ps.map(p => (p.getAttribute('d').match(/M/g) || []).length)"
    )
    rings = [
        sum(len(part) for part in g.boundary["coordinates"])
        if g.boundary["type"] == "MultiPolygon"
        else len(g.boundary["coordinates"])
        for g in Grid.objects.filter(community=community, boundary__isnull=False)
    ]
    assert 3 in rings and sorted(drawn) == sorted(rings), (drawn, rings)
    _axe(page)
    _shot(page, "safety-desktop-01-map")

    # 2. the grid's boundary redrawn on the map
    grid = Grid.objects.filter(community=community).order_by("code").first()
    before = _ring(grid)
    history = grid.history.count()
    page.goto(f"{base}/places/grids/{grid.pk}/")
    page.click("#draw-boundary")
    page.wait_for_selector("#boundary-map[data-ready]")
    assert page.get_attribute("#boundary-map", "data-vertices") == str(len(before) - 1)
    _axe(page)
    _shot(page, "safety-desktop-02-boundary-before")
    box = page.locator("#boundary-map").bounding_box()
    # a click just outside the middle of the left edge adds a vertex on that edge
    vertices = page.locator("#boundary-map .vertex")
    first = vertices.nth(0).bounding_box()
    fourth = vertices.nth(3).bounding_box()
    mid_x = (first["x"] + fourth["x"]) / 2 + 7 - 30
    mid_y = (first["y"] + fourth["y"]) / 2 + 7
    page.mouse.click(mid_x, mid_y)
    page.wait_for_selector(f"#boundary-map[data-vertices='{len(before)}']")
    # a click on the new vertex (after the fourth, on the closing edge) removes it again
    page.locator("#boundary-map .vertex").nth(4).click()
    page.wait_for_selector(f"#boundary-map[data-vertices='{len(before) - 1}']")
    page.mouse.click(mid_x, mid_y)
    page.wait_for_selector(f"#boundary-map[data-vertices='{len(before)}']")
    # drag the first vertex 40 px down and to the left
    v = vertices.nth(0).bounding_box()
    page.mouse.move(v["x"] + 7, v["y"] + 7)
    page.mouse.down()
    page.mouse.move(v["x"] - 20, v["y"] + 20, steps=5)
    page.mouse.move(v["x"] - 33, v["y"] + 47, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "() => JSON.parse(document.getElementById('id_boundary').value || 'null')"
        f"?.coordinates[0][0][0] !== {before[0][0]!r}"
    )
    assert box["width"] > 300
    _shot(page, "safety-desktop-03-boundary-edited")
    value = page.input_value("#id_boundary")
    assert '"Polygon"' in value
    page.click("#boundary-save")
    page.wait_for_selector("text=已保存网格边界。")
    grid.refresh_from_db()
    after = _ring(grid)
    assert len(after) == len(before) + 1 and after[0] == after[-1]
    assert after[0] != before[0]  # dragged
    assert grid.history.count() == history + 1
    _axe(page)

    # 2b. every ring is editable: a hole in the first part, a second part, then the first part's
    # outer ring picked again; a hole outside its part is refused in Chinese and nothing is saved
    page.goto(f"{base}/places/grids/{grid.pk}/boundary/")
    page.wait_for_selector("#boundary-map[data-ready]")
    box = page.locator("#boundary-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.click("#boundary-add-hole")
    page.wait_for_selector("#boundary-map[data-vertices='0'][data-rings='2']")
    for dx, dy in ((-25, -20), (25, -20), (0, 25)):
        page.mouse.click(cx + dx, cy + dy)
    page.wait_for_selector("#boundary-map[data-vertices='3']")
    zoom = page.get_attribute("#boundary-map", "data-zoom") or ""
    page.click("#boundary-map .leaflet-control-zoom-out")
    page.wait_for_function(
        f"() => (document.getElementById('boundary-map').dataset.zoom || '') !== {zoom!r}"
    )
    page.click("#boundary-add-part")
    page.wait_for_selector("#boundary-map[data-parts='2'][data-vertices='0']")
    right, bottom = box["x"] + box["width"], box["y"] + box["height"]
    for dx, dy in ((-70, -70), (-20, -70), (-20, -20)):
        page.mouse.click(right + dx, bottom + dy)
    page.wait_for_selector("#boundary-map[data-vertices='3'][data-rings='3']")
    page.select_option("#boundary-ring", "0:0")
    page.wait_for_selector(f"#boundary-map[data-vertices='{len(after) - 1}']")
    assert '"MultiPolygon"' in page.input_value("#id_boundary")
    _axe(page)
    _shot(page, "safety-desktop-03b-boundary-parts-and-hole")
    page.click("#boundary-save")
    page.wait_for_selector("text=已保存网格边界。")
    grid.refresh_from_db()
    assert grid.boundary["type"] == "MultiPolygon"
    first, second = grid.boundary["coordinates"]
    assert first[0] == after and len(first) == 2 and len(first[1]) == 4
    assert len(second) == 1 and len(second[0]) == 4
    saved = grid.boundary

    page.goto(f"{base}/places/grids/{grid.pk}/boundary/")
    page.wait_for_selector("#boundary-map[data-ready][data-parts='2']")
    page.select_option("#boundary-ring", "1:0")
    page.click("#boundary-add-hole")
    page.wait_for_selector("#boundary-map[data-vertices='0'][data-rings='4']")
    # a hole placed in the top right corner, outside both parts
    for dx, dy in ((-70, 70), (-20, 70), (-20, 20)):
        page.mouse.click(right + dx, box["y"] + dy)
    page.wait_for_selector("#boundary-map[data-vertices='3']")
    page.click("#boundary-save")
    page.wait_for_selector(".errorlist")
    assert "第2块的洞1（内环）不在它的外边界之内" in page.text_content(".errorlist")
    grid.refresh_from_db()
    assert grid.boundary == saved
    _axe(page)
    _shot(page, "safety-desktop-03c-boundary-refused")

    # 3. the figures, drawn by ECharts, then one level down
    page.goto(f"{base}/safety/figures/")
    for chart in ("colours", "months", "categories", "states"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn] svg")
    _axe(page)
    _shot(page, "safety-desktop-04-figures")
    page.click("#figures-children a >> nth=0")
    page.wait_for_selector("#chart-colours[data-drawn] svg")
    assert page.locator("h1").text_content().startswith("安全统计 · ")
    _axe(page)
    _shot(page, "safety-desktop-05-figures-grid")
    assert external == [], f"pages asked the internet: {external[:3]}"
    context.close()
