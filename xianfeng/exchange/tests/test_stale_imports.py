"""A killed import is not left "导入中": it is reported failed, the data unchanged, with a
"重新导入" action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.models import JobRun
from xianfeng.exchange.models import ImportRun
from xianfeng.exchange.services import import_fail_stale_jobs
from xianfeng.people.models import Person

pytestmark = pytest.mark.django_db


def applying(user, heartbeat_minutes_ago: float) -> ImportRun:
    job = JobRun.objects.create(
        name="exchange.import_apply",
        status=JobRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(minutes=heartbeat_minutes_ago),
        done=40,
        total=100,
    )
    return ImportRun.objects.create(
        kind="members",
        filename="党员.xlsx",
        stored_path="/nonexistent",
        created_by=user,
        status=ImportRun.Status.APPLYING,
        apply_job=job,
    )


def test_a_run_without_heartbeat_is_reported_failed_and_nothing_changed(
    client_for, personas, settings
):
    settings.XIANFENG_JOB_STALE_MINUTES = 10
    people = Person.objects.count()
    run = applying(personas["shequ"], 30)
    page = client_for("shequ").get(run.get_absolute_url()).content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.apply_job.status == JobRun.Status.FAILED
    assert "任务中断（进程已退出），数据未改变，请重新导入" in page
    assert "重新导入" in page and "/exchange/imports/new/?kind=members" in page
    assert 'hx-trigger="every 1s"' not in page  # no more polling
    assert Person.objects.count() == people


def test_a_live_run_keeps_polling(client_for, personas, settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 10
    run = applying(personas["shequ"], 1)
    partial = client_for("shequ").get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLYING
    assert 'hx-trigger="every 1s"' in partial.content.decode()


def test_the_data_home_fails_stale_runs_too(client_for, personas, settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 10
    run = applying(personas["shequ"], 30)
    page = client_for("shequ").get("/exchange/").content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "导入失败" in page


def test_another_users_stale_run_stays_hidden(client_for, personas, settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 10
    run = applying(personas["shequ"], 30)
    assert client_for("shequ2").get(run.get_absolute_url()).status_code == 404


def test_the_periodic_hook_fails_the_imports_of_reaped_jobs(personas):
    stale = applying(personas["shequ"], 30)
    other = applying(personas["shequ"], 30)
    assert import_fail_stale_jobs([stale.apply_job_id]) == 1
    stale.refresh_from_db()
    other.refresh_from_db()
    assert stale.status == ImportRun.Status.FAILED and "任务中断" in stale.message
    assert other.status == ImportRun.Status.APPLYING
    assert import_fail_stale_jobs([]) == 0
