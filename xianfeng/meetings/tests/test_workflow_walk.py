"""The transition walk of the meeting workflow (xianfeng/core/workflow_walk.py): every step
through the API and the page, allowed and refused, in a state that allows it and one that does
not."""

from __future__ import annotations

import pytest

from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.meetings.models import Meeting, Selection
from xianfeng.meetings.tests.factories import meeting_in

pytestmark = pytest.mark.django_db


def _in(state):
    return lambda p: meeting_in(state, p)


API = "/api/v1/meetings/{pk}/"
PAGE = "/meetings/{pk}/"

WALKS = [
    Walk(Meeting, "hold", _in("planned"), _in("published"), "wangge", "dangyuan",
         API + "hold", PAGE + "hold/"),
    Walk(Meeting, "publish", _in("held"), _in("planned"), "wangge", "dangyuan",
         API + "publish", PAGE + "publish/"),
    Walk(Meeting, "revise", _in("published"), _in("held"), "wangge", "dangyuan",
         API + "revise", PAGE + "revise/",
         {"minutes": "会议学习了安全生产责任制，议定每月巡查。", "reason": "补记议定事项"}),
    Walk(Meeting, "cancel", _in("planned"), _in("held"), "wangge", "dangyuan",
         API + "cancel", PAGE + "cancel/", {"reason": "台风停课，改期召开"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)


USER_STEPS_WALKED_BY_HAND: dict[tuple[str, str], str] = {}
SYSTEM_STEPS: dict[tuple[str, str], str] = {}


def _selection_in(state: str):
    def make(p):
        from datetime import timedelta

        from django.utils import timezone

        from xianfeng.core.testing import role_org
        from xianfeng.meetings import votes
        from xianfeng.meetings.models import Selection

        today = timezone.localdate()
        selection = votes.selection_create(
            actor=p["shequ"], organization=role_org(p["shequ"]), kind="family",
            title="文明家庭评选", nominate_until=today + timedelta(days=1),
            vote_starts=today + timedelta(days=2),
            vote_ends=today + timedelta(days=5),
        )  # fmt: skip
        for name in ("王家", "李家"):
            votes.candidate_nominate(actor=p["shequ"], selection=selection, name=name, deeds="和睦")
        fields = {"state": state}
        if state == "voting":
            fields.update(
                nominate_until=today - timedelta(days=9), vote_starts=today - timedelta(days=8),
                vote_ends=today - timedelta(days=1),
            )  # fmt: skip
        Selection.objects.filter(pk=selection.pk).update(**fields)
        selection.refresh_from_db()
        return selection

    return make


WALKS += [
    Walk(Selection, "open_voting", _selection_in("nominating"), _selection_in("voting"),
         "shequ", "jiancha", "/api/v1/selections/{pk}/open-voting",
         "/meetings/selections/{pk}/open_voting/"),
    Walk(Selection, "publish", _selection_in("voting"), _selection_in("nominating"),
         "shequ", "jiancha", "/api/v1/selections/{pk}/publish",
         "/meetings/selections/{pk}/publish/"),
]  # fmt: skip
