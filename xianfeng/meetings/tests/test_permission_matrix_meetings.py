"""Every meetings page and endpoint × every role, inside and outside its scope (the rules of
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A is a meeting of ``wangge``'s grid branch, side B one of a branch under ``shequ2``'s
community."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.meetings import services, votes
from xianfeng.meetings.choices import MeetingState
from xianfeng.meetings.models import MeetingRule
from xianfeng.meetings.tests.factories import meeting_in
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
GRID_WRITERS = ADMINS | {"wangge"}
DISTRICT = {"admin", "qu"}  # who sets the meeting rules (区委组织部)
AUDITORS = GRID_WRITERS | {"jiancha"}  # who reads the audit of a selection's ballots
POINT_WRITERS = {"admin", "qu", "jiedao"}  # who name contact points (the district, a street)


@pytest.fixture
def sides(personas):
    community_b = role_org(personas["shequ2"])
    branch_b = (
        Organization.objects.filter(parent=community_b, kind=OrgKind.GRID_BRANCH)
        .order_by("pk")
        .first()
    )
    out = []
    # Nominations stay open until tomorrow: a run that crosses local midnight answered 409.
    today = timezone.localdate()
    for org in (role_org(personas["wangge"]), branch_b):
        published = meeting_in(MeetingState.PUBLISHED, personas, org)
        selection = votes.selection_create(
            actor=personas["admin"], organization=org, kind="family", title="文明家庭评选",
            nominate_until=today + timedelta(days=1), vote_starts=today + timedelta(days=2),
            vote_ends=today + timedelta(days=8),
        )  # fmt: skip
        for name in ("张家", "李家"):
            votes.candidate_nominate(
                actor=personas["admin"], selection=selection, name=name, deeds="孝老爱亲"
            )
        event = services.publicity_record(
            actor=personas["admin"], organization=org, theme="安全宣讲", held_on=today,
            place="广场", participants=20,
        )  # fmt: skip
        point = services.contact_point_add(
            actor=personas["admin"], leader=PartyMember.objects.order_by("pk").first().pk,
            title="区委常委", organization=org, since=today,
        )  # fmt: skip
        out.append(
            {
                "point": point.pk,
                "org": org.pk,
                "planned": meeting_in(MeetingState.PLANNED, personas, org).pk,
                "held": meeting_in(MeetingState.HELD, personas, org).pk,
                "published": published.pk,
                "decision": published.decisions.get().pk,
                "selection": selection.pk,
                "event": event.pk,
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


# (name, url, who may; everyone else 403)
PLAIN_PAGES = [
    ("rhythm", "/meetings/rhythm/", ANYONE),
    ("rhythm api", "/api/v1/meeting-rhythm", ANYONE),
    ("figures api", "/api/v1/meeting-figures?start=2026-01-01&end=2026-06-30", ANYONE),
    ("rules api", "/api/v1/meeting-rules", ANYONE),
    ("rule new", "/meetings/rules/new/", DISTRICT),
    ("publicity", "/meetings/publicity/", ANYONE),
    ("publicity api", "/api/v1/publicity", ANYONE),
    ("publicity counts api", "/api/v1/publicity/counts", ANYONE),
    ("publicity new", "/meetings/publicity/new/", GRID_WRITERS),
    ("selections", "/meetings/selections/", ANYONE),
    ("selections api", "/api/v1/selections", ANYONE),
    ("selection new", "/meetings/selections/new/", GRID_WRITERS),
    ("contact points", "/meetings/contact-points/", ANYONE),
    ("contact points api", "/api/v1/contact-points", ANYONE),
    ("contact point new", "/meetings/contact-points/new/", POINT_WRITERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "allowed"), PLAIN_PAGES)
def test_rules_publicity_and_selection_pages_answer_by_role(
    client_for, persona, name, url, allowed
):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {name}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rules_are_set_by_the_district_only(client_for, persona):
    rule = MeetingRule.objects.order_by("pk").first()
    client = client_for(persona)
    want = 200 if persona in DISTRICT else 403
    assert client.get(f"/meetings/rules/{rule.pk}/").status_code == want, persona
    body = {
        "org_kind": rule.org_kind, "meeting_kind": rule.meeting_kind, "period": rule.period,
        "times": rule.times, "is_active": rule.is_active, "basis": rule.basis,
    }  # fmt: skip
    put = client.put(
        f"/api/v1/meeting-rules/{rule.pk}", json.dumps(body), content_type="application/json"
    )
    assert put.status_code == want, f"{persona}: {put.content}"
    page = client.post(f"/meetings/rules/{rule.pk}/", {**body, "is_active": "on"})
    assert page.status_code == (302 if want == 200 else 403), persona


# The 400s are the allowed who sent nothing to act on (no photo, no member, a meeting that is
# not an activity day): what matters is that the scope (404) and the role (403) come first.
OBJECT_PAGES = [
    ("meeting page", "/meetings/{planned}/", "get", ANYONE, 200),
    ("meeting api", "/api/v1/meetings/{published}", "get", ANYONE, 200),
    ("minutes page", "/meetings/{held}/minutes/", "post", GRID_WRITERS, 302),
    ("decision page", "/meetings/{held}/decisions/", "post", GRID_WRITERS, 302),
    ("photos page", "/meetings/{held}/photos/", "post", GRID_WRITERS, 400),
    ("record page", "/meetings/{held}/record/", "post", GRID_WRITERS, 400),
    ("item page", "/meetings/{planned}/items/", "post", GRID_WRITERS, 400),
    (
        "decision to problem",
        "/meetings/{published}/decisions/{decision}/problem/",
        "post",
        GRID_WRITERS,
        302,
    ),
    ("decision to project", "/meetings/{published}/decisions/{decision}/project/", "post",
     GRID_WRITERS, 400),
    ("selection page", "/meetings/selections/{selection}/", "get", ANYONE, 200),
    ("selection api", "/api/v1/selections/{selection}", "get", ANYONE, 200),
    ("nominate page", "/meetings/selections/{selection}/nominate/", "post", GRID_WRITERS, 302),
    ("codes page", "/meetings/selections/{selection}/codes/", "post", GRID_WRITERS, 200),
    ("open voting page", "/meetings/selections/{selection}/open_voting/", "post", GRID_WRITERS,
     302),
    ("ballot audit", "/meetings/selections/{selection}/ballots/", "get", AUDITORS, 200),
    ("ballot audit api", "/api/v1/selections/{selection}/ballots", "get", AUDITORS, 200),
    ("ballot summary api", "/api/v1/selections/{selection}/ballots/summary", "get", AUDITORS,
     200),
    ("publicity photos api", "/api/v1/publicity/{event}/photos", "post", GRID_WRITERS, 400),
    ("contact point end", "/meetings/contact-points/{point}/end/", "post", POINT_WRITERS, 302),
]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed", "ok"), OBJECT_PAGES)
def test_meeting_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed, ok
):
    client = client_for(persona)
    body = {"minutes": "纪要", "text": "决议", "name": "王家", "deeds": "热心公益",
            "count": "3", "category": "safety"}  # fmt: skip
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
    (
        "items",
        "planned",
        "post",
        {"kind": "study", "title": "学习", "project": 1},
        GRID_WRITERS,
        400,
    ),
    ("attendance", "held", "post", {"member": 999999999}, GRID_WRITERS, 400),
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


@pytest.mark.parametrize("persona", PERSONAS)
def test_selection_endpoints_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        base = f"/api/v1/selections/{sides[side]['selection']}"
        want = expected(persona, side, GRID_WRITERS)
        nominate = client.post(
            f"{base}/candidates",
            json.dumps({"name": "王家", "deeds": "热心公益"}),
            content_type="application/json",
        )
        assert nominate.status_code == (201 if want == 200 else want), f"{persona} {side}"
        opened = client.post(f"{base}/open-voting")
        assert opened.status_code == want, f"{persona} open {side}: {opened.content}"


def test_the_public_page_needs_no_account(client, personas, sides):
    community = role_org(personas["shequ"])
    assert client.get(f"/meetings/public/{community.pk}/").status_code == 200
    assert client.get(f"/api/v1/public/communities/{community.pk}/decisions").status_code == 200
    assert client.get("/meetings/").status_code == 302  # the rest needs an account
    selection = sides[0]["selection"]
    assert client.get(f"/meetings/vote/{selection}/").status_code == 200
    assert client.get(f"/api/v1/public/selections/{selection}").status_code == 200
    vote = client.post(
        f"/api/v1/public/selections/{selection}/vote",
        json.dumps({"candidate": 1, "code": "X"}),
        content_type="application/json",
    )
    assert vote.status_code == 409  # not yet open: the period, not the login, refuses
    assert client.get(f"/api/v1/selections/{selection}/ballots").status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
def test_contact_point_endpoints_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        end = client.post(
            f"/api/v1/contact-points/{sides[side]['point']}/end",
            json.dumps({"ended_on": "2099-12-31"}),
            content_type="application/json",
        )
        assert end.status_code == expected(persona, side, POINT_WRITERS), f"{persona} {side}"
        made = client.post(
            "/api/v1/contact-points",
            json.dumps(
                {
                    "leader": PartyMember.objects.filter(branch_id=sides[side]["org"])
                    .order_by("-pk")
                    .first()
                    .pk,
                    "title": "街道党工委副书记",
                    "organization": sides[side]["org"],
                    "since": "2026-01-01",
                }
            ),
            content_type="application/json",
        )
        if persona not in POINT_WRITERS:
            want = 403
        else:
            want = 201 if SEES[persona][side] else 400
        assert made.status_code == want, f"{persona} {side}: {made.content}"
