"""Staff put a meeting's or a visit's problem on the wall (page and API), and moderators edit
the public text of a problem or of its echo-wall result: the original stays in the history,
the public pages say it was edited, a duty record is written; bad input keeps what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.people.members import member_of
from xianfeng.public.models import EchoEntry, Problem
from xianfeng.public.tests.helpers import COMMUNITY, community, on_wall, published
from xianfeng.visits.tests.factories import household_under, visit_at

pytestmark = pytest.mark.django_db


def _visit(personas, findings: str = "3栋楼道堆放杂物，影响通行\n住户已知晓"):
    org = role_org(personas["wangge"])
    visit = visit_at(household_under(org), member_of(personas["wangge"]))
    visit.findings = findings
    visit.save(update_fields=["findings"])
    return visit


# --- raising a problem from a visit or a meeting ------------------------------------------


def test_a_visit_page_offers_the_wall_and_the_form_is_prefilled_from_its_findings(
    personas, client_for
):
    visit = _visit(personas)
    client = client_for("wangge")
    page = client.get(f"/work/visits/{visit.pk}/").content.decode()
    assert f"/public/problems/new/?visit={visit.pk}" in page
    form = client.get(f"/public/problems/new/?visit={visit.pk}")
    body = form.content.decode()
    assert form.status_code == 200
    assert 'value="3栋楼道堆放杂物，影响通行"' in body  # the title: the first line
    assert f'name="visit" value="{visit.pk}"' in body
    # An auditor reads the visit but puts nothing on the wall; a unit liaison sees no visit.
    assert (
        "/public/problems/new/"
        not in client_for("jiancha").get(f"/work/visits/{visit.pk}/").content.decode()
    )


def test_a_problem_from_a_visit_goes_straight_on_the_wall_linked_to_it(personas, client_for):
    visit = _visit(personas)
    client = client_for("wangge")
    response = client.post(
        "/public/problems/new/",
        {
            "visit": visit.pk,
            "organization": visit.organization_id,
            "source": "visit",
            "category": "safety",
            "title": "3栋楼道堆放杂物",
            "description": "影响通行",
            "source_note": "走访",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    problem = Problem.objects.get(title="3栋楼道堆放杂物")
    assert response.status_code == 302 and response["Location"] == problem.get_absolute_url()
    assert problem.visit == visit and problem.source == "visit" and problem.state == "accepted"
    assert problem.on_wall and problem.raised_by == personas["wangge"]
    assert DutyRecord.objects.filter(action="problem.report", object_id=str(problem.pk)).exists()
    wall = Client().get(f"/public/c/{problem.community.code}/").content.decode()
    assert "3栋楼道堆放杂物" in wall
    detail = client.get(problem.get_absolute_url()).content.decode()
    assert f"/work/visits/{visit.pk}/" in detail


def test_a_bad_raise_keeps_what_was_typed_and_stores_nothing(personas, client_for):
    client = client_for("shequ")
    before = Problem.objects.count()
    response = client.post(
        "/public/problems/new/",
        {
            "organization": community().pk,
            "source": "meeting",
            "category": "",
            "title": "x" * 61,
            "description": "六月议事日提出：<script>alert(1)</script>",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "问题类别" in body and "60" in body
    assert "六月议事日提出：&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert Problem.objects.count() == before


def test_a_visit_out_of_scope_or_a_resident_source_is_refused(personas, client_for):
    visit = _visit(personas)
    assert client_for("shequ2").get(f"/public/problems/new/?visit={visit.pk}").status_code == 404
    assert client_for("shequ").get("/public/problems/new/?visit=abc").status_code == 404
    response = client_for("shequ").post(
        "/public/problems/new/",
        {
            "organization": community().pk,
            "source": "resident",
            "category": "other",
            "title": "冒充居民反映",
        },
    )
    assert response.status_code == 400 and not Problem.objects.filter(title="冒充居民反映")


def test_the_api_raises_a_problem_from_a_visit_and_answers_bad_input_in_chinese(
    personas, client_for
):
    visit = _visit(personas)
    client = client_for("wangge")
    body = {
        "organization": visit.organization_id,
        "source": "visit",
        "category": "safety",
        "title": "楼道杂物",
        "visit_id": visit.pk,
    }
    response = client.post("/api/v1/problems", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["visit_id"] == visit.pk and data["state"] == "accepted"
    wrong = client.post(
        "/api/v1/problems", {**body, "source": "meeting"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "走访发现" in str(wrong.json())
    other = client_for("shequ2").post(
        "/api/v1/problems",
        {**body, "organization": role_org(personas["shequ2"]).pk},
        content_type="application/json",
    )
    assert other.status_code == 404  # the visit is not theirs


# --- moderators edit the public text ------------------------------------------------------


def test_a_moderator_edits_the_public_text_and_the_original_stays_in_history(personas, client_for):
    problem = on_wall(personas, title="王某某13900001234家门口垃圾", description="找王某某")
    client = client_for("shequ")
    form = client.get(f"/public/problems/{problem.pk}/edit/")
    assert form.status_code == 200 and "王某某13900001234家门口垃圾" in form.content.decode()
    response = client.post(
        f"/public/problems/{problem.pk}/edit/",
        {"title": "3栋门口垃圾", "description": "", "address": "", "reason": "删去个人信息"},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.title == "3栋门口垃圾" and problem.text_edited_at is not None
    original = problem.history.order_by("history_date", "history_id").first()
    assert original.title == "王某某13900001234家门口垃圾"
    latest = problem.history.order_by("-history_date", "-history_id").first()
    assert "删去个人信息" in latest.history_change_reason
    assert latest.history_user == personas["shequ"]
    assert DutyRecord.objects.filter(action="problem.edit", object_id=str(problem.pk)).exists()
    public = Client().get(f"/public/p/{problem.code}/").content.decode()
    assert "内容经管理员编辑" in public and "13900001234" not in public
    assert "删去个人信息" not in public  # the reason is for the history, not the wall
    wall = Client().get(f"/public/c/{COMMUNITY}/").content.decode()
    assert "内容经管理员编辑" in wall
    staff_page = client.get(problem.get_absolute_url()).content.decode()
    assert "王某某13900001234家门口垃圾" in staff_page  # the history shows the original


def test_an_edit_without_a_reason_or_a_change_is_refused_and_keeps_the_form(personas, client_for):
    problem = on_wall(personas, title="原来的标题")
    client = client_for("shequ")
    no_reason = client.post(
        f"/public/problems/{problem.pk}/edit/",
        {"title": "新的标题", "description": "新的描述", "reason": ""},
    )
    assert no_reason.status_code == 400
    assert 'id="id_reason_error"' in no_reason.content.decode()
    assert 'value="新的标题"' in no_reason.content.decode()
    same = client.post(
        f"/public/problems/{problem.pk}/edit/",
        {"title": "原来的标题", "description": "", "address": "", "reason": "无"},
    )
    assert same.status_code == 400 and "内容没有变化" in same.content.decode()
    problem.refresh_from_db()
    assert problem.title == "原来的标题" and problem.text_edited_at is None
    # An auditor sees it but does not moderate; another community's admin does not see it.
    assert client_for("jiancha").get(f"/public/problems/{problem.pk}/edit/").status_code == 403
    assert client_for("shequ2").get(f"/public/problems/{problem.pk}/edit/").status_code == 404


def test_a_moderator_edits_the_echo_walls_result(personas, client_for):
    problem = published(personas, phone="13900000501")
    client = client_for("shequ")
    assert "edit-result" in client.get(problem.get_absolute_url()).content.decode()
    response = client.post(
        f"/public/problems/{problem.pk}/edit-result/",
        {"result": "已更换灯泡，恢复照明（物业承担费用）", "reason": "补充费用来源"},
    )
    assert response.status_code == 302
    echo = EchoEntry.objects.get(problem=problem)
    problem.refresh_from_db()
    assert echo.result == "已更换灯泡，恢复照明（物业承担费用）" and echo.edited_at
    assert problem.result == echo.result
    assert echo.history.order_by("history_date").first().result == "已更换，恢复照明"
    echo_wall = Client().get(f"/public/c/{COMMUNITY}/echo/").content.decode()
    assert "物业承担费用" in echo_wall and "经管理员编辑" in echo_wall
    open311 = Client().get(f"/open311/v2/requests/problem-{problem.code}.json").json()
    assert "物业承担费用" in open311[0]["status_notes"]


def test_the_result_of_a_problem_not_yet_on_the_echo_wall_cannot_be_edited(personas, client_for):
    problem = on_wall(personas)
    client = client_for("shequ")
    assert client.get(f"/public/problems/{problem.pk}/edit-result/").status_code == 404
    refused = client.post(
        f"/public/problems/{problem.pk}/edit-result/", {"result": "x", "reason": "y"}
    )
    assert refused.status_code == 409 and "还没有在回音壁公开" in refused.content.decode()


def test_the_api_edits_text_and_result(personas, client_for):
    problem = published(personas, phone="13900000502")
    client = client_for("shequ")
    text = client.post(
        f"/api/v1/problems/{problem.pk}/edit-text",
        {"title": "路灯不亮", "description": "", "address": "", "reason": "改写标题"},
        content_type="application/json",
    )
    assert text.status_code == 200 and text.json()["text_edited_at"]
    result = client.post(
        f"/api/v1/problems/{problem.pk}/edit-result",
        {"result": "已修复", "reason": "简化"},
        content_type="application/json",
    )
    assert result.status_code == 200
    assert EchoEntry.objects.get(problem=problem).result == "已修复"
    empty = client.post(
        f"/api/v1/problems/{problem.pk}/edit-result",
        {"result": "已修复", "reason": ""},
        content_type="application/json",
    )
    assert empty.status_code == 400 and "编辑的理由" in str(empty.json())
