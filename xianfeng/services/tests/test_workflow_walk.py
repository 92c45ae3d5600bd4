"""The transition walk of the order workflow (xianfeng/core/workflow_walk.py): every user
step through the API and the page, allowed and refused, in a state that allows it and one
that does not. The system steps (the resident's rating, the overdue reminder and escalation,
the release of a departed member's orders) are tested in test_services_orders.py and
test_tasks_services.py."""

from __future__ import annotations

import pytest

from xianfeng.community.models import Team
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.demo.base import persona_member
from xianfeng.services import complaints
from xianfeng.services.models import Complaint, Order
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


def _in(state):
    return lambda p: f.order_in(state, p)


API = "/api/v1/orders/{pk}/"
PAGE = "/services/orders/{pk}/"
C_API = "/api/v1/complaints/{pk}/"
C_PAGE = "/services/complaints/{pk}/"


def _complaint(state):
    """A resident's complaint on a served order of side A (held by ``dangyuan``)."""

    def make(p):
        made = complaints.complaint_from_resident(
            order=f.order_in("done", p), content="办理拖延", throttle=False
        )
        Complaint.objects.filter(pk=made.pk).update(state=state)
        made.refresh_from_db()
        return made

    return make


WALKS = [
    Walk(Order, "dispatch", _in("new"), _in("accepted"), "wangge", "dangyuan",
         API + "dispatch", PAGE + "dispatch/", {"member": None}),
    Walk(Order, "claim_for_team", _in("new"), _in("accepted"), "dangyuan", "wangge",
         API + "claim-for-team", PAGE + "claim_for_team/", {"team": None}),
    Walk(Order, "accept", _in("dispatched"), _in("new"), "dangyuan", "wangge",
         API + "accept", PAGE + "accept/"),
    Walk(Order, "decline", _in("dispatched"), _in("done"), "dangyuan", "wangge",
         API + "decline", PAGE + "decline/", {"reason": "本周出差"}),
    Walk(Order, "recall", _in("accepted"), _in("new"), "wangge", "dangyuan",
         API + "recall", PAGE + "recall/", {"reason": "改派离得近的党员"}),
    Walk(Order, "serve", _in("accepted"), _in("dispatched"), "dangyuan", "jiancha",
         API + "serve", PAGE + "serve/", {"note": "已上门修好水管"}, api_form=True),
    Walk(Order, "reject", _in("new"), _in("dispatched"), "wangge", "dangyuan",
         API + "reject", PAGE + "reject/", {"reason": "属于物业维修范围，已告知物业电话"}),
    Walk(Complaint, "confirm", _complaint("pending"), _complaint("dismissed"), "wangge",
         "dangyuan", C_API + "confirm", C_PAGE + "confirm/", {"finding": "回访属实"}),
    Walk(Complaint, "dismiss", _complaint("pending"), _complaint("confirmed"), "shequ",
         "jiancha", C_API + "dismiss", C_PAGE + "dismiss/", {"reason": "党员已按时上门"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    if w.step == "dispatch":
        w.inputs = {"member": persona_member("dangyuan").pk}
    if w.step == "claim_for_team":  # the demo's volunteer team, which dangyuan is on
        w.inputs = {"team": Team.objects.get(name="在职党员志愿服务队").pk}
    walk(w, personas, client_for)


#: Steps taken only by jobs (or, for ``rate``, by the resident through the signed link),
#: and the tests that take them.
SYSTEM_STEPS = {
    ("Order", "rate"): "test_the_whole_loop_dispatch_accept_serve_rate_writes_each_kind",
    ("Order", "remind"): "test_overdue_orders_are_reminded_then_escalated_once",
    ("Order", "escalate"): "test_overdue_orders_are_reminded_then_escalated_once",
    ("Order", "release"): "test_an_order_held_by_a_member_who_left_goes_back_to_the_queue",
}
