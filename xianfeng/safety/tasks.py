"""Background jobs of safety (see xianfeng/core/jobs.py): thin, they call the workflow.

* ``safety.escalate_overdue``: hazards past their deadline and not yet handed in are escalated
  to the parent organization (the hazard's system step ``escalate``), once each.
* ``safety.escalate_patrols``: buildings whose patrol is overdue by more than
  ``services.PATROL_GRACE_DAYS`` are escalated to the parent organization of the building's
  organization, once until the next inspection (``services.escalate_overdue_patrols``).
"""

from __future__ import annotations

from django.utils import timezone

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun
from xianfeng.core.workflow import take_due
from xianfeng.safety.choices import OVERDUE_FROM
from xianfeng.safety.models import Hazard


def escalate_overdue_hazards(today: str | None = None) -> int:
    from datetime import date

    day = date.fromisoformat(today) if today else timezone.localdate()
    late = Hazard.objects.filter(
        state__in=OVERDUE_FROM, deadline__lt=day, escalated_to__isnull=True
    ).select_related("organization")
    return take_due(late.iterator(), "escalate", when=lambda h: h.deadline < day)


@job("safety.escalate_overdue")
def escalate_overdue(run: JobRun, today: str | None = None) -> dict[str, int]:
    return {"escalated": escalate_overdue_hazards(today)}


@job("safety.escalate_patrols")
def escalate_patrols(run: JobRun, today: str | None = None) -> dict[str, int]:
    from datetime import date

    from xianfeng.safety.services import escalate_overdue_patrols

    day = date.fromisoformat(today) if today else None
    return {"escalated": escalate_overdue_patrols(today=day)}
