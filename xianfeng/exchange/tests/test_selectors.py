"""Every exported list is the page's and the API's: for the same filters and the same user the
export writes the same rows, in the same order, as the page lists and the API answers. The
exchange app's own lists (export records, import runs, declarations, duplicates) likewise
list the same ids on the page and in the API."""

from __future__ import annotations

import io

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from xianfeng.core.pinyin import name_pinyin
from xianfeng.core.testing import role_org
from xianfeng.exchange.exports import EXPORTS
from xianfeng.exchange.models import ExportRecord, ImportRun, LandlordDeclaration
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Building

pytestmark = pytest.mark.django_db

USERS = ["shequ", "wangge", "jiedao"]


def page_ids(client, url: str, key: str = "page") -> list[int]:
    """Every row of every page of a list page, in order."""
    ids: list[int] = []
    number = 1
    while True:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}page={number}")
        assert response.status_code == 200
        page = response.context[key]
        # list pages read plain tuples, the id first (issue 11); others model instances
        ids += [row[0] if isinstance(row, tuple) else row.pk for row in page.object_list]
        if not page.has_next():
            return ids
        number += 1


def api_ids(client, url: str) -> list[int]:
    sep = "&" if "?" in url else "?"
    body = client.get(f"{url}{sep}page_size=200").json()
    assert body["count"] == len(body["results"]), "the list should fit one API page here"
    return [row["id"] for row in body["results"]]


def export_ids(user, kind: str, params: str) -> list[int]:
    """The rows an export writes, in order: its queryset as the writer iterates it."""
    return list(EXPORTS[kind].queryset(user, QueryDict(params)).values_list("pk", flat=True))


def export_rows(client, kind: str, params: str) -> int:
    response = client.get(f"/exchange/export/{kind}/?{params}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active.max_row - 1


@pytest.mark.parametrize("who", USERS)
def test_members(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    first = PartyMember.objects.restrict(user).select_related("person").order_by("id").first()
    combinations = [
        "",
        f"q={name_pinyin(first.person.name[0])}",
        f"q={first.person.name[0]}&kind=community",
        f"branch={role_org(user).pk}&category=full",
        "status=normal&due=1",
    ]
    for params in combinations:
        page = page_ids(client, f"/members/?{params}")
        assert page == api_ids(client, f"/api/v1/members?{params}"), params
        assert page == export_ids(user, "members", params), params
    assert export_rows(client, "members", combinations[1]) == len(
        page_ids(client, f"/members/?{combinations[1]}")
    )


@pytest.mark.parametrize("who", USERS)
def test_buildings(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    building = Building.objects.restrict(user).order_by("code").first()
    combinations = [
        "",
        f"q={building.code[2:-2].lower()}",
        f"q={building.name[:2]}&kind={building.kind}",
        f"grid={building.grid_id}&safety_colour={building.safety_colour}",
    ]
    for params in combinations:
        page = page_ids(client, f"/places/buildings/?{params}")
        assert page == api_ids(client, f"/api/v1/buildings?{params}"), params
        assert page == export_ids(user, "buildings", params), params
    assert export_rows(client, "buildings", combinations[1]) >= 1


@pytest.mark.parametrize("who", USERS)
def test_households(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    buildings = (
        Building.objects.restrict(user).filter(households__isnull=False).distinct().order_by("code")
    )
    for building in (buildings.first(), buildings.last()):
        params = f"building={building.pk}"
        page = page_ids(client, f"/places/buildings/{building.pk}/")
        assert page == api_ids(client, f"/api/v1/households?{params}"), building
        assert page == export_ids(user, "households", params), building
    grid = buildings.first().grid_id
    for params in (f"grid={grid}", f"grid={grid}&is_rental=true"):
        assert api_ids(client, f"/api/v1/households?{params}") == export_ids(
            user, "households", params
        ), params


@pytest.mark.parametrize("who", USERS)
def test_organizations(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    top = role_org(user)
    combinations = [
        "",
        f"root={top.pk}",
        f"root={top.pk}&kind={OrgKind.GRID_BRANCH}",
        f"q={top.code[2:-1]}",
        f"parent={top.pk}",
    ]
    for params in combinations:
        api = api_ids(client, f"/api/v1/organizations?{params}")
        assert api == export_ids(user, "organizations", params), params
    # The tree page shows the children that the API and the export list for ``parent``.
    children = [o.pk for o in client.get(f"/orgs/{top.pk}/children/").context["children"]]
    assert sorted(children) == sorted(export_ids(user, "organizations", f"parent={top.pk}"))
    outside = Organization.objects.exclude(path__startswith=top.path).first()
    assert export_ids(user, "organizations", f"root={outside.pk}") == []


@pytest.mark.parametrize("who", ["shequ", "jiancha"])
def test_export_records_and_import_runs(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    for kind, params in (("members", ""), ("buildings", "q=B")):
        client.get(f"/exchange/export/{kind}/?{params}")
        client_for("shequ2").get(f"/exchange/export/{kind}/?{params}")
    for i in range(3):
        ImportRun.objects.create(
            kind="members", filename=f"{i}.xlsx", stored_path="/x", created_by=user
        )
    assert ExportRecord.objects.exists()
    page = page_ids(client, "/exchange/exports/")
    assert page and page == api_ids(client, "/api/v1/exports")
    runs = page_ids(client, "/exchange/")
    assert len(runs) == 3 and runs == api_ids(client, "/api/v1/imports")


@pytest.mark.parametrize("who", ["shequ", "wangge", "jiancha"])
def test_declarations(client_for, personas, who):
    client = client_for(who)
    for building in Building.objects.order_by("pk")[:4]:
        for status in ("submitted", "rejected"):
            LandlordDeclaration.objects.create(
                building=building,
                landlord_name="甲",
                landlord_mobile="13700000000",
                rooms=[],
                status=status,
            )
    for params in ("status=submitted", "status=rejected", "status=accepted"):
        page = page_ids(client, f"/exchange/declarations/?{params}")
        assert page == api_ids(client, f"/api/v1/declarations?{params}"), params
    # With no status the page opens on what awaits review; ``status=`` lists everything.
    assert page_ids(client, "/exchange/declarations/") == page_ids(
        client, "/exchange/declarations/?status=submitted"
    )
    assert page_ids(client, "/exchange/declarations/?status=") == api_ids(
        client, "/api/v1/declarations"
    )


def test_duplicates(client_for, personas):
    member = PartyMember.objects.restrict(personas["wangge"]).select_related("person").first()
    keep = member.person
    keep.mobile = "13912345678"
    keep.save()
    Person.objects.create(organization=keep.organization, name=keep.name, mobile=keep.mobile)
    client = client_for("wangge")
    groups = client.get("/exchange/duplicates/").context["groups"]
    page = [[p.pk for p in group] for group in groups]
    api = [[p["id"] for p in group] for group in client.get("/api/v1/duplicates").json()]
    assert page and page == api
