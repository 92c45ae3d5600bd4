"""群众投诉: a resident complains from the order's own page, staff record one received by
phone, the community verifies it through the workflow; 属实 writes one
``complaint.confirmed`` record per member concerned, which the point rules deduct for and the
不合格党员 procedure opens on; the resident sees the outcome. Bad input is refused in Chinese."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take
from xianfeng.demo.base import persona_member
from xianfeng.services import complaints, services
from xianfeng.services.choices import ComplaintSource, ComplaintState, ComplaintSubject, OrderState
from xianfeng.services.models import Complaint
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _records(obj: Complaint, action: str) -> list[DutyRecord]:
    return list(DutyRecord.objects.filter(object_id=str(obj.pk), action=action).order_by("id"))


@pytest.fixture
def served(personas):
    return f.order_in(OrderState.DONE, personas)


def test_a_resident_complains_from_the_orders_page_and_the_member_is_named(client, served):
    token = services.rating_token(served)
    response = client.post(f"/services/r/{token}/complaint/", {"content": "态度很差，敷衍了事"})
    assert response.status_code == 302
    complaint = Complaint.objects.get(order=served)
    assert complaint.state == ComplaintState.PENDING
    assert complaint.source == ComplaintSource.RESIDENT
    assert complaint.subject == ComplaintSubject.ORDER
    assert complaint.organization == served.organization
    assert list(complaint.members.all()) == [persona_member("dangyuan")]
    assert [r.actor_id for r in _records(complaint, "complaint.create")] == [None]
    page = client.get(f"/services/r/{token}/")
    assert "态度很差，敷衍了事" in page.content.decode() and "待核实" in page.content.decode()


@pytest.mark.parametrize(
    ("text", "message"), [("  ", "请写明投诉的内容"), ("很" * 501, "请不超过500个字")]
)
def test_empty_or_too_long_text_is_refused_and_what_was_typed_stays(client, served, text, message):
    token = services.rating_token(served)
    response = client.post(f"/services/r/{token}/complaint/", {"content": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.filter(order=served).exists()


def test_the_api_refuses_empty_text_with_a_chinese_json_error(client, served):
    token = services.rating_token(served)
    response = client.post(
        f"/api/v1/public/orders/{token}/complaints", {"content": ""}, content_type=JSON
    )
    assert response.status_code == 400
    assert "请写明投诉的内容" in str(response.json())


def test_a_forged_link_or_an_unknown_short_code_reaches_no_order(client, served):
    token = services.rating_token(served)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(
        f"/api/v1/public/orders/{forged}/complaints", {"content": "投诉"}, content_type=JSON
    )
    assert response.status_code == 403 and "无效" in response.json()["detail"]
    page = client.post(f"/services/r/{forged}/complaint/", {"content": "投诉"})
    assert page.status_code == 403
    unknown = client.post("/services/public/rate/", {"code": "ZZZZZZZZ", "tail": "1234"})
    assert unknown.status_code == 403 and "点单号或手机号后四位不正确" in unknown.content.decode()
    assert not Complaint.objects.filter(order=served).exists()


def test_a_flood_of_complaints_on_one_order_is_throttled(client, served):
    token = services.rating_token(served)
    codes = [
        client.post(
            f"/api/v1/public/orders/{token}/complaints",
            {"content": f"第{n}次投诉"},
            content_type=JSON,
            REMOTE_ADDR=f"10.9.0.{n}",
        ).status_code
        for n in range(1, 6)
    ]
    assert codes == [201, 201, 201, 429, 429]
    assert Complaint.objects.filter(order=served).count() == 3


def test_confirmation_writes_one_record_per_member_and_a_second_is_refused(personas, served):
    other = persona_member("wangge")
    complaint = complaints.complaint_record(
        actor=personas["shequ"],
        subject=ComplaintSubject.ORDER,
        order_code=served.code.lower(),
        member=other.pk,
        content="电话反映：两位党员都没有上门",
    )
    assert complaint.source == ComplaintSource.PHONE and complaint.created_by == personas["shequ"]
    assert {m.pk for m in complaint.members.all()} == {persona_member("dangyuan").pk, other.pk}
    take(complaint, "confirm", actor=personas["shequ"], finding="经回访属实")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CONFIRMED and complaint.finding == "经回访属实"
    records = _records(complaint, "complaint.confirmed")
    assert sorted(r.member_id for r in records) == sorted([persona_member("dangyuan").pk, other.pk])
    assert all(r.verified and r.actor == personas["shequ"] for r in records)
    with pytest.raises(StateConflict, match="已经核实过了"):
        take(complaint, "confirm", actor=personas["shequ"], finding="再核实一次")
    with pytest.raises(StateConflict):
        take(complaint, "dismiss", actor=personas["shequ"], reason="不属实")
    assert len(_records(complaint, "complaint.confirmed")) == 2


def test_verification_needs_a_finding_or_a_reason(personas, served):
    complaint = complaints.complaint_from_resident(order=served, content="没人上门", throttle=False)
    with pytest.raises(ValidationError, match="请写明核实情况"):
        take(complaint, "confirm", actor=personas["shequ"], finding=" ")
    with pytest.raises(ValidationError, match="请写明不属实的理由"):
        take(complaint, "dismiss", actor=personas["shequ"], reason="")
    take(complaint, "dismiss", actor=personas["shequ"], reason="回访邻居，党员已按时上门")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.DISMISSED
    assert _records(complaint, "complaint.confirmed") == []
    assert [r.member_id for r in _records(complaint, "complaint.dismissed")] == [None]


def test_the_member_complained_about_may_not_verify_it(personas, served):
    """``wangge`` is the grid branch's secretary (staff in scope) and a member too: named in
    the complaint, they are refused; the community's staff may verify."""
    complaint = complaints.complaint_record(
        actor=personas["shequ"],
        subject=ComplaintSubject.ORDER,
        order_code=served.code,
        member=persona_member("wangge").pk,
        content="电话反映：网格书记推诿",
    )
    with pytest.raises(PermissionDenied, match="被投诉的党员不能核实"):
        take(complaint, "confirm", actor=personas["wangge"], finding="不属实")
    with pytest.raises(PermissionDenied):
        take(complaint, "confirm", actor=personas["dangyuan"], finding="不属实")
    unnamed = complaints.complaint_from_resident(order=served, content="慢", throttle=False)
    take(unnamed, "confirm", actor=personas["wangge"], finding="属实，办理拖延")


