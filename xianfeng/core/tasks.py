"""Background jobs of core beside ``core.reap_stale_jobs`` (which lives in ``core.jobs``)."""

from __future__ import annotations

from typing import Any

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun


@job("core.purge_login_failures")
def purge_login_failures(run: JobRun) -> dict[str, Any]:
    """Periodic: remove failed-login rows past ``LOGIN_FAILURE_KEEP_DAYS``."""
    from xianfeng.core.auth import purge_login_failures as purge

    return {"deleted": purge()}
