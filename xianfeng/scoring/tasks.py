"""Background jobs of scoring (see xianfeng/core/jobs.py): thin, they call the services.

* ``scoring.award``: the duty records past the high-water mark earn their points.
* ``scoring.recompute``: a recorded recomputation of a period (asked for on the rules page).
"""

from __future__ import annotations

from datetime import date

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun, User
from xianfeng.scoring import services


@job("scoring.award")
def award(run: JobRun) -> dict[str, int]:
    return {"records": services.award_pending()}


@job("scoring.conduct")
def conduct_open(run: JobRun) -> dict[str, int]:
    from xianfeng.scoring import conduct

    return {"opened": conduct.conduct_open_pending()}


@job("scoring.recompute")
def recompute(run: JobRun, user_id: int, start: str, end: str, reason: str) -> dict[str, int]:
    done = services.points_recompute(
        actor=User.objects.get(pk=user_id),
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        reason=reason,
    )
    return {"recomputation": done.pk, "records": done.records, "entries": done.entries}
