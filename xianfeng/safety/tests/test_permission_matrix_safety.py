"""Every safety page and endpoint × every role, inside and outside its scope (the same rules
as xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not
allowed). Side A is a rental building in ``wangge``'s grid branch, side B one under
``shequ2``'s community."""

from __future__ import annotations

import pytest

from xianfeng.core.models import User
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.core.workflow import take
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.safety import services
from xianfeng.safety.models import Hazard
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
GRID_WRITERS = ADMINS | {"wangge"}
FIELD_IN_SCOPE = GRID_WRITERS | {"dangyuan"}
MEMBERS = {"wangge", "dangyuan"}


#: The steps that bring a reported hazard to each state, through the workflow (not by setting
#: the state), so each hazard has what its state implies (an assignee, evidence, a verifier).
WALKS = {
    "confirmed": ["confirm"],
    "assigned": ["confirm", "assign"],
    "rectifying": ["confirm", "assign", "start"],
    "submitted": ["confirm", "assign", "start", "submit"],
    "verified": ["confirm", "assign", "start", "submit", "verify"],
    "referred": ["confirm", "refer"],
}


def _walk(p: dict, hazard: Hazard, state: str, assignee: PartyMember) -> Hazard:
    """``hazard`` taken to ``state`` by the admin, and verified by the district (the verifier
    must not be the one who submitted)."""
    inputs = {
        "assign": {"member": assignee.pk},
        "submit": {"rectification": "已整改", "photos": [f.photo()]},
        "refer": {"agency": "消防"},
    }
    # A second administrator, no persona, hands in the rectification: every persona's verify
    # and return are then tried on someone else's submission (one's own is refused).
    submitter, _ = User.objects.get_or_create(
        username="matrix-submitter", defaults={"is_superuser": True, "is_staff": True}
    )
    for step in WALKS[state]:
        actor = {"submit": submitter, "verify": p["qu"]}.get(step, p["admin"])
        hazard = take(hazard, step, actor=actor, **inputs.get(step, {}))
    assert hazard.state == state
    return hazard


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
        building = f.building_under(org)
        assignee = PartyMember.objects.filter(branch__path__startswith=org.path).order_by("pk")[0]
        inspection = None
        if org.pk == role_org(personas["wangge"]).pk:
            from xianfeng.demo.base import persona_member

            assignee = persona_member("dangyuan")
            inspection, _c = services.inspection_start(actor=personas["wangge"], building=building)

        def make(b=building):
            return f.hazard(personas["admin"], b, photos=[f.photo()])

        out.append(
            {
                "building": building.pk,
                "inspection": inspection.pk if inspection else None,
                "reported": make().pk,
                **{state: _walk(personas, make(), state, assignee).pk for state in WALKS},
                "member": assignee.pk,
            }
        )
    return out


