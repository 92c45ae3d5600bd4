"""Periodic jobs of core, found by ``core.jobs.periodic_jobs()``: failed runs whose process
died, and failed-login rows past their keeping time (name -> seconds between runs under Celery
beat)."""

PERIODIC_JOBS: dict[str, int] = {
    "core.reap_stale_jobs": 300,
    "core.purge_login_failures": 86400,
}
