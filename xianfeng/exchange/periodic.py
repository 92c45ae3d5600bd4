"""Periodic jobs of exchange, found by ``core.jobs.periodic_jobs()``: old import and export
files (name -> seconds between runs under Celery beat)."""

PERIODIC_JOBS: dict[str, int] = {"exchange.cleanup_files": 86400}
