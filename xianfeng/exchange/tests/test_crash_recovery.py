"""Crash recovery (issue 9, item 7): the runs of a process that died are failed at the next
start of the server or worker, and whenever the run is read, in the API as on the page."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from xianfeng.core import crypto, jobs
from xianfeng.core.models import JobRun
from xianfeng.exchange.models import ImportRun

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def crashed(user, *, beat_seconds_ago: float, status: str = ImportRun.Status.APPLYING):
    """An import whose job was RUNNING when its process was killed ``beat_seconds_ago``."""
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    job = JobRun.objects.create(
        name="exchange.import_apply",
        status=JobRun.Status.RUNNING,
        started_at=beat,
        heartbeat_at=beat,
    )
    return ImportRun.objects.create(
        kind="members",
        filename="党员.xlsx",
        stored_path="/nonexistent",
        created_by=user,
        status=status,
        apply_job=job if status == ImportRun.Status.APPLYING else None,
        preview_job=job if status == ImportRun.Status.PREVIEWING else None,
    )


def test_the_api_fails_a_dead_run_when_it_is_read(client_for, personas, settings):
    settings.XIANFENG_JOB_STALE_MINUTES = 10
    run = crashed(personas["shequ"], beat_seconds_ago=30 * 60)
    live = crashed(personas["shequ"], beat_seconds_ago=10)
    answer = client_for("shequ").get(f"/api/v1/imports/{run.pk}").json()
    assert answer["status"] == "failed" and answer["progress"] == 100
    assert "任务中断" in answer["message"]
    other = crashed(personas["shequ"], beat_seconds_ago=30 * 60)
    page = client_for("shequ").get("/api/v1/imports").json()["results"]
    listed = {r["id"]: r["status"] for r in page}
    assert listed[other.pk] == "failed" and listed[live.pk] == "applying"


def test_server_start_fails_every_run_of_the_thread_backend(personas, settings):
    """A thread-backend job lives in the server's process: when the server starts again,
    every run still queued or running is dead, however fresh its heartbeat."""
    settings.XIANFENG_JOBS_BACKEND = "thread"
    applying = crashed(personas["shequ"], beat_seconds_ago=5)
    previewing = crashed(personas["shequ"], beat_seconds_ago=5, status=ImportRun.Status.PREVIEWING)
    queued = JobRun.objects.create(name="exchange.export")
    done = JobRun.objects.create(name="exchange.export", status=JobRun.Status.DONE)
    call_command("recover_jobs")
    for run in (applying, previewing):
        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED and "任务中断" in run.message
        assert (run.apply_job or run.preview_job).status == JobRun.Status.FAILED
    queued.refresh_from_db()
    done.refresh_from_db()
    assert queued.status == JobRun.Status.FAILED and done.status == JobRun.Status.DONE
    assert jobs.recover_at_start() == []  # nothing left


def test_a_celery_worker_start_spares_the_runs_of_live_workers(personas, settings):
    settings.XIANFENG_JOBS_BACKEND = "celery"
    dead = crashed(personas["shequ"], beat_seconds_ago=4 * jobs.HEARTBEAT_SECONDS)
    alive = crashed(personas["shequ"], beat_seconds_ago=jobs.HEARTBEAT_SECONDS / 2)
    assert jobs.recover_at_start() == [dead.apply_job_id]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED
    assert alive.status == ImportRun.Status.APPLYING


def test_the_celery_worker_recovers_when_ready(personas, settings):
    from celery import signals

    import xianfeng.celery  # noqa: F401  (connects the signals)

    settings.XIANFENG_JOBS_BACKEND = "celery"
    dead = crashed(personas["shequ"], beat_seconds_ago=3600)
    with mock.patch.object(connections, "close_all"):  # the hook's own, not the test's
        signals.worker_ready.send(sender=None)
    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED


def test_the_gunicorn_hook_recovers_and_refuses_the_dev_key(personas, settings):
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    settings.XIANFENG_JOBS_BACKEND = "thread"
    run = crashed(personas["shequ"], beat_seconds_ago=5)
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        config["on_starting"](None)  # refused before it touches the database
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLYING  # refused before anything
    settings.SECRET_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
    # Production keys for personal data too; the development key stays second, to decrypt.
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), crypto.DEV_FIELD_KEY.decode()]
    settings.BLIND_INDEX_KEY = "i" * 40
    with mock.patch.object(connections, "close_all"):  # before the fork; here, the test's
        config["on_starting"](None)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
