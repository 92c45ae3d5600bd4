"""The organization picker in real headless Chromium: a community admin on a phone finds a
branch by typing part of its name and picks it; axe-core and the tap-target measurement pass.
Screenshot: ``artifacts/screenshots/org-picker-phone.png``."""

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


def test_a_branch_is_found_by_typing_and_picked(browser, demo_live_server):  # noqa: F811
    context, page, external = _page(browser, "phone")
    _login(page, demo_live_server.url, "shequ")
    page.goto(demo_live_server.url + "/members/new/")
    with page.expect_response(lambda r: "/orgs/pick/" in r.url):
        page.fill("#id_branch", "第二网格")
    page.wait_for_load_state("networkidle")
    # The one chosen before (the admin's own community) stays first; the rest are what was found.
    labels = page.locator("#id_branch-choices label:not(:has(input:checked))")
    assert labels.count() and all("第二网格" in t for t in labels.all_inner_texts())
    labels.first.click()
    assert page.locator("#id_branch-choices input:checked").count() == 1
    _axe(page)
    assert _targets(page) == []
    _shot(page, "org-picker-phone")
    assert not external, external
    context.close()
