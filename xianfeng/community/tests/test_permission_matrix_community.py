"""Every page and endpoint of members in the community × every role, inside and outside its
scope (the rules of xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen
but not allowed). Side A lies in ``shequ``'s community (a member of ``wangge``'s grid), side B
in ``shequ2``'s."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from xianfeng.community import records, teams
from xianfeng.community.models import ServiceSession
from xianfeng.community.tests import factories as cf
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import ADMINS, PERSONAS, expected
from xianfeng.demo.base import persona_member
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db
ANYONE = set(PERSONAS)


def _pending(member: PartyMember, community) -> int:
    return ServiceSession.objects.create(
        member=member,
        organization=community,
        branch=member.branch,
        source="self",
        served_on=timezone.localdate(),
        hours=Decimal("2"),
        content="清理楼道",
        state="pending",
    ).pk


@pytest.fixture
def sides(personas):
    out = []
    for admin, member in (
        ("shequ", persona_member("dangyuan")),
        ("shequ2", None),
    ):
        community = role_org(personas[admin])
        if member is None:
            member = PartyMember.objects.filter(branch__path__startswith=community.path).order_by(
                "pk"
            )[0]
        team = teams.team_create(
            actor=personas[admin], organization=community, name="巡查队", kind="patrol"
        )
        joiner = member
        if admin == "shequ":  # dangyuan is on side A's team: it sees its team, wangge does not
            teams.team_member_add(actor=personas[admin], team=team, member=member)
            joiner = PartyMember.objects.filter(branch=member.branch).exclude(pk=member.pk).first()
        out.append(
            {
                "team": team.pk,
                "session": _pending(member, community),
                "session2": _pending(member, community),
                "member": joiner.pk,
            }
        )
    return out


OBJECT_PAGES = [
    ("session detail", "/work/sessions/{session}/"),
    ("api session", "/api/v1/sessions/{session}"),
]
# A team belongs to its community: the community's staff and those above see it, and its
# members (through their membership); a grid secretary below the community does not.
TEAM_SEES = {
    "admin": (True, True),
    "qu": (True, True),
    "jiedao": (True, False),
    "shequ": (True, False),
    "shequ2": (False, True),
    "wangge": (False, False),
    "dangyuan": (True, False),
    "danwei": (False, False),
    "jiancha": (True, True),
}
TEAM_PAGES = [
    ("team detail", "/work/teams/{team}/"),
    ("api team", "/api/v1/teams/{team}"),
    ("api team members", "/api/v1/teams/{team}/members"),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template"), TEAM_PAGES)
def test_teams_answer_their_community_and_their_members(client_for, sides, persona, name, template):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        want = 200 if TEAM_SEES[persona][side] else 404
        assert response.status_code == want, f"{persona} {name} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template"), OBJECT_PAGES)
def test_objects_answer_by_scope(client_for, sides, persona, name, template):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        assert response.status_code == expected(persona, side, ANYONE), f"{persona} {name} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_confirming_hours_answers_by_scope_and_role(client_for, sides, persona):
    """Only the community's staff confirm (page and API); the member never confirms their own."""
    client = client_for(persona)
    for side in (0, 1):
        want = expected(persona, side, ADMINS)
        api = client.post(
            f"/api/v1/sessions/{sides[side]['session']}/confirm",
            data={},
            content_type="application/json",
        )
        assert api.status_code == want, f"{persona} api {side} {api.content[:200]!r}"
        page = client.post(f"/work/sessions/{sides[side]['session2']}/confirm/")
        assert page.status_code == (302 if want == 200 else want), f"{persona} page {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_adding_a_team_member_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        response = client.post(
            f"/api/v1/teams/{sides[side]['team']}/members",
            data={"member": sides[side]["member"]},
            content_type="application/json",
        )
        want = (200 if persona in ADMINS else 403) if TEAM_SEES[persona][side] else 404
        assert response.status_code == (201 if want == 200 else want), f"{persona} {side}"


LISTS = [
    "/work/service/",
    "/work/sessions/",
    "/work/teams/",
    "/work/records/",
    "/work/mobile-services/",
    "/work/mobile-services/pick/?q=a",
    "/work/mobile-members/",
    "/api/v1/sessions",
    "/api/v1/teams",
    "/api/v1/records",
    "/api/v1/records/unreported",
    "/api/v1/mobile-services",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_open_to_every_role_show_only_their_scope(client_for, sides, persona):
    client = client_for(persona)
    for url in LISTS:
        assert client.get(url).status_code == 200, (persona, url)
    ids = {row["id"] for row in client.get("/api/v1/teams?page_size=200").json()["results"]}
    from xianfeng.core.tests.test_permission_matrix import SEES

    for side in (0, 1):
        in_scope = SEES[persona][side] and persona not in {"wangge", "dangyuan"}
        assert (sides[side]["team"] in ids) == in_scope, (persona, side)


def test_the_record_and_its_pdf_answer_the_community_the_unit_and_the_branch(personas, client_for):
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    record = records.record_write(
        actor=personas["shequ"],
        member=member,
        community=cf.community(),
        rating="good",
        opinion="良好",
        year=timezone.localdate().year,
    )
    readers = {"admin", "qu", "jiedao", "shequ", "danwei", "jiancha"}
    for persona in PERSONAS:
        client = client_for(persona)
        want = 200 if persona in readers else 404
        for url in (f"/work/records/{record.pk}/", f"/api/v1/records/{record.pk}"):
            assert client.get(url).status_code == want, (persona, url)
    # writing: the community's staff only (the form page and the API)
    place = member.service_places.get()
    for persona in PERSONAS:
        response = client_for(persona).get(f"/work/records/new/{place.pk}/")
        want = (
            200
            if persona in {"admin", "qu", "jiedao", "shequ"}
            else (403 if persona in {"danwei", "jiancha"} else 404)
        )
        assert response.status_code == want, persona
        api = client_for(persona).post(
            "/api/v1/records",
            data={
                "place": place.pk,
                "rating": "good",
                "opinion": "x",
                "year": 2001 + PERSONAS.index(persona),
            },
            content_type="application/json",
        )
        want_api = {"admin": 201, "qu": 201, "jiedao": 201, "shequ": 201}.get(
            persona, 403 if persona in {"danwei", "jiancha", "wangge", "dangyuan"} else 400
        )
        assert api.status_code == want_api, (persona, api.content[:200])


def test_the_yearly_records_to_write_answer_the_community_staff(personas, client_for):
    """/work/records/due/: staff who write records open it and see only the places in their
    communities; every other role is refused (403), the work unit's liaison too."""
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    sees = {"admin", "qu", "jiedao", "shequ"}
    for persona in PERSONAS:
        response = client_for(persona).get("/work/records/due/")
        assert response.status_code == (200 if persona in ADMINS else 403), persona
        if response.status_code == 200:
            assert (member.person.name in response.content.decode()) == (persona in sees), persona
