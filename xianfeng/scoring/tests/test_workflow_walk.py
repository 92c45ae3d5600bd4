"""The transition walk of adjustments and appeals (xianfeng/core/workflow_walk.py): every
step through the API and the page, allowed and refused, in a state that allows it and one
that does not."""

from __future__ import annotations

import pytest

from xianfeng.core import workflow
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.demo.base import persona_member
from xianfeng.scoring import services

pytestmark = pytest.mark.django_db


def _adjustment(p):
    return services.adjustment_request(
        actor=p["shequ"], member=persona_member("dangyuan"), points=2, reason="补记走访"
    )


def _adjustment_done(p):
    adj = _adjustment(p)
    return workflow.take(adj, "approve", actor=p["qu"])


def _appeal(p):
    return services.appeal_submit(actor=p["dangyuan"], reason="漏记")


def _appeal_done(p):
    return workflow.take(_appeal(p), "answer", actor=p["shequ"], answer="已核实")


WALKS = [
    Walk(services.Adjustment, "approve", _adjustment, _adjustment_done, "jiedao", "shequ",
         "/api/v1/scoring/adjustments/{pk}/approve", "/scoring/adjustments/{pk}/approve/"),
    Walk(services.Adjustment, "reject", _adjustment, _adjustment_done, "qu", "shequ",
         "/api/v1/scoring/adjustments/{pk}/reject", "/scoring/adjustments/{pk}/reject/",
         {"note": "证据不足"}),
    Walk(services.Appeal, "answer", _appeal, _appeal_done, "shequ", "dangyuan",
         "/api/v1/scoring/appeals/{pk}/answer", "/scoring/appeals/{pk}/answer/",
         {"answer": "已按规则计分"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)
