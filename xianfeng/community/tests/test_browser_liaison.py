"""The unit liaison's home at phone size in real headless Chromium, with axe-core and the tap
target measurement. Screenshot: ``artifacts/screenshots/liaison-home-phone.png``."""

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
from xianfeng.tests.test_browser_tap_targets import _targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_liaison_home_on_a_phone(browser, demo_live_server):  # noqa: F811
    context, page, external = _page(browser, "phone")
    _login(page, demo_live_server.url, "danwei")
    page.wait_for_selector("text=本单位在职党员进社区")
    _axe(page)
    assert _targets(page) == []
    _shot(page, "liaison-home-phone")
    assert not external, external
    context.close()


def test_the_liaison_records_its_units_delivery_on_a_phone(browser, demo_live_server):  # noqa: F811
    """From the home page's 登记本单位履行 to the pairing's page, which then counts it; a
    second tap of the same delivery is refused in Chinese."""
    context, page, external = _page(browser, "phone")
    _login(page, demo_live_server.url, "danwei")
    page.locator("a", has_text="登记本单位履行").first.click()
    page.wait_for_selector("#id_content")
    _axe(page)
    assert _targets(page) == []
    _shot(page, "liaison-delivery-form-phone")
    page.fill("#id_content", "组织8名党员到小区开展消防宣传")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=已登记承诺履行")
    assert "已履行 1 次" in page.content()
    _axe(page)
    assert _targets(page) == []
    _shot(page, "liaison-pairing-phone")
    page.go_back()
    page.fill("#id_content", "组织8名党员到小区开展消防宣传")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=已登记过")
    assert not external, external
    context.close()


def test_the_liaisons_menu_leaves_out_what_its_unit_does_not_hold(client_for):
    """No 网格楼栋, 责任区 or 双领 for a unit liaison (its unit holds no grid); its members'
    paired checks are one tap from home. A community admin keeps them all."""
    home = client_for("danwei").get("/").content.decode()
    for item in ("网格楼栋", "责任区</a>", "双领"):
        assert item not in home, item
    assert "/work/paired-checks/" in home
    admin = client_for("shequ").get("/").content.decode()
    assert "网格楼栋" in admin and "双领" in admin
