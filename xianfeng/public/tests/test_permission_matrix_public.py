"""Every staff page of the public app × every role, inside and outside its scope (the rules of
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A is a problem under ``wangge``'s grid branch, side B one under ``shequ2``'s community.
The residents' pages and Open311 are public: anyone, logged in or not, gets the same answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, expected
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.public import services
from xianfeng.public.models import EchoEntry, Problem

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
GRID_WRITERS = {"admin", "qu", "jiedao", "shequ", "shequ2", "wangge"}
#: Who puts a meeting's, a visit's or an order's problem on the wall (members too).
RAISERS = GRID_WRITERS | {"dangyuan"}


def _state(problem: Problem, state: str, **fields) -> int:
    Problem.objects.filter(pk=problem.pk).update(state=state, **fields)
    return problem.pk


@pytest.fixture
def sides(personas):
    community_b = role_org(personas["shequ2"])
    branch_b = (
        Organization.objects.filter(parent=community_b, kind=OrgKind.GRID_BRANCH)
        .order_by("pk")
        .first()
    )
    out = []
    for n, org in enumerate((role_org(personas["wangge"]), branch_b)):

        def make(i: int, o=org, n=n) -> Problem:
            return services.problem_report(
                organization=o,
                category="other",
                title=f"问题{n}-{i}",
                phone=f"139000{n}{i:04d}",
                client="10.9.9.9",
            )

        merge_target = make(9)
        _state(merge_target, "accepted", on_wall=True)
        published = make(5)
        _state(published, "published", on_wall=True, result="已办")
        EchoEntry.objects.create(
            problem=published,
            organization=published.organization,
            community=published.community,
            result="已办",
            solved_by=personas["shequ"],
            checked_by=personas["admin"],
        )
        out.append(
            {
                "pending": make(1).pk,
                "accepted": _state(make(2), "accepted", on_wall=True),
                "in_progress": _state(make(3), "in_progress", on_wall=True),
                "solved": _state(make(4), "solved", on_wall=True, result="已办"),
                "target": merge_target.code,
                "published": published.pk,
                "org": org.pk,
            }
        )
    return out


PAGES = [
    ("problem detail", "/public/problems/{accepted}/", ANYONE),
    ("problem edit text", "/public/problems/{accepted}/edit/", GRID_WRITERS),
    ("problem edit result", "/public/problems/{published}/edit-result/", GRID_WRITERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_problem_pages_answer_by_scope(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        for name, template, allowed in PAGES:
            response = client.get(template.format(**sides[side]))
            assert response.status_code == expected(persona, side, allowed), (persona, name)
    assert client.get("/public/problems/").status_code == 200
    raise_page = client.get("/public/problems/new/").status_code
    assert raise_page == (200 if persona in RAISERS else 403), persona


EDITS = [
    ("edit", "accepted", {"title": "改过的标题", "reason": "删去个人信息"}),
    ("edit-result", "published", {"result": "改过的结果", "reason": "补充"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data"), EDITS)
def test_page_and_api_edits_answer_by_scope_and_role(client_for, sides, persona, verb, which, data):
    client = client_for(persona)
    api_verb = "edit-text" if verb == "edit" else verb
    for side in (0, 1):
        pk = sides[side][which]
        want = expected(persona, side, GRID_WRITERS)
        field = "title" if verb == "edit" else "result"
        api = client.post(
            f"/api/v1/problems/{pk}/{api_verb}",
            {**data, field: f"接口{data[field]}"},
            content_type="application/json",
        )
        assert api.status_code == want, (persona, verb, side, api.content[:200])
        assert want == 200 or "detail" in api.json()
        page = client.post(f"/public/problems/{pk}/{verb}/", data)
        assert page.status_code == (302 if want == 200 else want), (persona, verb, side)


@pytest.mark.parametrize("persona", PERSONAS)
def test_raising_a_problem_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        body = {
            "organization": sides[side]["org"],
            "source": "meeting",
            "category": "other",
            "title": f"会议提出{side}",
        }
        want = expected(persona, side, RAISERS)
        api = client.post("/api/v1/problems", body, content_type="application/json")
        assert api.status_code == (201 if want == 200 else want), (persona, side, api.content)
        page = client.post("/public/problems/new/", {**body, "title": f"页面{side}"})
        # The page offers only organizations in scope: another side's is a form error (400).
        page_want = {200: 302, 404: 400, 403: 403}[want]
        if persona not in RAISERS:
            page_want = 403
        assert page.status_code == page_want, (persona, side, page.status_code)


def test_the_staff_list_shows_only_problems_in_scope(client_for, sides):
    body = client_for("shequ2").get("/public/problems/").content.decode()
    assert "问题1-2" in body and "问题0-2" not in body
    assert Client().get("/public/problems/").status_code == 302  # login first


DEADLINE = (timezone.localdate() + timedelta(days=3)).isoformat()
TRANSITIONS = [
    ("approve", "pending", {}, GRID_WRITERS),
    ("reject", "pending", {"reason": "广告"}, GRID_WRITERS),
    (
        "plan",
        "accepted",
        {"responsible": "物业", "measures": "修", "deadline": DEADLINE},
        GRID_WRITERS,
    ),
    ("solve", "in_progress", {"result": "已修好"}, GRID_WRITERS),
    ("verify", "solved", {}, GRID_WRITERS),
    ("send_back", "solved", {"reason": "没修好"}, GRID_WRITERS),
    ("close", "accepted", {"reason": "不属本社区"}, GRID_WRITERS),
    ("merge", "pending", "into", GRID_WRITERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data", "allowed"), TRANSITIONS)
def test_page_problem_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, data, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        body = {"into": ids["target"]} if data == "into" else data
        response = client.post(f"/public/problems/{ids[which]}/{verb}/", body)
        want = expected(persona, side, allowed)
        assert response.status_code == (302 if want == 200 else want), (
            f"{persona} {verb} {'AB'[side]} {response.status_code}"
        )


def test_a_system_step_has_no_page(client_for, sides):
    for step in ("rate", "reopen"):
        response = client_for("admin").post(f"/public/problems/{sides[0]['accepted']}/{step}/")
        assert response.status_code == 404


@pytest.mark.parametrize("persona", [None, *PERSONAS])
def test_public_pages_answer_the_same_to_anyone(client_for, sides, persona):
    client = Client() if persona is None else client_for(persona)
    code = Problem.objects.get(pk=sides[1]["accepted"]).code
    pending = Problem.objects.get(pk=sides[1]["pending"]).code
    community = Problem.objects.get(pk=sides[1]["accepted"]).community.code
    assert client.get(f"/public/c/{community}/").status_code == 200
    assert client.get(f"/public/c/{community}/echo/").status_code == 200
    assert client.get(f"/public/c/{community}/report/").status_code == 200
    assert client.get(f"/public/p/{code}/").status_code == 200
    assert client.get(f"/public/p/{pending}/").status_code == 404
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get(f"/open311/v2/requests/problem-{code}.json").status_code == 200
    assert client.get(f"/open311/v2/requests/problem-{pending}.json").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_board_choice_page_is_a_members_own(client_for, persona):
    response = client_for(persona).get("/public/board/")
    from xianfeng.core.models import User
    from xianfeng.people.members import member_of

    user = User.objects.get(username=persona)
    assert response.status_code == (200 if member_of(user) else 404), persona


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data", "allowed"), TRANSITIONS)
def test_api_problem_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, data, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        body = {"into": ids["target"]} if data == "into" else data
        url = f"/api/v1/problems/{ids[which]}/{verb.replace('_', '-')}"
        response = client.post(url, data=body, content_type="application/json")
        want = expected(persona, side, allowed)
        assert response.status_code == want, (
            f"{persona} {verb} {'AB'[side]} {response.status_code} {response.content[:200]!r}"
        )
        assert want == 200 or "detail" in response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_problems_answer_by_scope(client_for, sides, persona):
    client = client_for(persona)
    listed = {r["id"] for r in client.get("/api/v1/problems?page_size=200").json()["results"]}
    for side in (0, 1):
        pk = sides[side]["accepted"]
        response = client.get(f"/api/v1/problems/{pk}")
        want = expected(persona, side, ANYONE)
        assert response.status_code == want, (persona, side)
        assert (pk in listed) == (want == 200), (persona, side)
