"""The dashboard (大屏) in real headless Chromium: the district admin's dashboard at desktop
size draws its ECharts charts, a new hazard shows after a refresh (no reload), a number clicks
through to its list, a street drills down, the wall layout hides the menu; a community admin's
dashboard on a phone. axe-core checks every page. Screenshots ``dashboard-*.png`` in
``artifacts/screenshots/``."""

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

CHARTS = ("colours", "hazards", "orders", "meetings", "points", "stars")


def _drawn(page) -> None:
    for name in CHARTS:
        page.wait_for_selector(f"#chart-{name}[data-drawn='1'] svg")


def test_dashboard_on_a_desktop_a_wall_and_a_phone(demo_live_server, browser):  # noqa: F811
    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.safety.tests.factories import building_under, hazard

    base = demo_live_server.url
    context, page, external = _page(browser, "desktop")
    _login(page, base, "qu")
    page.goto(f"{base}/scoring/dashboard/")
    _drawn(page)
    _axe(page)
    _shot(page, "dashboard-desktop-01-district")
    before = int(page.locator("[data-k='safety.open']").inner_text())

    # a hazard reported now shows on the next refresh, without reloading the page
    wangge = User.objects.get(username="wangge")
    hazard(wangge, building_under(role_org(wangge)))
    page.evaluate(
        "document.getElementById('dashboard').dispatchEvent(new Event('dashboard:refresh'))"
    )
    # a function, not an expression string: Playwright evals a string in the page, which the
    # page's CSP (no unsafe-eval) refuses
    page.wait_for_function(
        "(n) => document.querySelector(\"[data-k='safety.open']\").textContent === n",
        arg=str(before + 1),
    )

    # the number clicks through to the list behind it
    with page.expect_navigation():
        page.click("[data-k='safety.open']")
    assert "/safety/hazards/" in page.url and "open=1" in page.url

    # a street, one level down, then the wall layout without the menu
    page.go_back()
    with page.expect_navigation():
        page.click("#dash-children tbody tr:first-child td:first-child a")
    _drawn(page)
    assert "org=" in page.url
    with page.expect_navigation():
        page.click("text=大屏模式")
    _drawn(page)
    assert not page.locator("header.top").is_visible()
    _axe(page)
    _shot(page, "dashboard-desktop-02-street-wall")
    assert not external, external
    context.close()

    context, phone, external = _page(browser, "phone")
    _login(phone, base, "shequ")
    phone.goto(f"{base}/scoring/dashboard/")
    _drawn(phone)
    _axe(phone)
    _shot(phone, "dashboard-phone-01-community")
    assert not external, external
    context.close()
