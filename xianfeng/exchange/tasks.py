"""Background jobs of the exchange app: thin wrappers around the import services.

An import runs inside one transaction, so progress written on the job's own connection would
stay invisible to the polling page until the end. On PostgreSQL each progress report is
therefore written from a short-lived helper thread, which has its own connection and commits
at once. SQLite allows one writer at a time, so there the report waits for the end.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection, connections

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun
from xianfeng.exchange.models import ImportRun
from xianfeng.exchange.services import import_execute


def _write_progress(run_id: int, fields: dict[str, Any]) -> None:
    try:
        JobRun.objects.filter(pk=run_id).update(**fields)
    finally:
        connections.close_all()


def _progress(run: JobRun, label: str):
    def report(done: int, total: int) -> None:
        fields = {"done": done, "total": total, "message": label % {"done": done, "total": total}}
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            helper = threading.Thread(target=_write_progress, args=(run.pk, fields), daemon=True)
            helper.start()
            helper.join(timeout=2)
        else:
            JobRun.objects.filter(pk=run.pk).update(**fields)

    return report


@job("exchange.import_preview")
def import_preview(run: JobRun, *, run_id: int) -> dict[str, Any]:
    target = ImportRun.objects.select_related("created_by").get(pk=run_id)
    return import_execute(
        run=target, dry_run=True, progress=_progress(run, "已预检%(done)d / %(total)d行")
    )


@job("exchange.import_apply")
def import_apply(run: JobRun, *, run_id: int) -> dict[str, Any]:
    target = ImportRun.objects.select_related("created_by").get(pk=run_id)
    return import_execute(
        run=target, dry_run=False, progress=_progress(run, "已导入%(done)d / %(total)d行")
    )
