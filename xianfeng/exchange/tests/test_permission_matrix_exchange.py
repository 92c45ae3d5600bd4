"""Every page and endpoint of issue 3 × every role, inside and outside its scope (side A is
``wangge``'s grid branch, side B ``shequ2``'s community), plus the public landlord page."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.demo.testing import objects_under
from xianfeng.exchange.declarations import public_url
from xianfeng.exchange.models import LandlordDeclaration
from xianfeng.people.choices import CaseKind, CaseState
from xianfeng.people.models import MemberCase, PartyMember

pytestmark = pytest.mark.django_db

ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
GRID_WRITERS = ADMINS | {"wangge"}
SENSITIVE = GRID_WRITERS
ANYONE = set(PERSONAS)
AUDIT = ADMINS | {"jiancha"}
EXPORTERS = GRID_WRITERS | {"jiancha"}  # a member and a unit liaison export nothing

PLAIN_PAGES = [
    ("data home", "/exchange/", ANYONE),
    ("import new", "/exchange/imports/new/", GRID_WRITERS),
    ("template xlsx", "/exchange/templates/members.xlsx", ANYONE),
    ("template csv", "/exchange/templates/grids.csv", ANYONE),
    ("export members", "/exchange/export/members/", EXPORTERS),
    ("export members full", "/exchange/export/members/?full=1", SENSITIVE),
    ("export buildings", "/exchange/export/buildings/", EXPORTERS),
    ("export households", "/exchange/export/households/", EXPORTERS),
    ("export organizations", "/exchange/export/organizations/", EXPORTERS),
    ("export records", "/exchange/exports/", ANYONE),
    ("audit reveals", "/exchange/audit/", AUDIT),
    ("audit exports", "/exchange/audit/?show=exports", AUDIT),
    ("duplicates", "/exchange/duplicates/", GRID_WRITERS),
    ("declarations", "/exchange/declarations/", ANYONE),
]

# (name, url template, method, who may; POSTs that succeed redirect)
OBJECT_PAGES = [
    ("declaration detail", "/exchange/declarations/{declaration}/", "get", ANYONE),
    ("declaration reject", "/exchange/declarations/{declaration}/reject/", "post", GRID_WRITERS),
    ("building qr", "/exchange/buildings/{building}/qr/", "get", ANYONE),
    ("member cases", "/members/{member}/cases/", "get", ANYONE),
    ("member lost", "/members/{member}/do/lost/", "post", GRID_WRITERS),
    ("declaration accept", "/exchange/declarations/{declaration}/accept/", "post", GRID_WRITERS),
    ("case note", "/member-cases/{case}/lost-note/", "post", GRID_WRITERS),
    ("case found", "/member-cases/{case}/lost-found/", "post", GRID_WRITERS),
    ("case detail", "/member-cases/{case}/", "get", ANYONE),
    ("member make full", "/members/{member}/step/make_full/", "post", GRID_WRITERS),
    ("merge", "/exchange/duplicates/merge/", "post", GRID_WRITERS),
]

API_LISTS = [
    ("/api/v1/imports", ANYONE),
    ("/api/v1/exports", ANYONE),
    ("/api/v1/audit/reveals", AUDIT),
    ("/api/v1/audit/exports", AUDIT),
    ("/api/v1/declarations", ANYONE),
    ("/api/v1/duplicates", GRID_WRITERS),
]

API_OBJECTS = [
    ("cases", "/api/v1/members/{member}/cases", "get", None, ANYONE),
    ("lost", "/api/v1/members/{member}/lost", "post", {"reason": "moved"}, GRID_WRITERS),
    ("reject", "/api/v1/declarations/{declaration}/reject", "post", {"note": "不实"}, GRID_WRITERS),
    ("accept", "/api/v1/declarations/{declaration}/accept", "post", {}, GRID_WRITERS),
    ("case note", "/api/v1/member-cases/{case}/lost/notes", "post", {"text": "走访"}, GRID_WRITERS),
    ("case found", "/api/v1/member-cases/{case}/lost/found", "post", {}, GRID_WRITERS),
    (
        "make full",
        "/api/v1/members/{member}/make-full",
        "post",
        {"full_member_on": "2020-01-01"},
        GRID_WRITERS,
    ),
]


@pytest.fixture
def sides(personas):
    out = []
    for persona in ("wangge", "shequ2"):
        objs = objects_under(role_org(personas[persona]))
        declaration = LandlordDeclaration.objects.create(
            building=objs["building"],
            landlord_name="房东",
            landlord_mobile="13700000000",
            rooms=[{"unit": "", "room": "9901", "tenants": []}],
        )
        other = (
            PartyMember.objects.filter(branch__path__startswith=objs["org"].path)
            .exclude(pk=objs["member"].pk)
            .order_by("pk")
            .first()
        )
        case = MemberCase.objects.create(
            member=other, kind=CaseKind.LOST, state=CaseState.ACTIVE, organization=other.branch
        )
        PartyMember.objects.filter(pk=objs["member"].pk).update(
            category="probationary", joined_on="2018-07-01", full_member_on=None
        )
        out.append(
            {
                "case": case.pk,
                "member": objs["member"].pk,
                "person": objs["member"].person_id,
                "building": objs["building"].pk,
                "declaration": declaration.pk,
            }
        )
    return out


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "allowed"), PLAIN_PAGES)
def test_plain_pages_answer_by_role(client_for, persona, name, url, allowed):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {name}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "allowed"), OBJECT_PAGES)
def test_object_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        url = template.format(**ids)
        data = {"note": "不实", "reason": "moved", "text": "走访", "full_member_on": "2020-01-01"}
        if name == "merge":
            data = {"keep": ids["person"], "drop": ids["person"]}
        response = client.get(url) if method == "get" else client.post(url, data)
        want = expected(persona, side, allowed)
        if method == "post" and want == 200:
            want = 302
        assert response.status_code == want, f"{persona} {name} side {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "allowed"), API_LISTS)
def test_api_lists_answer_by_role(client_for, persona, url, allowed):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {url}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "method", "body", "allowed"), API_OBJECTS)
def test_api_objects_answer_by_scope_and_role(
    client_for, sides, persona, name, template, method, body, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        url = template.format(**sides[side])
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data=body, content_type="application/json")
        want = expected(persona, side, allowed)
        assert response.status_code == want, f"{persona} {name} side {'AB'[side]}"
        if want >= 400:
            assert "detail" in response.json()


@pytest.mark.parametrize("url", [u for _n, u, _a in PLAIN_PAGES])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("url", [u for u, _a in API_LISTS])
def test_the_api_needs_a_login(client, url):
    assert client.get(url).status_code == 401


def test_the_landlord_page_is_public_for_anonymous_visitors(client, sides):
    from xianfeng.places.models import Building

    for side in sides:
        building = Building.objects.get(pk=side["building"])
        response = client.get(public_url(building))
        assert response.status_code == 200
        assert building.name in response.content.decode()
    assert client.get("/declare/123:forged/").status_code == 404


def test_sides_are_what_the_core_matrix_says(personas):
    assert SEES["shequ"] == (True, False)


# A large export's progress page and its file belong to the one who asked (and superusers):
# (name, url template) — 200 for the owner, 404 for everyone else, login for anonymous.
OWN_EXPORT_PAGES = [
    ("export detail", "/exchange/exports/{record}/"),
    ("export download", "/exchange/exports/{record}/download/"),
    ("api export detail", "/api/v1/exports/{record}"),
    ("api export file", "/api/v1/exports/{record}/file"),
]


def _background_export(user, tmp_path) -> int:
    from xianfeng.core.models import JobRun
    from xianfeng.exchange.models import ExportRecord

    path = tmp_path / f"export-{user.pk}.xlsx"
    path.write_bytes(b"PK")
    job = JobRun.objects.create(name="exchange.export", status=JobRun.Status.DONE)
    record = ExportRecord.objects.create(
        kind="members", user=user, job=job, stored_path=str(path), rows=1
    )
    return record.pk


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template"), OWN_EXPORT_PAGES)
def test_own_export_pages_answer_only_the_owner(
    client_for, personas, tmp_path, persona, name, template
):
    client = client_for(persona)
    own = _background_export(personas[persona], tmp_path)
    owner = "shequ2" if persona != "shequ2" else "shequ"
    other = _background_export(personas[owner], tmp_path)
    assert client.get(template.format(record=own)).status_code == 200, f"{persona} {name}"
    want = 200 if personas[persona].is_superuser else 404
    assert client.get(template.format(record=other)).status_code == want, f"{persona} {name}"


@pytest.mark.parametrize(("name", "template"), OWN_EXPORT_PAGES)
def test_own_export_pages_need_a_login(client, personas, tmp_path, name, template):
    record = _background_export(personas["shequ"], tmp_path)
    response = client.get(template.format(record=record))
    if template.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_landlord_page_posts_are_throttled_for_anyone(client, sides, settings):
    from xianfeng.places.models import Building

    settings.XIANFENG_DECLARE_IP_LIMIT = (1, 600)
    url = public_url(Building.objects.get(pk=sides[0]["building"]))
    assert client.post(url, {"landlord_name": ""}).status_code == 400
    assert client.post(url, {"landlord_name": ""}).status_code == 429


def test_a_user_with_roles_in_two_places_reads_the_audit_log_only_where_they_audit(
    client_for, personas, sides
):
    """An admin of side B's community who is also a member in side A's branch reads side B's
    reveals and full exports only: the member role gives no audit reading."""
    from django.test import Client

    from xianfeng.core.choices import RoleKind
    from xianfeng.core.models import Role, SensitiveAccess, User
    from xianfeng.exchange.models import ExportRecord
    from xianfeng.people.models import Person
    from xianfeng.people.services import person_reveal

    for persona, side in (("shequ", 0), ("shequ2", 1)):
        person = Person.objects.get(pk=sides[side]["person"])
        person_reveal(user=personas[persona], person=person, channel="page")
        client_for(persona).post(
            "/exchange/export/members/", {"full": "1", "reason": f"核对{'AB'[side]}"}
        )
    both = User.objects.create_user(username="liangdi", password="x-Pass-2026!")
    Role.objects.create(user=both, kind=RoleKind.MEMBER, organization=role_org(personas["wangge"]))
    Role.objects.create(
        user=both, kind=RoleKind.COMMUNITY_ADMIN, organization=role_org(personas["shequ2"])
    )
    side_b = SensitiveAccess.objects.get(person_id=sides[1]["person"])
    client = Client()
    client.force_login(both)
    reveals = client.get("/api/v1/audit/reveals").json()
    assert [r["id"] for r in reveals["results"]] == [side_b.pk]
    exports = client.get("/api/v1/audit/exports").json()
    assert [e["reason"] for e in exports["results"]] == ["核对B"]
    page = client.get("/exchange/audit/?show=exports").content.decode()
    assert "核对B" in page and "核对A" not in page
    page = client.get("/exchange/audit/").content.decode()
    assert Person.objects.get(pk=sides[1]["person"]).name in page
    assert Person.objects.get(pk=sides[0]["person"]).name not in page
    # the same user still sees side A's plain export records as a member there (view scope)
    assert ExportRecord.objects.filter(reason="核对A").exists()
