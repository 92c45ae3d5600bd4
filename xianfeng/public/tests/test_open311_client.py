"""Open311 against a real client: ``georeport`` (PyPI, a GeoReport v2 wrapper written for
cities' endpoints) reads our live server in JSON and in XML, as it reads any city's. It has no
POST, so requests are POSTed as the standard has clients send them (a form-encoded body with
``api_key`` and ``attribute[...]``, over HTTP to the live server) and read back with it; every
answer is checked against the standard's JSON Schemas."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from xianfeng.core import workflow
from xianfeng.core.tests.test_browser import demo_live_server  # noqa: F401
from xianfeng.public.tests.helpers import COMMUNITY, on_wall, published
from xianfeng.public.tests.test_open311 import POST_OK, REGISTRY, SCHEMAS, valid

pytestmark = pytest.mark.django_db(transaction=True)


def _many(found: object) -> list[dict]:
    """xmltodict gives one element as a dict and several as a list."""
    return found if isinstance(found, list) else [found]


def test_a_real_open311_client_reads_services_and_requests_in_json_and_xml(
    demo_live_server,  # noqa: F811
    personas,
):
    done = published(personas, title="路灯不亮", phone="13900000121")
    referred = on_wall(personas, title="高速路边垃圾", phone="13900000122")
    workflow.take(
        referred, "close", actor=personas["shequ"], reason="不属本辖区", referred_to="交通局"
    )
    waiting = on_wall(personas, title="楼道堆物", phone="13900000123")
    seen: dict[str, dict] = {}
    for fmt in ("json", "xml"):
        client = GeoReport(f"{demo_live_server.url}/open311/v2/", output_format=fmt)

        services = _many(client.get_service_list())
        codes = {s["service_code"] for s in services}
        assert "problem-environment" in codes, fmt
        definition = client.get_service_definition("problem-environment")
        attributes = _many(
            definition["attributes"]["attribute"] if fmt == "xml" else definition["attributes"]
        )
        community = next(a for a in attributes if a["code"] == "community")
        values = _many(community["values"]["value"] if fmt == "xml" else community["values"])
        assert COMMUNITY in {v["key"] for v in values}, fmt

        listed = {r["service_request_id"]: r for r in _many(client.get_service_requests())}
        assert listed[f"problem-{done.code}"]["status"] == "closed", fmt
        assert "已解决" in listed[f"problem-{done.code}"]["status_notes"], fmt
        assert listed[f"problem-{referred.code}"]["status"] == "closed", fmt
        assert "交通局" in listed[f"problem-{referred.code}"]["status_notes"], fmt
        assert listed[f"problem-{waiting.code}"]["status"] == "open", fmt
        open_only = _many(client.get_service_requests(status="open"))
        assert {r["status"] for r in open_only} == {"open"}, fmt

        one = client.get_service_request(f"problem-{waiting.code}")
        assert one["service_request_id"] == f"problem-{waiting.code}", fmt
        assert one["service_code"] == "problem-facilities", fmt
        assert "13900000123" not in str(listed) + str(one), fmt  # nothing personal
        seen[fmt] = {k: str(v) for k, v in one.items() if v not in (None, "")}

        # An unknown code is an HTTP error the client raises on, as for any city.
        with pytest.raises(requests.HTTPError) as refused:
            client.get_service_definition("nope")
        assert refused.value.response.status_code == 404, fmt

    # The XML says what the JSON says (numbers and booleans become text in XML).
    assert seen["xml"] == seen["json"]


def _valid_post_answer(answer: object) -> None:
    """A POST's answer against the standard's ``RequestResponse`` (from its swagger.json)."""
    import json

    import jsonschema

    definitions = json.loads((SCHEMAS / "swagger.json").read_text())["definitions"]
    schema = {"type": "array", "minItems": 1, "items": definitions["RequestResponse"]}
    jsonschema.Draft4Validator(schema, registry=REGISTRY).validate(answer)


def _refused(response: requests.Response, status: int) -> str:
    """The standard's error body: a list of ``{code, description}`` with the HTTP status."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status, body
    assert isinstance(body[0]["description"], str) and body[0]["description"]
    return body[0]["description"]


