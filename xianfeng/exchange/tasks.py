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
from django.utils.translation import gettext as _

from xianfeng.core.jobs import job, on_stale
from xianfeng.core.models import JobRun
from xianfeng.exchange.models import ImportRun
from xianfeng.exchange.services import import_execute, import_fail_stale_jobs

on_stale(import_fail_stale_jobs)


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
        run=target, dry_run=True, progress=_progress(run, _("已预检%(done)d / %(total)d行"))
    )


@job("exchange.import_apply")
def import_apply(run: JobRun, *, run_id: int) -> dict[str, Any]:
    target = ImportRun.objects.select_related("created_by").get(pk=run_id)
    return import_execute(
        run=target, dry_run=False, progress=_progress(run, _("已导入%(done)d / %(total)d行"))
    )


@job("exchange.export")
def export(run: JobRun, *, record_id: int, params: dict[str, str], full: bool) -> dict[str, Any]:
    from xianfeng.exchange.exports import export_run

    return export_run(run, record_id=record_id, params=params, full=full)


@job("exchange.cleanup_files")
def cleanup_files(run: JobRun, *, days: int = 30) -> dict[str, int]:
    """Periodic: remove import uploads and export files older than ``days`` days."""
    from xianfeng.exchange.cleanup import cleanup_files as clean

    return clean(days=days).as_dict()
