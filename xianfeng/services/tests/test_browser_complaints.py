"""群众投诉 in real headless Chromium: the resident on a phone complains from the order's own
page (an empty text refused in Chinese first, then sent), the community's admin on a desktop
finds it in the list, sees the member it names and confirms it with a finding, records one
received by phone with the member picker; the resident sees the outcome. axe-core checks every
page. Screenshots ``complaints-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

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


def test_a_resident_complains_on_a_phone_and_the_community_confirms_it(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
):
    from django.core.cache import cache

    from xianfeng.core.models import DutyRecord
    from xianfeng.demo.base import persona_member
    from xianfeng.services import services
    from xianfeng.services.choices import OrderState
    from xianfeng.services.models import Complaint, Order

    cache.clear()
    base = demo_live_server.url
    member = persona_member("dangyuan")
    order = Order.objects.filter(assignee=member, state=OrderState.RATED).order_by("pk").first()
    assert order is not None, "the demo has a rated order of dangyuan's"
    token = services.rating_token(order)

    # 1. the resident, no account, on the order's own page
    context, page, external = _page(browser, "phone")
    page.goto(f"{base}/services/r/{token}/")
    _axe(page)
    page.click("#complaint-box summary")
    page.wait_for_selector("#complaint-form textarea")
    _axe(page)
    _shot(page, "complaints-phone-01-box")
    with page.expect_navigation():
        page.click("#complaint-submit")
    assert "请写明投诉的内容" in page.locator("#complaint-box").inner_text()
    _axe(page)
    page.fill("#id_complaint", "上门时说话很不耐烦，灯泡也没有装牢。")
    with page.expect_navigation():
        page.click("#complaint-submit")
    page.wait_for_selector("#complaints")
    assert "待核实" in page.locator("#complaints").inner_text()
    _axe(page)
    _shot(page, "complaints-phone-02-sent")
    complaint = Complaint.objects.get(order=order, content__startswith="上门时说话")
    assert not external, external
    context.close()

    # 2. the community's admin on a desktop: the list, the complaint, the confirmation
    context, desk, external = _page(browser, "desktop")
    _login(desk, base, "shequ")
    desk.goto(f"{base}/services/complaints/?state=pending")
    desk.wait_for_selector("#complaint-table")
    _axe(desk)
    _shot(desk, "complaints-desktop-01-list")
    with desk.expect_navigation():
        desk.click(f"tr[data-complaint='{complaint.pk}'] a")
    assert member.person.name in desk.locator("#complaint-members").inner_text()
    _axe(desk)
    desk.fill("form.step-form[data-step=confirm] input[name=finding]", "回访属实，已批评教育。")
    with desk.expect_navigation():
        desk.click("form.step-form[data-step=confirm] button")
    assert desk.locator("#complaint-state").inner_text() == "属实"
    assert "回访属实" in desk.locator("#complaint-finding").inner_text()
    _axe(desk)
    _shot(desk, "complaints-desktop-02-confirmed")
    assert DutyRecord.objects.filter(
        action="complaint.confirmed", object_id=str(complaint.pk), member=member
    ).exists()

    # ... and records one received by phone, picking the member with the search
    desk.goto(f"{base}/services/complaints/new/")
    desk.wait_for_selector("#complaint-form")
    _axe(desk)
    desk.check("input[name=subject][value=order]")
    desk.fill("#id_order_code", order.code)
    desk.fill("#member-search", member.person.name)
    desk.wait_for_selector(f"#member-choices input[value='{member.pk}']")
    desk.check(f"#member-choices input[value='{member.pk}']")
    desk.fill("#id_content", "电话反映：约好的时间没来。")
    with desk.expect_navigation():
        desk.click("#complaint-submit")
    assert "待核实" in desk.locator("#complaint-state").inner_text()
    _axe(desk)
    _shot(desk, "complaints-desktop-03-recorded")
    assert not external, external
    context.close()

    # 3. the resident sees the outcome
    context, page, external = _page(browser, "phone")
    page.goto(f"{base}/services/r/{token}/")
    outcome = page.locator(f"[data-complaint='{complaint.pk}']").inner_text()
    assert "属实" in outcome and "回访属实" in outcome
    _axe(page)
    _shot(page, "complaints-phone-03-outcome")
    assert not external, external
    context.close()
