"""Background jobs of services (see xianfeng/core/jobs.py): thin, they call the workflow.

* ``services.orders_overdue``: open orders past their service's time limit are reminded
  (提醒, once); those still open a day after the reminder are escalated to the parent
  organization (升级督办, once); orders held by members no longer at their post go back to
  the queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun
from xianfeng.core.workflow import take_due
from xianfeng.services.choices import OPEN_STATES
from xianfeng.services.models import Order
from xianfeng.services.services import release_orders_of_absent_members

#: Hours between the reminder and the escalation of an order still open.
ESCALATE_AFTER_HOURS = 24


def remind_and_escalate(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    late = Order.objects.filter(state__in=OPEN_STATES, deadline__lt=now)
    reminded = take_due(
        late.filter(reminded_at__isnull=True).select_related("organization").iterator(),
        "remind",
        when=lambda o: o.deadline < now,
    )
    before = now - timedelta(hours=ESCALATE_AFTER_HOURS)
    escalated = take_due(
        late.filter(reminded_at__lt=before, escalated_to__isnull=True)
        .select_related("organization")
        .iterator(),
        "escalate",
        when=lambda o: o.reminded_at is not None and o.reminded_at < before,
    )
    return {"reminded": reminded, "escalated": escalated}


@job("services.orders_overdue")
def orders_overdue(run: JobRun) -> dict[str, int]:
    counts = remind_and_escalate()
    counts["released"] = release_orders_of_absent_members()
    return counts
