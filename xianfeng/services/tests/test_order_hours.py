"""An order served records the member's hours after work (8小时外) once, as a confirmed
service session in the order's community (issue 14, item 2): from the step, the page and the
API; an in-service member serving in the community is dispatched its orders too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xianfeng.community.models import ServiceSession
from xianfeng.community.tests import factories as cf
from xianfeng.core.models import DutyRecord
from xianfeng.core.workflow import take
from xianfeng.demo.base import persona_member
from xianfeng.services import services
from xianfeng.services.choices import OrderState
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


def _accepted(personas, member, actor):
    order = f.order(f.community_of(personas["shequ"]))
    take(order, "dispatch", actor=personas["shequ"], member=str(member.pk))
    take(order, "accept", actor=actor)
    return order


def test_serving_an_order_with_hours_records_one_confirmed_session(personas):
    member = persona_member("dangyuan")
    order = _accepted(personas, member, personas["dangyuan"])
    take(order, "serve", actor=personas["dangyuan"], note="已修好", hours="1.5")
    session = ServiceSession.objects.get(reference=order.code)
    assert (session.member, session.source, session.state) == (member, "order", "confirmed")
    assert session.hours == Decimal("1.5") and session.organization == order.community
    assert order.code in session.content
    assert DutyRecord.objects.filter(action="service.log", object_id=str(session.pk)).exists()
    # a second call for the same order records nothing new
    again = services.order_hours_record(actor=personas["dangyuan"], order=order, hours="3")
    assert again.pk == session.pk
    assert ServiceSession.objects.filter(reference=order.code).count() == 1


def test_serving_without_hours_records_no_session(personas):
    order = _accepted(personas, persona_member("dangyuan"), personas["dangyuan"])
    take(order, "serve", actor=personas["dangyuan"], note="已修好")
    assert order.state == OrderState.DONE
    assert not ServiceSession.objects.filter(reference=order.code).exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("25", "一天的服务时长不能超过24小时。"),
        ("两小时", "请填写服务时长（小时），如 2 或 1.5。"),
        ("0", "服务时长必须大于0。"),
    ],
)
def test_bad_hours_refuse_the_step_and_keep_the_order(personas, hours, message):
    order = _accepted(personas, persona_member("dangyuan"), personas["dangyuan"])
    with pytest.raises(ValidationError) as exc:
        take(order, "serve", actor=personas["dangyuan"], note="已修好", hours=hours)
    assert message in exc.value.messages
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and not order.done_note
    assert not ServiceSession.objects.filter(reference=order.code).exists()


def test_the_api_and_the_page_record_the_hours(personas, client_for):
    order = _accepted(personas, persona_member("dangyuan"), personas["dangyuan"])
    bad = client_for("dangyuan").post(
        f"/api/v1/orders/{order.pk}/serve", {"note": "已修好", "hours": "30"}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"]["hours"] == ["一天的服务时长不能超过24小时。"]
    ok = client_for("dangyuan").post(
        f"/api/v1/orders/{order.pk}/serve", {"note": "已修好", "hours": "2"}
    )
    assert ok.status_code == 200, ok.content
    assert ServiceSession.objects.get(reference=order.code).hours == Decimal("2")
    other = _accepted(personas, persona_member("dangyuan"), personas["dangyuan"])
    page = client_for("dangyuan").get(other.get_absolute_url()).content.decode()
    assert 'name="hours"' in page
    done = client_for("dangyuan").post(
        f"/services/orders/{other.pk}/serve/", {"note": "已办好", "hours": "0.5"}
    )
    assert done.status_code == 302
    assert ServiceSession.objects.get(reference=other.code).hours == Decimal("0.5")


def test_an_in_service_member_is_dispatched_the_community_s_order_and_gets_the_hours(personas):
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    user = cf.account_for(member)
    order = _accepted(personas, member, user)
    take(order, "serve", actor=user, note="帮老人换了灯泡", hours="1")
    session = ServiceSession.objects.get(reference=order.code)
    assert session.member == member and session.branch == member.branch
    # recorded against both the community and the member's own branch
    assert set(
        DutyRecord.objects.filter(action="service.log", object_id=str(session.pk)).values_list(
            "organization", flat=True
        )
    ) == {order.community_id, member.branch_id}


def test_a_member_not_serving_there_is_not_dispatched(personas):
    member = cf.in_service_member(3)
    order = f.order(f.community_of(personas["shequ"]))
    with pytest.raises(ValidationError) as exc:
        take(order, "dispatch", actor=personas["shequ"], member=str(member.pk))
    assert "所选党员不存在、不在您的管辖范围内，或不在这个社区服务。" in exc.value.messages
