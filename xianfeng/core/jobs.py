"""Background jobs through one interface.

A job is a plain function registered with ``@job("name")``; it receives a ``JobRun`` (its row:
status, progress, result) and keyword arguments that are JSON values. ``enqueue`` creates the
row and queues the job when the current transaction commits, so a job never sees data that
was rolled back. How a queued job runs depends on ``XIANFENG_JOBS_BACKEND``:

* ``thread`` (the embedded default): a daemon thread in this process, no extra server;
* ``immediate``: at once, in the caller's thread (tests, management commands);
* ``celery``: a Celery task (``xianfeng.run_job``) on workers, Redis as broker.

Jobs are thin: they call services. A job that a user waits for reports its progress through
``run.report(done, total, message)``, and a page polls the row.

A running job keeps ``heartbeat_at`` fresh: ``report()`` sets it, and on the thread and Celery
backends a small heartbeat thread touches it every ``HEARTBEAT_SECONDS``. A run still RUNNING
whose heartbeat is older than ``settings.XIANFENG_JOB_STALE_MINUTES`` (default 15) belonged to a
process that died; ``reap_stale()`` marks it FAILED. It is called when a page looks at a run
(``check_stale``) and by the periodic job ``core.reap_stale_jobs``.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.models import JobRun

log = logging.getLogger(__name__)

JobFunc = Callable[..., Any]
_REGISTRY: dict[str, JobFunc] = {}


def job(name: str) -> Callable[[JobFunc], JobFunc]:
    """Register a function as a background job under a stable name."""

    def register(func: JobFunc) -> JobFunc:
        if name in _REGISTRY and _REGISTRY[name] is not func:
            raise ValueError(f"job {name!r} is registered twice")
        _REGISTRY[name] = func
        return func

    return register


def registered() -> dict[str, JobFunc]:
    return dict(_REGISTRY)


def enqueue(name: str, *, user: Any = None, label: str = "", **kwargs: Any) -> JobRun:
    """Create the job's row and run it after the current transaction commits."""
    if name not in _REGISTRY:
        _autodiscover()
    if name not in _REGISTRY:
        raise KeyError(f"no job named {name!r}")
    run = JobRun.objects.create(
        name=name,
        label=label or name,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        kwargs=kwargs,
    )
    backend = settings.XIANFENG_JOBS_BACKEND
    transaction.on_commit(lambda: _dispatch(backend, run.pk))
    return run


def _dispatch(backend: str, run_id: int) -> None:
    if backend == "immediate":
        execute(run_id)
    elif backend == "thread":
        threading.Thread(target=_thread_main, args=(run_id,), daemon=True).start()
    elif backend == "celery":
        from xianfeng.celery import run_job

        run_job.delay(run_id)
    else:  # settings validate this; keep a clear error anyway
        raise ValueError(f"unknown XIANFENG_JOBS_BACKEND {backend!r}")


def _thread_main(run_id: int) -> None:
    try:
        execute(run_id, heartbeat=True)
    finally:
        close_old_connections()


HEARTBEAT_SECONDS = 60


def _heartbeat_main(run_id: int, stop: threading.Event) -> None:
    """Touch the run's heartbeat while its job runs in this process. A failed touch (SQLite
    locked by the job's own write transaction, say) is skipped: the next one may succeed."""
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
            except Exception:
                log.debug("heartbeat of job %s skipped", run_id, exc_info=True)
    finally:
        close_old_connections()


def stale_after() -> timedelta:
    return timedelta(minutes=settings.XIANFENG_JOB_STALE_MINUTES)


def stale_message() -> str:
    return _("任务中断（进程已退出），数据未改变，请重新导入")


def _stale_runs():
    limit = timezone.now() - stale_after()
    return JobRun.objects.filter(status=JobRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    )


def reap_stale(run_ids: list[int] | None = None) -> list[int]:
    """Mark RUNNING runs without a heartbeat for too long as FAILED; return their ids.
    The update is guarded by the same condition, so a run that reports meanwhile survives."""
    runs = _stale_runs()
    if run_ids is not None:
        runs = runs.filter(pk__in=run_ids)
    reaped = []
    for pk in list(runs.values_list("pk", flat=True)):
        if (
            _stale_runs()
            .filter(pk=pk)
            .update(
                status=JobRun.Status.FAILED,
                finished_at=timezone.now(),
                message=stale_message(),
                error="stale: no heartbeat",
            )
        ):
            reaped.append(pk)
    if reaped:
        log.warning("reaped stale jobs %s", reaped)
    return reaped


def check_stale(run: JobRun | None) -> bool:
    """True if ``run`` is (now) a failed stale run; refreshes it when it was just reaped."""
    if run is None:
        return False
    if run.status == JobRun.Status.RUNNING and reap_stale([run.pk]):
        run.refresh_from_db()
    return run.status == JobRun.Status.FAILED and run.message == stale_message()


