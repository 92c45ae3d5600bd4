"""Open311 against a real client: ``georeport`` (PyPI, a GeoReport v2 wrapper written for
cities' endpoints) reads our live server in JSON and in XML, as it reads any city's. It only
GETs; POST is walked by the spec-following client of ``test_open311.py``."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from xianfeng.core import workflow
from xianfeng.core.tests.test_browser import demo_live_server  # noqa: F401
from xianfeng.public.tests.helpers import COMMUNITY, on_wall, published

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
