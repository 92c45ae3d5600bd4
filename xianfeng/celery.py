"""Celery for production: ``celery -A xianfeng worker`` runs the same jobs as the embedded
thread backend (see xianfeng/core/jobs.py), with Redis as broker."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")

app = Celery("xianfeng")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="xianfeng.run_job", acks_late=True)
def run_job(run_id: int) -> str:
    from xianfeng.core.jobs import execute

    return execute(run_id, heartbeat=True).status


# Periodic jobs (Celery beat) of the apps that have them.
from xianfeng.work.periodic import register as _register_work  # noqa: E402

_register_work(app)
