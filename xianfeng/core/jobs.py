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
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

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
        execute(run_id)
    finally:
        close_old_connections()


def execute(run_id: int) -> JobRun:
    """Run one queued job to its end; failures are recorded on the row, not raised."""
    _autodiscover()
    run = JobRun.objects.get(pk=run_id)
    if run.status != JobRun.Status.QUEUED:
        return run  # already taken (a retried delivery): run once
    claimed = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return JobRun.objects.get(pk=run_id)
    run.refresh_from_db()
    func = _REGISTRY.get(run.name)
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
    else:
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