OBJECT_PAGES = [
    ("building safety", "/safety/buildings/{building}/", "get", ANYONE),
    ("hazard detail", "/safety/hazards/{reported}/", "get", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed"), OBJECT_PAGES)
def test_safety_object_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = getattr(client, method)(template.format(**sides[side]))
        want = expected(persona, side, allowed)
        assert response.status_code == want, f"{persona} {name} {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_report_form_answers_like_a_create(client_for, sides, persona):
    """A role that may never report (auditor, liaison) 403 first; else 404 out of sight."""
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(f"/safety/hazards/new/?building={sides[side]['building']}")
        want = 403 if persona not in FIELD_IN_SCOPE else expected(persona, side, ANYONE)
        assert response.status_code == want, f"{persona} {'AB'[side]}"


def test_the_inspection_page_answers_by_scope(client_for, sides):
    url = f"/safety/inspections/{sides[0]['inspection']}/"
    for persona in PERSONAS:
        want = 200 if SEES[persona][0] else 404
        assert client_for(persona).get(url).status_code == want, persona
        api = client_for(persona).get(f"/api/v1/inspections/{sides[0]['inspection']}")
        assert api.status_code == want, persona


# (step, which hazard, JSON body, who may): each transition, one API endpoint and one page.
TRANSITIONS = [
    ("confirm", "reported", {}, GRID_WRITERS),
    ("dismiss", "reported", {"reason": "不存在"}, GRID_WRITERS),
    ("assign", "confirmed", "member", GRID_WRITERS),
    ("start", "assigned", None, GRID_WRITERS | {"dangyuan"}),
    ("verify", "submitted", {}, FIELD_IN_SCOPE),
    ("return", "submitted", {"reason": "未整改到位"}, FIELD_IN_SCOPE),
    ("close", "verified", None, GRID_WRITERS),
    ("merge", "assigned", "into", GRID_WRITERS),
    ("refer", "confirmed", {"agency": "区消防救援大队"}, GRID_WRITERS),
    ("enforce", "referred", {"outcome": "责令限期整改"}, GRID_WRITERS),
]


def _body(data, ids):
    if data == "member":
        return {"member": ids["member"]}
    if data == "into":
        return {"into": str(ids["reported"])}
    return data


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data", "allowed"), TRANSITIONS)
def test_api_hazard_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, data, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        body = _body(data, ids)
        url = f"/api/v1/hazards/{ids[which]}/{verb}"
        if body is None:
            response = client.post(url)
        else:
            response = client.post(url, data=body, content_type="application/json")
        want = expected(persona, side, allowed)
        assert response.status_code == want, (
            f"{persona} {verb} {'AB'[side]}: {response.status_code} {response.content[:200]!r}"
        )
        assert "detail" in response.json() or want == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data", "allowed"), TRANSITIONS)
def test_page_hazard_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, data, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        response = client.post(f"/safety/hazards/{ids[which]}/{verb}/", data=_body(data, ids) or {})
        want = expected(persona, side, allowed)
        assert response.status_code == (302 if want == 200 else want), f"{persona} {verb} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_hazard_submit_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        response = client.post(
            f"/api/v1/hazards/{sides[side]['rectifying']}/submit",
            {"rectification": "已整改", "photos": [f.photo()]},
        )
        want = expected(persona, side, GRID_WRITERS | {"dangyuan"})
        assert response.status_code == want, f"{persona} {'AB'[side]} {response.content[:200]!r}"


API_OBJECTS = [
    ("hazard", "/api/v1/hazards/{reported}"),
    ("colour history", "/api/v1/buildings/{building}/colour-history"),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template"), API_OBJECTS)
def test_api_safety_objects_answer_by_scope(client_for, sides, persona, name, template):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        assert response.status_code == expected(persona, side, ANYONE), f"{persona} {name}"


API_LISTS = [
    "/api/v1/hazards",
    "/api/v1/hazards?open=true&overdue=true",
    "/api/v1/inspections",
    "/api/v1/safety/due",
    "/api/v1/safety/due?mine=true",
    "/api/v1/safety/due?escalated=true",
    "/api/v1/safety/checklists",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", API_LISTS)
def test_api_safety_lists_answer_every_role(client_for, persona, url):
    assert client_for(persona).get(url).status_code == 200


@pytest.mark.parametrize("url", API_LISTS)
def test_api_safety_lists_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_lists_show_nothing_outside_scope(client_for, sides):
    ids = {
        h["id"] for h in client_for("shequ2").get("/api/v1/hazards?page_size=200").json()["results"]
    }
    assert sides[0]["reported"] not in ids and sides[1]["reported"] in ids
    assert client_for("danwei").get("/api/v1/hazards").json()["count"] == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_creates_answer_by_scope_and_role(client_for, sides, persona):
    """A hazard report: members and staff in scope 201, out of sight 400 (a referenced id),
    the auditor and the liaison 403. An inspection: party members only (403 for the rest)."""
    from xianfeng.places.choices import BuildingKind

    client = client_for(persona)
    items = services.current_template(BuildingKind.RENTAL).items.all()
    for side in (0, 1):
        building = sides[side]["building"]
        report = client.post(
            "/api/v1/hazards",
            {"building": building, "title": "楼道堆物", "category": "escape", "severity": "minor"},
            content_type="application/json",
        )
        if persona not in FIELD_IN_SCOPE:
            want = 403
        else:
            want = 201 if SEES[persona][side] else 400
        assert report.status_code == want, f"{persona} report {'AB'[side]} {report.content!r}"
        inspection = client.post(
            "/api/v1/inspections",
            {
                "building": building,
                "results": [{"item": i.pk, "outcome": "pass"} for i in items],
                "client_key": f"{persona}-{side}",
            },
            content_type="application/json",
        )
        want = 403 if persona not in MEMBERS else (201 if SEES[persona][side] else 400)
        assert inspection.status_code == want, f"{persona} inspect {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_colour_review_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        response = client.post(
            f"/api/v1/buildings/{sides[side]['building']}/colour-review",
            {"colour": "red", "reason": "现场复核"},
            content_type="application/json",
        )
        want = expected(persona, side, GRID_WRITERS)
        assert response.status_code == (201 if want == 200 else want), f"{persona} {side}"


@pytest.mark.parametrize(
    "url",
    ["/safety/hazards/", "/safety/due/", "/safety/checklists/", "/safety/hazards/1/",
     "/safety/buildings/1/", "/safety/inspections/1/", "/safety/hazards/new/?building=1"],
)  # fmt: skip
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_district_revises_checklists(client_for, persona):
    """Checklists are the district's reference data: every account reads them, the district
    (and the superuser) revises them, on the page and through the API."""
    template = services.current_template("rental")
    client = client_for(persona)
    assert client.get(f"/safety/checklists/{template.pk}/").status_code == 200
    data = {"yellow_fails": 1, "red_fails": 3, "red_days": 7, "yellow_days": 14,
            "green_days": 21, "note": "核对"}  # fmt: skip
    may = persona in {"admin", "qu"}
    page = client.post(f"/safety/checklists/{template.pk}/", data)
    assert page.status_code == (302 if may else 403), persona
    current = services.current_template("rental")
    api = client.post(
        f"/api/v1/safety/checklists/{current.pk}/revise",
        {"note": "核对"},
        content_type="application/json",
    )
    assert api.status_code == (201 if may else 403), persona
