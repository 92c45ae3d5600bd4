"""A job whose process died is not left RUNNING forever: heartbeats and the stale rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core import jobs
from xianfeng.core.jobs import check_stale, execute, reap_stale, stale_message
from xianfeng.core.models import JobRun

pytestmark = pytest.mark.django_db


def running(minutes_ago: float | None, *, started_minutes_ago: float = 60) -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(
        name="tests.anything",
        status=JobRun.Status.RUNNING,
        started_at=now - timedelta(minutes=started_minutes_ago),
        heartbeat_at=None if minutes_ago is None else now - timedelta(minutes=minutes_ago),
    )


def test_report_refreshes_the_heartbeat():
    run = running(30)
    run.report(1, 2, "一半")
    run.refresh_from_db()
    assert timezone.now() - run.heartbeat_at < timedelta(seconds=5)
    assert reap_stale() == []


def test_an_old_heartbeat_is_reaped_with_a_chinese_message(settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 10
    old, fresh, no_beat_old, no_beat_young = (
        running(11),
        running(2),
        running(None),
        running(None, started_minutes_ago=1),
    )
    done = JobRun.objects.create(
        name="x", status=JobRun.Status.DONE, heartbeat_at=timezone.now() - timedelta(days=1)
    )
    assert sorted(reap_stale()) == sorted([old.pk, no_beat_old.pk])
    for run in (old, fresh, no_beat_old, no_beat_young, done):
        run.refresh_from_db()
    assert old.status == JobRun.Status.FAILED and old.message == stale_message()
    assert "任务中断" in old.message and old.finished_at
    assert fresh.status == no_beat_young.status == JobRun.Status.RUNNING
    assert done.status == JobRun.Status.DONE
    assert reap_stale() == []  # idempotent


def test_check_stale_looks_at_one_run(settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 5
    old, other = running(6), running(6)
    assert check_stale(old) and old.status == JobRun.Status.FAILED
    other.refresh_from_db()
    assert other.status == JobRun.Status.RUNNING  # only the one looked at
    assert not check_stale(None)
    assert not check_stale(running(1))


def test_the_periodic_job_reaps_and_tells_the_apps(settings, django_capture_on_commit_callbacks):
    settings.XIANFENG_JOB_STALE_MINUTES = 5
    old = running(6)
    told: list[list[int]] = []
    hook = told.append
    jobs.on_stale(hook)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = jobs.enqueue("core.reap_stale_jobs")
        run.refresh_from_db()
    finally:
        jobs._STALE_HOOKS.remove(hook)
    assert run.status == JobRun.Status.DONE and run.result == {"reaped": [old.pk]}
    assert told == [[old.pk]]


@jobs.job("tests.stale_one_step")
def one_step(run: JobRun) -> dict:
    run.report(1, 1)
    return {"ok": True}


def test_a_job_with_its_heartbeat_thread_starts_beating_and_ends():
    run = JobRun.objects.create(name="tests.stale_one_step")
    executed = execute(run.pk, heartbeat=True)
    assert executed.status == JobRun.Status.DONE and executed.heartbeat_at


def test_a_run_reaped_by_mistake_records_its_real_end():
    run = JobRun.objects.create(name="tests.stale_one_step")
    reap_stale([run.pk])  # queued, not running: never reaped
    assert execute(run.pk).status == JobRun.Status.DONE
