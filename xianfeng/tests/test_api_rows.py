"""The busiest API lists serialise from plain rows (issue 11): ``/members``, ``/buildings``,
``/households``, ``/visits`` (and ``/tasks/{id}/visits``) and ``/tasks`` build each row as a
dict from ``values()`` and answer it already rendered, instead of handing model objects to
django-ninja's per-attribute getters and pydantic.

What must not change, and is checked here for each list, with filters and on page 2:

* the bytes: each answer equals what the declared page schema makes of the same objects, read
  the way the endpoint read them before (full model rows through the same selector), rendered
  by the API's renderer: same keys in the same order, same values, labels, masking, envelope;
* the OpenAPI document still declares each list's page schema as its 200 answer;
* the number of queries, whatever the page size;
* what is decrypted: only the ID numbers and phones a row shows (masked), nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core import crypto
from xianfeng.core.api import paginate
from xianfeng.core.models import ApiToken
from xianfeng.core.testing import role_org
from xianfeng.people import api as people_api
from xianfeng.people import selectors as people_selectors
from xianfeng.people import views as people_views
from xianfeng.people.models import PartyMember
from xianfeng.places import schemas as places_schemas
from xianfeng.places import selectors as places_selectors
from xianfeng.places.models import Building, CareTag, Household
from xianfeng.visits import api as visits_api
from xianfeng.visits import selectors as visits_selectors
from xianfeng.visits.models import Visit
from xianfeng.work import api as work_api
from xianfeng.work import selectors as work_selectors
from xianfeng.work.models import Task

pytestmark = pytest.mark.django_db


# --- what the schema makes of the objects ------------------------------------------------------


def schema_bytes(page_schema: Any, queryset: Any, params: Any) -> bytes:
    """The page as the endpoint answered it before: model objects through ``paginate``,
    validated by the page schema (its resolvers, ninja's getters), rendered by the API."""
    from xianfeng.api import api

    validated = page_schema.model_validate(
        paginate(queryset, params), context={"request": None, "response_status": 200}
    )
    return api.renderer.render(None, validated.model_dump(), response_status=200).encode()


def old_members(user: Any, query: dict[str, str]) -> bytes:
    params = people_api.MemberFilters.model_validate(query)
    qs = people_selectors.member_list(
        user=user, filters=people_selectors.MemberFilters.from_schema(params)
    )
    return schema_bytes(people_api.MemberPage, qs.select_related("residence_community"), params)


def old_buildings(user: Any, query: dict[str, str]) -> bytes:
    params = places_schemas.BuildingFilters.model_validate(query)
    qs = places_selectors.building_list(
        user=user, filters=places_selectors.BuildingFilters.from_schema(params)
    )
    return schema_bytes(
        places_schemas.BuildingPage, qs.select_related("building_group", "landlord"), params
    )


def old_households(user: Any, query: dict[str, str]) -> bytes:
    params = places_schemas.HouseholdFilters.model_validate(query)
    qs = places_selectors.household_list(
        user=user, filters=places_selectors.HouseholdFilters.from_schema(params)
    )
    return schema_bytes(places_schemas.HouseholdPage, qs.prefetch_related("care_tags"), params)


def old_visits(user: Any, query: dict[str, str]) -> bytes:
    params = visits_api.VisitFilters.model_validate(query)
    qs = visits_selectors.visits(
        user, mine=params.mine, household=params.household, since=params.since
    )
    return schema_bytes(visits_api.VisitPage, qs, params)


def old_tasks(user: Any, query: dict[str, str]) -> bytes:
    params = work_api.TaskFilters.model_validate(query)
    qs = work_selectors.tasks(
        user,
        mine=params.mine,
        claimable=params.claimable,
        state=params.state,
        project=params.project,
    )
    return schema_bytes(work_api.TaskPage, qs, params)


def get(client: Client, path: str, query: dict[str, str]) -> Any:
    response = client.get(path, query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response


def assert_same(client: Client, user: Any, path: str, query: dict[str, str], old: Any) -> dict:
    """The endpoint's answer is byte for byte what the schema made of the same objects."""
    response = get(client, path, query)
    expected = old(user, query)
    # the parsed comparison first, for a readable difference
    import json

    assert response.json() == json.loads(expected), (path, query)
    assert response.content == expected, (path, query)
    return response.json()


# --- data that reaches every branch of the row builders ----------------------------------------


@pytest.fixture
def places(personas):
    """In the community admin's scope: households with several care tags (in an order that is
    not the tags' own), a rental one, buildings with and without landlord and group."""
    community = role_org(personas["shequ"])
    households = list(
        Household.objects.filter(organization__path__startswith=community.path).order_by("id")
    )
    tags = list(CareTag.objects.order_by("id"))
    assert len(households) >= 6 and len(tags) >= 3
    households[0].care_tags.set([tags[2], tags[0]])
    households[1].care_tags.set([tags[1]])
    households[3].care_tags.set(tags[:3])
    buildings = Building.objects.filter(organization__path__startswith=community.path)
    assert buildings.exclude(landlord=None).exists() and buildings.filter(landlord=None).exists()
    return {"community": community, "households": households, "tags": tags}


@pytest.fixture
def visits(personas, places):
    """Visits with a household, one of a whole building (none), one with a position."""
    member = PartyMember.objects.get(person_id=personas["dangyuan"].person_id)
    household = places["households"][0]
    made = [
        Visit.objects.create(
            member=member,
            household=household if n != 2 else None,
            building=household.building,
            organization=household.organization,
            visited_at=timezone.now() - timedelta(hours=n),
            purposes=["safety", "care"] if n % 2 else ["policy"],
            findings=f"发现{n}",
            latitude=Decimal("25.041234") if n == 3 else None,
            longitude=Decimal("102.712345") if n == 3 else None,
        )
        for n in range(1, 5)
    ]
    return made


# --- the five lists, with filters and page 2 ---------------------------------------------------


def test_members_answer_what_the_schema_made(client_for, personas):
    community = role_org(personas["shequ"])
    branch = PartyMember.objects.filter(branch__path__startswith=community.path).first().branch
    with_community = PartyMember.objects.exclude(residence_community=None).first()
    cases = [
        ("shequ", {}),
        ("shequ", {"page": "2", "page_size": "5"}),
        ("shequ", {"kind": with_community.kind}),
        ("shequ", {"branch": str(branch.pk), "page_size": "3", "page": "2"}),
        ("shequ", {"q": "wang"}),
        ("shequ", {"status": "normal", "category": "full", "page_size": "4", "page": "3"}),
        ("qu", {"page": "2", "page_size": "20"}),
        ("qu", {"kind": "in_service", "page_size": "200"}),
        ("qu", {"page": "99"}),  # past the last page: the envelope, no rows
        ("dangyuan", {}),
    ]
    shown = []
    for persona, query in cases:
        body = assert_same(
            client_for(persona), personas[persona], "/api/v1/members", query, old_members
        )
        shown += body["results"]
    assert any(row["residence_community"] for row in shown)
    assert any(row["residence_community"] is None for row in shown)
    assert any(row["person"]["id_number_masked"].count("*") for row in shown)


def test_buildings_answer_what_the_schema_made(client_for, personas, places):
    building = Building.objects.filter(
        organization__path__startswith=places["community"].path
    ).first()
    cases = [
        ("shequ", {}),
        ("shequ", {"page": "2", "page_size": "4"}),
        ("shequ", {"kind": "rental"}),
        ("shequ", {"grid": str(building.grid_id), "page_size": "2", "page": "2"}),
        ("shequ", {"q": building.name[:2]}),
        ("qu", {"safety_colour": "green", "page_size": "10", "page": "2"}),
        ("qu", {"page_size": "200"}),
    ]
    shown = []
    for persona, query in cases:
        body = assert_same(
            client_for(persona), personas[persona], "/api/v1/buildings", query, old_buildings
        )
        shown += body["results"]
    assert any(row["landlord"] and "*" in row["landlord"]["mobile_masked"] for row in shown)
    assert any(row["landlord"] is None for row in shown)
    assert any(row["building_group"] for row in shown)
    assert any(row["latitude"] for row in shown)


def test_households_answer_what_the_schema_made(client_for, personas, places):
    first = places["households"][0]
    cases = [
        ("shequ", {}),
        ("shequ", {"page": "2", "page_size": "5"}),
        ("shequ", {"care_tag": places["tags"][0].code}),
        ("shequ", {"building": str(first.building_id)}),
        ("shequ", {"grid": str(first.building.grid_id), "page": "2", "page_size": "3"}),
        ("shequ", {"is_rental": "true"}),
        ("qu", {"is_rental": "false", "page": "2", "page_size": "10"}),
    ]
    shown = []
    for persona, query in cases:
        body = assert_same(
            client_for(persona), personas[persona], "/api/v1/households", query, old_households
        )
        shown += body["results"]
    several = next(row for row in shown if row["id"] == first.pk)
    # the tags' own order (by id), not the order they were given in
    assert [t["code"] for t in several["care_tags"]] == [
        places["tags"][0].code,
        places["tags"][2].code,
    ]
    assert any(row["care_tags"] == [] for row in shown)


def test_visits_answer_what_the_schema_made(client_for, personas, visits):
    household = visits[0].household
    cases = [
        ("shequ", {}),
        ("shequ", {"page": "2", "page_size": "5"}),
        ("shequ", {"household": str(household.pk)}),
        ("shequ", {"since": str(timezone.localdate() - timedelta(days=3))}),
        ("dangyuan", {"mine": "true", "page_size": "2", "page": "2"}),
        ("qu", {"page_size": "200"}),
    ]
    shown = []
    for persona, query in cases:
        body = assert_same(
            client_for(persona), personas[persona], "/api/v1/visits", query, old_visits
        )
        shown += body["results"]
    assert any(row["household"] is None for row in shown)
    assert any(row["household"] and row["household"]["label"] for row in shown)
    assert any(row["latitude"] == "25.041234" for row in shown)


def test_a_tasks_visits_answer_what_the_schema_made(client_for, personas, visits):
    task = Task.objects.filter(
        organization__path__startswith=role_org(personas["shequ"]).path
    ).first()
    Visit.objects.filter(pk__in=[v.pk for v in visits]).update(task=task)
    client = client_for("shequ")
    for query in ({}, {"page": "2", "page_size": "3"}):
        params = visits_api.ListParams.model_validate(query)
        expected = schema_bytes(
            visits_api.VisitPage, visits_selectors.visits(personas["shequ"], task=task), params
        )
        response = get(client, f"/api/v1/tasks/{task.pk}/visits", query)
        assert response.content == expected
    assert response.json()["count"] == 4


def test_tasks_answer_what_the_schema_made(client_for, personas):
    community = role_org(personas["shequ"])
    task = Task.objects.filter(organization__path__startswith=community.path).first()
    cases = [
        ("shequ", {}),
        ("shequ", {"page": "2", "page_size": "3"}),
        ("shequ", {"state": "claimed"}),
        ("shequ", {"project": str(task.project_id)}),
        ("dangyuan", {"mine": "true"}),
        ("dangyuan", {"claimable": "true"}),
        ("qu", {"page": "2", "page_size": "5"}),
    ]
    shown = []
    for persona, query in cases:
        body = assert_same(
            client_for(persona), personas[persona], "/api/v1/tasks", query, old_tasks
        )
        shown += body["results"]
    assert any(row["assignee"] for row in shown)
    assert any(row["assignee"] is None for row in shown)
    assert {row["state_label"] for row in shown} - {""}


# --- the OpenAPI document keeps the page schemas ------------------------------------------------


@pytest.mark.parametrize(
    "path, page",
    [
        ("/members", "MemberPage"),
        ("/buildings", "BuildingPage"),
        ("/households", "HouseholdPage"),
        ("/visits", "VisitPage"),
        ("/tasks/{task_id}/visits", "VisitPage"),
        ("/tasks", "TaskPage"),
    ],
)
def test_the_openapi_document_keeps_each_lists_page_schema(client_for, path, page):
    doc = client_for("shequ").get("/api/v1/openapi.json").json()
    ok = doc["paths"][f"/api/v1{path}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{page}"}
    item = doc["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"]
    assert item.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


# --- queries and decryption ---------------------------------------------------------------------

LISTS = [
    # path, queries of the list itself (besides token, roles): COUNT, page, and for households
    # the care tags, for visits the households' labels
    ("/api/v1/members", 2),
    ("/api/v1/buildings", 2),
    ("/api/v1/households", 3),
    ("/api/v1/visits", 3),
    ("/api/v1/tasks", 2),
]


@pytest.mark.parametrize("path, own", LISTS)
def test_each_list_runs_a_fixed_number_of_queries(
    personas, places, visits, path, own, django_assert_num_queries
):
    """A bearer client: the token (with its user), the roles, then the list's own queries;
    the same for 1 row as for 200, on page 1 as on page 2."""
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(personas['shequ'])}"})
    client.get("/api/v1/me")  # the first use records last_used_at
    counts = set()
    for query in ({"page_size": "1"}, {"page_size": "200"}, {"page_size": "3", "page": "2"}):
        with CaptureQueriesContext(connection) as ctx:
            body = get(client, path, query).json()
        counts.add(len(ctx.captured_queries))
        if query["page_size"] == "200":
            assert len(body["results"]) > 3
    assert len(counts) == 1, (path, counts)
    with django_assert_num_queries(2 + own):
        get(client, path, {"page_size": "50"})


def test_member_search_runs_the_lists_queries(personas, places, visits, django_assert_num_queries):
    """``/api/v1/members?q=`` (name, full pinyin or initials, through the one selector the page
    uses) runs the list's queries and no more: the token, the roles, the COUNT and the page,
    for a page of one found member as for all of them (issue 11)."""
    user = personas["shequ"]
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(user)}"})
    client.get("/api/v1/me")  # the first use records last_used_at
    member = PartyMember.objects.restrict(user).select_related("person").order_by("id").first()
    person = member.person
    for q in (person.name[0], person.name_pinyin[:4], person.name_initials):
        for size in ("1", "200"):
            with django_assert_num_queries(4):
                body = get(client, "/api/v1/members", {"q": q, "page_size": size}).json()
            assert body["count"] >= 1, q
            if size == "200":
                assert member.pk in [row["id"] for row in body["results"]], q