@job("core.reap_stale_jobs")
def reap_stale_jobs(run: JobRun) -> dict[str, Any]:
    """Periodic: fail the runs whose process died, and tell each app through ``on_stale``."""
    reaped = reap_stale()
    for hook in _STALE_HOOKS:
        hook(reaped)
    return {"reaped": reaped}


_STALE_HOOKS: list[Callable[[list[int]], None]] = []


def recover_at_start(*, process_backend: bool | None = None) -> list[int]:
    """At the start of a server or worker: fail the runs whose process died, at once, and
    tell each app (``on_stale``). Called by ``manage.py recover_jobs`` (``make demo``), the
    gunicorn ``on_starting`` hook (deploy/gunicorn.conf.py, ``make serve``) and the Celery
    ``worker_ready`` signal (xianfeng/celery.py).

    On the thread backend a job runs inside the server's own process, so when the server
    starts every run still QUEUED or RUNNING belonged to the one before: all of them fail. On
    Celery other workers may be running jobs, so only runs without a heartbeat for three
    heartbeat intervals are failed (a live job's heartbeat thread touches it every minute)."""
    _autodiscover()
    if process_backend is None:
        process_backend = settings.XIANFENG_JOBS_BACKEND != "celery"
    if process_backend:
        runs = JobRun.objects.filter(status__in=(JobRun.Status.QUEUED, JobRun.Status.RUNNING))
        reaped = list(runs.values_list("pk", flat=True))
        runs.filter(pk__in=reaped).update(
            status=JobRun.Status.FAILED,
            finished_at=timezone.now(),
            message=stale_message(),
            error="stale: the process that ran it has ended (found at start)",
        )
    else:
        limit = timezone.now() - timedelta(seconds=3 * HEARTBEAT_SECONDS)
        runs = JobRun.objects.filter(status=JobRun.Status.RUNNING).filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
        )
        reaped = []
        for pk in list(runs.values_list("pk", flat=True)):
            if runs.filter(pk=pk).update(
                status=JobRun.Status.FAILED,
                finished_at=timezone.now(),
                message=stale_message(),
                error="stale: no heartbeat (found at worker start)",
            ):
                reaped.append(pk)
    if reaped:
        log.warning("jobs of a process that ended, failed at start: %s", reaped)
        for hook in _STALE_HOOKS:
            hook(reaped)
    return reaped


def on_stale(hook: Callable[[list[int]], None]) -> Callable[[list[int]], None]:
    """Register ``hook(job_ids)``, called after ``core.reap_stale_jobs`` failed those runs, so
    an app can bring its own rows (an import "导入中") to a failed state too."""
    if hook not in _STALE_HOOKS:
        _STALE_HOOKS.append(hook)
    return hook


def execute(run_id: int, *, heartbeat: bool = False) -> JobRun:
    """Run one queued job to its end; failures are recorded on the row, not raised."""
    _autodiscover()
    run = JobRun.objects.get(pk=run_id)
    if run.status != JobRun.Status.QUEUED:
        return run  # already taken (a retried delivery): run once
    claimed = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return JobRun.objects.get(pk=run_id)
    run.refresh_from_db()
    func = _REGISTRY.get(run.name)
    stop = threading.Event()
    if heartbeat:
        threading.Thread(target=_heartbeat_main, args=(run_id, stop), daemon=True).start()
    try:
        if func is None:
            raise KeyError(f"no job named {run.name!r}")
        result = func(run, **run.kwargs)
    except Exception as exc:
        log.exception("job %s (%s) failed", run.pk, run.name)
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED,
            finished_at=timezone.now(),
            message=str(exc)[:500],
            error=traceback.format_exc()[-4000:],
        )
        stop.set()
    else:
        stop.set()
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.DONE,
            finished_at=timezone.now(),
            result=result if isinstance(result, dict | list | str | int | float) else None,
        )
    run.refresh_from_db()
    return run


_DISCOVERED = False


def _autodiscover() -> None:
    """Import every app's ``tasks`` module so its jobs are registered."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    _DISCOVERED = True


# --- periodic jobs ---------------------------------------------------------------------------

# The Celery task that Celery beat calls for each periodic job (xianfeng/celery.py registers
# it); it queues the job through ``enqueue`` like any other.
PERIODIC_TASK = "xianfeng.work.run_periodic"


def periodic_jobs() -> dict[str, int]:
    """Every installed app's periodic jobs, name -> seconds between runs: each app declares
    them in ``<app>/periodic.py`` as ``PERIODIC_JOBS`` (Celery beat runs them at that pace;
    cron runs ``manage.py run_periodic_jobs``, all of them, every 15 minutes). In the order of
    ``INSTALLED_APPS``."""
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    found: dict[str, int] = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "periodic"):
            module = import_module(f"{config.name}.periodic")
            found.update(getattr(module, "PERIODIC_JOBS", {}))
    return found


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The Celery beat schedule of ``periodic_jobs()``."""
    return {
        name: {"task": PERIODIC_TASK, "schedule": float(seconds), "args": (name,)}
        for name, seconds in periodic_jobs().items()
    }