def test_a_standard_client_posts_a_request_reads_it_back_and_finds_it_listed(
    demo_live_server,  # noqa: F811
    personas,
):
    from xianfeng.core.models import ApiToken
    from xianfeng.orgs.models import Organization
    from xianfeng.public.models import Problem
    from xianfeng.services.models import Order
    from xianfeng.services.tests.factories import service_at

    base = f"{demo_live_server.url}/open311/v2"
    key = ApiToken.issue(personas["shequ"])
    community = Organization.objects.get(code=COMMUNITY)
    service = service_at(community, code="std-client-bp", title="上门量血压")
    client = GeoReport(f"{base}/")

    # An order of a menu service: the client reads the definition, fills in what it asks for
    # and POSTs a form; the answer names the request at once.
    definition = client.get_service_definition(service.code)
    valid(definition, "service-definition.json")
    asked = {a["code"] for a in definition["attributes"]}
    assert {"community", "name"} <= asked
    form = {
        "api_key": key,
        "service_code": service.code,
        "attribute[community]": COMMUNITY,
        "attribute[name]": "李奶奶",
        "phone": "13900000931",
        "address_string": "幸福里小区5栋",
        "description": "老人行动不便，想请人上门量血压",
        "lat": "25.041",
        "long": "102.712",
    }
    posted = requests.post(f"{base}/requests.json", data=form, timeout=30)
    assert posted.status_code == POST_OK, posted.text
    _valid_post_answer(posted.json())
    rid = posted.json()[0]["service_request_id"]
    order = Order.objects.get(code=rid.removeprefix("order-"))
    assert (order.name, order.phone, order.community_id) == ("李奶奶", "13900000931", community.pk)
    one = client.get_service_request(rid)
    valid([one], "requests.json")
    assert (one["service_code"], one["status"]) == (service.code, "open")
    assert "13900000931" not in str(one) and "李奶奶" not in str(one)
    listed = client.get_service_requests(service_code=service.code)
    valid(listed, "requests.json")
    assert rid in {r["service_request_id"] for r in listed}
    assert rid in {r["service_request_id"] for r in client.get_service_requests(status="open")}

    # A problem for the wall, from a client set to one community (jurisdiction_id): a token,
    # the id once moderated, then the request read back and listed.
    problem_form = {
        "api_key": key,
        "jurisdiction_id": COMMUNITY,
        "service_code": "problem-environment",
        "description": "河边步道垃圾没人清\n已经三天了",
        "lat": "25.05",
        "long": "102.70",
    }
    posted = requests.post(f"{base}/requests.json", data=problem_form, timeout=30)
    assert posted.status_code == POST_OK, posted.text
    _valid_post_answer(posted.json())
    token = posted.json()[0]["token"]
    tokens = requests.get(f"{base}/tokens/{token}.json", timeout=30).json()
    assert tokens[0]["service_request_id"] is None  # waiting for moderation
    problem = Problem.objects.get(token=token)
    assert problem.community_id == community.pk and str(problem.latitude) == "25.050000"
    workflow.take(problem, "approve", actor=personas["shequ"])
    rid = requests.get(f"{base}/tokens/{token}.json", timeout=30).json()[0]["service_request_id"]
    assert rid == f"problem-{problem.code}"
    mine = GeoReport(f"{base}/", jurisdiction=COMMUNITY)
    one = mine.get_service_request(rid)
    valid([one], "requests.json")
    assert (one["lat"], one["long"]) == (25.05, 102.7)
    assert rid in {r["service_request_id"] for r in mine.get_service_requests(status="open")}

    # What a client gets wrong answers the standard's error body with a 4xx; nothing is stored.
    before = (Order.objects.count(), Problem.objects.count())
    missing = {k: v for k, v in form.items() if k != "service_code"}
    assert "service_code" in _refused(requests.post(f"{base}/requests.json", data=missing), 400)
    unknown = {**form, "service_code": "no-such-service"}
    assert "no-such-service" in _refused(requests.post(f"{base}/requests.json", data=unknown), 404)
    for lat, long in (("abc", "102.7"), ("95", "102.7"), ("25.0", "181"), ("NaN", "1")):
        bad = {**problem_form, "lat": lat, "long": long}
        described = _refused(requests.post(f"{base}/requests.json", data=bad), 400)
        assert "lat" in described or "long" in described, described
    only_lat = {k: v for k, v in problem_form.items() if k != "long"}
    _refused(requests.post(f"{base}/requests.json", data=only_lat), 400)
    nowhere = {**problem_form, "jurisdiction_id": "XF-NOWHERE"}
    _refused(requests.post(f"{base}/requests.json", data=nowhere), 404)
    xml = requests.post(f"{base}/requests.xml", data={**problem_form, "lat": "abc"}, timeout=30)
    assert xml.status_code == 400 and b"<errors><error><code>400</code>" in xml.content
    assert (Order.objects.count(), Problem.objects.count()) == before
