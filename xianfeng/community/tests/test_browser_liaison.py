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
