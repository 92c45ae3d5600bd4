"""Scoring in the demo district, built last so that it scores the whole demo ledger: the
district's point rules (published once by ``qu``, the district's organization department),
every record scored past the high-water mark, the persona community's leaderboard made public,
and one adjustment waiting for approval and one appeal waiting for an answer."""

from __future__ import annotations

from datetime import date, timedelta

from xianfeng.core import ledger
from xianfeng.core.models import User
from xianfeng.demo.base import persona_member
from xianfeng.demo.context import Context
from xianfeng.scoring import services
from xianfeng.scoring.models import Adjustment, Appeal, PointRule, PublicBoard

START = date(2020, 1, 1)

#: kind -> the rule's values; a kind no app declares (an app not installed) is left out.
RULES: dict[str, dict] = {
    "visit.log": {"points": 1, "daily_cap": 10, "once_per_target_per_day": True},
    "task.claim": {"points": 1, "daily_cap": 3},
    "task.complete": {"points": 5, "verified_only": False},
    "task.overdue": {"points": -2},
    "hazard.report": {"points": 2, "daily_cap": 10},
    "hazard.verify": {"points": 3},
    "hazard.escalate": {"points": -2},
    "inspection.submit": {"points": 2, "daily_cap": 10},
    "order.served": {"points": 3},
    "order.rated": {"points": 2, "multiplier_field": "rating", "multiplier_base": 5},
    "order.escalated": {"points": -2},
    "meeting.attend": {"points": 1, "period_cap": 8, "cap_period": "month"},
    "townsman.contact": {"points": 1, "period_cap": 4, "cap_period": "month"},
    "pairing.deliver": {"points": 3},
    "member.report_accept": {"points": 2},
    # Hours served (a self-declared session waits for the community's confirmation, with a
    # photo): a point an hour, read from the confirmed session's hours.
    "service.confirm": {"points": 1, "multiplier_field": "hours", "multiplier_base": 1},
    "publicity.record": {"points": 2, "daily_cap": 4},
}


def build_scoring_demo(ctx: Context) -> None:
    district_admin = User.objects.get(username="qu")
    if not PointRule.objects.exists():
        for kind, values in RULES.items():
            if ledger.is_declared(kind):
                services.rule_publish(
                    actor=district_admin,
                    kind=kind,
                    effective_from=START,
                    note="区委组织部2020年积分办法",
                    **values,
                )
    services.award_pending(lag=timedelta(0))
    community = User.objects.get(username="shequ").roles.order_by("id").first().organization
    if not PublicBoard.objects.filter(organization=community).exists():
        services.board_set(
            actor=User.objects.get(username="shequ"), organization=community, enabled=True
        )
    member = persona_member("dangyuan")
    if not Adjustment.objects.filter(member=member).exists():
        services.adjustment_request(
            actor=User.objects.get(username="shequ"),
            member=member,
            points=5,
            reason="夜间协助疏散火灾楼栋群众，未经平台登记，补记积分",
        )
    if not Appeal.objects.filter(member=member).exists():
        services.appeal_submit(
            actor=User.objects.get(username="dangyuan"),
            reason="上周六走访的三户没有计分，请核实",
        )
