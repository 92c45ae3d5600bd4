"""The overdue job: an order past its time limit is reminded once, escalated to the parent
organization a day after the reminder (once), and the job releases departed members' orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.services import tasks
from xianfeng.services.choices import OrderState
from xianfeng.services.models import Order
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


def test_overdue_orders_are_reminded_then_escalated_once(personas):
    late = f.order_in(OrderState.DISPATCHED, personas)
    on_time = f.order_in(OrderState.NEW, personas)
    Order.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert tasks.remind_and_escalate() == {"reminded": 1, "escalated": 0}
    assert tasks.remind_and_escalate() == {"reminded": 0, "escalated": 0}
    later = timezone.now() + timedelta(hours=tasks.ESCALATE_AFTER_HOURS + 1)
    assert tasks.remind_and_escalate(later) == {"reminded": 0, "escalated": 1}
    assert tasks.remind_and_escalate(later) == {"reminded": 0, "escalated": 0}
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.state == OrderState.DISPATCHED and late.reminded_at is not None
    assert late.escalated_to == late.organization.parent
    assert on_time.reminded_at is None and on_time.escalated_to is None
    kinds = list(
        DutyRecord.objects.filter(
            object_id=late.pk, action__in=["order.reminded", "order.escalated"]
        )
        .order_by("id")
        .values_list("action", "organization_id")
    )
    assert kinds == [
        ("order.reminded", late.organization_id),
        ("order.escalated", late.organization.parent_id),
    ]


def test_finished_orders_are_never_reminded(personas):
    done = f.order_in(OrderState.DONE, personas)
    Order.objects.filter(pk=done.pk).update(deadline=timezone.now() - timedelta(days=3))
    assert tasks.remind_and_escalate()["reminded"] == 0