def test_staff_cannot_record_a_complaint_on_an_order_outside_their_scope(personas, served):
    with pytest.raises(ValidationError) as caught:
        complaints.complaint_record(
            actor=personas["shequ2"],
            subject=ComplaintSubject.ORDER,
            order_code=served.code,
            content="投诉",
        )
    assert "没有这个点单号" in str(caught.value.message_dict["order_code"])
    with pytest.raises(ValidationError) as caught:
        complaints.complaint_record(
            actor=personas["shequ"], subject="", order_code=served.code, content=""
        )
    assert set(caught.value.message_dict) == {"subject", "content"}


def test_a_complaint_about_a_problem_needs_its_code_and_a_community_in_scope(personas):
    community_a = role_org(personas["shequ"])
    community_b = role_org(personas["shequ2"])
    with pytest.raises(ValidationError) as caught:
        complaints.complaint_record(
            actor=personas["shequ"],
            subject=ComplaintSubject.PROBLEM,
            community=community_b.pk,
            content="问题墙上的楼道堆物一直没人管",
        )
    assert set(caught.value.message_dict) == {"problem_code", "community"}
    complaint = complaints.complaint_record(
        actor=personas["shequ"],
        subject=ComplaintSubject.PROBLEM,
        problem_code="P123456",
        community=community_a.pk,
        member=persona_member("dangyuan").pk,
        content="问题墙上的楼道堆物一直没人管",
    )
    assert complaint.organization == community_a and complaint.problem_code == "P123456"
    assert list(complaint.members.all()) == [persona_member("dangyuan")]


def test_the_point_rules_deduct_and_the_conduct_procedure_opens_on_a_confirmed_complaint(
    personas, served
):
    from xianfeng.scoring import conduct
    from xianfeng.scoring import services as scoring
    from xianfeng.scoring.models import ConductCase, PointEntry, PointRule

    # the demo district's rules deduct for it (demo/scoring.py)
    assert PointRule.objects.filter(kind="complaint.confirmed", points__lt=0).exists()
    scoring.award_pending(lag=timedelta(0))
    conduct.conduct_open_pending(lag=timedelta(0))
    complaint = complaints.complaint_from_resident(order=served, content="送错了药", throttle=False)
    take(complaint, "confirm", actor=personas["shequ"], finding="属实")
    record = _records(complaint, "complaint.confirmed")[0]
    scoring.award_pending(lag=timedelta(0))
    entry = PointEntry.objects.get(record=record)
    assert entry.member_id == persona_member("dangyuan").pk and entry.points < Decimal(0)
    assert conduct.conduct_open_pending(lag=timedelta(0)) == 1
    case = ConductCase.objects.get(record=record)
    assert case.member_id == persona_member("dangyuan").pk and "属实" in case.reason


def test_the_resident_sees_the_outcome_on_the_orders_page(client, personas, served):
    complaint = complaints.complaint_from_resident(order=served, content="没人上门", throttle=False)
    take(complaint, "dismiss", actor=personas["shequ"], reason="党员已按时上门，有照片为证")
    token = services.rating_token(served)
    page = client.get(f"/services/r/{token}/").content.decode()
    assert "不属实" in page and "党员已按时上门，有照片为证" in page
    body = client.get(f"/api/v1/public/orders/{token}/complaints").json()
    assert body[0]["state"] == "dismissed" and body[0]["finding"] == "党员已按时上门，有照片为证"


