"""The resident's full phone and address on an order: shown to the assigned member and to the
staff in scope, each look written to the append-only contact log; masked for everyone else
(the auditor, other members), who leave no row. The log is read by admins and the auditor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
        # One look on the page, one over the API: one row for each way.
        rows = ContactAccess.objects.filter(user__username="qu", order=order)
        assert sorted(rows.values_list("channel", "count")) == [("api", 1), ("page", 1)]


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
    # A later look adds to the day's row and changes nothing else of it.
    services.order_contact(user=personas["shequ"], order=order, channel="page")
    again = ContactAccess.objects.get(order=order)
    assert (again.pk, again.at, again.day, again.fields) == (
        access.pk,
        access.at,
        access.day,
        access.fields,
    )
    assert again.count == 2 and again.last_at >= access.last_at


def test_repeated_looks_the_same_day_are_one_row_with_a_count(client_for, personas, order):
    client = client_for("dangyuan")
    for _i in range(5):
        assert "13912345678" in client.get(f"/services/orders/{order.pk}/").content.decode()
    row = ContactAccess.objects.get(order=order)
    assert row.count == 5 and row.channel == "page"
    assert row.day == timezone.localdate(row.at)
    assert row.last_at > row.at
    # Another way, another person: rows of their own.
    client.get(f"/api/v1/orders/{order.pk}")
    client_for("shequ").get(f"/services/orders/{order.pk}/")
    assert sorted(
        ContactAccess.objects.filter(order=order).values_list("user__username", "channel", "count")
    ) == [("dangyuan", "api", 1), ("dangyuan", "page", 5), ("shequ", "page", 1)]
    # The log shows the count and the last time, newest look first.
    page = client_for("shequ").get(f"/services/orders/contact-log/?order={order.pk}")
    assert page.status_code == 200
    body = client_for("jiancha").get(f"/api/v1/orders/contact-log?order={order.pk}").json()
    assert body["count"] == 3
    assert [r["count"] for r in body["results"]] == [1, 1, 5]  # shequ's look came last
    assert body["results"][0]["user"] == "shequ"
    page_rows = page.content.decode().split("<tbody>")[1]
    assert ">5</td>" in page_rows


def test_a_look_on_another_day_starts_a_new_row(personas, order):
    from datetime import timedelta

    services.order_contact(user=personas["shequ"], order=order, channel="page")
    # Yesterday's row (moved back in time, as if written then).
    yesterday = timezone.now() - timedelta(days=1)
    ContactAccess.objects.filter(order=order).update(
        at=yesterday, last_at=yesterday, day=timezone.localdate(yesterday)
    )
    services.order_contact(user=personas["shequ"], order=order, channel="page")
    rows = list(ContactAccess.objects.filter(order=order).order_by("day"))
    assert [(r.day, r.count) for r in rows] == [
        (timezone.localdate(yesterday), 1),
        (timezone.localdate(), 1),
    ]


def test_the_migration_groups_the_rows_already_written(personas, order):
    """0005's data step: rows written one per look before the grouping become one row per
    person, order, way and day, keeping the first time and taking the count and last time."""
    import importlib
    from datetime import timedelta

    from django.apps import apps

    step = importlib.import_module("xianfeng.services.migrations.0005_contact_access_grouped")
    first = ContactAccess.objects.create(
        user=personas["shequ"],
        order=order,
        fields="phone,address",
        channel="page",
        day=timezone.localdate(),
        last_at=timezone.now(),
    )
    # As the old code wrote them: one row per look (the constraint holds them apart by day,
    # so the test writes them on distinct placeholder days, as 0005 sees them before it runs).
    later = []
    for n in range(1, 3):
        later.append(
            ContactAccess.objects.create(
                user=personas["shequ"],
                order=order,
                fields="phone,address",
                channel="page",
                day=timezone.localdate() + timedelta(days=100 + n),
                last_at=timezone.now(),
            )
        )
    ContactAccess.objects.filter(pk__in=[r.pk for r in later]).update(
        at=first.at + timedelta(minutes=5)
    )
    step.group_existing(apps, None)
    row = ContactAccess.objects.get(order=order)
    assert row.pk == first.pk and row.count == 3 and row.day == timezone.localdate(first.at)
    assert row.last_at == first.at + timedelta(minutes=5)


def test_the_log_page_names_who_saw_whose_contact_and_why(client_for, personas, order):
    client_for("dangyuan").get(f"/services/orders/{order.pk}/")
    page = client_for("shequ").get(f"/services/orders/contact-log/?order={order.pk}")
    text = page.content.decode()
    assert page.status_code == 200
    assert str(personas["dangyuan"]) in text and order.code in text and order.name in text
    other = client_for("shequ").get(f"/services/orders/contact-log/?order={order.pk + 10**6}")
    assert order.code not in other.content.decode()


def test_the_log_lists_in_a_fixed_number_of_queries(client_for, personas):
    community = role_org(personas["wangge"]).community()
    # Distinct addresses: the same one twelve times would hit the order rate limit.
    orders = [f.order(community, address=f"幸福里{n}栋") for n in range(6)]
    services.order_contact(user=personas["shequ"], order=orders[0], channel="page")
    client = client_for("jiancha")
    url = "/api/v1/orders/contact-log"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        before = client.get(url).json()["count"]  # the demo's looks and this one
    assert before >= 1
    for made in orders[1:]:
        for _i in range(3):
            services.order_contact(user=personas["shequ"], order=made, channel="api")
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).json()
    assert body["count"] == before + 5  # three looks at each of five orders: five rows
    mine = {r["order_id"]: r["count"] for r in body["results"] if r["user"] == "shequ"}
    assert [mine[o.pk] for o in orders] == [1, 3, 3, 3, 3, 3]
    assert len(many.captured_queries) == len(few.captured_queries)
