"""Test helpers of scoring: duty records written as the apps write them, points awarded at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xianfeng.core.services import duty_record
from xianfeng.scoring import services
from xianfeng.scoring.models import PointEntry
from xianfeng.scoring.sums import PointsSum


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
    )


def record(
    member: Any,
    kind: str = "visit.log",
    *,
    day: date,
    target: Any = None,
    hour: int = 10,
    **kw: Any,
):
    return duty_record(
        actor=None,
        action=kind,
        organization=member.branch,
        member=member,
        target=target,
        occurred_at=at(day, hour),
        **kw,
    )


def award() -> int:
    return services.award_pending(lag=timedelta(0))


def total(member: Any, **filters: Any) -> Decimal:
    return PointEntry.objects.filter(member=member, **filters).aggregate(s=PointsSum("points"))[
        "s"
    ] or Decimal(0)


def rule(actor: Any, kind: str = "visit.log", *, start: date = date(2031, 1, 1), **values: Any):
    values.setdefault("points", 2)
    return services.rule_publish(actor=actor, kind=kind, effective_from=start, **values)
