"""The main menu on a phone (issue 12: 安全统计 made it two rows): every role's header is one row,
the menu opens from one button with every item in view and thumb-sized, axe finds nothing with
the menu shut or open. Screenshots ``menu-<persona>-{shut,open}-phone.png``."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    VIEWPORTS,
    _axe,
    _login,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.tests.test_browser_tap_targets import PERSONAS, _targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The header's visible parts; one row when every part starts above the bottom of every other.
ROW = """() => {
  const parts = [...document.querySelectorAll(
    'header.top > .brand, header.top > .menu-toggle, header.top > .who')]
    .filter(el => getComputedStyle(el).display !== 'none')
    .map(el => el.getBoundingClientRect());
  return parts.every(a => parts.every(b => a.top < b.bottom && b.top < a.bottom));
}"""
NAV_SHOWN = "() => getComputedStyle(document.querySelector('header.top nav')).display !== 'none'"


def _open_menu(page) -> list[str]:
    toggle = page.locator("header.top .menu-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate(NAV_SHOWN)
    items = page.locator("header.top nav a:visible")
    return [items.nth(i).inner_text() for i in range(items.count())]


def test_every_roles_phone_header_is_one_row_and_the_menu_opens(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
):
    # One test for all roles: the demo district is built once (it takes minutes).
    base = demo_live_server.url
    failures = {}
    for persona in PERSONAS:
        context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
        page = context.new_page()
        _login(page, base, persona)
        assert page.evaluate(ROW), f"{persona}: the header takes more than one row"
        assert not page.evaluate(NAV_SHOWN)
        if bad := _targets(page):
            failures[f"{persona} shut"] = bad[:8]
        _axe(page)
        _shot(page, f"menu-{persona}-shut-phone")
        items = _open_menu(page)
        assert items[0] == "首页" and "搜索" in items, (persona, items)
        if persona != "danwei":
            assert "安全统计" in items, persona  # the item that made the menu two rows
        if bad := _targets(page):  # every item thumb-sized and in view
            failures[f"{persona} open"] = bad[:8]
        _axe(page)
        _shot(page, f"menu-{persona}-open-phone")
        page.locator("header.top nav a", has_text="搜索").click()
        page.wait_for_url(f"{base}/search/**")
        assert not page.evaluate(NAV_SHOWN)  # a new page starts with the menu shut
        context.close()
    assert not failures, failures

    # A narrow phone: still one row, the two-step link moves into the menu.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    _login(page, base, "shequ")
    assert page.evaluate(ROW)
    assert not page.locator("header.top .who a", has_text="两步验证").is_visible()
    assert "两步验证" in _open_menu(page)
    assert not _targets(page)
    _axe(page)
    _shot(page, "menu-shequ-open-narrow-phone")
    page.locator("header.top nav a", has_text="两步验证").click()
    page.wait_for_url(f"{base}/account/**")
    context.close()

    # A desktop: the menu open, no button, the two-step link only beside it.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    page = context.new_page()
    _login(page, base, "shequ")
    assert page.evaluate(NAV_SHOWN)
    assert not page.locator("header.top .menu-toggle").is_visible()
    assert not page.locator("header.top nav a", has_text="两步验证").is_visible()
    context.close()
