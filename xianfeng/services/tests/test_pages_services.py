"""The public pages as a resident meets them (bad input kept and escaped, limits, the rating
link), the staff pages' lists (query counts that do not grow with the rows), and the API's
answers to bad input in its JSON error body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.services import services
from xianfeng.services.choices import OrderState
from xianfeng.services.models import Order, Resource
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def community(personas):
    return role_org(personas["wangge"]).community()


def _post_order(client, where, **fields):
    data = {
        "community": where.pk,
        "name": "王阿姨",
        "phone": f.phone(),
        "address": "幸福里3栋",
        "content": "楼道灯坏了",
    }
    data.update(fields)
    return client.post("/services/public/order/", data, REMOTE_ADDR=fields.pop("ip", "10.9.9.9"))


def test_a_resident_orders_without_an_account_and_gets_the_code_and_link(client, community):
    response = _post_order(client, community)
    assert response.status_code == 302
    order = Order.objects.latest("id")
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and order.code in text and "/services/r/" in text
    assert order.phone not in text  # the phone is given to the member, not shown back


def test_a_bad_form_keeps_everything_typed_and_escapes_it(client, community):
    long_address = "长" * 500
    response = _post_order(
        client, community, name=SCRIPT, phone="12345", address=long_address, content=SCRIPT
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert SCRIPT not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert 'value="12345"' in text and long_address in text
    assert "11位手机号" in text and "不超过120" in text
    assert not Order.objects.filter(phone_index__isnull=False, name=SCRIPT).exists()


def test_script_tags_are_stored_as_text_and_shown_escaped_to_staff(client, client_for, community):
    response = _post_order(client, community, content=SCRIPT + "请帮忙")
    assert response.status_code == 302
    order = Order.objects.latest("id")
    page = client_for("shequ").get(f"/services/orders/{order.pk}/")
    assert SCRIPT not in page.content.decode() and "&lt;script&gt;" in page.content.decode()


def test_ordering_outside_the_district_is_refused_in_chinese(client, community):
    response = _post_order(client, community, community="99999999")
    assert response.status_code == 400
    assert "请选择本区的一个社区" in response.content.decode()


def test_too_many_orders_from_one_phone_are_refused_with_429(client, community):
    phone = f.phone()
    for i in range(services.LIMITS["phone"][0]):
        assert _post_order(client, community, phone=phone, address=f"甲{i}号").status_code == 302
    response = _post_order(client, community, phone=phone, address="乙1号")
    assert response.status_code == 429 and "太频繁" in response.content.decode()


def test_the_resident_rates_once_from_the_link_and_a_forged_link_is_refused(client, personas):
    order = f.order_in(OrderState.DONE, personas)
    url = f"/services/r/{services.rating_token(order)}/"
    bad = client.post(url, {"rating": "9", "comment": "好"})
    assert bad.status_code == 400 and "1到5星" in bad.content.decode()
    assert client.post(url, {"rating": "4", "comment": "及时"}).status_code == 302
    again = client.post(url, {"rating": "1"})
    assert again.status_code == 409 and "已经评价过" in again.content.decode()
    order.refresh_from_db()
    assert order.rating == 4 and order.rating_comment == "及时"
    forged = client.get(url.replace("/r/", "/r/x"))
    assert forged.status_code == 403 and "评价链接无效" in forged.content.decode()


def test_an_expired_link_is_refused_in_chinese(client, personas, monkeypatch):
    order = f.order_in(OrderState.DONE, personas)
    url = f"/services/r/{services.rating_token(order)}/"
    later = timezone.now() + timedelta(days=services.RATING_DAYS + 1)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    response = client.get(url)
    assert response.status_code == 403 and "已过期" in response.content.decode()


def test_the_short_code_leads_to_the_order_and_a_wrong_one_is_refused(client, personas):
    order = f.order_in(OrderState.DONE, personas)
    wrong = client.post("/services/public/rate/", {"code": order.code, "tail": "0000"})
    assert wrong.status_code == 403 and "不正确" in wrong.content.decode()
    right = client.post("/services/public/rate/", {"code": order.code, "tail": order.phone[-4:]})
    assert right.status_code == 302 and right["Location"].startswith("/services/r/")


def test_the_public_menu_shows_published_lines_of_the_community_only(client, personas, community):
    here = role_org(personas["wangge"])
    there = role_org(personas["shequ2"])
    f.service_at(here, title="上门理发")
    f.service_at(there, title="别处的服务")
    f.service_at(here, title="已下架服务", is_active=False)
    Resource.objects.create(organization=here, kind="water", title="饮水点", address="门卫室")
    text = client.get(f"/services/public/?community={community.pk}").content.decode()
    assert "上门理发" in text and "饮水点" in text
    assert "别处的服务" not in text and "已下架服务" not in text


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_lists_and_the_queue_do_not_grow_queries_with_rows(client, client_for, personas, community):
    staff = client_for("shequ")
    urls = [
        "/services/orders/",
        "/services/orders/queue/",
        "/services/lists/services/",
        "/api/v1/orders",
        "/api/v1/orders/queue",
        "/api/v1/services",
        "/",
        f"/services/public/?community={community.pk}",
    ]
    for _i in range(2):
        f.order(community)
        f.service_at(role_org(personas["wangge"]))
    first = {u: _count(client if "public" in u else staff, u) for u in urls}
    for _i in range(6):
        f.order(community)
        f.service_at(role_org(personas["wangge"]))
    for u in urls:
        assert _count(client if "public" in u else staff, u) == first[u], u


def test_the_api_answers_bad_input_in_its_json_error_body(client, personas, community):
    base = {
        "community": community.pk,
        "name": "王",
        "phone": "1",
        "address": "x",
        "content": SCRIPT,
    }
    answer = client.post("/api/v1/public/orders", base, content_type="application/json")
    assert answer.status_code == 400 and "phone" in answer.json()["errors"]
    too_long = dict(base, phone=f.phone(), content="长" * 5000)
    answer = client.post("/api/v1/public/orders", too_long, content_type="application/json")
    assert answer.status_code in (400, 422) and answer.json()["detail"]
    outside = dict(base, phone=f.phone(), community=99999999)
    answer = client.post("/api/v1/public/orders", outside, content_type="application/json")
    assert answer.status_code == 400 and "本区" in answer.json()["errors"]["community"][0]
    made = client.post(
        "/api/v1/public/orders", dict(base, phone=f.phone()), content_type="application/json"
    )
    assert made.status_code == 201
    token = made.json()["token"]
    assert Order.objects.get(code=made.json()["code"]).content == SCRIPT
    early = client.post(
        f"/api/v1/public/orders/{token}/rate", {"rating": 5}, content_type="application/json"
    )
    assert early.status_code == 409 and "还没有办结" in early.json()["detail"]
    forged = client.get(f"/api/v1/public/orders/{token}x")
    assert forged.status_code == 403 and "无效" in forged.json()["detail"]
    Order.objects.filter(code=made.json()["code"]).update(state=OrderState.DONE)
    ok = client.post(
        f"/api/v1/public/orders/{token}/rate", {"rating": 5}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "rated"
    twice = client.post(
        f"/api/v1/public/orders/{token}/rate", {"rating": 5}, content_type="application/json"
    )
    assert twice.status_code == 409 and "已经评价过" in twice.json()["detail"]


def test_the_api_throttles_public_orders_with_429(client, community):
    phone = f.phone()
    for i in range(services.LIMITS["phone"][0]):
        body = {
            "community": community.pk,
            "name": "王",
            "phone": phone,
            "address": f"甲{i}",
            "content": "求助",
        }
        assert (
            client.post(
                "/api/v1/public/orders",
                body,
                content_type="application/json",
                REMOTE_ADDR=f"10.3.3.{i}",
            ).status_code
            == 201
        )
    answer = client.post(
        "/api/v1/public/orders",
        dict(body, address="乙"),
        content_type="application/json",
        REMOTE_ADDR="10.3.4.1",
    )
    assert answer.status_code == 429 and answer.json()["detail"]


def test_dispatch_suggests_the_members_of_the_zone_covering_the_building(client_for, personas):
    from xianfeng.demo.base import persona_member
    from xianfeng.places.models import ResponsibilityZone

    branch = role_org(personas["wangge"])
    building = f.building_under(branch)
    member = persona_member("dangyuan")
    zone = ResponsibilityZone.objects.create(organization=branch, name="点单测试责任区")
    zone.members.add(member)
    zone.buildings.add(building)
    order = f.order(branch.community(), address=building.address + "2单元101")
    assert order.building == building
    body = client_for("shequ").get(f"/api/v1/orders/{order.pk}").json()
    assert "dispatch" in body["actions"]
    first = body["suggestions"][0]
    assert first["member"]["id"] == member.pk and first["reason"] == "点单测试责任区"
    page = client_for("shequ").get(f"/services/orders/{order.pk}/").content.decode()
    assert "点单测试责任区" in page


def test_a_cached_menu_reads_no_line_again_until_one_changes(client, personas, community):
    here = role_org(personas["wangge"])
    service = f.service_at(here, title="缓存测试服务")
    url = f"/services/public/?community={community.pk}"
    with CaptureQueriesContext(connection) as cold:
        assert "缓存测试服务" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        assert "缓存测试服务" in client.get(url).content.decode()
    assert any("services_service" in q["sql"] for q in cold.captured_queries)
    assert not any("services_service" in q["sql"] for q in warm.captured_queries)
    assert not any("services_resource" in q["sql"] for q in warm.captured_queries)
    # A change shows at once: a new line, an edit, a line taken off the menu.
    Resource.objects.create(
        organization=here, kind="water", title="缓存测试饮水点", address="门卫室"
    )
    assert "缓存测试饮水点" in client.get(url).content.decode()
    service.title = "缓存测试服务（改）"
    service.save()
    assert "缓存测试服务（改）" in client.get(url).content.decode()
    service.is_active = False
    service.save()
    assert "缓存测试服务" not in client.get(url).content.decode()


def test_a_named_member_shows_publicly_only_when_they_agreed(client, personas, community):
    from xianfeng.demo.base import persona_member

    member = persona_member("dangyuan")
    here = role_org(personas["wangge"])
    service = f.service_at(here, title="上门修自行车", provider_member=member)
    url = f"/services/public/?community={community.pk}"
    api = f"/api/v1/public/services?community={community.pk}&page_size=100"

    def public_names():
        rows = client.get(api).json()["results"]
        return {r["provider_name"] for r in rows if r["title"] == "上门修自行车"}

    page = client.get(url).content.decode()
    block = page.split("上门修自行车")[1].split("</article>")[0]
    assert member.person.name not in block and here.display_name in block
    assert public_names() == {""}
    # Staff record the member's consent: the name shows at once on the page and the API.
    services.list_item_save(
        actor=personas["shequ"],
        model=type(service),
        organization=here,
        values={"provider_name_public": True},
        instance=service,
        provider_member=member,
    )
    block = client.get(url).content.decode().split("上门修自行车")[1].split("</article>")[0]
    assert member.person.name in block
    assert public_names() == {member.person.name}


def test_a_new_service_does_not_name_its_member_until_asked(client_for, personas):
    org = role_org(personas["wangge"])
    body = {"organization": org.pk, "code": "optin-default", "title": "默认不公开"}
    made = client_for("shequ").post("/api/v1/services", data=body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["provider_name_public"] is False
