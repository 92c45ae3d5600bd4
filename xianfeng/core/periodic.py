"""Periodic jobs of core, found by ``core.jobs.periodic_jobs()``: failed runs whose process
died (name -> seconds between runs under Celery beat)."""

PERIODIC_JOBS: dict[str, int] = {"core.reap_stale_jobs": 300}
