"""The pages honour their Content-Security-Policy in real Chromium: no inline script or style
is refused (a refusal is a ``securitypolicyviolation`` event and a console error), the
behaviours moved out of the templates still work (the organization tree's +/−, the zone form,
the visit form), and nothing is fetched from outside."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401  (fixtures)
    _login,
    _page,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__csp.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber
  );
});
"""


def _watched(chromium):
    context, page, external = _page(chromium, "desktop")
    context.add_init_script(WATCH)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return context, page, external, console


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_pages_run_under_the_policy(demo_live_server, browser):  # noqa: F811
    from xianfeng.exchange.declarations import public_url
    from xianfeng.places.models import Building

    base = demo_live_server.url
    context, page, external, console = _watched(browser)
    page.goto(f"{base}/login/")
    assert "script-src 'self'" in page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    _login(page, base, "shequ")
    seen: list[str] = []

    page.goto(f"{base}/orgs/")
    toggle = page.locator("button.toggle[data-kids]").first
    kids = "#" + toggle.get_attribute("data-kids")
    toggle.click()
    page.wait_for_selector(f"{kids} li")
    assert toggle.inner_text() == "−"
    toggle.click()  # folds away, without a request
    page.wait_for_function(f"document.querySelector('{kids}').children.length === 0")
    assert toggle.inner_text() == "+"
    seen += _violations(page)

    page.goto(f"{base}/zones/")
    if page.locator("form[data-goto]").count():
        with page.expect_navigation():
            page.locator("form[data-goto] button[type=submit]").click()
        assert "/zones/new/" in page.url
    seen += _violations(page)

    building = Building.objects.order_by("pk").first()
    page.goto(base + public_url(building))
    assert (
        page.locator("form.declare fieldset").first.evaluate(
            "el => getComputedStyle(el).borderTopStyle"
        )
        == "solid"
    )  # the page's styles, now in the site's stylesheet
    seen += _violations(page)
    context.close()

    context, page, external2, console2 = _watched(browser)
    _login(page, base, "dangyuan")
    page.goto(f"{base}/work/visits/new/")
    context.grant_permissions([])  # no location: the button says so, from its data attribute
    page.click("#gps-btn")
    page.wait_for_function("document.getElementById('gps-status').textContent.length > 0")
    seen += _violations(page)
    context.close()

    assert not seen, seen
    assert not console + console2, console + console2
    assert not external + external2, external + external2
