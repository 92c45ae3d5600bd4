"""Uploaded import files and generated export files are removed after N days."""

from __future__ import annotations

import os
import time

import pytest
from django.core.management import CommandError, call_command

from xianfeng.core.models import JobRun
from xianfeng.exchange.cleanup import cleanup_files
from xianfeng.exchange.models import ExportRecord, ImportRun

pytestmark = pytest.mark.django_db

DAY = 86400


def put(folder: str, name: str, age_days: float, content: bytes = b"x" * 10) -> str:
    from django.conf import settings

    path = os.path.join(settings.MEDIA_ROOT, folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(content)
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))
    return path


def run_for(user, path: str, status: str) -> ImportRun:
    return ImportRun.objects.create(
        kind="members", filename="a.xlsx", stored_path=path, created_by=user, status=status
    )


def test_old_files_go_young_and_busy_ones_stay(personas):
    user = personas["shequ"]
    old_applied = put("imports", "a.xlsx", 40)
    old_previewed = put("imports", "b.xlsx", 40)
    old_busy = put("imports", "c.xlsx", 40)
    young = put("imports", "d.xlsx", 5)
    old_export = put("exports", "e.xlsx", 31)
    young_export = put("exports", "f.xlsx", 1)
    run_for(user, old_applied, ImportRun.Status.APPLIED)
    previewed = run_for(user, old_previewed, ImportRun.Status.PREVIEWED)
    busy = run_for(user, old_busy, ImportRun.Status.APPLYING)
    record = ExportRecord.objects.create(kind="members", user=user, stored_path=old_export)

    cleaned = cleanup_files(days=30)

    assert (cleaned.imports, cleaned.exports, cleaned.expired_runs) == (2, 1, 1)
    assert cleaned.bytes == 30
    assert not os.path.exists(old_applied) and not os.path.exists(old_previewed)
    assert os.path.exists(old_busy) and os.path.exists(young) and os.path.exists(young_export)
    assert not os.path.exists(old_export)
    previewed.refresh_from_db()
    busy.refresh_from_db()
    record.refresh_from_db()
    assert previewed.status == ImportRun.Status.FAILED and "保存期限" in previewed.message
    assert busy.status == ImportRun.Status.APPLYING
    assert record.stored_path == ""
    assert cleanup_files(days=30).as_dict() == {
        "imports": 0,
        "exports": 0,
        "bytes": 0,
        "expired_runs": 0,
    }


def test_nothing_to_clean_without_folders():
    assert cleanup_files(days=0).imports == 0


def test_days_zero_removes_everything_not_busy(personas):
    path = put("imports", "x.csv", 0.01)
    assert cleanup_files(days=0).imports == 1 and not os.path.exists(path)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        cleanup_files(days=-1)
    with pytest.raises(CommandError):
        call_command("cleanup_exchange_files", "--days", "-1")


def test_the_command_reports_in_chinese(capsys):
    put("imports", "old.xlsx", 10)
    kept = put("imports", "new.xlsx", 1)
    call_command("cleanup_exchange_files", "--days", "7")
    out = capsys.readouterr().out
    assert "已清理导入文件1个" in out and os.path.exists(kept)


def test_the_command_defaults_to_30_days(capsys):
    young = put("exports", "y.xlsx", 29)
    old = put("exports", "o.xlsx", 31)
    call_command("cleanup_exchange_files")
    assert os.path.exists(young) and not os.path.exists(old)


def test_a_non_numeric_days_is_refused():
    with pytest.raises(CommandError):
        call_command("cleanup_exchange_files", "--days", "abc")


def test_the_job_for_the_periodic_runner(django_capture_on_commit_callbacks):
    from xianfeng.core.jobs import enqueue

    put("exports", "o.xlsx", 31)
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue("exchange.cleanup_files", days=30)
    run.refresh_from_db()
    assert run.status == JobRun.Status.DONE and run.result["exports"] == 1


def test_a_cleaned_upload_gives_no_report_but_a_clear_404(client_for, personas):
    run = run_for(personas["shequ"], "/nonexistent/gone.xlsx", ImportRun.Status.FAILED)
    run.errors = [{"row": 2, "column": "姓名", "reason": "空"}]
    run.save()
    assert client_for("shequ").get(f"/exchange/imports/{run.pk}/report.xlsx").status_code == 404
