"""Issue 12, items 4-6: party-member landlords (党员出租户, 责任领办), small works (零星工程:
预动工、先报备) and focus days (集中整治日) — services, pages and API, the ledger at every act,
and bad input answered in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core import workflow
from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.places.models import Building
from xianfeng.safety import selectors, services
from xianfeng.safety import services_works as ws
from xianfeng.safety.choices import HazardCategory, HazardSource, HazardState, WorksState
from xianfeng.safety.models import FocusDay, Hazard, SmallWork
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def _ledger(kind: str, obj) -> int:
    return DutyRecord.objects.filter(action=kind, object_id=str(obj.pk)).count()


def _form(place, **over):
    today = timezone.localdate()
    data = {
        "community": str(place.pk),
        "applicant": "李师傅",
        "phone": "13800138000",
        "site": "无名巷外9号（测试）",
        "kind": "renovation",
        "start_on": (today + timedelta(days=1)).isoformat(),
        "end_on": (today + timedelta(days=20)).isoformat(),
        "measures": "配备2具灭火器，材料不占用楼道，动火作业先审批",
        "contractor": "安居装饰",
        "description": "厨房卫生间改造",
    }
    data.update(over)
    return data


def _file(place, **over) -> SmallWork:
    return ws.works_file(client_ip="10.0.0.1", **_form(place, **over))


@pytest.fixture
def side_a(personas):
    branch = role_org(personas["wangge"])
    building = f.building_under(branch)
    return {"branch": branch, "community": branch.parent, "building": building}


# --- small works: filing --------------------------------------------------------------------


def test_anyone_files_small_works_on_the_public_page_and_gets_a_status_link(client, side_a):
    building = side_a["building"]
    response = client.get("/safety/works/file/")
    assert response.status_code == 200 and "零星工程报备" in response.content.decode()
    data = _form(side_a["community"], site=f"{building.address}2单元301")
    before = set(SmallWork.objects.values_list("pk", flat=True))
    response = client.post("/safety/works/file/", data)
    assert response.status_code == 302
    works = SmallWork.objects.exclude(pk__in=before).get()
    assert works.state == WorksState.FILED and works.building == building
    assert works.organization == building.organization
    assert works.phone == "13800138000" and works.phone_index  # kept encrypted, searchable
    assert _ledger("works.file", works) == 1
    page = client.get(response.url)
    assert page.status_code == 200
    assert "已报备" in page.content.decode() and "138****8000" in page.content.decode()


def test_a_filing_with_bad_input_is_refused_in_chinese_and_keeps_what_was_typed(client, side_a):
    today = timezone.localdate()
    data = _form(
        side_a["community"],
        measures="",
        phone="12345",
        start_on=(today - timedelta(days=1)).isoformat(),
    )
    before = SmallWork.objects.count()
    response = client.post("/safety/works/file/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "请写明施工期间的安全措施" in body
    assert "零星工程须在开工前报备" in body
    assert "电话应为11位手机号" in body
    assert "厨房卫生间改造" in body  # what was typed stays
    assert SmallWork.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("community", "999999", "请选择施工地点所在的社区"),
        ("kind", "rocket", "请选择工程类别"),
        ("end_on", "2000-01-01", "完工日期不能早于开工日期"),
        ("start_on", "2021-13-40", "日期格式应为2021-03-05"),
        ("site", "", "请填写施工地点"),
    ],
)
def test_each_bad_field_gets_its_own_message(side_a, field, value, message):
    with pytest.raises(ValidationError) as caught:
        _file(side_a["community"], **{field: value})
    assert message in " ".join(caught.value.message_dict[field])


def test_filing_is_rate_limited_per_phone(client, side_a):
    before = SmallWork.objects.count()
    for _n in range(ws.WORKS_LIMITS["phone"][0]):
        assert client.post("/safety/works/file/", _form(side_a["community"])).status_code == 302
    response = client.post("/safety/works/file/", _form(side_a["community"]))
    assert response.status_code == 429 and "提交太频繁" in response.content.decode()
    assert SmallWork.objects.count() == before + ws.WORKS_LIMITS["phone"][0]


def test_the_filing_page_has_a_qr_code_per_community(client, side_a):
    response = client.get(f"/safety/works/file/qr.svg?community={side_a['community'].pk}")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert client.get("/safety/works/file/qr.svg?community=abc").status_code == 404


def test_a_forged_status_link_is_refused(client):
    response = client.get("/safety/works/s/forged-token/")
    assert response.status_code == 404 and "链接无效" in response.content.decode()


# --- small works: the community's steps -----------------------------------------------------


def test_the_community_accepts_checks_and_finishes_works(personas, side_a):
    works = _file(side_a["community"])
    assert works.building is None  # the site matched no building
    workflow.take(
        works, "accept", actor=personas["shequ"], building=side_a["building"].code, note="注意动火"
    )
    works.refresh_from_db()
    assert works.state == WorksState.ACCEPTED and works.building == side_a["building"]
    assert works.decided_by == personas["shequ"]
    workflow.take(
        works, "inspect", actor=personas["dangyuan"], finding="现场有灭火器", problem=False
    )
    workflow.take(
        works, "inspect", actor=personas["dangyuan"], finding="楼道堆放材料", problem=True
    )
    works.refresh_from_db()
    assert works.checks == 2
    hazard = Hazard.objects.get(building=side_a["building"], category=HazardCategory.WORKS)
    assert hazard.source == HazardSource.PATROL and hazard.responsible_name == "安居装饰"
    assert _ledger("works.inspect", works) == 2 and _ledger("hazard.report", hazard) == 1
    workflow.take(works, "finish", actor=personas["shequ"])
    works.refresh_from_db()
    assert works.state == WorksState.FINISHED and _ledger("works.finish", works) == 1


def test_a_member_may_check_works_but_not_accept_them(personas, side_a):
    works = _file(side_a["community"])
    with pytest.raises(PermissionDenied) as caught:
        workflow.take(works, "accept", actor=personas["dangyuan"])
    assert "只有工程所在社区或网格的书记、管理员" in str(caught.value)


def test_declining_needs_a_reason_and_a_declined_filing_cannot_be_accepted(personas, side_a):
    works = _file(side_a["community"])
    with pytest.raises(ValidationError) as caught:
        workflow.take(works, "decline", actor=personas["shequ"], reason=" ")
    assert "请写明不予受理的理由" in str(caught.value)
    workflow.take(works, "decline", actor=personas["shequ"], reason="属于违法搭建，不予受理")
    with pytest.raises(workflow.StateConflict):
        workflow.take(works, "accept", actor=personas["shequ"])
    assert _ledger("works.decline", works) == 1 and _ledger("works.accept", works) == 0


def test_accepting_with_a_building_outside_scope_is_refused(personas, side_a):
    works = _file(side_a["community"])
    elsewhere = f.building_under(role_org(personas["shequ2"]))
    with pytest.raises(ValidationError) as caught:
        workflow.take(works, "accept", actor=personas["shequ"], building=elsewhere.code)
    assert "楼栋编码不存在" in str(caught.value)
    works.refresh_from_db()
    assert works.state == WorksState.FILED


def test_a_problem_on_works_without_a_building_cannot_become_a_hazard(personas, side_a):
    works = _file(side_a["community"])
    workflow.take(works, "accept", actor=personas["shequ"])
    with pytest.raises(ValidationError) as caught:
        # with no building the works sit with the community: its staff check them
        workflow.take(works, "inspect", actor=personas["shequ"], finding="无证动火", problem=True)
    assert "还没有关联楼栋" in str(caught.value)
    works.refresh_from_db()
    assert works.checks == 0


def test_works_outside_scope_are_not_found_on_the_pages(client_for, side_a):
    works = _file(side_a["community"])
    assert client_for("shequ").get(f"/safety/works/{works.pk}/").status_code == 200
    assert client_for("shequ2").get(f"/safety/works/{works.pk}/").status_code == 404
    response = client_for("shequ2").post(f"/safety/works/{works.pk}/accept/")
    assert response.status_code == 404


def test_the_works_list_pages_in_the_database(
    client_for, personas, side_a, django_assert_max_num_queries
):
    client = client_for("shequ")
    client.get("/safety/works/")  # warm the session and roles
    for n in range(5):
        _file(side_a["community"], phone=f"1380013800{n}")
    seen = SmallWork.objects.restrict(personas["shequ"]).count()
    with django_assert_max_num_queries(14):
        response = client.get("/safety/works/")
    assert response.status_code == 200
    assert response.content.decode().count("data-works=") == min(seen, settings.PAGE_SIZE)


# --- small works found unfiled on patrol ----------------------------------------------------


def test_unfiled_works_found_on_patrol_become_a_hazard(client_for, side_a):
    building = side_a["building"]
    client = client_for("dangyuan")
    assert client.get(f"/safety/buildings/{building.pk}/unfiled-works/").status_code == 200
    response = client.post(
        f"/safety/buildings/{building.pk}/unfiled-works/",
        {"description": "一楼商铺正在拆墙，未见报备", "severity": "major"},
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get(building=building)
    assert hazard.title.startswith("未报备擅自施工") and hazard.severity == "major"
    assert hazard.source == HazardSource.PATROL and hazard.state == HazardState.REPORTED
    assert _ledger("hazard.report", hazard) == 1


def test_works_that_were_filed_are_checked_not_reported_as_unfiled(personas, side_a):
    works = _file(side_a["community"])
    workflow.take(works, "accept", actor=personas["shequ"], building=side_a["building"].code)
    SmallWork.objects.filter(pk=works.pk).update(start_on=timezone.localdate())
    with pytest.raises(ValidationError) as caught:
        ws.works_unfiled(
            actor=personas["dangyuan"], building=side_a["building"], description="在装修"
        )
    assert "已受理的零星工程报备" in str(caught.value)


def test_an_auditor_cannot_report_unfiled_works(client_for, side_a):
    building = side_a["building"]
    response = client_for("jiancha").post(
        f"/safety/buildings/{building.pk}/unfiled-works/", {"description": "x", "severity": "minor"}
    )
    assert response.status_code == 403 and not Hazard.objects.filter(building=building).exists()


# --- small works: the API -------------------------------------------------------------------


def test_the_public_api_files_works_and_answers_their_status(client, side_a):
    data = _form(side_a["community"])
    data["community"] = side_a["community"].pk
    response = client.post("/api/v1/safety/public/works", data, content_type="application/json")
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    status = client.get(f"/api/v1/safety/public/works/{token}")
    assert status.status_code == 200 and status.json()["state"] == "filed"
    assert client.get("/api/v1/safety/public/works/nonsense").status_code == 404
    bad = client.post(
        "/api/v1/safety/public/works",
        {**data, "measures": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "安全措施" in str(bad.json()["errors"])


def test_the_public_api_is_rate_limited(client, side_a):
    data = _form(side_a["community"])
    data["community"] = side_a["community"].pk
    answers = [
        client.post("/api/v1/safety/public/works", data, content_type="application/json")
        for _ in range(ws.WORKS_LIMITS["phone"][0] + 1)
    ]
    assert [a.status_code for a in answers][-2:] == [201, 429]
    assert answers[-1].json()["detail"]


def test_staff_take_the_works_steps_through_the_api(client_for, side_a):
    works = _file(side_a["community"])
    shequ = client_for("shequ")
    listed = shequ.get("/api/v1/safety/works?state=filed").json()
    mine = [w for w in listed["results"] if w["id"] == works.pk]
    assert mine and mine[0]["phone"] == "138****8000"
    assert all(w["state"] == "filed" for w in listed["results"])
    detail = shequ.get(f"/api/v1/safety/works/{works.pk}").json()
    assert set(detail["actions"]) == {"accept", "decline"}
    response = shequ.post(
        f"/api/v1/safety/works/{works.pk}/accept",
        {"building": side_a["building"].code},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    again = shequ.post(f"/api/v1/safety/works/{works.pk}/accept", content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"]
    member = client_for("dangyuan")
    refused = member.post(
        f"/api/v1/safety/works/{works.pk}/finish", content_type="application/json"
    )
    assert refused.status_code == 403
    checked = member.post(
        f"/api/v1/safety/works/{works.pk}/inspect",
        {"finding": "楼道堆放材料", "problem": True},
        content_type="application/json",
    )
    assert checked.status_code == 200 and checked.json()["checks"] == 1
    assert client_for("shequ2").get(f"/api/v1/safety/works/{works.pk}").status_code == 404


def test_unfiled_works_through_the_api_are_stored_once_per_client_key(client_for, side_a):
    client = client_for("dangyuan")
    body = {
        "building": side_a["building"].pk,
        "description": "楼顶在电焊，未报备",
        "client_key": "k-1",
    }
    first = client.post("/api/v1/safety/works/unfiled", body, content_type="application/json")
    again = client.post("/api/v1/safety/works/unfiled", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["hazard_id"] == again.json()["hazard_id"]
    assert Hazard.objects.filter(building=side_a["building"]).count() == 1
    other = client_for("shequ2").post(
        "/api/v1/safety/works/unfiled", body, content_type="application/json"
    )
    assert other.status_code == 400 and "building" in other.json()["errors"]


# --- focus days -----------------------------------------------------------------------------


@pytest.fixture
def street(personas):
    return role_org(personas["jiedao"])


def test_the_street_schedules_a_tuesday_picks_the_hardest_hazards_and_records_it(
    personas, street, side_a
):
    jiedao = personas["jiedao"]
    building = side_a["building"]
    minor = f.hazard(personas["wangge"], building, severity="minor", title="灭火器过期")
    major = f.hazard(personas["wangge"], building, severity="major", title="三合一住人")
    coming = ws.next_tuesday()
    assert coming.weekday() == 1 and timezone.localdate() <= coming  # 每周二
    assert coming - timezone.localdate() < timedelta(days=7)
    # The demo district holds the coming Tuesday already: a Tuesday a month on.
    day = ws.focus_schedule(
        actor=jiedao, organization=street, day=coming + timedelta(days=28), theme="出租屋消防"
    )
    assert _ledger("focus.schedule", day) == 1
    ranked = [h.pk for h in ws.focus_candidates(jiedao, day) if h.pk in (minor.pk, major.pk)]
    assert ranked == [major.pk, minor.pk]
    workflow.take(day, "pick", actor=jiedao, hazards=[major.pk, minor.pk])
    assert set(day.picks.values_list("hazard_id", flat=True)) == {major.pk, minor.pk}
    # Held today, or yesterday when today is a Tuesday the demo already holds (one per day).
    held = timezone.localdate()
    if held.weekday() == 1:
        held -= timedelta(days=1)
    FocusDay.objects.filter(pk=day.pk).update(day=held)
    day.refresh_from_db()
    members = [persona_member("dangyuan"), persona_member("wangge")]
    workflow.take(
        day,
        "record",
        actor=jiedao,
        summary="检查出租屋12户，清理楼道",
        attendees=[m.pk for m in members],
        resolved=[minor.pk],
        others="消防中队2人",
    )
    day.refresh_from_db()
    assert day.state == "held" and day.others == "消防中队2人"
    assert set(day.attendees.all()) == set(members)
    assert list(day.picks.filter(resolved=True).values_list("hazard_id", flat=True)) == [minor.pk]
    assert _ledger("focus.record", day) == 1 and _ledger("focus.attend", day) == 2
    assert set(
        DutyRecord.objects.filter(action="focus.attend").values_list("member_id", flat=True)
    ) == {m.pk for m in members}
    with pytest.raises(workflow.StateConflict):
        workflow.take(day, "record", actor=jiedao, summary="again", attendees=[members[0].pk])


def test_a_community_cannot_schedule_a_focus_day_and_a_day_is_scheduled_once(personas, street):
    with pytest.raises(PermissionDenied):
        ws.focus_schedule(
            actor=personas["shequ"], organization=street, day=None, theme="电动车入户"
        )
    with pytest.raises(ValidationError) as caught:
        ws.focus_schedule(
            actor=personas["jiedao"], organization=street.children.first(), day=None, theme="x"
        )
    assert "由街道党工委安排" in str(caught.value)
    later = ws.next_tuesday() + timedelta(days=35)
    ws.focus_schedule(actor=personas["jiedao"], organization=street, day=later, theme="一")
    with pytest.raises(ValidationError) as caught:
        ws.focus_schedule(actor=personas["jiedao"], organization=street, day=later, theme="二")
    assert "这一天已经安排了" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        ws.focus_schedule(
            actor=personas["jiedao"],
            organization=street,
            day=timezone.localdate() - timedelta(days=1),
            theme="三",
        )
    assert "不能早于今天" in str(caught.value)


def test_a_focus_day_refuses_hazards_outside_the_street_and_early_records(personas, street):
    jiedao = personas["jiedao"]
    day = ws.focus_schedule(
        actor=jiedao, organization=street, day=timezone.localdate() + timedelta(days=60), theme="x"
    )
    elsewhere = f.hazard(personas["admin"], f.building_under(role_org(personas["shequ2"])))
    with pytest.raises(ValidationError) as caught:
        workflow.take(day, "pick", actor=jiedao, hazards=[elsewhere.pk])
    assert "不在该街道" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        workflow.take(day, "pick", actor=jiedao, hazards=[])
    assert "请至少选择一处隐患" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        workflow.take(
            day, "record", actor=jiedao, summary="x", attendees=[persona_member("dangyuan").pk]
        )
    assert "整治日还没到" in str(caught.value)
    day.refresh_from_db()
    assert day.state == "planned" and _ledger("focus.record", day) == 0


def test_focus_day_pages_and_api(client_for, personas, street, side_a):
    hazard = f.hazard(personas["wangge"], side_a["building"], severity="major")
    client = client_for("jiedao")
    assert client.get("/safety/focus/new/").status_code == 200
    next_week = (ws.next_tuesday() + timedelta(days=7)).isoformat()
    response = client.post(
        "/safety/focus/new/", {"organization": street.pk, "day": next_week, "theme": "楼道堆物"}
    )
    assert response.status_code == 302
    day = FocusDay.objects.get(theme="楼道堆物")
    page = client.get(f"/safety/focus/{day.pk}/")
    assert page.status_code == 200 and f'value="{hazard.pk}"' in page.content.decode()
    response = client.post(f"/safety/focus/{day.pk}/pick/", {"hazards": [str(hazard.pk)]})
    assert response.status_code == 302 and day.picks.count() == 1
    assert client.post(f"/safety/focus/{day.pk}/pick/", {}).status_code == 400
    assert client_for("shequ").get(f"/safety/focus/{day.pk}/").status_code == 404
    api = client.get(f"/api/v1/safety/focus-days/{day.pk}").json()
    assert api["hazards"][0]["hazard_id"] == hazard.pk and "pick" in api["actions"]
    created = client.post(
        "/api/v1/safety/focus-days",
        {"organization": street.pk, "theme": "电动车", "day": "2000-01-04"},
        content_type="application/json",
    )
    assert created.status_code == 400 and "day" in created.json()["errors"]
    early = client.post(
        f"/api/v1/safety/focus-days/{day.pk}/record",
        {"summary": "x", "attendees": [persona_member("dangyuan").pk]},
        content_type="application/json",
    )
    assert early.status_code == 400 and "整治日还没到" in str(early.json())
    member = client_for("dangyuan").post(
        f"/api/v1/safety/focus-days/{day.pk}/pick",
        {"hazards": [hazard.pk]},
        content_type="application/json",
    )
    assert member.status_code == 404


# --- party-member landlords (党员出租户) -------------------------------------------------------


@pytest.fixture
def landlord_building(personas):
    """A rental building in shequ2's community (side B) let by dangyuan, a member of side A."""
    member = persona_member("dangyuan")
    building = f.building_under(role_org(personas["shequ2"]))
    Building.objects.filter(pk=building.pk).update(landlord=member.person)
    building.refresh_from_db()
    return building


