"""``manage.py recover_jobs``: at the start of the server, fail the background jobs whose
process died (a run "导入中 0%" forever after a crash), and the imports they carried.

``make demo`` runs it before ``runserver``; under gunicorn the ``on_starting`` hook of
``deploy/gunicorn.conf.py`` does the same, and a Celery worker does it when it is ready
(``xianfeng/celery.py``). See ``xianfeng.core.jobs.recover_at_start``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xianfeng.core.jobs import recover_at_start


class Command(BaseCommand):
    help = "Fail the background jobs (and imports) whose process died; run at server start."

    def handle(self, *args: Any, **options: Any) -> None:
        reaped = recover_at_start()
        if reaped:
            self.stdout.write(f"failed {len(reaped)} interrupted job(s): {reaped}")
