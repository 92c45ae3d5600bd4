"""The self-declared acts' pages and endpoints × every role, inside and outside its scope (the
rules of xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not
allowed). Side A is dangyuan's declaration in wangge's grid branch, side B one of a member
under shequ2."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, expected
from xianfeng.demo.base import persona_member
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring import declarations
from xianfeng.scoring.models import SelfDeclaration
from xianfeng.work.tests.factories import JPEG

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
REVIEWERS = {"admin", "qu", "jiedao", "shequ", "shequ2", "wangge"}
DISTRICT = {"admin", "qu"}
JSON = "application/json"


@pytest.fixture
def sides(personas):
    kind = declarations.kind_set(actor=personas["qu"], name="清理楼道")
    community_b = role_org(personas["shequ2"])
    member_b = PartyMember.objects.filter(branch__path__startswith=community_b.path).order_by("pk")[
        0
    ]
    out = []
    for member in (persona_member("dangyuan"), member_b):
        obj = SelfDeclaration(
            member=member,
            organization=member.branch,
            kind=kind,
            description="清理楼道杂物",
            done_on=timezone.localdate(),
            # recorded by dangyuan (who never reviews): the reviewers here are not declarers
            submitted_by=personas["dangyuan"],
        )
        obj.photo.save("p.jpg", ContentFile(JPEG), save=True)
        out.append(obj.pk)
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_declaration_is_read_by_scope(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        want = expected(persona, side, ANYONE)
        for url in (
            f"/scoring/declared/{sides[side]}/",
            f"/api/v1/scoring/self-declared/{sides[side]}",
        ):
            response = client.get(url)
            assert response.status_code == want, f"{persona} {url} {'AB'[side]}"
            if want != 200 and "/api/" in url:
                assert response.json()["detail"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_declaration_is_reviewed_by_the_secretary_or_an_admin_in_scope(
    client_for, sides, persona
):
    client = client_for(persona)
    for side in (0, 1):
        want = expected(persona, side, REVIEWERS)
        api = client.post(
            f"/api/v1/scoring/self-declared/{sides[side]}/reject",
            {"note": "照片不清楚"},
            content_type=JSON,
        )
        assert api.status_code == want, f"{persona} api reject {'AB'[side]}"
        if want != 200:
            page = client.post(f"/scoring/declared/{sides[side]}/approve/")
            assert page.status_code == want, f"{persona} page approve {'AB'[side]}"
            assert SelfDeclaration.objects.get(pk=sides[side]).state == "pending"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_lists_the_form_and_the_kinds_answer_by_role(client_for, personas, sides, persona):
    client = client_for(persona)
    for url in (
        "/scoring/declared/",
        "/scoring/declared/kinds/",
        "/api/v1/scoring/self-declared",
        "/api/v1/scoring/self-declared/kinds",
    ):
        assert client.get(url).status_code == 200, f"{persona} {url}"
    # the form is a member's: whoever has no member record gets 403
    is_member = member_of(personas[persona]) is not None
    assert is_member or persona != "dangyuan"
    assert client.get("/scoring/declared/new/").status_code == (200 if is_member else 403)
    # what a list holds is in scope: side B's declaration only for those who see side B
    ids = {r["id"] for r in client.get("/api/v1/scoring/self-declared").json()["results"]}
    assert (sides[1] in ids) == (expected(persona, 1, ANYONE) == 200), persona
    kinds = client.post(
        "/api/v1/scoring/self-declared/kinds", {"name": f"事项{persona}"}, content_type=JSON
    )
    assert kinds.status_code == (201 if persona in DISTRICT else 403), persona
    page = client.post("/scoring/declared/kinds/", {"name": f"页面{persona}", "weight": "1"})
    assert page.status_code == (302 if persona in DISTRICT else 403), persona
