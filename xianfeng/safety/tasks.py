"""Background jobs of safety (see xianfeng/core/jobs.py): thin, they call the workflow.

* ``safety.escalate_overdue``: hazards past their deadline and not yet handed in are escalated
  to the parent organization (the hazard's system step ``escalate``), once each.
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
