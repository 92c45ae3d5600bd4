"""The transition walk of a townsman pairing (xianfeng/core/workflow_walk.py)."""

from __future__ import annotations

from itertools import count

import pytest

from xianfeng.community import services
from xianfeng.community.models import Townsman
from xianfeng.core.workflow import take
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.people.choices import MemberKind
from xianfeng.work.tests import factories as f

pytestmark = pytest.mark.django_db
_n = count(1)


def _townsman(p, ended: bool = False) -> Townsman:
    member = f.dangyuan()
    member.kind = MemberKind.MOBILE
    member.save()
    t = services.townsman_add(actor=p["dangyuan"], name=f"老乡{next(_n)}", phone="")
    if ended:
        take(t, "end", actor=p["dangyuan"])
        t.refresh_from_db()
    return t


WALKS = [
    Walk(Townsman, "end", _townsman, lambda p: _townsman(p, ended=True), "dangyuan", "wangge",
         "/api/v1/townsmen/{pk}/end", "/work/townsmen/{pk}/", {"end": "1"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)
