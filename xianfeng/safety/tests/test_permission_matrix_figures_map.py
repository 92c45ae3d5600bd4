"""The safety figures and the map × every role, inside and outside its scope (the same rules as
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A is ``wangge``'s grid branch (its community for the map), side B ``shequ2``'s community."""

from __future__ import annotations

import json

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import ADMINS, ANYONE, PERSONAS, expected
from xianfeng.places.models import Grid

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[102.7, 25.04], [102.71, 25.04], [102.71, 25.05], [102.7, 25.04]]],
}


@pytest.fixture
def sides(personas):
    branch_a = role_org(personas["wangge"])
    community_b = role_org(personas["shequ2"])
    out = []
    for org, community in ((branch_a, branch_a.parent), (community_b, community_b)):
        grid = Grid.objects.filter(organization__path__startswith=org.path).order_by("pk")[0]
        out.append({"org": org.pk, "community": community.pk, "grid": grid.pk})
    return out


OBJECT_URLS = [
    ("figures page", "/safety/figures/?org={org}", "get", ANYONE),
    ("figures api", "/api/v1/safety/figures?org={org}", "get", ANYONE),
    ("map page", "/places/map/?community={community}", "get", ANYONE),
    ("map data", "/api/v1/map?community={community}", "get", ANYONE),
    ("boundary editor", "/places/grids/{grid}/boundary/", "get", ADMINS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed"), OBJECT_URLS)
def test_figures_and_map_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = getattr(client, method)(template.format(**sides[side]))
        want = expected(persona, side, allowed)
        assert response.status_code == want, f"{persona} {name} {'AB'[side]}"
        if template.startswith("/api/") and want != 200:
            assert response.json()["detail"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_boundary_saved_on_the_map_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        grid = Grid.objects.get(pk=sides[side]["grid"])
        response = client.post(
            f"/places/grids/{grid.pk}/boundary/", {"boundary": json.dumps(SQUARE)}
        )
        want = expected(persona, side, ADMINS)
        assert response.status_code == (302 if want == 200 else want), f"{persona} {side}"
        grid.refresh_from_db()
        assert (grid.boundary == SQUARE) == (want == 200), f"{persona} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", ["/safety/figures/", "/places/map/", "/api/v1/safety/figures"])
def test_the_plain_pages_answer_every_role(client_for, persona, url):
    assert client_for(persona).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/safety/figures/", "/places/map/", "/places/grids/1/boundary/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("url", ["/api/v1/safety/figures", "/api/v1/map?community=1"])
def test_the_api_needs_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 401 and "detail" in response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_links_the_figures_for_the_roles_that_count_hazards(client_for, persona):
    """安全统计 is in the main menu of every role with hazards in its reach (the roles the 安全
    menu is for), and leads to a page that answers; a unit liaison, whose unit holds no grid,
    has neither item."""
    from xianfeng.core.models import User
    from xianfeng.core.scope import user_can
    from xianfeng.safety.models import Hazard

    client = client_for(persona)
    home = client.get("/").content.decode()
    link = '<a href="/safety/figures/"'
    user = User.objects.get(username=persona)
    if persona == "danwei":
        assert link not in home and '<a href="/safety/hazards/"' not in home
        return
    assert user_can(user, "view", Hazard)
    assert link in home and "安全统计" in home
    page = client.get("/safety/figures/").content.decode()
    assert 'href="/safety/figures/" class="on"' in page