def test_a_hazard_on_a_party_member_landlords_building_is_seen_by_their_branch(
    personas, landlord_building
):
    member = persona_member("dangyuan")
    hazard = f.hazard(personas["shequ2"], landlord_building)
    assert hazard.lead_branch_id == member.branch_id
    for name in ("dangyuan", "wangge", "shequ", "jiedao"):
        assert selectors.hazards(personas[name]).filter(pk=hazard.pk).exists(), name
    assert not selectors.hazards(personas["danwei"]).filter(pk=hazard.pk).exists()
    plain = f.building_under(role_org(personas["shequ2"]))
    other = f.hazard(personas["shequ2"], plain)
    assert other.lead_branch_id is None
    assert not selectors.hazards(personas["dangyuan"]).filter(pk=other.pk).exists()


def test_the_landlord_sees_the_duty_they_lead_on_their_home_page(
    client_for, personas, landlord_building
):
    hazard = f.hazard(personas["shequ2"], landlord_building, title="楼道电动车充电")
    page = client_for("dangyuan").get("/").content.decode()
    assert 'id="led-duty"' in page and landlord_building.name in page and hazard.title in page
    assert 'id="led-duty"' not in client_for("shequ2").get("/").content.decode()
    building_page = client_for("shequ2").get(f"/safety/buildings/{landlord_building.pk}/")
    assert 'id="party-landlord"' in building_page.content.decode()
    detail = client_for("dangyuan").get(f"/api/v1/hazards/{hazard.pk}").json()
    assert detail["lead_branch_id"] == persona_member("dangyuan").branch_id
    # Seen, not acted on: the branch leads the duty, the building's organization runs the case.
    refused = client_for("wangge").post(
        f"/api/v1/hazards/{hazard.pk}/confirm", content_type="application/json"
    )
    assert refused.status_code == 403


def test_services_reexport_the_works_and_focus_writes():
    assert services.works_file is ws.works_file and services.focus_schedule is ws.focus_schedule
