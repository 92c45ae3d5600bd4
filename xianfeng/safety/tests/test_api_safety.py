"""The safety API: one request per inspection (stored once per client_key), filtered and
paginated lists, each hazard step its own endpoint, and Chinese JSON errors for the bad input
of issue 12."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.places.choices import BuildingKind
from xianfeng.safety import services
from xianfeng.safety.models import Hazard, Inspection
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def building(personas):
    return f.building_under(role_org(personas["wangge"]))


def _results(fail=()):
    items = services.current_template(BuildingKind.RENTAL).items.all()
    return [{"item": i.pk, "outcome": "fail" if i.order in fail else "pass"} for i in items]


def test_an_inspection_is_stored_once_per_client_key(client_for, building):
    client = client_for("dangyuan")
    body = {"building": building.pk, "results": _results(fail=(4, 8)), "client_key": "abc-1"}
    first = client.post("/api/v1/inspections", body, content_type=JSON)
    assert first.status_code == 201
    data = first.json()
    assert data["colour"] == "yellow" and data["fails"] == 2 and len(data["hazards"]) == 2
    again = client.post("/api/v1/inspections", body, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Inspection.objects.filter(building=building).count() == 1
    assert Hazard.objects.filter(building=building).count() == 2
    listed = client.get(f"/api/v1/inspections?building={building.pk}").json()
    assert listed["count"] == 1 and listed["results"][0]["template_version"] == 1


def test_an_incomplete_inspection_answers_in_chinese_and_stores_nothing(client_for, building):
    client = client_for("dangyuan")
    body = {"building": building.pk, "results": _results()[:3]}
    response = client.post("/api/v1/inspections", body, content_type=JSON)
    assert response.status_code == 400
    assert "还有6项没有检查" in response.json()["detail"]
    assert not Inspection.objects.filter(building=building).exists()
    wrong = client.post(
        "/api/v1/inspections",
        {"building": building.pk, "results": [{"item": 1, "outcome": "maybe"}]},
        content_type=JSON,
    )
    assert wrong.status_code == 422 and "detail" in wrong.json()


def test_a_building_outside_scope_is_refused(client_for, personas):
    outside = f.building_under(role_org(personas["shequ2"]))
    client = client_for("dangyuan")
    response = client.post(
        "/api/v1/inspections", {"building": outside.pk, "results": _results()}, content_type=JSON
    )
    assert response.status_code == 400 and "building" in response.json()["errors"]
    assert client.get(f"/api/v1/buildings/{outside.pk}/colour-history").status_code == 404
    assert not Inspection.objects.filter(building=outside).exists()


def test_hazards_are_filtered_and_paginated_in_the_database(client_for, personas, building):
    f.hazard(personas["dangyuan"], building, severity="major")
    f.hazard(personas["dangyuan"], building, severity="minor", category="gas")
    late = f.hazard_in("assigned", personas, building)
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    client = client_for("wangge")
    base = f"/api/v1/hazards?building={building.pk}"
    assert client.get(base).json()["count"] == 3
    assert client.get(base + "&severity=major").json()["count"] == 1
    assert client.get(base + "&category=gas").json()["count"] == 1
    assert [h["id"] for h in client.get(base + "&overdue=true").json()["results"]] == [late.pk]
    page = client.get(base + "&page_size=2&page=2").json()
    assert page["count"] == 3 and len(page["results"]) == 1
    assert client.get("/api/v1/hazards?state=nonsense").status_code == 422
    mine = client_for("dangyuan").get(base + "&mine=true").json()
    assert [h["id"] for h in mine["results"]] == [late.pk]


def test_each_step_is_its_own_endpoint_with_chinese_errors(client_for, personas, building):
    hazard = f.hazard(personas["dangyuan"], building, photos=[f.photo()])
    wangge, dangyuan = client_for("wangge"), client_for("dangyuan")
    url = f"/api/v1/hazards/{hazard.pk}/"
    conflict = wangge.post(url + "close")
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == "当前状态为“已报告”，不能销号。"
    past = wangge.post(url + "confirm", {"deadline": "2020-01-01"}, content_type=JSON)
    assert past.status_code == 400
    assert past.json()["errors"]["deadline"] == ["整改时限不能早于今天。"]
    detail = wangge.post(url + "confirm", {}, content_type=JSON).json()
    assert detail["state"] == "confirmed" and "assign" in detail["actions"]
    wangge.post(url + "assign", {"member": hazard.reporter_member_id}, content_type=JSON)
    dangyuan.post(url + "start")
    not_image = SimpleUploadedFile("a.jpg", b"GIF8 not really", content_type="image/jpeg")
    bad = dangyuan.post(url + "submit", {"rectification": "已清", "photos": [not_image]})
    assert bad.status_code == 400 and "不是图片" in bad.json()["errors"]["photos"][0]
    done = dangyuan.post(url + "submit", {"rectification": "已清", "photos": [f.photo()]})
    assert done.status_code == 200 and done.json()["state"] == "submitted"
    own = dangyuan.post(url + "verify", {}, content_type=JSON)
    assert own.status_code == 403
    assert own.json()["detail"] == "不能核验自己提交的整改，请由其他党员或管理员核验。"
    verified = wangge.post(url + "verify", {"note": "现场复查合格"}, content_type=JSON)
    assert verified.json()["state"] == "verified"
    assert wangge.post(url + "close").json()["state"] == "closed"
    stages = sorted(p["stage"] for p in wangge.get(url.rstrip("/")).json()["photos"])
    assert stages == ["after", "before"]


def test_a_report_with_a_past_deadline_is_refused(client_for, building):
    client = client_for("dangyuan")
    body = {
        "building": building.pk,
        "title": "三合一住人",
        "category": "three_in_one",
        "severity": "major",
        "deadline": str(timezone.localdate() - timedelta(days=1)),
    }
    response = client.post("/api/v1/hazards", body, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["deadline"] == ["整改时限不能早于今天。"]
    body.pop("deadline")
    created = client.post("/api/v1/hazards", body, content_type=JSON).json()
    assert created["deadline"] == str(timezone.localdate() + timedelta(days=7))
    assert created["responsible_party"] == "landlord"


def test_a_revision_through_the_api_keeps_the_old_version(client_for, personas, building):
    template = services.current_template(BuildingKind.RENTAL)
    draft, _c = services.inspection_start(actor=personas["dangyuan"], building=building)
    refused = client_for("shequ").post(
        f"/api/v1/safety/checklists/{template.pk}/revise", {"note": "改"}, content_type=JSON
    )
    assert refused.status_code == 403
    revised = client_for("qu").post(
        f"/api/v1/safety/checklists/{template.pk}/revise",
        {"note": "黄色门槛改为2项", "yellow_fails": 2},
        content_type=JSON,
    )
    assert revised.status_code == 201
    assert revised.json()["version"] == 2 and revised.json()["yellow_fails"] == 2
    draft.refresh_from_db()
    assert draft.template_id == template.pk
    current = client_for("dangyuan").get("/api/v1/safety/checklists?place_kind=rental").json()
    assert [c["version"] for c in current["results"]] == [2]


def test_the_due_list_and_the_colour_review(client_for, personas, building):
    client = client_for("wangge")
    due = client.get("/api/v1/safety/due?page_size=200").json()
    assert building.pk in {b["id"] for b in due["results"]}
    review = client.post(
        f"/api/v1/buildings/{building.pk}/colour-review",
        {"colour": "green", "reason": ""},
        content_type=JSON,
    )
    assert review.status_code == 400 and "依据" in review.json()["errors"]["reason"][0]
    ok = client.post(
        f"/api/v1/buildings/{building.pk}/colour-review",
        {"colour": "green", "reason": "整改后复核"},
        content_type=JSON,
    )
    assert ok.status_code == 201 and ok.json()["source"] == "review"
    history = client.get(f"/api/v1/buildings/{building.pk}/colour-history").json()
    assert [c["colour_to"] for c in history] == ["green"]


def test_the_openapi_document_lists_every_step(client_for):
    paths = client_for("qu").get("/api/v1/openapi.json").json()["paths"]
    for step in ("confirm", "dismiss", "assign", "start", "submit", "verify", "return", "close"):
        assert f"/api/v1/hazards/{{hazard_id}}/{step}" in paths, step
    assert "/api/v1/inspections" in paths and "/api/v1/safety/due" in paths
