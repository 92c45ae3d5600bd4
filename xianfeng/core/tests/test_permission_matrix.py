"""Every page and endpoint × every role, inside and outside its scope.

Side A is the grid branch of ``wangge`` (in ``shequ``'s community, street 1); side B is
``shequ2``'s community (street 2). A role sees a side when its organization's subtree holds it:
missing and not-yours both answer 404; seen but not allowed answers 403.
"""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.demo.testing import objects_under
from xianfeng.orgs.models import Pairing

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "qu", "jiedao", "shequ", "shequ2", "wangge", "dangyuan", "danwei", "jiancha"]
SEES = {  # persona: (sees side A, sees side B)
    "admin": (True, True),
    "qu": (True, True),
    "jiedao": (True, False),
    "shequ": (True, False),
    "shequ2": (False, True),
    "wangge": (True, False),
    "dangyuan": (True, False),
    "danwei": (False, False),
    "jiancha": (True, True),
}
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
GRID_WRITERS = ADMINS | {"wangge"}
SENSITIVE = GRID_WRITERS
ANYONE = set(PERSONAS)


def expected(persona: str, side: int, allowed: set[str]) -> int:
    if not SEES[persona][side]:
        return 404
    return 200 if persona in allowed else 403


# (name, url template, method, who may)
OBJECT_PAGES = [
    ("org detail", "/orgs/{org}/", "get", ANYONE),
    ("org children", "/orgs/{org}/children/", "get", ANYONE),
    ("org edit", "/orgs/{org}/edit/", "get", ADMINS),
    ("org new child", "/orgs/{org}/new/", "get", ADMINS),
    ("org move", "/orgs/{org}/move/", "get", ADMINS),
    ("org delete", "/orgs/{org}/delete/", "get", ADMINS),
    ("org pairing new", "/orgs/{org}/pairings/new/", "get", ADMINS),
    ("member detail", "/members/{member}/", "get", ANYONE),
    ("member edit", "/members/{member}/edit/", "get", GRID_WRITERS),
    ("person reveal", "/persons/{person}/reveal/", "post", SENSITIVE),
    ("grid detail", "/places/grids/{grid}/", "get", ANYONE),
    ("grid edit", "/places/grids/{grid}/edit/", "get", ADMINS),
    ("building detail", "/places/buildings/{building}/", "get", ANYONE),
    ("building edit", "/places/buildings/{building}/edit/", "get", GRID_WRITERS),
    ("household new", "/places/buildings/{building}/households/new/", "get", GRID_WRITERS),
    ("household detail", "/places/households/{household}/", "get", ANYONE),
    ("household edit", "/places/households/{household}/edit/", "get", GRID_WRITERS),
    ("zone detail", "/zones/{zone}/", "get", ANYONE),
    ("zone edit", "/zones/{zone}/edit/", "get", GRID_WRITERS),
    ("zone new", "/zones/new/{org}/", "get", GRID_WRITERS),
]

# Pages without an object: who gets 200 (the rest 403).
PLAIN_PAGES = [
    ("home", "/", ANYONE),
    ("tree", "/orgs/", ANYONE),
    ("member list", "/members/", ANYONE),
    ("member new", "/members/new/", GRID_WRITERS),
    ("grid list", "/places/grids/", ANYONE),
    ("grid new", "/places/grids/new/", ADMINS),
    ("building list", "/places/buildings/", ANYONE),
    ("building new", "/places/buildings/new/", GRID_WRITERS),
    ("zone list", "/zones/", ANYONE),
    ("search", "/search/?q=a", ANYONE),
    ("member picker", "/members/pick/?q=a", ANYONE),
    ("household picker", "/places/households/pick/?q=1", ANYONE),
    ("two-factor", "/account/2fa/", ANYONE),
    ("outbox", "/offline/outbox/", ANYONE),
]


@pytest.fixture
def sides(personas):
    def ids(objs):
        return {
            "org": objs["org"].pk,
            "member": objs["member"].pk,
            "person": objs["member"].person_id,
            "grid": objs["grid"].pk,
            "building": objs["building"].pk,
            "household": objs["household"].pk,
            "zone": objs["zone"].pk,
        }

    return (
        ids(objects_under(role_org(personas["wangge"]))),
        ids(objects_under(role_org(personas["shequ2"]))),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed"), OBJECT_PAGES)
def test_object_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        url = template.format(**sides[side])
        response = getattr(client, method)(url)
        want = expected(persona, side, allowed)
        assert response.status_code == want, (
            f"{persona} {name} side {'AB'[side]}: {response.status_code}"
        )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "allowed"), PLAIN_PAGES)
