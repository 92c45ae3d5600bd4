"""Periodic jobs of 双领 (``xianfeng/work/tasks.py``), found by ``core.jobs.periodic_jobs()``:
name -> seconds between runs under Celery beat; cron runs ``manage.py run_periodic_jobs``, all
of them each time (they are idempotent)."""

PERIODIC_JOBS: dict[str, int] = {
    "work.remind_deadlines": 3600,
    "work.mark_overdue": 900,
    "work.daily_digest": 3600,
}
