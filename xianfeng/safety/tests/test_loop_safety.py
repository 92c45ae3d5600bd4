"""The hazard loop's last pieces (issue 12, item 3): referral for enforcement (执法检查) with
its outcome recorded, and the re-inspection that closes the loop — a pass closes a verified
hazard of the same item, a fail sends it back to rectification instead of raising a second."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take
from xianfeng.places.choices import SafetyColour
from xianfeng.safety import services
from xianfeng.safety.choices import HazardState, Outcome
from xianfeng.safety.models import Hazard
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db
H = HazardState


def _ledger(obj, kind):
    return DutyRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action=kind
    )


@pytest.fixture
def building(personas):
    return f.building_under(role_org(personas["wangge"]))


def test_a_referred_hazard_records_the_enforcement_outcome(personas, building, client_for):
    hazard = f.hazard_in("referred", personas, building)
    assert hazard.state == H.REFERRED and hazard.enforcement_agency == "区消防救援大队"
    assert _ledger(hazard, "hazard.refer").count() == 1
    # no outcome: refused in Chinese, nothing changed
    bare = client_for("wangge").post(
        f"/api/v1/hazards/{hazard.pk}/enforce", {"outcome": "  "}, content_type="application/json"
    )
    assert bare.status_code == 400
    assert "请填写执法检查的结果。" in bare.json()["errors"]["outcome"][0]
    done = client_for("wangge").post(
        f"/api/v1/hazards/{hazard.pk}/enforce",
        {"outcome": "责令三日内整改，罚款500元"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == H.RECTIFYING and body["enforcement_outcome"].startswith("责令")
    assert _ledger(hazard, "hazard.enforce").get().note == "责令三日内整改，罚款500元"
    # the page shows both
    page = client_for("wangge").get(f"/safety/hazards/{hazard.pk}/").content.decode()
    assert "区消防救援大队" in page and "罚款500元" in page


def test_a_referral_needs_an_agency_and_a_state_that_allows_it(personas, building, client_for):
    hazard = f.hazard_in("confirmed", personas, building)
    page = client_for("wangge").post(f"/safety/hazards/{hazard.pk}/refer/", {"agency": ""})
    assert page.status_code == 400
    assert "请填写移交的执法部门" in page.content.decode()
    reported = f.hazard_in("reported", personas, building)
    with pytest.raises(StateConflict):
        take(reported, "refer", actor=personas["wangge"], agency="消防")
    hazard.refresh_from_db()
    assert hazard.state == H.CONFIRMED and not hazard.enforcement_agency


def _verified_from_inspection(personas, building):
    from xianfeng.demo.base import persona_member

    first = f.inspect(personas["dangyuan"], building, fail=1)
    hazard = first.hazards.get()
    hazard = take(hazard, "confirm", actor=personas["wangge"])
    hazard = take(hazard, "assign", actor=personas["wangge"], member=persona_member("dangyuan").pk)
    hazard = take(hazard, "start", actor=personas["dangyuan"])
    hazard = take(
        hazard,
        "submit",
        actor=personas["dangyuan"],
        rectification="已整改",
        photos=[f.photo()],
        before_photos=[f.photo()],
    )
    return take(hazard, "verify", actor=personas["wangge"])


def test_a_passing_reinspection_closes_a_verified_hazard(personas, building):
    hazard = _verified_from_inspection(personas, building)
    again = f.inspect(personas["dangyuan"], building, fail=0)
    hazard.refresh_from_db()
    assert hazard.state == H.CLOSED and hazard.closed_at is not None
    record = _ledger(hazard, "hazard.recheck").get()
    assert record.member_id == again.inspector_id and str(again.pk) in record.note
    building.refresh_from_db()
    assert building.safety_colour == SafetyColour.GREEN


def test_a_failing_reinspection_returns_the_verified_hazard(personas, building):
    hazard = _verified_from_inspection(personas, building)
    before = Hazard.objects.filter(building=building).count()
    again = f.inspect(personas["dangyuan"], building, fail=1)  # the same first non-veto item
    hazard.refresh_from_db()
    assert hazard.state == H.RETURNED and hazard.verified_by is None
    assert str(again.pk) in hazard.return_reason
    assert Hazard.objects.filter(building=building).count() == before  # no second hazard
    assert _ledger(hazard, "hazard.reopen").count() == 1
    # a not-applicable answer leaves it alone
    other = f.building_under(role_org(personas["wangge"]))
    untouched = _verified_from_inspection(personas, other)
    inspection, _c = services.inspection_start(actor=personas["dangyuan"], building=other)
    for item in inspection.template.items.all():
        outcome = Outcome.NA if item.pk == untouched.item_id else Outcome.PASS
        services.inspection_record(
            actor=personas["dangyuan"], inspection=inspection, item=item, outcome=outcome
        )
    services.inspection_submit(actor=personas["dangyuan"], inspection=inspection)
    untouched.refresh_from_db()
    assert untouched.state == H.VERIFIED


# --- overdue patrols escalate --------------------------------------------------------------


def test_an_overdue_patrol_escalates_to_the_parent_once_until_inspected(
    personas, building, client_for
):
    from datetime import timedelta

    from django.utils import timezone

    from xianfeng.safety.models import BuildingSafety
    from xianfeng.safety.services import PATROL_GRACE_DAYS, escalate_overdue_patrols

    f.inspect(personas["dangyuan"], building)
    never = f.building_under(role_org(personas["wangge"]))  # never inspected: due, not overdue
    today = timezone.localdate()
    status = BuildingSafety.objects.get(building=building)
    BuildingSafety.objects.filter(pk=status.pk).update(
        due_on=today - timedelta(days=PATROL_GRACE_DAYS)
    )
    assert escalate_overdue_patrols(today) == 0  # within the grace days
    BuildingSafety.objects.filter(pk=status.pk).update(
        due_on=today - timedelta(days=PATROL_GRACE_DAYS + 1)
    )
    assert escalate_overdue_patrols(today) == 1
    assert escalate_overdue_patrols(today) == 0  # once
    status.refresh_from_db()
    parent = building.organization.parent
    assert status.escalated_to == parent
    record = DutyRecord.objects.get(action="patrol.escalate", object_id=str(building.pk))
    assert record.organization == parent and record.actor is None
    assert not BuildingSafety.objects.filter(building=never).exists()

    # the parent (shequ, the community over wangge's grid branch) sees it on its home page
    assert role_org(personas["shequ"]) == parent
    home = client_for("shequ").get("/").content.decode()
    assert "巡查逾期、升级到本级督办的楼栋" in home and building.name in home
    assert "栋楼巡查逾期，已升级到本级督办" in home
    listed = client_for("shequ").get("/safety/due/?escalated=1").content.decode()
    assert building.name in listed
    api = client_for("shequ").get("/api/v1/safety/due?escalated=true").json()
    assert [b["id"] for b in api["results"]] == [building.pk]
    assert api["results"][0]["escalated_to_id"] == parent.pk
    # not the grid branch's own list (it is escalated to the parent), nor another community
    assert client_for("wangge").get("/api/v1/safety/due?escalated=true").json()["count"] == 0
    assert client_for("shequ2").get("/api/v1/safety/due?escalated=true").json()["count"] == 0

    # the next inspection clears it
    f.inspect(personas["dangyuan"], building)
    status.refresh_from_db()
    assert status.escalated_to is None and status.due_on > today
    assert client_for("shequ").get("/api/v1/safety/due?escalated=true").json()["count"] == 0


def test_the_patrol_job_is_registered_and_periodic():
    from xianfeng.core.jobs import registered
    from xianfeng.safety.periodic import PERIODIC_JOBS

    assert "safety.escalate_patrols" in PERIODIC_JOBS
    import xianfeng.safety.tasks  # noqa: F401

    assert "safety.escalate_patrols" in registered()


# --- the district edits the checklist's items on its page ----------------------------------


def _revise_post(template, rows, note="增加燃气检查"):
    data = {"yellow_fails": 1, "red_fails": 3, "red_days": 7, "yellow_days": 14,
            "green_days": 21, "note": note, "items-TOTAL_FORMS": len(rows),
            "items-INITIAL_FORMS": 0}  # fmt: skip
    for n, row in enumerate(rows):
        for key, value in row.items():
            if key == "veto" and not value:
                continue
            data[f"items-{n}-{key}"] = "on" if value is True else value
    return data


def test_the_district_edits_checklist_items_on_the_page(personas, building, client_for):
    from xianfeng.safety.services import ITEM_FIELDS, current_template

    template = current_template("rental")
    draft, _c = services.inspection_start(actor=personas["dangyuan"], building=building)
    old = [{k: getattr(i, k) for k in ITEM_FIELDS} for i in template.items.all()]
    page = client_for("qu").get(f"/safety/checklists/{template.pk}/").content.decode()
    assert 'name="items-0-title"' in page and "新增检查项目" in page
    rows = [dict(r) for r in old]
    rows[0]["title"] = "疏散通道畅通（修订）"
    rows[1]["DELETE"] = "on"
    rows.append({"title": "瓶装燃气使用", "guidance": "是否使用合格钢瓶与减压阀",
                 "category": "gas", "severity": "major", "responsible_party": "tenant",
                 "standard": "更换合格钢瓶，安装燃气报警器", "veto": False})  # fmt: skip
    blank = [dict(r) for r in rows]
    blank[2]["title"] = ""
    refused = client_for("qu").post(
        f"/safety/checklists/{template.pk}/", _revise_post(template, blank)
    )
    assert refused.status_code == 400 and "这个字段是必填项" in refused.content.decode()
    assert current_template("rental").pk == template.pk  # nothing stored
    done = client_for("qu").post(f"/safety/checklists/{template.pk}/", _revise_post(template, rows))
    assert done.status_code == 302
    fresh = current_template("rental")
    titles = list(fresh.items.values_list("title", flat=True))
    assert fresh.version == template.version + 1 and len(titles) == len(old)
    assert titles[0] == "疏散通道畅通（修订）" and titles[-1] == "瓶装燃气使用"
    assert old[1]["title"] not in titles
    draft.refresh_from_db()
    assert draft.template_id == template.pk  # the open inspection keeps its version
    assert (
        client_for("dangyuan")
        .post(f"/safety/checklists/{fresh.pk}/", _revise_post(fresh, rows))
        .status_code
        == 403
    )
