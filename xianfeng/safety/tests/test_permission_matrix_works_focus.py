"""Small works (零星工程) and focus days (集中整治日) × every role, inside and outside its scope
(the rules of xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but
not allowed). Works: side A is filed in ``wangge``'s community on a building of the grid
branch, side B in ``shequ2``'s community. Focus days belong to a street: side A is
``jiedao``'s street, side B the street above ``shequ2``'s community — seen only by the
district, the auditor and that street's staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import ADMINS, ANYONE, PERSONAS, expected
from xianfeng.places.models import Building
from xianfeng.safety import services_works as ws
from xianfeng.safety.models import FocusDay, SmallWork
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db

GRID_WRITERS = ADMINS | {"wangge"}
FIELD = GRID_WRITERS | {"dangyuan"}
#: Who sees a street's focus day: (side A, side B).
FOCUS_SEES = {
    "admin": (True, True),
    "qu": (True, True),
    "jiedao": (True, False),
    "jiancha": (True, True),
}
STREET_LEADERS = {"admin", "qu", "jiedao"}


def focus_expected(persona: str, side: int, allowed: set[str]) -> int:
    if not FOCUS_SEES.get(persona, (False, False))[side]:
        return 404
    return 200 if persona in allowed else 403


@pytest.fixture
def sides(personas):
    cache.clear()
    out = []
    today = timezone.localdate()
    for n, org in enumerate((role_org(personas["wangge"]), role_org(personas["shequ2"]))):
        building = f.building_under(org)
        community = org if org.kind == "community" else org.parent
        works = []
        for k in range(3):
            works.append(
                ws.works_file(
                    community=community,
                    applicant="李师傅",
                    phone=f"1390000{n}{k:03d}",
                    site=building.address,
                    kind="renovation",
                    start_on=today + timedelta(days=1),
                    end_on=today + timedelta(days=9),
                    measures="灭火器两具",
                    throttle=False,
                )
            )
        street = community.parent
        day = FocusDay.objects.create(
            organization=street, day=today + timedelta(days=30 + n), theme="整治"
        )
        out.append(
            {
                "building": building.pk,
                "community": community.pk,
                "works": works[0].pk,
                "works2": works[1].pk,
                "works3": works[2].pk,
                "focus": day.pk,
                "street": street.pk,
            }
        )
    return out


WORKS_URLS = [
    ("works detail", "/safety/works/{works}/", "get", ANYONE),
    ("works api detail", "/api/v1/safety/works/{works}", "get", ANYONE),
    ("unfiled form", "/safety/buildings/{building}/unfiled-works/", "get", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed"), WORKS_URLS)
def test_works_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = getattr(client, method)(template.format(**sides[side]))
        want = expected(persona, side, allowed)
        assert response.status_code == want, f"{persona} {name} {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_works_steps_answer_by_scope_and_role(client_for, sides, persona):
    """accept (page), decline (API), accept then inspect (API): by who may."""
    client = client_for(persona)
    for side in (0, 1):
        s = sides[side]
        want = expected(persona, side, GRID_WRITERS)
        page = client.post(f"/safety/works/{s['works']}/accept/")
        assert page.status_code == (302 if want == 200 else want), f"{persona} accept {side}"
        api = client.post(
            f"/api/v1/safety/works/{s['works2']}/decline",
            {"reason": "不符合要求"},
            content_type="application/json",
        )
        assert api.status_code == want, f"{persona} decline {side}"
        states = dict(
            SmallWork.objects.filter(pk__in=[s["works"], s["works2"]]).values_list("pk", "state")
        )
        assert (states[s["works"]] == "accepted") == (want == 200)
        assert (states[s["works2"]] == "declined") == (want == 200)
        SmallWork.objects.filter(pk=s["works3"]).update(state="accepted")
        checked = client.post(
            f"/api/v1/safety/works/{s['works3']}/inspect",
            {"finding": "现场整洁"},
            content_type="application/json",
        )
        assert checked.status_code == expected(persona, side, FIELD), f"{persona} inspect {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_unfiled_works_post_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        s = sides[side]
        response = client.post(
            f"/safety/buildings/{s['building']}/unfiled-works/",
            {"description": "未报备拆墙", "severity": "general"},
        )
        want = expected(persona, side, FIELD)
        assert response.status_code == (302 if want == 200 else want), f"{persona} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "url", ["/safety/works/", "/safety/focus/", "/api/v1/safety/works", "/api/v1/safety/focus-days"]
)
def test_the_lists_answer_every_role(client_for, sides, persona, url):
    assert client_for(persona).get(url).status_code == 200


FOCUS_URLS = [
    ("focus detail", "/safety/focus/{focus}/", "get", ANYONE),
    ("focus api detail", "/api/v1/safety/focus-days/{focus}", "get", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed"), FOCUS_URLS)
def test_focus_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = getattr(client, method)(template.format(**sides[side]))
        assert response.status_code == focus_expected(persona, side, allowed), (
            f"{persona} {name} {'AB'[side]}"
        )


@pytest.mark.parametrize("persona", PERSONAS)
def test_focus_steps_answer_by_scope_and_role(client_for, personas, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        s = sides[side]
        hazard = f.hazard(personas["admin"], Building.objects.get(pk=s["building"]))
        response = client.post(
            f"/api/v1/safety/focus-days/{s['focus']}/pick",
            {"hazards": [hazard.pk]},
            content_type="application/json",
        )
        want = focus_expected(persona, side, STREET_LEADERS)
        assert response.status_code == want, f"{persona} pick {'AB'[side]}"
        page = client.post(f"/safety/focus/{s['focus']}/pick/", {"hazards": [hazard.pk]})
        assert page.status_code == (302 if want == 200 else want), f"{persona} page {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_scheduling_a_focus_day_by_role(client_for, sides, persona):
    """A street's leaders schedule for the streets they see; a community or a member cannot
    (403 for the role, 400 for a street the account does not see)."""
    client = client_for(persona)
    for side in (0, 1):
        response = client.post(
            "/api/v1/safety/focus-days",
            {
                "organization": sides[side]["street"],
                "theme": "电动车",
                "day": (timezone.localdate() + timedelta(days=100 + side)).isoformat(),
            },
            content_type="application/json",
        )
        if persona in STREET_LEADERS and FOCUS_SEES[persona][side]:
            assert response.status_code == 201, f"{persona} {side} {response.content}"
        else:
            assert response.status_code in (400, 403), f"{persona} {side}"
            assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/safety/works/", "/safety/focus/", "/safety/focus/new/", "/safety/works/1/"],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_public_pages_need_no_login(client, sides):
    assert client.get("/safety/works/file/").status_code == 200
    assert client.get("/safety/works/s/forged/").status_code == 404
    qr = client.get(f"/safety/works/file/qr.svg?community={sides[0]['community']}")
    assert qr.status_code == 200
