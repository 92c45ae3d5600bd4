"""Large exports run as background jobs (streamed write-only .xlsx, progress, a download link);
small ones stay immediate. Both are recorded, scoped and masked by default."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xianfeng.core.models import JobRun
from xianfeng.exchange.models import ExportRecord
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(min_row=2, values_only=True))


def file_content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def background(settings):
    settings.XIANFENG_EXPORT_BACKGROUND_ROWS = 3


def test_a_small_export_is_immediate_and_recorded(client_for, personas, settings):
    settings.XIANFENG_EXPORT_BACKGROUND_ROWS = 10**9
    response = client_for("shequ").get("/exchange/export/members/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/")
    record = ExportRecord.objects.get()
    assert record.job is None and not record.stored_path and record.rows


def test_a_large_export_runs_in_the_background_with_a_download_link(
    client_for, personas, background, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/exchange/export/members/?kind=community")
    record = ExportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    record.refresh_from_db()
    visible = PartyMember.objects.restrict(personas["shequ"]).filter(kind="community").count()
    assert visible > 3
    assert record.job.name == "exchange.export" and record.job.status == JobRun.Status.DONE
    assert (record.user, record.rows, record.revealed, record.filters) == (
        personas["shequ"],
        visible,
        False,
        {"kind": "community"},
    )
    assert os.path.exists(record.stored_path) and "exports" in record.stored_path
    page = client.get(record.get_absolute_url()).content.decode()
    assert "下载文件" in page and "已打码" in page and "every 1s" not in page
    download = client.get(f"/exchange/exports/{record.pk}/download/")
    assert download.status_code == 200
    rows = sheet_rows(file_content(download))
    assert len(rows) == visible
    assert all("*" in (r[3] or "*") and "*" in (r[4] or "*") for r in rows)  # masked
    assert "后台生成" in client.get("/exchange/exports/").content.decode()


def test_a_background_export_stays_in_scope(
    client_for, personas, background, django_capture_on_commit_callbacks
):
    client = client_for("shequ2")
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/exchange/export/members/")
    record = ExportRecord.objects.get()
    rows = sheet_rows(file_content(client.get(f"/exchange/exports/{record.pk}/download/")))
    codes = {r[5] for r in rows}
    mine = set(
        PartyMember.objects.restrict(personas["shequ2"]).values_list("branch__code", flat=True)
    )
    assert rows and codes <= mine
    assert not any("S01-C01" in c for c in codes)  # shequ's community never appears


def test_a_full_background_export_is_a_recorded_reveal(
    client_for, background, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exchange/export/members/", {"full": "1", "reason": "换届核对名册"})
    record = ExportRecord.objects.get()
    assert record.revealed and record.reason == "换届核对名册"
    rows = sheet_rows(file_content(client.get(f"/exchange/exports/{record.pk}/download/")))
    numbers = [r[3] for r in rows if r[3]]
    assert numbers and all("*" not in n for n in numbers)
    assert client_for("jiancha").get("/exchange/export/members/?full=1").status_code == 403
    assert ExportRecord.objects.count() == 1


def test_only_the_exporter_sees_and_downloads_the_file(
    client_for, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("shequ").get("/exchange/export/members/")
    record = ExportRecord.objects.get()
    other = client_for("qu")
    assert other.get(record.get_absolute_url()).status_code == 404
    assert other.get(f"/exchange/exports/{record.pk}/download/").status_code == 404
    assert client_for("admin").get(f"/exchange/exports/{record.pk}/download/").status_code == 200


def test_the_page_polls_while_the_file_is_written(client_for, background):
    client = client_for("shequ")
    client.get("/exchange/export/members/")  # on_commit never runs: stays queued
    record = ExportRecord.objects.get()
    page = client.get(record.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "下载文件" not in page
    assert client.get(f"/exchange/exports/{record.pk}/download/").status_code == 404


def test_a_dead_export_job_is_reported_failed(client_for, background, settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 5
    client = client_for("shequ")
    client.get("/exchange/export/members/")
    record = ExportRecord.objects.get()
    JobRun.objects.filter(pk=record.job_id).update(
        status=JobRun.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=6)
    )
    page = client.get(record.get_absolute_url()).content.decode()
    assert "文件没有生成成功" in page and "任务中断" in page


def test_a_cleaned_file_is_gone_not_an_error(
    client_for, background, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/exchange/export/members/")
    record = ExportRecord.objects.get()
    os.remove(record.stored_path)
    assert client.get(f"/exchange/exports/{record.pk}/download/").status_code == 404


@pytest.mark.parametrize("url", ["/exchange/exports/999999/", "/exchange/exports/999999/download/"])
def test_unknown_exports_are_not_found(client_for, url):
    assert client_for("shequ").get(url).status_code == 404


def test_an_immediate_export_has_no_detail_page(client_for, settings):
    settings.XIANFENG_EXPORT_BACKGROUND_ROWS = 10**9
    client = client_for("shequ")
    client.get("/exchange/export/buildings/")
    record = ExportRecord.objects.get()
    assert client.get(f"/exchange/exports/{record.pk}/").status_code == 404


def test_a_deactivated_exporter_gets_no_file(
    client_for, personas, background, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    client.get("/exchange/export/members/")
    record = ExportRecord.objects.get()
    personas["shequ"].is_active = False
    personas["shequ"].save()
    from xianfeng.core.jobs import execute

    run = execute(record.job_id)
    record.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "停用" in run.message
    assert not record.stored_path
