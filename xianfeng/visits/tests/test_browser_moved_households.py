"""The community's list of visits that found their household moved (待社区更新住户信息), in
real headless Chromium with axe-core: from the home page's count to the list, closing one with
a note. Screenshots: ``artifacts/screenshots/moved-households-*.png``."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_community_deals_with_a_moved_household(browser, demo_live_server):  # noqa: F811
    from xianfeng.visits.models import Visit

    pending = Visit.objects.filter(household_update="pending").count()
    assert pending >= 2  # the demo's (xianfeng/demo/visits.py)
    context, page, external = _page(browser, "phone")
    _login(page, demo_live_server.url, "shequ")
    link = page.locator("#home-moved-households")
    assert link.locator("b").inner_text() == str(pending)
    link.click()
    page.wait_for_selector("#moved-households")
    _axe(page)
    _shot(page, "moved-households-phone")
    rows = page.locator("#moved-households tbody tr")
    assert rows.count() == pending
    first = rows.first
    name = first.locator("td").nth(1).inner_text()
    first.locator("input[name=note]").fill("已到楼栋页登记迁出")
    first.locator("button[type=submit]").click()
    page.wait_for_selector("text=已记录：住户信息已处理。")
    assert page.locator("#moved-households tbody tr").count() == pending - 1
    _axe(page)
    page.click("a[href='?state=done']")
    page.wait_for_selector("text=已到楼栋页登记迁出")
    assert name in page.content()
    _axe(page)
    _shot(page, "moved-households-done-phone")
    assert not external, external
    context.close()
