"""The transition walk of the hazard workflow (xianfeng/core/workflow_walk.py): every user
step through the API and the page, allowed and refused, in a state that allows it and one
that does not; ``submit`` (it takes files) walked by hand below; the overdue escalation is the
job's step (test_services_safety.py)."""

from __future__ import annotations

import json

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.demo.base import persona_member
from xianfeng.safety.models import FocusDay, Hazard, SmallWork
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db

_here: dict[str, object] = {}


def _building(p):
    if "building" not in _here:
        _here["building"] = f.building_under(role_org(p["wangge"]))
    return _here["building"]


def _in(state):
    return lambda p: f.hazard_in(state, p, _building(p))


API = "/api/v1/hazards/{pk}/"
PAGE = "/safety/hazards/{pk}/"

WALKS = [
    Walk(Hazard, "confirm", _in("reported"), _in("confirmed"), "wangge", "dangyuan",
         API + "confirm", PAGE + "confirm/"),
    Walk(Hazard, "dismiss", _in("reported"), _in("assigned"), "wangge", "dangyuan",
         API + "dismiss", PAGE + "dismiss/", {"reason": "现场核实不存在"}),
    Walk(Hazard, "assign", _in("confirmed"), _in("reported"), "wangge", "dangyuan",
         API + "assign", PAGE + "assign/", {"member": None}),
    Walk(Hazard, "start", _in("assigned"), _in("reported"), "dangyuan", "jiancha",
         API + "start", PAGE + "start/"),
    Walk(Hazard, "verify", _in("submitted"), _in("rectifying"), "wangge", "dangyuan",
         API + "verify", PAGE + "verify/"),
    Walk(Hazard, "return", _in("submitted"), _in("closed"), "wangge", "dangyuan",
         API + "return", PAGE + "return/", {"reason": "灭火器仍未更换"}),
    Walk(Hazard, "close", _in("verified"), _in("submitted"), "wangge", "dangyuan",
         API + "close", PAGE + "close/"),
    Walk(Hazard, "merge", _in("reported"), _in("closed"), "wangge", "dangyuan",
         API + "merge", PAGE + "merge/", {"into": None}),
    Walk(Hazard, "refer", _in("confirmed"), _in("reported"), "wangge", "dangyuan",
         API + "refer", PAGE + "refer/", {"agency": "区消防救援大队"}),
    Walk(Hazard, "enforce", _in("referred"), _in("confirmed"), "wangge", "dangyuan",
         API + "enforce", PAGE + "enforce/", {"outcome": "责令三日内整改，罚款500元"}),
]  # fmt: skip


def _works(state):
    def make(p):
        from datetime import timedelta

        from django.utils import timezone

        from xianfeng.safety.services_works import works_file

        building = _building(p)
        works = works_file(
            community=role_org(p["wangge"]).parent,
            applicant="李师傅",
            phone="13900001111",
            site=building.address,
            kind="renovation",
            start_on=timezone.localdate() + timedelta(days=1),
            end_on=timezone.localdate() + timedelta(days=9),
            measures="灭火器两具",
            throttle=False,
        )
        SmallWork.objects.filter(pk=works.pk).update(state=state)
        return works

    return make


def _focus(state):
    def make(p):
        from datetime import timedelta

        from django.utils import timezone

        street = role_org(p["jiedao"])
        # Recording needs the day to have come: each new day is before every other one.
        earliest = FocusDay.objects.filter(organization=street).order_by("day").first()
        when = earliest.day - timedelta(days=1) if earliest else timezone.localdate()
        when = min(when, timezone.localdate())
        return FocusDay.objects.create(organization=street, day=when, theme="整治", state=state)

    return make


