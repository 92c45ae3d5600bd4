"""Periodic jobs of scoring (``xianfeng/scoring/tasks.py``): name -> seconds between runs.
Under cron (the embedded default) run ``manage.py run_periodic_jobs --only scoring.award``
every minute so that points follow the ledger within a minute."""

PERIODIC_JOBS: dict[str, int] = {"scoring.award": 60, "scoring.conduct": 60}