def test_plain_pages_answer_by_role(client_for, persona, name, url, allowed):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {name}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_pairing_is_seen_from_either_side(client_for, personas, persona):
    community = role_org(personas["shequ"])
    unit = role_org(personas["danwei"])
    pairing = Pairing.objects.filter(org_a=community, org_b=unit).first() or (
        Pairing.objects.filter(org_a=unit, org_b=community).first()
    )
    assert pairing is not None
    sees = persona in {"admin", "qu", "jiedao", "shequ", "danwei", "jiancha"}
    response = client_for(persona).get(f"/orgs/pairings/{pairing.pk}/")
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_pairings_delivery_answers_by_side_and_role(client_for, personas, persona):
    """Each side records its own deliveries: the community's admins and the unit's liaison;
    the auditor sees the pairing but records nothing; others do not see it."""
    community = role_org(personas["shequ"])
    unit = role_org(personas["danwei"])
    pairing = Pairing.objects.filter(org_a=community, org_b=unit).first() or (
        Pairing.objects.filter(org_a=unit, org_b=community).first()
    )
    sees = {"admin", "qu", "jiedao", "shequ", "danwei", "jiancha"}
    want = 404 if persona not in sees else (403 if persona == "jiancha" else 200)
    client = client_for(persona)
    page = client.get(f"/orgs/pairings/{pairing.pk}/deliveries/new/")
    assert page.status_code == want, persona
    api = client.get(f"/api/v1/pairings/{pairing.pk}/deliveries")
    assert api.status_code == (404 if persona not in sees else 200), persona
    posted = client.post(
        f"/api/v1/pairings/{pairing.pk}/deliveries",
        {"organization": community.pk, "done_on": "2026-01-05", "content": "矩阵测试"},
        content_type="application/json",
    )
    allowed = {"admin", "qu", "jiedao", "shequ"}
    posted_want = 201 if persona in allowed else (403 if persona in sees else 404)
    assert posted.status_code == posted_want, (persona, posted.content)


@pytest.mark.parametrize(
    "url",
    [
        t.format(org=1, member=1, person=1, grid=1, building=1, household=1, zone=1)
        for _, t, m, _a in OBJECT_PAGES
        if m == "get"
    ]
    + [u for _, u, _a in PLAIN_PAGES],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_missing_object_answers_404_like_an_object_outside_scope(client_for):
    assert client_for("qu").get("/members/99999999/").status_code == 404


# The API answers like the pages: 404 outside scope, 403 for a role that sees but may not write.
API_OBJECT_ENDPOINTS = [
    ("organization", "/api/v1/organizations/{org}", ANYONE, ADMINS),
    ("member", "/api/v1/members/{member}", ANYONE, GRID_WRITERS),
    ("grid", "/api/v1/grids/{grid}", ANYONE, ADMINS),
    ("building", "/api/v1/buildings/{building}", ANYONE, GRID_WRITERS),
    ("household", "/api/v1/households/{household}", ANYONE, GRID_WRITERS),
    ("zone", "/api/v1/zones/{zone}", ANYONE, GRID_WRITERS),
]
API_LISTS = [
    "/api/v1/me",
    "/api/v1/organizations",
    "/api/v1/pairings",
    "/api/v1/members",
    "/api/v1/grids",
    "/api/v1/buildings",
    "/api/v1/households",
    "/api/v1/zones",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "readers", "writers"), API_OBJECT_ENDPOINTS)
def test_api_objects_answer_by_scope_and_role(
    client_for, sides, persona, name, template, readers, writers
):
    client = client_for(persona)
    for side in (0, 1):
        url = template.format(**sides[side])
        got = client.get(url)
        assert got.status_code == expected(persona, side, readers), f"{persona} GET {name}"
        patched = client.patch(url, data="{}", content_type="application/json")
        want = expected(persona, side, writers)
        assert patched.status_code == want, f"{persona} PATCH {name} side {'AB'[side]}"
        if want >= 400:
            assert "detail" in patched.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_reveal_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        response = client.post(f"/api/v1/persons/{sides[side]['person']}/reveal")
        want = expected(persona, side, SENSITIVE)
        assert response.status_code == want, f"{persona} reveal side {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_answer_every_role(client_for, persona, url):
    assert client_for(persona).get(url).status_code == 200


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert "detail" in response.json()


# The login steps are open to everyone: the password step answers the form, the second
# factor and the enrolment send back to the password step without a pending login, and the
# token endpoint takes anyone's credentials (and answers 401 to bad ones).
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_login_steps_answer_every_role_alike(client_for, persona):
    client = client_for(persona)
    assert client.get("/login/").status_code == 302  # logged in already: home
    for url in ("/login/verify/", "/login/setup/"):
        assert client.get(url)["Location"] == "/login/"


@pytest.mark.parametrize("url", ["/login/", "/login/verify/", "/login/setup/"])
def test_the_login_steps_are_open_to_anonymous_visitors(client, url):
    response = client.get(url)
    assert response.status_code == 200 if url == "/login/" else response.url == "/login/"


# The installable app's files and the page shown for a page never kept carry no data: open to
# everyone, logged in or not (the service worker installs before the login page is left).
@pytest.mark.parametrize("persona", [None, *PERSONAS])
@pytest.mark.parametrize("url", ["/sw.js", "/manifest.webmanifest", "/offline/"])
def test_the_offline_app_files_are_open_to_everyone(client, client_for, persona, url):
    assert (client_for(persona) if persona else client).get(url).status_code == 200


def test_the_token_endpoint_is_open_and_refuses_bad_credentials(client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "qu", "password": "wrong-password"},
        content_type="application/json",
    )
    assert response.status_code == 401
