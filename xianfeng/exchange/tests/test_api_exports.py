"""A background export started, followed and fetched through the API, as the page does it
(issue 10): same filters, same masking, same refusals, a JSON error body for each."""

from __future__ import annotations

import pytest

from xianfeng.exchange.models import ExportRecord
from xianfeng.exchange.tests.test_background_exports import file_content, sheet_rows
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def _post(client, body):
    return client.post("/api/v1/exports", body, content_type="application/json")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_an_export_is_started_polled_and_fetched(
    client_for, personas, media, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    with django_capture_on_commit_callbacks(execute=True):
        started = _post(client, {"kind": "members", "filters": {"kind": "community"}})
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["kind"] == "members" and body["filters"] == {"kind": "community"}
    detail = client.get(f"/api/v1/exports/{body['id']}").json()
    assert detail["status"] == "done" and detail["ready"] is True
    visible = PartyMember.objects.restrict(personas["shequ"]).filter(kind="community").count()
    assert detail["rows"] == visible
    got = client.get(f"/api/v1/exports/{body['id']}/file")
    assert got.status_code == 200
    rows = sheet_rows(file_content(got))
    assert len(rows) == visible and all("*" in (r[3] or "*") for r in rows)  # masked
    # Another user's export is not theirs to see or fetch.
    assert client_for("shequ2").get(f"/api/v1/exports/{body['id']}").status_code == 404
    assert client_for("qu").get(f"/api/v1/exports/{body['id']}/file").status_code == 404


def test_a_full_export_through_the_api_needs_a_reason_and_the_right(
    client_for, personas, media, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    missing = _post(client, {"kind": "members", "full": True})
    assert missing.status_code == 400 and "用途" in missing.json()["detail"]
    assert ExportRecord.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        ok = _post(client, {"kind": "members", "full": True, "reason": "换届核对名册"})
    assert ok.status_code == 202 and ok.json()["reason"] == "换届核对名册"
    assert ok.json()["revealed"] is True
    # The read-only auditor exports through the API as on the pages: an export only reads.
    with django_capture_on_commit_callbacks(execute=True):
        auditor = _post(client_for("jiancha"), {"kind": "members", "reason": "抽查"})
    assert auditor.status_code == 202, auditor.content
    # Its other writes stay refused before the body is read.
    refused = client_for("jiancha").post(
        "/api/v1/imports", data="not json", content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["detail"]
    member = _post(client_for("dangyuan"), {"kind": "members"})
    assert member.status_code == 403 and "不能导出名单" in member.json()["detail"]


def test_bad_requests_answer_4xx_with_a_json_body(client_for, media):
    client = client_for("shequ")
    for body in ({"kind": "nothing"}, {}, {"kind": "members", "filters": {"k": "x" * 500}}):
        response = _post(client, body)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert "detail" in response.json()
    assert client.get("/api/v1/exports/999999").status_code == 404
    assert ExportRecord.objects.count() == 0


def test_a_file_not_yet_written_answers_409(client_for, personas, media):
    client = client_for("shequ")
    started = _post(client, {"kind": "buildings"})  # the job runs on commit: not yet here
    assert started.status_code == 202
    response = client.get(f"/api/v1/exports/{started.json()['id']}/file")
    assert response.status_code == 409 and "还没有生成好" in response.json()["detail"]
