"""Celery for production: ``celery -A xianfeng worker`` runs the same jobs as the embedded
thread backend (see xianfeng/core/jobs.py), with Redis as broker."""

from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")

app = Celery("xianfeng")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="xianfeng.run_job", acks_late=True)
def run_job(run_id: int) -> str:
    from xianfeng.core.jobs import execute

    return execute(run_id, heartbeat=True).status


@app.task(name="xianfeng.work.run_periodic")
def run_periodic(name: str) -> int:
    """What Celery beat calls for each periodic job: queue it like any other job."""
    from xianfeng.core.jobs import enqueue

    return enqueue(name, label=name).pk


@app.on_after_finalize.connect
def _schedule(sender: Celery, **kwargs: object) -> None:
    """The beat schedule: every installed app's periodic jobs (``core.jobs.periodic_jobs``),
    read once Django is set up, so importing this module imports no app."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from xianfeng.core.jobs import beat_schedule

    sender.conf.beat_schedule = {**(sender.conf.beat_schedule or {}), **beat_schedule()}


@signals.worker_init.connect
def _refuse_weak_key(**kwargs: object) -> None:
    """A worker, like the server, does not start in production on the development key."""
    from xianfeng.core.checks import require_secret_key

    require_secret_key()


@signals.worker_ready.connect
def _recover(**kwargs: object) -> None:
    """When a worker is ready: fail the runs whose worker died (``recover_at_start``)."""
    from django.db import connections

    from xianfeng.core.jobs import recover_at_start

    try:
        recover_at_start()
    finally:
        connections.close_all()
