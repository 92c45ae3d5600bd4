"""The safety pages through the test client: the phone inspection (htmx answers), the
hazard page's buttons from the workflow, the home page, and the bad input of issue 12."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.places.choices import SafetyColour
from xianfeng.safety.models import Hazard, Inspection
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(personas):
    return f.building_under(role_org(personas["wangge"]))


@pytest.fixture
def outside(personas):
    return f.building_under(role_org(personas["shequ2"]))


def _fill(client, inspection, fails=()):
    for item in inspection.template.items.all():
        outcome = "fail" if item.order in fails else "pass"
        response = client.post(
            f"/safety/inspections/{inspection.pk}/items/{item.pk}/",
            {"outcome": outcome, "note": "楼道堆物" if outcome == "fail" else ""},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert 'id="preview"' in response.content.decode()


def test_a_member_inspects_on_the_page_and_the_building_turns_yellow(client_for, building):
    client = client_for("dangyuan")
    page = client.get(f"/safety/buildings/{building.pk}/")
    assert page.status_code == 200 and "开始检查" in page.content.decode()
    response = client.post(f"/safety/buildings/{building.pk}/inspect/")
    inspection = Inspection.objects.get(building=building)
    assert response.status_code == 302 and response.url == f"/safety/inspections/{inspection.pk}/"
    body = client.get(response.url).content.decode()
    assert "疏散通道" in body and "一票否决" in body
    _fill(client, inspection, fails=(4, 8))
    done = client.post(f"/safety/inspections/{inspection.pk}/submit/", follow=True)
    text = done.content.decode()
    assert "检查已提交：楼栋评为黄色，发现2处隐患。" in text
    building.refresh_from_db()
    assert building.safety_colour == SafetyColour.YELLOW
    # pressing submit again (a flaky connection) stores nothing twice
    again = client.post(f"/safety/inspections/{inspection.pk}/submit/", follow=True)
    assert "已经提交过了" in again.content.decode()
    assert Hazard.objects.filter(inspection=inspection).count() == 2
    # the grid secretary sees both on the home page
    home = client_for("wangge").get("/").content.decode()
    assert "处安全隐患待确认立案" in home
    for hazard in Hazard.objects.filter(inspection=inspection):
        assert hazard.title in home


def test_an_inspection_started_from_a_task_links_to_it(client_for, personas, building):
    from xianfeng.work.tests.factories import chain

    task = chain(role_org(personas["shequ"]), task_org=role_org(personas["wangge"]))
    client = client_for("dangyuan")
    page = client.get(f"/safety/buildings/{building.pk}/?task={task.pk}").content.decode()
    assert f'name="task" value="{task.pk}"' in page
    client.post(f"/safety/buildings/{building.pk}/inspect/", {"task": task.pk})
    assert Inspection.objects.get(building=building).task == task


def test_an_answer_that_is_not_a_choice_is_refused_in_place(client_for, building, personas):
    client = client_for("dangyuan")
    client.post(f"/safety/buildings/{building.pk}/inspect/")
    inspection = Inspection.objects.get(building=building)
    item = inspection.template.items.first()
    response = client.post(
        f"/safety/inspections/{inspection.pk}/items/{item.pk}/",
        {"outcome": "maybe"},
        HTTP_HX_REQUEST="true",
    )
    assert "请选择合格、不合格或不适用。" in response.content.decode()
    submit = client.post(f"/safety/inspections/{inspection.pk}/submit/")
    assert submit.status_code == 400
    assert "还有9项没有检查" in submit.content.decode()


def test_a_building_outside_scope_is_not_found(client_for, outside):
    client = client_for("dangyuan")
    assert client.get(f"/safety/buildings/{outside.pk}/").status_code == 404
    assert client.post(f"/safety/buildings/{outside.pk}/inspect/").status_code == 404
    assert client.get(f"/safety/hazards/new/?building={outside.pk}").status_code == 404
    assert not Inspection.objects.filter(building=outside).exists()


def test_someone_elses_inspection_is_not_filled_in(client_for, building, personas):
    client_for("dangyuan").post(f"/safety/buildings/{building.pk}/inspect/")
    inspection = Inspection.objects.get(building=building)
    item = inspection.template.items.first()
    response = client_for("wangge").post(
        f"/safety/inspections/{inspection.pk}/items/{item.pk}/", {"outcome": "pass"}
    )
    assert response.status_code == 403
    assert inspection.results.count() == 0


def test_the_hazard_page_shows_the_steps_its_workflow_allows(client_for, personas, building):
    hazard = f.hazard(personas["dangyuan"], building)
    mine = client_for("dangyuan").get(f"/safety/hazards/{hazard.pk}/").content.decode()
    assert 'data-step="confirm"' not in mine
    staff = client_for("wangge").get(f"/safety/hazards/{hazard.pk}/").content.decode()
    assert 'data-step="confirm"' in staff and 'data-step="dismiss"' in staff
    conflict = client_for("wangge").post(f"/safety/hazards/{hazard.pk}/close/")
    assert conflict.status_code == 409
    assert "当前状态为“已报告”，不能销号。" in conflict.content.decode()
    refused = client_for("dangyuan").post(f"/safety/hazards/{hazard.pk}/confirm/")
    assert refused.status_code == 403
    past = client_for("wangge").post(
        f"/safety/hazards/{hazard.pk}/confirm/", {"deadline": "2020-01-01"}
    )
    assert past.status_code == 400 and "整改时限不能早于今天。" in past.content.decode()
    ok = client_for("wangge").post(f"/safety/hazards/{hazard.pk}/confirm/")
    assert ok.status_code == 302


def test_a_rectification_without_evidence_is_refused_on_the_page(client_for, personas, building):
    hazard = f.hazard_in("rectifying", personas, building)
    response = client_for("dangyuan").post(
        f"/safety/hazards/{hazard.pk}/submit/", {"rectification": "已清理"}
    )
    assert response.status_code == 400
    assert "请上传整改后的照片作为证据。" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.state == "rectifying"


def test_a_report_from_the_page_with_a_past_deadline_is_refused(client_for, building):
    client = client_for("dangyuan")
    data = {
        "building": building.pk,
        "title": "电动车楼道充电",
        "category": "ebike",
        "severity": "major",
        "deadline": "2020-01-01",
    }
    response = client.post("/safety/hazards/new/", data)
    assert response.status_code == 400 and "整改时限不能早于今天。" in response.content.decode()
    data.pop("deadline")
    created = client.post("/safety/hazards/new/", {**data, "photos": [f.photo()]})
    assert created.status_code == 302
    hazard = Hazard.objects.get(building=building)
    assert hazard.photos.count() == 1


def test_the_colour_review_form_records_a_reason(client_for, building):
    refused = client_for("dangyuan").post(
        f"/safety/buildings/{building.pk}/review/", {"colour": "red", "reason": "复查"}
    )
    assert refused.status_code == 403
    missing = client_for("wangge").post(
        f"/safety/buildings/{building.pk}/review/", {"colour": "red"}
    )
    assert missing.status_code == 400
    ok = client_for("wangge").post(
        f"/safety/buildings/{building.pk}/review/", {"colour": "red", "reason": "违规住人"}
    )
    assert ok.status_code == 302
    building.refresh_from_db()
    assert building.safety_colour == "red"


@pytest.mark.parametrize(
    "url",
    ["/safety/hazards/", "/safety/hazards/?overdue=1", "/safety/due/", "/safety/due/?mine=1",
     "/safety/due/?escalated=1",
     "/safety/checklists/"],
)  # fmt: skip
def test_lists_answer_every_persona(client_for, personas, url):
    for name in personas:
        assert client_for(name).get(url).status_code == 200, name


def test_the_district_revises_a_checklist_on_its_page(client_for, personas, building):
    from xianfeng.safety import services as svc

    template = svc.current_template("rental")
    draft, _c = svc.inspection_start(actor=personas["dangyuan"], building=building)
    url = f"/safety/checklists/{template.pk}/"
    assert 'id="revise"' not in client_for("shequ").get(url).content.decode()
    data = {"yellow_fails": 1, "red_fails": 2, "red_days": 7, "yellow_days": 10,
            "green_days": 30, "note": "从严：两项不合格即为红色"}  # fmt: skip
    assert client_for("shequ").post(url, data).status_code == 403
    bad = client_for("qu").post(url, {**data, "red_fails": 0})
    assert bad.status_code == 400
    assert client_for("qu").post(url, {**data, "note": ""}).status_code == 400
    done = client_for("qu").post(url, data)
    assert done.status_code == 302
    fresh = svc.current_template("rental")
    assert (fresh.version, fresh.red_fails, fresh.yellow_days) == (template.version + 1, 2, 10)
    draft.refresh_from_db()
    assert draft.template_id == template.pk  # the open inspection keeps its version
    old_page = client_for("qu").get(url).content.decode()
    assert "旧版本" in old_page and 'id="revise"' not in old_page
