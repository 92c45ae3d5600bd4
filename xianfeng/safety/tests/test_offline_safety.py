"""Inspections and hazard reports sent late from a phone's outbox (issue 17), the server's side:
the whole checklist on one page (answered and sent at once, with photos), the time the act
happened kept (a hazard's ``reported_at``, an inspection's ``started_at``, their ledger records)
and sanity-checked in Chinese, one record per client key however often it arrives (API: 201
then 200 with the stored record; page: the stored record again), and an inspection sent after
a later one of the same building leaving that later one's colour standing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, expected
from xianfeng.places.choices import BuildingKind, SafetyColour
from xianfeng.safety import services
from xianfeng.safety.models import BuildingSafety, Hazard, Inspection
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"
#: The personas who are party members in a field role (the safety matrix's MEMBERS).
FIELD_MEMBERS = {"wangge", "dangyuan"}


@pytest.fixture
def building(personas):
    return f.building_under(role_org(personas["wangge"]))


def _iso(at) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


def _form(building, fail=(), when=None, key="k-1", **extra):
    template = services.current_template(building.kind)
    data = {
        "template": template.pk,
        "started_at": timezone.localtime(when or timezone.now()).strftime("%Y-%m-%dT%H:%M"),
        "client_key": key,
        "note": "",
    }
    for item in template.items.all():
        data[f"outcome-{item.pk}"] = "fail" if item.order in fail else "pass"
        data[f"note-{item.pk}"] = "通道堵塞" if item.order in fail else ""
    data.update(extra)
    return data


def _hazard_body(building, **extra):
    return {
        "building": building.pk,
        "title": "楼道电动车充电",
        "category": "escape",
        "severity": "general",
        **extra,
    }


# --- the whole checklist on one page -----------------------------------------------------------


def test_the_whole_checklist_page_lists_every_item_for_the_outbox(client_for, building):
    page = client_for("dangyuan").get(f"/safety/buildings/{building.pk}/inspect/all/?task=7")
    assert page.status_code == 200
    html = page.content.decode()
    template = services.current_template(BuildingKind.RENTAL)
    for item in template.items.all():
        assert f'name="outcome-{item.pk}"' in html and f'name="photo-{item.pk}"' in html
    assert 'data-outbox="page"' in html and 'data-outbox-time="started_at"' in html
    assert f'name="template" value="{template.pk}"' in html
    assert 'name="task" value="7"' in html


def test_the_building_page_offers_the_whole_checklist_and_keeps_it_for_offline(
    client_for, building
):
    html = client_for("dangyuan").get(f"/safety/buildings/{building.pk}/").content.decode()
    assert f'href="/safety/buildings/{building.pk}/inspect/all/"' in html
    assert "data-offline-keep" in html
    assert f'data-offline-href="/safety/buildings/{building.pk}/inspect/all/"' in html


def test_staff_without_a_member_and_the_auditor_get_no_checklist_form(client_for, building):
    for name in ("shequ", "jiancha"):
        response = client_for(name).get(f"/safety/buildings/{building.pk}/inspect/all/")
        assert response.status_code in (403, 404), name
        post = client_for(name).post(
            f"/safety/buildings/{building.pk}/inspect/all/", _form(building)
        )
        assert post.status_code in (403, 404), name
    assert not Inspection.objects.filter(building=building).exists()


def test_a_building_outside_scope_is_not_found(client_for, personas):
    other = f.building_under(role_org(personas["shequ2"]))
    client = client_for("dangyuan")
    assert client.get(f"/safety/buildings/{other.pk}/inspect/all/").status_code == 404
    assert (
        client.post(f"/safety/buildings/{other.pk}/inspect/all/", _form(other)).status_code == 404
    )
    assert not Inspection.objects.filter(building=other).exists()


def test_an_inspection_sent_late_keeps_its_time_its_photos_and_is_stored_once(client_for, building):
    client = client_for("dangyuan")
    when = timezone.now() - timedelta(hours=5)
    template = services.current_template(building.kind)
    fourth = template.items.get(order=4)
    data = _form(building, fail=(4,), when=when, key="phone-1")
    data[f"photo-{fourth.pk}"] = f.photo("stairs.jpg", size=(400, 300))
    response = client.post(f"/safety/buildings/{building.pk}/inspect/all/", data)
    assert response.status_code == 302
    inspection = Inspection.objects.get(building=building)
    assert response["Location"] == inspection.get_absolute_url()
    assert inspection.started_at == when.replace(second=0, microsecond=0)
    assert inspection.client_key == "phone-1" and inspection.fails == 1
    assert inspection.results.get(item=fourth).photo
    hazard = Hazard.objects.get(inspection=inspection)
    assert hazard.reported_at == inspection.started_at  # found during the inspection
    assert hazard.photos.count() == 1
    record = DutyRecord.objects.get(action="inspection.submit", object_id=str(inspection.pk))
    assert record.occurred_at == inspection.started_at
    status = BuildingSafety.objects.get(building=building)
    assert status.last_inspected_at == inspection.started_at
    # the outbox sends it again (its answer was lost): the stored one, nothing new
    data[f"photo-{fourth.pk}"] = f.photo("stairs.jpg", size=(400, 300))
    again = client.post(f"/safety/buildings/{building.pk}/inspect/all/", data, follow=True)
    assert again.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert "已经提交过了" in again.content.decode()
    assert Inspection.objects.filter(building=building).count() == 1
    assert Hazard.objects.filter(building=building).count() == 1


def test_an_unanswered_item_and_a_wrong_time_are_refused_in_chinese(client_for, building):
    client = client_for("dangyuan")
    url = f"/safety/buildings/{building.pk}/inspect/all/"
    template = services.current_template(building.kind)
    data = _form(building)
    data.pop(f"outcome-{template.items.get(order=2).pk}")
    missing = client.post(url, data)
    assert missing.status_code == 400 and "还有1项没有检查" in missing.content.decode()
    old = client.post(url, _form(building, when=timezone.now() - timedelta(days=400)))
    assert old.status_code == 400 and "不能再补登" in old.content.decode()
    future = client.post(url, _form(building, when=timezone.now() + timedelta(days=1)))
    assert future.status_code == 400 and "不能晚于现在" in future.content.decode()
    assert not Inspection.objects.filter(building=building).exists()


def test_a_checklist_of_another_kind_of_building_is_refused(client_for, building):
    school = services.current_template(BuildingKind.SCHOOL)
    data = _form(building)
    data["template"] = school.pk
    response = client_for("dangyuan").post(f"/safety/buildings/{building.pk}/inspect/all/", data)
    assert response.status_code == 400 and "不适用于这类楼栋" in response.content.decode()


def test_an_older_checklist_version_from_the_phone_is_used_as_it_was(
    client_for, personas, building
):
    old = services.current_template(building.kind)
    data = _form(building, fail=(1,))
    services.template_revise(
        actor=personas["qu"], template=old, note="新版", changes={"red_fails": 4}
    )
    response = client_for("dangyuan").post(f"/safety/buildings/{building.pk}/inspect/all/", data)
    assert response.status_code == 302
    assert Inspection.objects.get(building=building).template_id == old.pk


def test_an_inspection_sent_after_a_later_one_leaves_the_later_colour(
    client_for, personas, building
):
    # Offline in the morning (all passed); in the afternoon another member finds three
    # failures online (red); the morning's is sent in the evening: kept, but red stands.
    morning = timezone.now() - timedelta(hours=8)
    f.inspect(personas["dangyuan"], building, fail=3)  # later, online
    building.refresh_from_db()
    colour = building.safety_colour
    assert colour != SafetyColour.GREEN
    response = client_for("dangyuan").post(
        f"/safety/buildings/{building.pk}/inspect/all/",
        _form(building, when=morning, key="morning"),
        follow=True,
    )
    assert "安全等级按后来那次检查" in response.content.decode()
    late = Inspection.objects.get(client_key="morning")
    assert late.colour == SafetyColour.GREEN and late.state == "submitted"
    building.refresh_from_db()
    assert building.safety_colour == colour
    assert BuildingSafety.objects.get(building=building).last_inspection_id != late.pk


# --- the API: the time, the key ----------------------------------------------------------------


def test_the_inspection_api_keeps_the_phone_time_and_refuses_a_wrong_one(client_for, building):
    client = client_for("dangyuan")
    items = services.current_template(building.kind).items.all()
    results = [{"item": i.pk, "outcome": "pass"} for i in items]
    when = timezone.now() - timedelta(days=2)
    body = {"building": building.pk, "results": results, "started_at": _iso(when)}
    future = dict(body, started_at=_iso(timezone.now() + timedelta(hours=1)))
    refused = client.post("/api/v1/inspections", future, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json()["errors"]["started_at"] == ["时间不能晚于现在；请检查手机的日期和时间。"]
    created = client.post("/api/v1/inspections", body, content_type=JSON)
    assert created.status_code == 201
    assert created.json()["started_at"].startswith(_iso(when)[:16])


def test_a_hazard_keeps_the_time_it_was_found_and_a_repeat_answers_200(client_for, building):
    client = client_for("dangyuan")
    when = timezone.now() - timedelta(hours=30)
    body = _hazard_body(building, reported_at=_iso(when), client_key="phone-h1")
    first = client.post("/api/v1/hazards", body, content_type=JSON)
    assert first.status_code == 201
    hazard = Hazard.objects.get(building=building)
    assert hazard.reported_at == when.replace(microsecond=0)
    record = DutyRecord.objects.get(action="hazard.report", object_id=str(hazard.pk))
    assert record.occurred_at == hazard.reported_at
    again = client.post("/api/v1/hazards", body, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    header = client.post(
        "/api/v1/hazards",
        _hazard_body(building, title="另一处"),
        content_type=JSON,
        headers={"Idempotency-Key": "phone-h1"},
    )
    assert header.status_code == 200 and header.json()["id"] == hazard.pk
    assert Hazard.objects.filter(building=building).count() == 1


def test_a_hazard_time_too_old_or_in_the_future_is_refused_in_chinese(
    client_for, building, settings
):
    client = client_for("dangyuan")
    settings.XIANFENG_FIELD_BACKDATE_DAYS = 10
    old = client.post(
        "/api/v1/hazards",
        _hazard_body(building, reported_at=_iso(timezone.now() - timedelta(days=11))),
        content_type=JSON,
    )
    assert old.status_code == 400
    assert old.json()["errors"]["reported_at"] == [
        "时间早于10天前，不能再补登；请核对日期，或联系网格书记。"
    ]
    ahead = client.post(
        "/api/v1/hazards",
        _hazard_body(building, reported_at=_iso(timezone.now() + timedelta(minutes=30))),
        content_type=JSON,
    )
    assert ahead.status_code == 400 and "不能晚于现在" in ahead.json()["errors"]["reported_at"][0]
    # a phone clock a minute or two ahead is not refused
    skew = client.post(
        "/api/v1/hazards",
        _hazard_body(building, reported_at=_iso(timezone.now() + timedelta(minutes=2))),
        content_type=JSON,
    )
    assert skew.status_code == 201
    assert Hazard.objects.filter(building=building).count() == 1


def test_the_hazard_page_keeps_the_phone_time_and_stores_a_repeat_once(client_for, building):
    client = client_for("dangyuan")
    when = timezone.localtime(timezone.now() - timedelta(hours=3))
    data = {
        "building": building.pk,
        "title": "配电箱未上锁",
        "category": "electric",
        "severity": "general",
        "reported_at": when.strftime("%Y-%m-%dT%H:%M:00%z"),
        "client_key": "page-h1",
    }
    first = client.post("/safety/hazards/new/", data)
    assert first.status_code == 302
    hazard = Hazard.objects.get(building=building)
    assert hazard.reported_at == when.replace(second=0, microsecond=0)
    again = client.post("/safety/hazards/new/", data, follow=True)
    assert again.redirect_chain[-1][0] == hazard.get_absolute_url()
    assert "已经报告过了" in again.content.decode()
    assert Hazard.objects.filter(building=building).count() == 1
    form = client.get(f"/safety/hazards/new/?building={building.pk}").content.decode()
    assert 'data-outbox-time="reported_at"' in form and 'name="reported_at"' in form


# --- the permission matrix of the whole-checklist page ------------------------------------------


@pytest.fixture
def two_sides(personas):
    """A rental building in ``wangge``'s grid branch (side A), one under ``shequ2`` (side B)."""
    from xianfeng.orgs.choices import OrgKind
    from xianfeng.orgs.models import Organization

    community_b = role_org(personas["shequ2"])
    branch_b = (
        Organization.objects.filter(parent=community_b, kind=OrgKind.GRID_BRANCH)
        .order_by("pk")
        .first()
    )
    return [f.building_under(role_org(personas["wangge"])), f.building_under(branch_b)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_whole_checklist_answers_by_scope_and_role(client_for, two_sides, persona):
    """Seen and a party member in the field: 200 (a POST stores it, 302); seen but not a member
    (staff, the auditor, the liaison): 403; not seen: 404."""
    client = client_for(persona)
    for side, building in enumerate(two_sides):
        url = f"/safety/buildings/{building.pk}/inspect/all/"
        want = expected(persona, side, FIELD_MEMBERS)
        assert client.get(url).status_code == want, f"{persona} {'AB'[side]}"
        posted = client.post(url, _form(building, key=f"{persona}-{side}"))
        assert posted.status_code == (302 if want == 200 else want), f"{persona} {'AB'[side]}"
        stored = Inspection.objects.filter(building=building, client_key=f"{persona}-{side}")
        assert stored.exists() == (want == 200)


def test_anonymous_visitors_are_sent_to_the_login_page(client, building):
    response = client.get(f"/safety/buildings/{building.pk}/inspect/all/")
    assert response.status_code == 302 and response.url.startswith("/login/")
