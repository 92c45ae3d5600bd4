"""The resident's loop in real headless Chromium at phone size: the public menu of a
community, an order (a bad phone first: the form keeps what was typed), the community staff
dispatch it to the member the responsibility zone suggests, the member accepts it from the
home page and marks it done, the resident rates it from the link. axe-core checks every page.
Screenshots ``services-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_dispatch_accept_serve_and_rate_on_a_phone(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    settings,
    tmp_path,
):
    from django.core.cache import cache

    from xianfeng.demo.accounts import PERSONA_ZONE_NAME
    from xianfeng.demo.base import persona_member
    from xianfeng.places.models import ResponsibilityZone
    from xianfeng.services.choices import OrderState
    from xianfeng.services.models import Order

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    base = demo_live_server.url
    zone = ResponsibilityZone.objects.get(name=PERSONA_ZONE_NAME)
    building = zone.buildings.order_by("code").first()
    community = building.organization.community()
    member = persona_member("dangyuan")

    # 1. the resident, no account, scans the zone board's QR code: "点单" opens the order form
    # of the board's community; its menu is one tap back
    resident, page, external = _page(browser, "phone")
    page.goto(f"{base}/public/zones/{zone.public_code}/")
    page.click("#board-order")
    page.wait_for_selector("#id_name")
    assert page.input_value("#id_community") == str(community.pk)
    _axe(page)
    _shot(page, "services-phone-00-from-board")
    page.click(".crumbs a")
    page.wait_for_selector("#menu-services")
    page.goto(f"{base}/services/public/")
    _axe(page)
    page.click(f"a[href='?community={community.pk}']")
    page.wait_for_selector("#menu-services")
    _axe(page)
    _shot(page, "services-phone-01-menu")
    page.click("#menu-services a.btn.small >> nth=0")
    page.wait_for_selector("#id_name")
    page.fill("#id_content", "顺便看看厨房的灯<script>alert(1)</script>")
    page.fill("#id_name", "王阿姨")
    page.fill("#id_phone", "12345")
    page.fill("#id_address", f"{building.address}1单元101")
    page.click("button[type=submit]")
    page.wait_for_selector("#order-errors")
    assert page.input_value("#id_name") == "王阿姨"
    assert "<script>" in page.input_value("#id_content")  # kept as typed, shown as text
    assert page.input_value("#id_address") == f"{building.address}1单元101"
    _axe(page)
    _shot(page, "services-phone-02-order-error")
    page.fill("#id_phone", "13908710101")
    page.click("button[type=submit]")
    page.wait_for_selector("#order-made")
    _axe(page)
    _shot(page, "services-phone-03-ordered")
    order = Order.objects.get(code=page.inner_text("#order-code").strip())
    status_url = page.get_attribute("#order-link", "href")
    assert order.state == OrderState.NEW and order.building == building

    # 2. the community dispatches it to the member its zone suggests
    staff_ctx, staff, _ext = _page(browser, "phone")
    _login(staff, base, "shequ")
    staff.goto(f"{base}/services/orders/queue/")
    _axe(staff)
    _shot(staff, "services-phone-04-queue")
    staff.click(f"tr[data-order='{order.pk}'] a")
    staff.wait_for_selector("button[data-step=dispatch]")
    assert zone.name in staff.inner_text("form[action$='/dispatch/']")
    _axe(staff)
    _shot(staff, "services-phone-05-dispatch")
    staff.check(f"input[name=member][value='{member.pk}']")
    staff.click("button[data-step=dispatch]")
    staff.wait_for_selector("text=已派单")
    staff_ctx.close()

    # 3. the member: home page panel, accept, done with a note
    member_ctx, mpage, _ext = _page(browser, "phone")
    _login(mpage, base, "dangyuan")
    assert order.code in mpage.inner_text("#my-orders")
    _shot(mpage, "services-phone-06-member-home")
    mpage.click(f"#my-orders a[href='/services/orders/{order.pk}/']")
    mpage.click("button[data-step=accept]")
    mpage.wait_for_selector("button[data-step=serve]")
    # the member sees the resident's full phone and address, and is told the look is logged
    assert "13908710101" in mpage.inner_text("main")
    assert "查看记录" in mpage.inner_text("#contact-note")
    _axe(mpage)
    mpage.fill("#id_note", "已上门更换厨房灯泡。")
    _shot(mpage, "services-phone-07-serve")
    mpage.click("button[data-step=serve]")
    mpage.wait_for_selector("text=已办结，等待群众评价。")
    member_ctx.close()

    # 4. the resident rates it from the link, once
    page.goto(base + urlparse(status_url).path)
    page.wait_for_selector("#rate-form")
    _axe(page)
    page.check("input[name=rating][value='5']")
    page.fill("#id_comment", "很及时，谢谢")
    _shot(page, "services-phone-08-rate")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("#order-rating")
    _axe(page)
    _shot(page, "services-phone-09-rated")
    assert page.locator("#rate-form").count() == 0
    order.refresh_from_db()
    assert order.state == OrderState.RATED and order.rating == 5
    assert not external, external
    resident.close()

    # 5. the auditor reads who saw the resident's contact details (and sees them masked)
    audit_ctx, apage, _ext = _page(browser, "phone")
    _login(apage, base, "jiancha")
    apage.goto(f"{base}/services/orders/{order.pk}/")
    assert "13908710101" not in apage.inner_text("main")
    assert "139****0101" in apage.inner_text("main")
    apage.click(f"a[href='/services/orders/contact-log/?order={order.pk}']")
    apage.wait_for_selector("#contact-log")
    from xianfeng.core.models import User

    rows = apage.inner_text("#contact-log")
    for viewer in ("dangyuan", "shequ"):  # the member who served it, the staff who dispatched
        assert str(User.objects.get(username=viewer)) in rows, viewer
    assert order.code in rows
    _axe(apage)
    _shot(apage, "services-phone-10-contact-log")
    audit_ctx.close()
