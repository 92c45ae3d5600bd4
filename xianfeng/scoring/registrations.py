"""What scoring puts on core's pages: the member's panel on the home page (points and index
this month) and the managers' lines (adjustments and appeals waiting). Called from
``ScoringConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home

if TYPE_CHECKING:
    from xianfeng.core.models import User


def _panel(user: User, kinds: frozenset[str]) -> dict[str, Any] | None:
    from xianfeng.people.members import member_of
    from xianfeng.scoring.periods import period_of
    from xianfeng.scoring.selectors import member_summary

    member = member_of(user)
    if member is None:
        return None
    return {"summary": member_summary(member, period_of("month", timezone.localdate()))}


def _waiting(model_name: str, state: str):
    def count(user: User, today: Any) -> int:
        from xianfeng.scoring import models

        return getattr(models, model_name).objects.restrict(user).filter(state=state).count()

    return count


def register() -> None:
    home.register_panel("scoring", order=60, template="scoring/_home.html", build=_panel)
    home.register_todo(
        "scoring.adjustments",
        order=60,
        label=_("项积分调整待审批"),
        url="/scoring/adjustments/?state=requested",
        count=_waiting("Adjustment", "requested"),
    )
    home.register_todo(
        "scoring.appeals",
        order=61,
        label=_("件积分申诉待答复"),
        url="/scoring/appeals/?state=submitted",
        count=_waiting("Appeal", "submitted"),
    )
