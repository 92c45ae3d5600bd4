"""Every scoring page and endpoint × every role, inside and outside its scope (the rules of
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A is ``dangyuan`` (in ``wangge``'s grid branch), side B a member under ``shequ2``."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.demo.base import persona_member
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring import services
from xianfeng.scoring.models import PointRule

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
DISTRICT = {"admin", "qu"}
AUDIT = ADMINS | {"jiancha"}


@pytest.fixture
def sides(personas):
    community_b = role_org(personas["shequ2"])
    member_b = PartyMember.objects.filter(branch__path__startswith=community_b.path).order_by("pk")[
        0
    ]
    out = []
    # The organization of each side: the grid branch every role that sees the side sees.
    for member, requester, community in (
        (persona_member("dangyuan"), personas["shequ"], role_org(personas["wangge"])),
        (member_b, personas["shequ2"], member_b.branch),
    ):
        adj = services.adjustment_request(actor=requester, member=member, points=2, reason="补记")
        appeal = (
            services.appeal_submit(actor=personas["dangyuan"], reason="漏记") if not out else None
        )
        out.append(
            {
                "member": member.pk,
                "adjustment": adj.pk,
                "appeal": appeal.pk if appeal else None,
                "community": community.pk,
            }
        )
    from xianfeng.scoring.models import StarRating

    for side in out:
        member = PartyMember.objects.get(pk=side["member"])
        side["star"] = StarRating.objects.create(
            member=member,
            organization=member.branch,
            year=2026,
            index=50,
            points=10,
            index_stars=3,
            stars=3,
        ).pk
    # Side B's appeal: a member of B with an account is not in the demo; the same appeal
    # row, moved to B's organization, stands for one.
    from xianfeng.scoring.models import Appeal

    b_appeal = Appeal.objects.get(pk=out[0]["appeal"])
    b_appeal.pk = None
    b_appeal.member_id = member_b.pk
    b_appeal.organization_id = member_b.branch_id
    b_appeal.save()
    out[1]["appeal"] = b_appeal.pk
    return out


PAGES = [
    ("adjustment", "/scoring/adjustments/{adjustment}/", ANYONE),
    ("appeal", "/scoring/appeals/{appeal}/", ANYONE),
    ("leaderboard of the side", "/scoring/leaderboard/?org={community}", ANYONE),
    ("orgs of the side", "/scoring/leaderboard/?org={community}&tab=orgs", ANYONE),
    ("anomalies of the side", "/scoring/anomalies/?org={community}", AUDIT),
    ("api member", "/api/v1/scoring/members/{member}", ANYONE),
    ("api leaderboard", "/api/v1/scoring/leaderboard?org={community}", ANYONE),
    ("api org leaderboard", "/api/v1/scoring/org-leaderboard?org={community}", ANYONE),
    ("api anomalies", "/api/v1/scoring/anomalies?org={community}", AUDIT),
    ("dashboard of the side", "/scoring/dashboard/?org={community}", AUDIT),
    ("api dashboard", "/api/v1/scoring/dashboard?org={community}", AUDIT),
    ("stars of the side", "/scoring/stars/?org={community}", ANYONE),
    ("api stars", "/api/v1/scoring/stars?org={community}&year=2026", ANYONE),
    ("star", "/scoring/stars/{star}/", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "allowed"), PAGES)
def test_scoring_reads_answer_by_scope_and_role(
    client_for, sides, persona, name, template, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        want = expected(persona, side, allowed)
        assert response.status_code == want, f"{persona} {name} {'AB'[side]}"
        if want != 200 and "/api/" in template:
            assert response.json()["detail"]


LISTS = [
    ("mine", "/scoring/", ANYONE),
    ("rules", "/scoring/rules/", ANYONE),
    ("leaderboard", "/scoring/leaderboard/", ANYONE),
    ("adjustments", "/scoring/adjustments/", ANYONE),
    ("appeals", "/scoring/appeals/", ANYONE),
    ("stars", "/scoring/stars/", ANYONE),
    ("adjustment form", "/scoring/adjustments/new/", ADMINS),
    ("anomalies", "/scoring/anomalies/", AUDIT),
    ("dashboard", "/scoring/dashboard/", AUDIT),
    ("api dashboard", "/api/v1/scoring/dashboard", AUDIT),
    ("api rules", "/api/v1/scoring/rules", ANYONE),
    ("api adjustments", "/api/v1/scoring/adjustments", ANYONE),
    ("api appeals", "/api/v1/scoring/appeals", ANYONE),
    ("api leaderboard", "/api/v1/scoring/leaderboard", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "allowed"), LISTS)
def test_scoring_lists_answer_by_role(client_for, sides, persona, name, url, allowed):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {name}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_points_and_appeals_need_a_member(client_for, personas, persona):
    has_member = member_of(personas[persona]) is not None
    client = client_for(persona)
    assert client.get("/api/v1/scoring/me").status_code == (200 if has_member else 403)
    assert client.get("/scoring/appeals/new/").status_code == (200 if has_member else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_district_publishes_rules_and_recomputes(client_for, persona):
    client = client_for(persona)
    allowed = persona in DISTRICT
    body = {
        "kind": "visit.log",
        "effective_from": "2032-01-01",
        "points": "1",
        "cap_period": "month",
    }
    page = client.post("/scoring/rules/", {**body, "multiplier_base": "1"})
    assert page.status_code == (302 if allowed else 403), persona
    api = client.post(
        "/api/v1/scoring/rules",
        {**body, "effective_from": "2033-01-01"},
        content_type="application/json",
    )
    assert api.status_code == (201 if allowed else 403), persona
    assert PointRule.objects.filter(effective_from__year__gte=2032).count() == (2 if allowed else 0)
    recompute = client.post(
        "/api/v1/scoring/recompute",
        {"start": "2032-01-01", "end": "2032-01-02", "reason": "核对"},
        content_type="application/json",
    )
    assert recompute.status_code == (201 if allowed else 403), persona
    page = client.post(
        "/scoring/recompute/", {"start": "2032-01-01", "end": "2032-01-02", "reason": "x"}
    )
    assert page.status_code == (302 if allowed else 403), persona


# (step, object, body, who may): one API endpoint and one page each.
TRANSITIONS = [
    ("approve", "adjustments", "adjustment", {}, {"admin", "qu", "jiedao"}),
    ("reject", "adjustments", "adjustment", {"note": "证据不足"}, {"admin", "qu", "jiedao"}),
    ("answer", "appeals", "appeal", {"answer": "已核实"}, ADMINS),
]


def _allowed(persona: str, side: int, allowed: set[str]) -> set[str]:
    # Side B's adjustment is asked by shequ2 (not shequ): shequ2 may not approve their own;
    # jiedao's street does not hold side B.
    if side == 1 and allowed != ADMINS:
        return {"admin", "qu"}
    return allowed


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "path", "which", "body", "allowed"), TRANSITIONS)
def test_scoring_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, path, which, body, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        pk = sides[side][which]
        want = expected(persona, side, _allowed(persona, side, allowed))
        api = client.post(
            f"/api/v1/scoring/{path}/{pk}/{verb}", body, content_type="application/json"
        )
        assert api.status_code == want, f"{persona} {verb} {'AB'[side]} {api.content[:200]!r}"
        if want == 200:
            continue  # done once; the page would now answer 409
        page = client.post(f"/scoring/{path}/{pk}/{verb}/", body)
        assert page.status_code == want, f"{persona} page {verb} {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_adjustment_requests_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        body = {"member_id": sides[side]["member"], "points": "1", "reason": "补记"}
        response = client.post("/api/v1/scoring/adjustments", body, content_type="application/json")
        if persona not in ADMINS:
            want = 403
        else:
            want = 201 if SEES[persona][side] else 400
        assert response.status_code == want, f"{persona} {'AB'[side]} {response.content[:200]!r}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_publishing_a_leaderboard_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        org = sides[side]["community"]
        response = client.post(f"/scoring/leaderboard/{org}/public/", {"enabled": "1"})
        want = expected(persona, side, ADMINS)
        assert response.status_code == (302 if want == 200 else want), f"{persona} {'AB'[side]}"


def test_the_public_leaderboard_is_open_only_where_the_organization_opted_in(
    client, sides, personas
):
    org = sides[1]["community"]
    assert client.get(f"/scoring/public/{org}/").status_code == 404
    from xianfeng.orgs.models import Organization

    services.board_set(
        actor=personas["shequ2"], organization=Organization.objects.get(pk=org), enabled=True
    )
    assert client.get(f"/scoring/public/{org}/").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_rating_stars_and_reviewing_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        want = expected(persona, side, ADMINS)
        page = client.post("/scoring/stars/", {"org": ids["community"], "year": "2026"})
        assert page.status_code == (302 if want == 200 else want), f"{persona} {'AB'[side]}"
        api = client.post(
            "/api/v1/scoring/stars/rate",
            {"org": ids["community"], "year": 2026},
            content_type="application/json",
        )
        assert api.status_code == want, f"{persona} api {'AB'[side]}"
        review = client.post(
            f"/api/v1/scoring/stars/{ids['star']}/review",
            {"stars": 4, "note": "民主评议"},
            content_type="application/json",
        )
        assert review.status_code == want, f"{persona} review {'AB'[side]}"
        page = client.post(f"/scoring/stars/{ids['star']}/", {"stars": 4, "note": "民主评议"})
        assert page.status_code == (302 if want == 200 else want), f"{persona} page review"
