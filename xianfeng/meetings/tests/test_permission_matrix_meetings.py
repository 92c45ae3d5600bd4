"""Every meetings page and endpoint × every role, inside and outside its scope (the rules of
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A is a meeting of ``wangge``'s grid branch, side B one of a branch under ``shequ2``'s
community."""

from __future__ import annotations

import json

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.meetings.choices import MeetingState
from xianfeng.meetings.tests.factories import meeting_in
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
GRID_WRITERS = ADMINS | {"wangge"}


@pytest.fixture
def sides(personas):
    community_b = role_org(personas["shequ2"])
    branch_b = (
        Organization.objects.filter(parent=community_b, kind=OrgKind.GRID_BRANCH)
        .order_by("pk")
        .first()
    )
    out = []
    for org in (role_org(personas["wangge"]), branch_b):
        out.append(
            {
                "org": org.pk,
                "planned": meeting_in(MeetingState.PLANNED, personas, org).pk,
                "held": meeting_in(MeetingState.HELD, personas, org).pk,
                "published": meeting_in(MeetingState.PUBLISHED, personas, org).pk,
            }
        )
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_plain_pages_answer_by_role(client_for, persona):
    client = client_for(persona)
    assert client.get("/meetings/").status_code == 200
    assert client.get("/api/v1/meetings").status_code == 200
    want = 200 if persona in GRID_WRITERS else 403
    assert client.get("/meetings/new/").status_code == want, persona


OBJECT_PAGES = [
    ("meeting page", "/meetings/{planned}/", "get", ANYONE, 200),
    ("meeting api", "/api/v1/meetings/{published}", "get", ANYONE, 200),
    ("minutes page", "/meetings/{held}/minutes/", "post", GRID_WRITERS, 302),
    ("decision page", "/meetings/{held}/decisions/", "post", GRID_WRITERS, 302),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed", "ok"), OBJECT_PAGES)
def test_meeting_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed, ok
):
    client = client_for(persona)
    body = {"minutes": "纪要", "text": "决议"}
    for side in (0, 1):
        url = template.format(**sides[side])
        response = client.get(url) if method == "get" else client.post(url, body)
        want = expected(persona, side, allowed)
        assert response.status_code == (ok if want == 200 else want), f"{persona} {name} {side}"


# (endpoint, which meeting, method, body, who may, success status)
ENDPOINTS = [
    ("hold", "planned", "post", {}, GRID_WRITERS, 200),
    ("publish", "held", "post", {}, GRID_WRITERS, 200),
    ("revise", "published", "post", {"minutes": "新纪要", "reason": "补记"}, GRID_WRITERS, 200),
    ("cancel", "planned", "post", {"reason": "改期"}, GRID_WRITERS, 200),
    ("minutes", "held", "put", {"minutes": "纪要"}, GRID_WRITERS, 200),
    ("decisions", "held", "post", {"text": "决议"}, GRID_WRITERS, 201),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "method", "body", "allowed", "ok"), ENDPOINTS)
def test_meeting_endpoints_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, method, body, allowed, ok
):
    client = client_for(persona)
    for side in (0, 1):
        url = f"/api/v1/meetings/{sides[side][which]}/{verb}"
        response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
        want = expected(persona, side, allowed)
        got = response.status_code
        assert got == (ok if want == 200 else want), f"{persona} {verb} {side}: {response.content}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_step_pages_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        response = client.post(f"/meetings/{sides[side]['planned']}/hold/")
        want = expected(persona, side, GRID_WRITERS)
        assert response.status_code == (302 if want == 200 else want), f"{persona} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_planning_through_the_api_answers_by_role_and_scope(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        body = {
            "organization": sides[side]["org"],
            "kind": "assembly",
            "topic": "学习",
            "starts_at": "2030-01-05T09:00:00+08:00",
            "place": "党群服务中心",
        }
        response = client.post(
            "/api/v1/meetings", json.dumps(body), content_type="application/json"
        )
        if persona not in GRID_WRITERS:
            want = 403
        else:
            want = 201 if SEES[persona][side] else 400
        assert response.status_code == want, f"{persona} {side}: {response.content}"


def test_the_public_page_needs_no_account(client, personas):
    community = role_org(personas["shequ"])
    assert client.get(f"/meetings/public/{community.pk}/").status_code == 200
    assert client.get(f"/api/v1/public/communities/{community.pk}/decisions").status_code == 200
    assert client.get("/meetings/").status_code == 302  # the rest needs an account
