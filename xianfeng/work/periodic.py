"""Periodic scheduling of the 双领 jobs.

Production (Celery): ``celery -A xianfeng beat`` reads ``beat_schedule()``, whose entries call
the ``xianfeng.work.run_periodic`` task; it queues the job through ``enqueue`` (a ``JobRun`` row,
then the ``xianfeng.run_job`` task on a worker).

Embedded default (no extra server): cron runs ``manage.py run_periodic_jobs`` every 15 minutes;
the jobs are idempotent, so running all of them each time is harmless.
"""

from __future__ import annotations

from typing import Any

PERIODIC_JOBS = (
    "work.remind_deadlines",
    "work.mark_overdue",
    "work.daily_digest",
    "core.reap_stale_jobs",
    "exchange.cleanup_files",
)


def beat_schedule() -> dict[str, dict[str, Any]]:
    from xianfeng.work.tasks import PERIODIC

    return {
        name: {"task": "xianfeng.work.run_periodic", "schedule": float(seconds), "args": (name,)}
        for name, seconds in PERIODIC.items()
    }


def register(app: Any) -> None:
    """Add the periodic task and the beat schedule to a Celery app."""

    @app.task(name="xianfeng.work.run_periodic")
    def run_periodic(name: str) -> int:
        from xianfeng.core.jobs import enqueue

        return enqueue(name, label=name).pk

    @app.on_after_finalize.connect
    def _schedule(sender: Any, **kwargs: Any) -> None:
        sender.conf.beat_schedule = {**(sender.conf.beat_schedule or {}), **beat_schedule()}
