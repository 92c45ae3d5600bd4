"""Open311 GeoReport v2 at /open311/v2/: every answer checked against the standard's JSON
Schemas (../shared/open311-schema), XML as the standard writes it, its error format, api_key
and the district's anonymous setting, and a client that follows the spec's flow
(discovery → services → definition → POST → token → GET)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone
from referencing import Registry
from referencing.jsonschema import DRAFT4

from xianfeng.core import workflow
from xianfeng.core.models import ApiToken
from xianfeng.orgs.models import Organization
from xianfeng.public.models import Problem, PublicSettings
from xianfeng.public.tests.helpers import COMMUNITY, on_wall, published

pytestmark = pytest.mark.django_db

# The repository's parent holds shared/ beside it (a clean clone with ../shared works).
SCHEMAS = Path(__file__).resolve().parents[3] / ".." / "shared" / "open311-schema"
BASE = "/open311/v2/"


def _registry() -> Registry:
    return Registry().with_resources(
        (path.name, DRAFT4.create_resource(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.json")
        if path.name != "swagger.json"
    )


REGISTRY = _registry()


def _post_success() -> int:
    """What the standard's swagger.json gives a successful ``POST /requests`` (its one 2xx
    answer): the status our POST answers, JSON and XML alike."""
    swagger = json.loads((SCHEMAS / "swagger.json").read_text())
    answers = swagger["paths"]["/requests.{response_format}"]["post"]["responses"]
    success = [int(code) for code in answers if code.startswith("2")]
    assert len(success) == 1, answers
    return success[0]


POST_OK = _post_success()


def valid(data, schema: str) -> None:
    contents = json.loads((SCHEMAS / schema).read_text())
    jsonschema.Draft4Validator(contents, registry=REGISTRY).validate(data)


class Open311Client:
    """A client as the spec describes one: it finds the endpoint through discovery, reads the
    services and a definition, POSTs, follows the token, then GETs the request."""

    def __init__(self, http: Client) -> None:
        self.http = http
        discovery = http.get(f"{BASE}discovery.json").json()
        endpoint = next(e for e in discovery["endpoints"] if e["type"] == "production")
        assert "application/json" in endpoint["formats"]
        self.base = endpoint["url"].split("://", 1)[1].split("/", 1)[1]
        self.base = "/" + self.base

    def services(self) -> list[dict]:
        return self.http.get(f"{self.base}services.json").json()

    def definition(self, code: str) -> dict:
        return self.http.get(f"{self.base}services/{code}.json").json()

    def post(self, **data) -> tuple[int, list]:
        response = self.http.post(f"{self.base}requests.json", data)
        return response.status_code, response.json()

    def token(self, token: str) -> list:
        return self.http.get(f"{self.base}tokens/{token}.json").json()

    def request(self, rid: str) -> list:
        return self.http.get(f"{self.base}requests/{rid}.json").json()

    def requests(self, **params) -> list:
        return self.http.get(f"{self.base}requests.json", params).json()


def key_for(personas, name: str = "shequ") -> str:
    return ApiToken.issue(personas[name])


def test_discovery_services_and_definitions_follow_the_schemas(personas):
    client = Open311Client(Client())
    services = client.services()
    valid(services, "services.json")
    codes = {s["service_code"] for s in services}
    assert "problem-environment" in codes
    definition = client.definition("problem-environment")
    valid(definition, "service-definition.json")
    community = next(a for a in definition["attributes"] if a["code"] == "community")
    assert COMMUNITY in {v["key"] for v in community["values"]}
    xml = Client().get(f"{BASE}services.xml")
    root = ET.fromstring(xml.content)
    assert xml["Content-Type"].startswith("text/xml") and root.tag == "services"
    assert root.find("service/service_code") is not None
    assert root.find("service/metadata").text in ("true", "false")
    d = ET.fromstring(Client().get(f"{BASE}services/problem-safety.xml").content)
    assert (
        d.tag == "service_definition"
        and d.find("attributes/attribute/values/value/key") is not None
    )


def test_an_unknown_code_answers_the_standards_error_format(personas):
    response = Client().get(f"{BASE}services/nope.json")
    assert response.status_code == 404
    body = response.json()
    assert body[0]["code"] == 404 and "没有这个服务编码" in body[0]["description"]
    xml = Client().get(f"{BASE}services/nope.xml")
    root = ET.fromstring(xml.content)
    assert xml.status_code == 404 and root.tag == "errors"
    assert root.find("error/code").text == "404" and root.find("error/description").text
    assert Client().get(f"{BASE}requests/problem-NOPE.json").status_code == 404
    assert Client().get(f"{BASE}tokens/not-a-token.json").json()[0]["code"] == 404
    assert Client().get(f"{BASE}services.csv").status_code == 400
    key = key_for(personas)
    response = Client().post(
        f"{BASE}requests.json",
        {"api_key": key, "service_code": "nope", "attribute[community]": COMMUNITY},
    )
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_the_spec_flow_post_token_then_get(personas):
    client = Open311Client(Client())
    code = next(s["service_code"] for s in client.services() if s["group"] == "问题墙")
    status, answer = client.post(
        api_key=key_for(personas),
        service_code=code,
        description="路口井盖松动\n车辆经过有响声",
        **{
            "attribute[community]": COMMUNITY,
            "phone": "13900000101",
            "lat": "25.04",
            "long": "102.7",
        },
    )
    assert status == POST_OK and "token" in answer[0] and "service_request_id" not in answer[0]
    token = answer[0]["token"]
    assert client.token(token)[0]["service_request_id"] is None  # waiting for moderation
    problem = Problem.objects.get(token=token)
    assert problem.source == "open311" and problem.state == "pending"
    assert problem.title == "路口井盖松动"
    workflow.take(problem, "approve", actor=personas["shequ"])
    rid = client.token(token)[0]["service_request_id"]
    assert rid == f"problem-{problem.code}"
    one = client.request(rid)
    valid(one, "requests.json")
    assert one[0]["status"] == "open" and "13900000101" not in json.dumps(one)
    listed = client.requests(service_code=code, status="open")
    valid(listed, "requests.json")
    assert rid in {r["service_request_id"] for r in listed}


def test_states_map_to_open_and_closed_with_status_notes(personas):
    done = published(personas, phone="13900000111")
    closed = on_wall(personas, title="不归我们管", phone="13900000112")
    workflow.take(
        closed, "close", actor=personas["shequ"], reason="属于高速公路", referred_to="交通局"
    )
    open_ = on_wall(personas, title="还在办", phone="13900000113")
    answers = Client().get(f"{BASE}requests.json").json()
    valid(answers, "requests.json")
    by_id = {r["service_request_id"]: r for r in answers}
    assert by_id[f"problem-{done.code}"]["status"] == "closed"
    assert "已解决" in by_id[f"problem-{done.code}"]["status_notes"]
    assert by_id[f"problem-{closed.code}"]["status"] == "closed"
    assert "未解决" in by_id[f"problem-{closed.code}"]["status_notes"]
    assert "交通局" in by_id[f"problem-{closed.code}"]["status_notes"]
    assert by_id[f"problem-{open_.code}"]["status"] == "open"
    closed_only = Client().get(f"{BASE}requests.json", {"status": "closed"}).json()
    assert f"problem-{open_.code}" not in {r["service_request_id"] for r in closed_only}
    assert Client().get(f"{BASE}requests.json", {"status": "shut"}).status_code == 400
    some = (
        Client()
        .get(f"{BASE}requests.json", {"service_request_id": f"problem-{done.code},problem-XX"})
        .json()
    )
    assert [r["service_request_id"] for r in some] == [f"problem-{done.code}"]
    future = Client().get(f"{BASE}requests.json", {"start_date": "2099-01-01T00:00:00Z"})
    assert future.json() == []
    bad = Client().get(f"{BASE}requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    xml = ET.fromstring(Client().get(f"{BASE}requests.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text in ("open", "closed")


def test_a_pending_problem_is_never_listed(personas):
    from xianfeng.public.tests.helpers import problem

    hidden = problem(title="待审核的内容")
    answers = Client().get(f"{BASE}requests.json").json()
    assert f"problem-{hidden.code}" not in {r["service_request_id"] for r in answers}


def test_post_needs_an_api_key_unless_the_district_allows_anonymous(personas):
    data = {
        "service_code": "problem-traffic",
        "description": "乱停车",
        "attribute[community]": COMMUNITY,
    }
    refused = Client().post(f"{BASE}requests.json", data)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    forged = Client().post(f"{BASE}requests.json", {**data, "api_key": "forged"})
    assert forged.status_code == 403
    PublicSettings.objects.update_or_create(
        organization=Organization.objects.get(kind="district"),
        defaults={"open311_anonymous_post": True},
    )
    assert Client().post(f"{BASE}requests.json", data).status_code == POST_OK
    xml = Client().post(f"{BASE}requests.xml", data)
    assert xml.status_code == POST_OK and ET.fromstring(xml.content).tag == "service_requests"


def test_post_bad_input_answers_400_in_the_standards_format(personas):
    key = key_for(personas)
    no_place = Client().post(
        f"{BASE}requests.json",
        {"api_key": key, "service_code": "problem-other", "description": "x"},
    )
    assert no_place.status_code == 400 and "address_id" in no_place.json()[0]["description"]
    bad_phone = Client().post(
        f"{BASE}requests.json",
        {
            "api_key": key,
            "service_code": "problem-other",
            "description": "<script>x</script>",
            "phone": "123",
            "attribute[community]": COMMUNITY,
        },
    )
    assert bad_phone.status_code == 400 and "手机号" in bad_phone.json()[0]["description"]
    xml = Client().post(
        f"{BASE}requests.xml", {"api_key": key, "service_code": "problem-other", "description": "x"}
    )
    assert xml.status_code == 400 and ET.fromstring(xml.content).tag == "errors"


def test_a_service_of_the_menu_is_ordered_through_open311_and_nothing_personal_leaks(personas):
    from xianfeng.services.models import Order, Service

    community = Organization.objects.get(code=COMMUNITY)
    Service.objects.create(
        organization=community, code="o311-repair", title="上门维修", time_limit_hours=24
    )
    client = Open311Client(Client())
    assert "o311-repair" in {s["service_code"] for s in client.services()}
    definition = client.definition("o311-repair")
    valid(definition, "service-definition.json")
    status, answer = client.post(
        api_key=key_for(personas),
        service_code="o311-repair",
        description="厨房水管漏水",
        address_string="园山路1号3栋201",
        phone="13900000301",
        first_name="王",
        last_name="阿姨",
        **{"attribute[community]": COMMUNITY},
    )
    assert status == POST_OK, answer
    rid = answer[0]["service_request_id"]
    order = Order.objects.get(code=rid.removeprefix("order-"))
    assert order.service.code == "o311-repair" and order.community == community
    one = client.request(rid)
    valid(one, "requests.json")
    text = json.dumps(one, ensure_ascii=False)
    assert one[0]["status"] == "open"
    assert "13900000301" not in text and "园山路1号" not in text and "王 阿姨" not in text
    assert rid in {r["service_request_id"] for r in client.requests(service_code="o311-repair")}


def test_the_request_list_pages_in_the_database_in_a_fixed_number_of_queries(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xianfeng.services.tests.factories import order, service_at

    community = Organization.objects.get(code=COMMUNITY)
    service = service_at(community)
    # Only what this test adds: the demo's own problems and orders are older than its start.
    since = {"start_date": timezone.now().isoformat()}
    on_wall(personas, title="第一个", phone="13900000601")
    order(community, service=service)
    with CaptureQueriesContext(connection) as few:
        first = Client().get(f"{BASE}requests.json", since)
    for n in range(4):
        on_wall(personas, title=f"又一个{n}", phone=f"1390000062{n}")
        order(community, service=service if n % 2 else None)
    with CaptureQueriesContext(connection) as many:
        everything = Client().get(f"{BASE}requests.json", since).json()
    assert first.status_code == 200 and len(everything) == 10
    valid(everything, "requests.json")
    # The union page, then the page's problems and its orders: no query per row.
    assert len(many.captured_queries) == len(few.captured_queries) <= 4
    stamps = [r["requested_datetime"] for r in everything]
    assert stamps == sorted(stamps, reverse=True)
    kinds = {r["service_request_id"].split("-")[0] for r in everything}
    assert kinds == {"problem", "order"}
    own_words = [r for r in everything if r["service_request_id"].startswith("order-")]
    assert {r["service_name"] for r in own_words} >= {"自述诉求", service.title}
    # page_size and page read on past the first page, in the same order, without overlap.
    pages = [
        Client().get(f"{BASE}requests.json", {**since, "page_size": 4, "page": n}).json()
        for n in (1, 2, 3)
    ]
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [r["service_request_id"] for p in pages for r in p] == [
        r["service_request_id"] for r in everything
    ]
    assert Client().get(f"{BASE}requests.json", {**since, "page": 9}).json() == []
    bad = Client().get(f"{BASE}requests.json", {"page_size": "0"})
    assert bad.status_code == 400 and "page_size" in bad.json()[0]["description"]
    # Only orders, only problems: the same rows, filtered in the database.
    orders = Client().get(f"{BASE}requests.json", {**since, "service_code": service.code}).json()
    assert len(orders) == 3 and all(r["service_code"] == service.code for r in orders)
    with CaptureQueriesContext(connection) as by_id:
        some = (
            Client()
            .get(
                f"{BASE}requests.json",
                {"service_request_id": ",".join(r["service_request_id"] for r in everything)},
            )
            .json()
        )
    assert [r["service_request_id"] for r in some] == [r["service_request_id"] for r in everything]
    assert len(by_id.captured_queries) <= 2


def test_cached_service_and_request_lists_show_a_change_at_once(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xianfeng.services.tests.factories import order, service_at

    community = Organization.objects.get(code=COMMUNITY)
    since = {"start_date": timezone.now().isoformat()}
    first = on_wall(personas, title="缓存的第一个", phone="13900000701")
    codes = lambda: {s["service_code"] for s in Client().get(f"{BASE}services.json").json()}  # noqa: E731
    ids = lambda: [  # noqa: E731
        r["service_request_id"] for r in Client().get(f"{BASE}requests.json", since).json()
    ]
    assert ids() == [f"problem-{first.code}"]
    before = codes()
    # Warm: neither list reads the database again.
    with CaptureQueriesContext(connection) as warm:
        assert ids() == [f"problem-{first.code}"]
        assert codes() == before
    assert not any(
        t in q["sql"]
        for q in warm.captured_queries
        for t in ("public_problem", "services_order", "services_service")
    )
    # A new service, a new order, a state change: each shows at once.
    service = service_at(community, code="cache-new-svc")
    assert "cache-new-svc" in codes() - before
    made = order(community, service=service)
    assert ids()[0] == f"order-{made.code}"
    workflow.take(
        first, "close", actor=personas["shequ"], reason="属于高速公路", referred_to="交通局"
    )
    rows = Client().get(f"{BASE}requests.json", since).json()
    assert {r["service_request_id"]: r["status"] for r in rows}[f"problem-{first.code}"] == (
        "closed"
    )
    service.is_active = False
    service.save()
    assert "cache-new-svc" not in codes()
    # Other parameters are another list, not the cached one.
    only_orders = Client().get(f"{BASE}requests.json", {**since, "service_code": service.code})
    assert [r["service_request_id"] for r in only_orders.json()] == [f"order-{made.code}"]


def test_a_communitys_request_list_is_cached_under_its_own_version(personas):
    """``jurisdiction_id`` (a community's code) narrows the list to that community, cached under
    the community's version: a change in one community shows at once in its list and the
    district's, and leaves the other community's cached list alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xianfeng.public.tests.helpers import OTHER_COMMUNITY, problem
    from xianfeng.public.tests.helpers import community as community_at
    from xianfeng.services.tests.factories import order

    since = {"start_date": timezone.now().isoformat()}
    here = on_wall(personas, title="本社区的问题", phone="13900000711")
    there = workflow.take(
        problem(
            title="另一个社区的问题",
            phone="13900000712",
            organization=community_at(OTHER_COMMUNITY),
        ),
        "approve",
        actor=personas["qu"],
    )

    def ids(**params) -> list[str]:
        response = Client().get(f"{BASE}requests.json", {**since, **params})
        assert response.status_code == 200, response.content
        valid(response.json(), "requests.json")
        return [r["service_request_id"] for r in response.json()]

    district = Organization.objects.get(kind="district").code
    assert ids(jurisdiction_id=COMMUNITY) == [f"problem-{here.code}"]
    assert ids(jurisdiction_id=OTHER_COMMUNITY) == [f"problem-{there.code}"]
    assert (
        set(ids())
        == set(ids(jurisdiction_id=district))
        == {
            f"problem-{here.code}",
            f"problem-{there.code}",
        }
    )
    # A new order here: this community's list and the district's show it at once ...
    made = order(community_at(COMMUNITY))
    assert ids(jurisdiction_id=COMMUNITY)[0] == f"order-{made.code}"
    assert ids()[0] == f"order-{made.code}"
    # ... and the other community's cached list is answered without reading a request.
    with CaptureQueriesContext(connection) as other:
        assert ids(jurisdiction_id=OTHER_COMMUNITY) == [f"problem-{there.code}"]
    assert not any(
        t in q["sql"] for q in other.captured_queries for t in ("public_problem", "services_order")
    )
    # A state change there shows there at once.
    workflow.take(there, "close", actor=personas["qu"], reason="不属本辖区", referred_to="区城管局")
    rows = Client().get(f"{BASE}requests.json", {**since, "jurisdiction_id": OTHER_COMMUNITY})
    assert rows.json()[0]["status"] == "closed"
    # A request by id answers within its jurisdiction only.
    rid = f"problem-{here.code}"
    assert (
        Client()
        .get(f"{BASE}requests/{rid}.json", {"jurisdiction_id": COMMUNITY})
        .json()[0]["service_request_id"]
        == rid
    )
    elsewhere = Client().get(f"{BASE}requests/{rid}.json", {"jurisdiction_id": OTHER_COMMUNITY})
    assert elsewhere.status_code == 404
    # An unknown jurisdiction is the standard's error, in JSON and XML.
    unknown = Client().get(f"{BASE}requests.json", {"jurisdiction_id": "nowhere"})
    assert unknown.status_code == 404
    assert unknown.json()[0]["code"] == 404 and "nowhere" in unknown.json()[0]["description"]
    xml = Client().get(f"{BASE}requests.xml", {"jurisdiction_id": "nowhere"})
    assert xml.status_code == 404 and ET.fromstring(xml.content).tag == "errors"


def test_a_service_definition_is_cached_and_follows_a_change(personas):
    from xianfeng.services.tests.factories import service_at

    community = Organization.objects.get(code=COMMUNITY)
    service = service_at(community, code="def-cache-svc")
    url = f"{BASE}services/{service.code}.json"
    first = Client().get(url)
    assert first.status_code == 200
    valid(first.json(), "service-definition.json")
    names = lambda r: {v["name"] for v in r.json()["attributes"][0]["values"]}  # noqa: E731
    assert (community.short_name or community.name) in names(first)
    community.short_name = "缓存后改的名"
    community.save()
    assert "缓存后改的名" in names(Client().get(url))
    service.is_active = False
    service.save()
    assert Client().get(url).status_code == 404
