"""The transition walk of the problem workflow (xianfeng/core/workflow_walk.py): every staff
step through the API and the page, allowed and refused, in a state that allows it and one that
does not. ``rate`` and ``reopen`` are taken by the platform for the holder of the reporter's
link (system steps), tested in test_problem_wall.py."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.public import services
from xianfeng.public.models import Problem

pytestmark = pytest.mark.django_db

_n = count()


def _in(state: str):
    def make(personas):
        n = next(_n)
        p = services.problem_report(
            organization=role_org(personas["wangge"]),
            category="other",
            title=f"走查问题{n}",
            phone=f"1370000{n:04d}",
            client="10.8.8.8",
        )
        Problem.objects.filter(pk=p.pk).update(state=state, on_wall=state != "pending")
        p.refresh_from_db()
        return p

    return make


API = "/api/v1/problems/{pk}/"
PAGE = "/public/problems/{pk}/"
DEADLINE = timezone.localdate() + timedelta(days=5)

WALKS = [
    Walk(Problem, "approve", _in("pending"), _in("accepted"), "wangge", "dangyuan",
         API + "approve", PAGE + "approve/"),
    Walk(Problem, "reject", _in("pending"), _in("accepted"), "wangge", "dangyuan",
         API + "reject", PAGE + "reject/", {"reason": "含广告"}),
    Walk(Problem, "plan", _in("accepted"), _in("pending"), "wangge", "jiancha",
         API + "plan", PAGE + "plan/",
         {"responsible": "物业公司", "measures": "三日内清运", "deadline": DEADLINE}),
    Walk(Problem, "solve", _in("in_progress"), _in("accepted"), "wangge", "dangyuan",
         API + "solve", PAGE + "solve/", {"result": "已清运"}),
    Walk(Problem, "verify", _in("solved"), _in("in_progress"), "wangge", "dangyuan",
         API + "verify", PAGE + "verify/"),
    Walk(Problem, "send_back", _in("solved"), _in("published"), "wangge", "dangyuan",
         API + "send-back", PAGE + "send-back/", {"reason": "没有清运干净"}),
    Walk(Problem, "close", _in("accepted"), _in("published"), "wangge", "dangyuan",
         API + "close", PAGE + "close/", {"reason": "不属本社区", "referred_to": "区城管局"}),
    Walk(Problem, "merge", _in("pending"), _in("published"), "wangge", "dangyuan",
         API + "merge", PAGE + "merge/", {"into": None}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    if w.step == "merge":
        w.inputs = {"into": _in("accepted")(personas).code}
    walk(w, personas, client_for)


USER_STEPS_WALKED_BY_HAND: dict[tuple[str, str], str] = {}

#: Steps the platform takes for a resident holding the reporter's link, and their tests.
SYSTEM_STEPS = {
    ("Problem", "rate"): "test_the_whole_loop_plan_solve_check_rate_reopen",
    ("Problem", "reopen"): "test_the_whole_loop_plan_solve_check_rate_reopen",
}
