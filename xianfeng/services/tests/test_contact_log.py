"""The resident's full phone and address on an order: shown to the assigned member and to the
staff in scope, each look written to the append-only contact log; masked for everyone else
(the auditor, other members), who leave no row. The log is read by admins and the auditor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.services import services
from xianfeng.services.choices import OrderState
from xianfeng.services.models import ContactAccess, Order
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(personas) -> Order:
    community = role_org(personas["wangge"]).community()
    building = f.building_under(role_org(personas["wangge"]))
    made = f.order(community, address=f"{building.address}3单元502室", phone="13912345678")
    Order.objects.filter(pk=made.pk).update(
        state=OrderState.ACCEPTED, assignee=persona_member("dangyuan")
    )
    return Order.objects.get(pk=made.pk)


def test_mask_address_keeps_the_area_and_hides_the_door():
    assert services.mask_address("幸福里小区3栋2单元501室") == "幸福里小****"
    assert services.mask_address("") == ""
    assert "501" not in services.mask_address("点单测试路12号3单元501室")


def test_the_assigned_member_sees_the_full_contact_and_the_look_is_logged(client_for, order):
    page = client_for("dangyuan").get(f"/services/orders/{order.pk}/").content.decode()
    assert "13912345678" in page
    assert order.address in page
    access = ContactAccess.objects.get(order=order)
    assert access.user.username == "dangyuan"
    assert access.order == order
    assert access.channel == "page"
    assert access.fields_label == "联系电话、地址"


def test_staff_in_scope_see_the_full_contact_over_the_api_and_it_is_logged(client_for, order):
    body = client_for("shequ").get(f"/api/v1/orders/{order.pk}").json()
    assert body["phone"] == "13912345678"
    assert body["address"] == order.address
    assert ContactAccess.objects.get(order=order).channel == "api"


@pytest.mark.parametrize("persona", ["jiancha", "qu"])
def test_the_auditor_sees_masked_values_and_leaves_no_row(client_for, order, persona):
    # qu is a district admin: staff in scope, so full; the auditor reads masked values.
    page = client_for(persona).get(f"/services/orders/{order.pk}/").content.decode()
    api = client_for(persona).get(f"/api/v1/orders/{order.pk}").json()
    if persona == "jiancha":
        assert "13912345678" not in page and "5678" in page
        assert order.address not in page
        assert api["phone"] != "13912345678" and api["address"].endswith("****")
        assert not ContactAccess.objects.filter(order=order).exists()
    else:
        assert api["phone"] == "13912345678"
        assert ContactAccess.objects.filter(user__username="qu", order=order).count() == 2


def test_another_member_who_sees_the_order_gets_masked_values(client_for, order):
    from xianfeng.people.models import PartyMember

    mine = persona_member("dangyuan")
    other = PartyMember.objects.filter(branch=mine.branch).exclude(pk=mine.pk).first()
    Order.objects.filter(pk=order.pk).update(assignee=other)
    page = client_for("dangyuan").get(f"/services/orders/{order.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "13912345678" not in text and "139****5678" in text
    assert order.address not in text
    assert not ContactAccess.objects.filter(order=order).exists()


def test_the_log_is_append_only(personas, order):
    services.order_contact(user=personas["shequ"], order=order, channel="page")
    access = ContactAccess.objects.get(order=order)
    access.channel = "api"
    with pytest.raises(ValueError):
        access.save()
    with pytest.raises(ValueError):
        access.delete()
    assert ContactAccess.objects.get(order=order).channel == "page"


def test_the_log_page_names_who_saw_whose_contact_and_why(client_for, personas, order):
    client_for("dangyuan").get(f"/services/orders/{order.pk}/")
    page = client_for("shequ").get(f"/services/orders/contact-log/?order={order.pk}")
    text = page.content.decode()
    assert page.status_code == 200
    assert str(personas["dangyuan"]) in text and order.code in text and order.name in text
    other = client_for("shequ").get(f"/services/orders/contact-log/?order={order.pk + 10**6}")
    assert order.code not in other.content.decode()


def test_the_log_lists_in_a_fixed_number_of_queries(client_for, personas, order):
    for _i in range(3):
        services.order_contact(user=personas["shequ"], order=order, channel="page")
    client = client_for("jiancha")
    url = f"/api/v1/orders/contact-log?order={order.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _i in range(10):
        services.order_contact(user=personas["dangyuan"], order=order, channel="api")
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).json()
    assert body["count"] == 13
    assert len(many.captured_queries) == len(few.captured_queries)