WORKS_API = "/api/v1/safety/works/{pk}/"
WORKS_PAGE = "/safety/works/{pk}/"
FOCUS_API = "/api/v1/safety/focus-days/{pk}/"
FOCUS_PAGE = "/safety/focus/{pk}/"
WALKS += [
    Walk(SmallWork, "accept", _works("filed"), _works("declined"), "wangge", "dangyuan",
         WORKS_API + "accept", WORKS_PAGE + "accept/"),
    Walk(SmallWork, "decline", _works("filed"), _works("accepted"), "wangge", "dangyuan",
         WORKS_API + "decline", WORKS_PAGE + "decline/", {"reason": "违法搭建"}),
    Walk(SmallWork, "inspect", _works("accepted"), _works("filed"), "dangyuan", "jiancha",
         WORKS_API + "inspect", WORKS_PAGE + "inspect/", {"finding": "灭火器到位"}),
    Walk(SmallWork, "finish", _works("accepted"), _works("filed"), "wangge", "dangyuan",
         WORKS_API + "finish", WORKS_PAGE + "finish/"),
    Walk(FocusDay, "pick", _focus("planned"), _focus("held"), "jiedao", "jiancha",
         FOCUS_API + "pick", FOCUS_PAGE + "pick/", {"hazards": None}),
    Walk(FocusDay, "record", _focus("planned"), _focus("held"), "jiedao", "jiancha",
         FOCUS_API + "record", FOCUS_PAGE + "record/", {"summary": "清理楼道", "attendees": None}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    _here.clear()
    if w.model is FocusDay and w.step == "pick":
        w.inputs = {"hazards": [f.hazard(personas["wangge"], _building(personas)).pk]}
    if w.model is FocusDay and w.step == "record":
        w.inputs = {"summary": "清理楼道", "attendees": [persona_member("dangyuan").pk]}
    if w.step == "assign":
        w.inputs = {"member": persona_member("dangyuan").pk}
    if w.step == "merge":
        w.inputs = {"into": str(f.hazard(personas["wangge"], _building(personas)).pk)}
    walk(w, personas, client_for)


def test_submit_walked_by_hand(personas, client_for):
    """``submit`` through the API (multipart) and the page: refused actor 403, a state that
    does not allow it 409, no evidence 400, then stored with its photos."""
    from xianfeng.core.models import DutyRecord

    _here.clear()
    building = _building(personas)
    for channel in ("api", "page"):
        hazard = f.hazard_in("rectifying", personas, building)

        def url(pk, channel=channel):
            if channel == "api":
                return f"/api/v1/hazards/{pk}/submit"
            return f"/safety/hazards/{pk}/submit/"

        body = lambda: {"rectification": "已清理", "photos": [f.photo()]}  # noqa: E731
        refused = client_for("jiancha").post(url(hazard.pk), body())
        assert refused.status_code == 403, channel
        stuck = f.hazard_in("verified", personas, building)
        blocked = client_for("dangyuan").post(url(stuck.pk), body())
        assert blocked.status_code == 409, channel
        bare = client_for("dangyuan").post(url(hazard.pk), {"rectification": "已清理"})
        assert bare.status_code == 400, channel
        text = json.loads(bare.content)["errors"]["photos"] if channel == "api" else bare.content
        assert "请上传整改后的照片作为证据。" in (text[0] if channel == "api" else text.decode())
        done = client_for("dangyuan").post(url(hazard.pk), body())
        assert done.status_code == (200 if channel == "api" else 302), channel
        hazard.refresh_from_db()
        assert hazard.state == "submitted"
        assert DutyRecord.objects.filter(action="hazard.submit", object_id=str(hazard.pk)).count()


USER_STEPS_WALKED_BY_HAND = {("Hazard", "submit"): "test_submit_walked_by_hand"}

#: Steps taken only by jobs, and the tests that take them.
SYSTEM_STEPS = {
    ("Hazard", "escalate"): "test_overdue_hazards_escalate_to_the_parent_organization_once",
    ("Hazard", "recheck"): "test_a_passing_reinspection_closes_a_verified_hazard",
    ("Hazard", "reopen"): "test_a_failing_reinspection_returns_the_verified_hazard",
}