def test_the_staff_list_is_paginated_with_a_fixed_number_of_queries(client_for, personas, served):
    client = client_for("shequ")
    for n in range(3):
        complaints.complaint_from_resident(order=served, content=f"投诉{n}", throttle=False)
    client.get("/services/complaints/")  # warm the caches of the page's frame
    with CaptureQueriesContext(connection) as few:
        assert client.get("/services/complaints/").status_code == 200
    for n in range(12):
        complaints.complaint_from_resident(order=served, content=f"再投诉{n}", throttle=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/services/complaints/")
    assert response.status_code == 200 and "再投诉11" in response.content.decode()
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as api_few:
        client.get("/api/v1/complaints?page_size=2")
    with CaptureQueriesContext(connection) as api_many:
        body = client.get("/api/v1/complaints?page_size=50").json()
    assert body["count"] >= 15 and body["results"][0]["members"][0]["name"]
    assert len(api_many) == len(api_few)


def test_double_confirmation_on_the_api_answers_409_in_chinese(client_for, personas, served):
    complaint = complaints.complaint_from_resident(order=served, content="没人上门", throttle=False)
    client = client_for("shequ")
    url = f"/api/v1/complaints/{complaint.pk}/confirm"
    first = client.post(url, {"finding": "属实"}, content_type=JSON)
    assert first.status_code == 200 and first.json()["state"] == "confirmed"
    second = client.post(url, {"finding": "属实"}, content_type=JSON)
    assert second.status_code == 409 and "已经核实过了" in second.json()["detail"]


def test_staff_record_on_the_api_and_the_page_with_chinese_errors(client_for, personas, served):
    client = client_for("shequ")
    bad = client.post("/api/v1/complaints", {"subject": "order", "content": ""}, content_type=JSON)
    assert bad.status_code == 400 and "请写明投诉的内容" in str(bad.json())
    made = client.post(
        "/api/v1/complaints",
        {"subject": "order", "order_code": served.code, "content": "电话投诉：服务慢"},
        content_type=JSON,
    )
    assert made.status_code == 201 and made.json()["members"][0]["id"] == served.assignee_id
    assert set(made.json()["actions"]) == {"confirm", "dismiss"}
    page = client.post(
        "/services/complaints/new/",
        {"subject": "order", "order_code": "NOPE1234", "content": "投诉"},
    )
    assert page.status_code == 400 and "没有这个点单号" in page.content.decode()
    page = client.post(
        "/services/complaints/new/",
        {"subject": "order", "order_code": served.code, "content": "投诉服务慢"},
    )
    assert page.status_code == 302
    assert Complaint.objects.filter(content="投诉服务慢", created_by=personas["shequ"]).exists()


def test_the_reporter_of_a_problem_complains_from_their_link_and_sees_the_outcome(personas):
    """A problem of the wall (``public``) solved by ``dangyuan``: the reporter complains from
    their own link, the member who solved it is named; a forged link reaches nothing."""
    from django.test import Client

    from xianfeng.core.models import User
    from xianfeng.public.models import Problem
    from xianfeng.public.tests.helpers import published

    problem = published(personas)
    Problem.objects.filter(pk=problem.pk).update(solved_by=User.objects.get(username="dangyuan"))
    problem.refresh_from_db()
    resident = Client()
    link = problem.get_reporter_url()
    empty = resident.post(link, {"action": "complain", "content": ""})
    assert empty.status_code == 400 and "请写明投诉的内容" in empty.content.decode()
    forged = Client().post(
        f"/public/p/{problem.code}/forged/", {"action": "complain", "content": "投诉"}
    )
    assert forged.status_code == 404
    assert (
        resident.post(link, {"action": "complain", "content": "说修好了其实没修"}).status_code
        == 302
    )
    complaint = Complaint.objects.get(problem_code=problem.code)
    assert complaint.subject == ComplaintSubject.PROBLEM and complaint.order_id is None
    assert complaint.organization_id == problem.organization_id
    assert list(complaint.members.all()) == [persona_member("dangyuan")]
    take(complaint, "confirm", actor=personas["shequ"], finding="复查属实，已重新交办")
    page = resident.get(link).content.decode()
    assert "复查属实，已重新交办" in page and "属实" in page
    assert [r.member_id for r in _records(complaint, "complaint.confirmed")] == [
        persona_member("dangyuan").pk
    ]


def test_the_order_page_links_to_its_complaints_and_to_recording_one(client_for, served):
    complaints.complaint_from_resident(order=served, content="没人上门", throttle=False)
    staff = client_for("shequ").get(f"/services/orders/{served.pk}/").content.decode()
    assert f"/services/complaints/?order={served.pk}" in staff
    assert f"/services/complaints/new/?order={served.code}" in staff
    listed = client_for("shequ").get(f"/services/complaints/?order={served.pk}").content.decode()
    assert listed.count("data-complaint=") == 1
    member = client_for("dangyuan").get(f"/services/orders/{served.pk}/").content.decode()
    assert "/services/complaints/new/" not in member
