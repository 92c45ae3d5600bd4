"""Input limits everywhere (issue 9, item 6): free text has a maximum length and no control
characters, in API schemas, page forms and the public declaration page; integers past 2^63
answer 422 (404 for a path id), never 500; malformed multipart answers 400."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.exchange.declarations import public_url
from xianfeng.exchange.models import LandlordDeclaration
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Building, Grid, ResponsibilityZone
from xianfeng.visits.models import Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999  # past 2^63
G01 = "XF-S01-C01-G01"


def api_json(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, body, content_type="application/json")


def assert_422(response, field: str, words: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "请求数据格式不正确"
    assert any(words in m for m in body["errors"][field]), body


# --- lengths and control characters in API bodies --------------------------------------------


def test_a_100000_character_name_answers_422_in_chinese(client_for, personas):
    branch = PartyMember.objects.restrict(personas["shequ"]).first().branch
    before = Person.objects.count()
    response = api_json(
        client_for("shequ"),
        "post",
        "/api/v1/members",
        {
            "person": {"name": "长" * 100_000, "id_number": "530102199001010011"},
            "branch": branch.pk,
        },
    )
    assert_422(response, "person.name", "最多50个字符")
    assert Person.objects.count() == before


@pytest.mark.parametrize("bad", ["楼道\x00堆物", "含\x1b转义", "DEL\x7f"])
def test_control_characters_in_a_body_answer_422(client_for, personas, bad):
    household = f.household_under(role_org(personas["wangge"]))
    response = client_for("dangyuan").post(
        "/api/v1/visits", {"household": household.pk, "purposes": ["safety"], "findings": bad}
    )
    assert_422(response, "findings", "控制字符")
    assert not Visit.objects.filter(household=household).exists()


def test_newlines_and_tabs_are_kept_in_multi_line_text(client_for, personas):
    household = f.household_under(role_org(personas["wangge"]))
    response = client_for("dangyuan").post(
        "/api/v1/visits",
        {"household": household.pk, "purposes": ["safety"], "findings": "一、楼道\n二、\t消防"},
    )
    assert response.status_code == 201, response.content
    assert Visit.objects.get(pk=response.json()["id"]).findings == "一、楼道\n二、\t消防"


def test_a_text_field_past_its_limit_answers_422(client_for, personas):
    household = f.household_under(role_org(personas["wangge"]))
    response = client_for("dangyuan").post(
        "/api/v1/visits",
        {"household": household.pk, "purposes": ["safety"], "findings": "多" * 5001},
    )
    assert_422(response, "findings", "最多5000个字符")


def test_the_openapi_document_states_the_limits():
    schema = Client().get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["PersonIn"]["properties"]
    assert props["name"]["maxLength"] == 50
    grid = schema["components"]["schemas"]["GridPatch"]["properties"]
    workers = grid["workers"]["anyOf"][0]["items"]
    assert workers["maximum"] == 2**63 - 1


# --- integers past 2^63 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/projects?campaign={HUGE}",
        f"/api/v1/tasks?project={HUGE}",
        f"/api/v1/members?branch={HUGE}",
        f"/api/v1/buildings?grid={HUGE}",
        f"/api/v1/coverage?org={HUGE}",
    ],
)
def test_a_huge_integer_in_a_filter_answers_422(client_for, url):
    response = client_for("qu").get(url)
    assert response.status_code == 422, response.content
    assert "不能大于" in str(response.json()["errors"])


@pytest.mark.parametrize(
    "url", [f"/api/v1/tasks/{HUGE}", f"/api/v1/grids/{HUGE}", f"/api/v1/members/{HUGE}"]
)
def test_a_huge_path_id_answers_404(client_for, url):
    response = client_for("qu").get(url)
    assert response.status_code == 404
    assert response.json()["detail"] == "对象不存在或不在您的管辖范围内"


def test_huge_list_items_in_zone_and_grid_patches_answer_422(client_for, personas):
    client = client_for("shequ")
    grid = Grid.objects.restrict(personas["shequ"]).first()
    assert_422(
        api_json(client, "patch", f"/api/v1/grids/{grid.pk}", {"workers": [HUGE]}),
        "workers.0",
        "不能大于",
    )
    zone = ResponsibilityZone.objects.restrict(personas["shequ"]).first()
    assert_422(
        api_json(client, "patch", f"/api/v1/zones/{zone.pk}", {"members": [1, HUGE]}),
        "members.1",
        "不能大于",
    )
    assert_422(
        api_json(client, "patch", f"/api/v1/zones/{zone.pk}", {"households": [-HUGE]}),
        "households.0",
        "不能小于",
    )


def test_an_overflow_that_a_schema_let_through_answers_422_not_500(client_for, personas):
    # a page beyond any offset the database can take
    response = client_for("qu").get(f"/api/v1/members?page={HUGE}")
    assert response.status_code == 422, response.content


# --- malformed multipart ----------------------------------------------------------------


def test_multipart_without_a_boundary_answers_400_json(client_for, personas):
    task = f.chain(role_org(personas["shequ"]), role_org(personas["wangge"]))
    client = client_for("dangyuan")
    for url in ("/api/v1/visits", "/api/v1/imports", f"/api/v1/tasks/{task.pk}/submit"):
        response = client.post(url, data=b"--x\r\n", content_type="multipart/form-data")
        assert response.status_code == 400, (url, response.content)
        assert "boundary" in response.json()["detail"]


def test_multipart_without_a_boundary_on_a_page_answers_400(client_for):
    response = client_for("dangyuan").post(
        "/work/visits/new/", data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "提交的内容无法处理" in response.content.decode()
    public = Client().post(
        public_url(Building.objects.first()), data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert public.status_code == 400
    assert not LandlordDeclaration.objects.exists()


# --- page forms ---------------------------------------------------------------------------


def test_the_visit_form_refuses_control_characters_and_overlong_text(client_for, personas):
    household = f.household_under(role_org(personas["wangge"]))
    client = client_for("dangyuan")
    data = {
        "household": household.pk,
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "purposes": ["safety"],
        "client_key": "limits-1",
    }
    nul = client.post("/work/visits/new/", {**data, "findings": "楼道\x01堆物"})
    assert nul.status_code == 400 and "控制字符" in nul.content.decode()
    long = client.post("/work/visits/new/", {**data, "suggestions": "多" * 5001})
    assert long.status_code == 400 and "5000" in long.content.decode()
    assert not Visit.objects.filter(household=household).exists()
    ok = client.post("/work/visits/new/", {**data, "findings": "一、楼道\r\n二、消防"})
    assert ok.status_code == 302


# --- the public declaration page ------------------------------------------------------------


def declare(client, building, **fields):
    data = {
        "landlord_name": "房东甲",
        "landlord_mobile": "13700000000",
        "n": "1",
        "unit-0": "2",
        "room-0": "201",
        **fields,
    }
    return client.post(public_url(building), data)


def test_a_100000_character_landlord_name_is_refused_not_stored(client):
    building = Building.objects.first()
    response = declare(client, building, landlord_name="房" * 100_000)
    assert response.status_code == 400
    assert "最多50个字符" in response.content.decode()
    assert not LandlordDeclaration.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("landlord_name", "房东\x00甲", "控制字符"),
        ("room-0", "2" * 21, "最多20个字符"),
        ("unit-0", "一\x08单元", "控制字符"),
    ],
)
def test_the_declaration_page_refuses_bad_text_in_chinese(client, field, value, words):
    response = declare(client, Building.objects.first(), **{field: value})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not LandlordDeclaration.objects.exists()


def test_a_good_declaration_is_still_kept(client):
    response = declare(client, Building.objects.first())
    assert response.status_code in (200, 302)
    assert LandlordDeclaration.objects.count() == 1


def test_a_database_data_error_answers_422_not_500(client_for, monkeypatch):
    """PostgreSQL's "value out of range" / "value too long" past every schema check."""
    from django.db import DataError

    from xianfeng.people import selectors

    def broken(**kwargs):
        raise DataError("bigint out of range")

    monkeypatch.setattr(selectors, "member_list", broken)
    response = client_for("qu").get("/api/v1/members")
    assert response.status_code == 422
    assert "数值超出范围" in response.json()["errors"]["__all__"][0]


@pytest.mark.parametrize(
    "url",
    [
        f"/places/buildings/?grid={HUGE}",
        f"/members/?branch={HUGE}",
        f"/work/tasks/?project={HUGE}",
        "/places/buildings/?grid=²",
        f"/exchange/export/buildings/?grid={HUGE}",
    ],
)
def test_a_huge_or_odd_integer_in_a_page_filter_is_ignored_not_500(client_for, url):
    assert client_for("qu").get(url).status_code == 200
