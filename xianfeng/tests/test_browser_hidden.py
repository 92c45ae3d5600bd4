"""What a page marks ``hidden`` stays hidden, whatever our CSS says (a noticed item of stop 26):
the browser's own ``[hidden] { display: none }`` loses to any rule of ours that sets
``display``, and the phone's tap-target rule gives every button ``inline-flex``, so a button
marked hidden still showed on a phone (the menu button without JavaScript, the outbox's empty
count everywhere). Measured in headless Chromium at phone and desktop size, with JavaScript and
without."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    VIEWPORTS,
    _login,
    _page,
    _shot,
    browser,
)
from xianfeng.demo.base import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every element marked hidden that is laid out anyway: empty when all is well.
SHOWN = """els => els
  .filter(el => getComputedStyle(el).display !== 'none')
  .map(el => el.outerHTML.slice(0, 90))"""

# Buttons marked hidden, as a page or a script would add them: bare, with the site's button
# class, and in the header beside the logout button (``header.top .who button``).
ADD_PROBES = """() => {
  const where = [document.querySelector('main'), document.querySelector('main'),
                 document.querySelector('header.top .who') || document.querySelector('main')];
  ['probe-plain', 'probe-btn', 'probe-header'].forEach((id, i) => {
    const b = document.createElement('button');
    b.type = 'button'; b.id = id; b.hidden = true; b.textContent = '不应显示';
    if (id === 'probe-btn') b.className = 'btn';
    where[i].appendChild(b);
  });
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_button_marked_hidden_is_not_shown_and_shows_once_unhidden(browser, live_server, size):  # noqa: F811
    context, page, external = _page(browser, size)
    page.goto(f"{live_server.url}/login/")
    page.evaluate(ADD_PROBES)
    for probe in ("#probe-plain", "#probe-btn", "#probe-header"):
        assert not page.locator(probe).is_visible(), (size, probe)
    assert not page.eval_on_selector_all("[hidden]", SHOWN)
    # Unhidden, the same button is there again, a thumb's size on a phone.
    page.evaluate("() => { document.getElementById('probe-plain').hidden = false; }")
    assert page.locator("#probe-plain").is_visible()
    if size == "phone":
        box = page.locator("#probe-plain").bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    assert not external
    context.close()


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_nothing_marked_hidden_shows_on_a_members_phone(browser, live_server, script):  # noqa: F811
    """A signed-in member's pages at phone size: the outbox's count stays hidden while the
    outbox is empty; without JavaScript the menu button (which only the script can work) stays
    hidden and the menu stays open; with it, the script shows the button."""
    from xianfeng.core.models import User

    User.objects.create_user(username="hidden-probe", password=DEMO_PASSWORD)
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="zh-CN", java_script_enabled=script
    )
    page = context.new_page()
    _login(page, live_server.url, "hidden-probe")
    for url in ("/", "/outbox/", "/search/"):
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert not page.eval_on_selector_all("[hidden]", SHOWN), url
        assert not page.locator("#outbox-count").is_visible(), url
    toggle = page.locator("header.top .menu-toggle")
    if script:
        assert toggle.is_visible()
    else:
        assert not toggle.is_visible()
        assert page.locator("header.top nav").is_visible()  # the menu simply stays open
    _shot(page, f"hidden-member-{'script' if script else 'no-script'}-phone")
    context.close()