@pytest.mark.parametrize(
    "path, per_row",
    [
        ("/api/v1/members", 2),  # the ID number and the mobile, both shown masked
        ("/api/v1/buildings", 1),  # the landlord's mobile, shown masked
        ("/api/v1/households", 0),
        ("/api/v1/visits", 0),
        ("/api/v1/tasks", 0),
    ],
)
def test_only_what_a_row_shows_is_decrypted(
    client_for, personas, visits, monkeypatch, path, per_row
):
    calls = []
    real = crypto.decrypt

    def counting(value: Any) -> Any:
        calls.append(1)
        return real(value)

    client = client_for("shequ")
    client.get("/api/v1/me")
    real_many = crypto.decrypt_many

    def counting_many(tokens: Any) -> Any:
        tokens = list(tokens)
        calls.extend(1 for t in tokens if t)
        return real_many(tokens)

    monkeypatch.setattr(crypto, "decrypt", counting)
    # the member list opens its page's tokens at once (issue 11); counted token by token
    for module in (crypto, people_api, people_views):
        monkeypatch.setattr(module, "decrypt_many", counting_many)
    body = get(client, path, {"page_size": "200"}).json()
    assert body["results"]
    assert len(calls) <= per_row * len(body["results"])
    assert bool(calls) is bool(per_row)  # what is shown masked was opened: counted here
