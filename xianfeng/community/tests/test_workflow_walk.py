"""The transition walks of a townsman pairing and of a service session's confirmation
(xianfeng/core/workflow_walk.py)."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from xianfeng.community import services
from xianfeng.community.models import ServiceSession, Townsman
from xianfeng.core.testing import role_org
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


def _session(p, state: str = "pending") -> ServiceSession:
    """A self-reported session of ``wangge``'s in ``shequ``'s community."""
    member = f.wangge()
    return ServiceSession.objects.create(
        member=member,
        organization=role_org(p["shequ"]),
        branch=member.branch,
        source="self",
        served_on=timezone.localdate(),
        hours=Decimal("1.5"),
        content="楼道清理",
        state=state,
    )


WALKS = [
    Walk(Townsman, "end", _townsman, lambda p: _townsman(p, ended=True), "dangyuan", "wangge",
         "/api/v1/townsmen/{pk}/end", "/work/townsmen/{pk}/", {"end": "1"}),
    Walk(ServiceSession, "confirm", _session, lambda p: _session(p, "confirmed"), "shequ",
         "wangge", "/api/v1/sessions/{pk}/confirm", "/work/sessions/{pk}/confirm/", {}),
    Walk(ServiceSession, "reject", _session, lambda p: _session(p, "rejected"), "shequ",
         "wangge", "/api/v1/sessions/{pk}/reject", "/work/sessions/{pk}/reject/",
         {"note": "照片与内容不符"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)
