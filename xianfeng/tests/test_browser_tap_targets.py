"""A thumb can use the member's and the resident's pages (issue 10): on a phone-sized screen
every button, menu item, form control and stand-alone link is at least 44 x 44 px (WCAG 2.5.5),
every checkbox has a label (whose box is the target), and the whole menu is in view. Inline
links inside a sentence are exempt, as WCAG allows. Measured in real headless Chromium."""

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

MIN = 44

# What is too small, as (reason, size, the element's start) — empty when all is well.
MEASURE = """min => {
  const bad = [];
  const seen = el => {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0;
  };
  const inSentence = el => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const own = el.textContent.trim().length;
    return el.parentElement && el.parentElement.textContent.trim().length > own + 1;
  };
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('.hp, .visually-hidden') || !seen(el)) continue;
    // Inside a closed <details> nothing can be tapped (Chromium still lays it out).
    const shut = el.closest('details:not([open])');
    if (shut && !el.closest('summary')) continue;
    let box = el.getBoundingClientRect();
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label')
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (!label) { bad.push(['no label', 0, el.outerHTML.slice(0, 90)]); continue; }
      box = label.getBoundingClientRect();
    } else if (inSentence(el)) {
      continue;
    }
    if (box.height < min - 0.5 || box.width < min - 0.5) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      bad.push(['small', size, el.outerHTML.slice(0, 90)]);
    }
  }
  const nav = document.querySelector('header.top nav');
  if (nav) {
    for (const a of nav.querySelectorAll('a')) {
      const r = a.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 || r.left < -1) {
        bad.push(['menu item off screen', 0, a.textContent]);
      }
    }
  }
  return bad;
}"""


def _targets(page) -> list:
    return page.evaluate(MEASURE, MIN)


MEMBER_PAGES = [
    ("home", "/"),
    ("tasks", "/work/tasks/?mine=1"),
    ("claimable", "/work/tasks/?claimable=1"),
    ("visit-new", "/work/visits/new/"),
    ("visits", "/work/visits/?mine=1"),
    ("zones", "/zones/"),
    ("search", "/search/?q=li"),
]


def test_the_members_pages_have_thumb_sized_targets(browser, demo_live_server):  # noqa: F811
    base = demo_live_server.url
    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    failures = {}
    for name, url in MEMBER_PAGES:
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        bad = _targets(page)
        if bad:
            failures[name] = bad[:12]
        _shot(page, f"tap-member-{name}-phone")
    assert not failures, failures
    assert not external, external
    context.close()


def test_the_residents_pages_have_thumb_sized_targets(browser, demo_live_server):  # noqa: F811
    from xianfeng.exchange.declarations import public_url
    from xianfeng.places.models import Building

    building = Building.objects.order_by("pk").first()
    context, page, external = _page(browser, "phone")
    failures = {}
    for name, url in [("login", "/login/"), ("declare", public_url(building))]:
        page.goto(demo_live_server.url + url)
        bad = _targets(page)
        if bad:
            failures[name] = bad[:12]
        _shot(page, f"tap-resident-{name}-phone")
    assert not failures, failures
    assert not external, external
    context.close()


def test_the_measurement_finds_a_small_target(browser, demo_live_server):  # noqa: F811
    """The measurement itself can fail: a 20 px button and an unlabelled checkbox are found."""
    context, page, _external = _page(browser, "phone")
    page.goto(demo_live_server.url + "/login/")
    page.evaluate(
        """() => {
          const b = document.createElement('button'); b.textContent = 'x';
          // CSSOM, not a style attribute (the pages' CSP refuses those).
          const tiny = [['min-height', '0'], ['min-width', '0'], ['height', '20px'],
                        ['width', '20px'], ['padding', '0']];
          for (const [k, v] of tiny) b.style.setProperty(k, v, 'important');
          document.body.appendChild(b);
          const c = document.createElement('input'); c.type = 'checkbox';
          document.body.appendChild(c);
        }"""
    )
    reasons = [r[0] for r in _targets(page)]
    assert "small" in reasons and "no label" in reasons
    context.close()


PERSONAS = ["admin", "qu", "jiedao", "shequ", "shequ2", "wangge", "dangyuan", "danwei", "jiancha"]
# Per persona: its home, every menu item, and the first row of each list the menu opens.
FIRST_ROW = "table.list tbody tr td a[href^='/'], .tree a[href^='/orgs/']"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_personas_menu_pages_have_thumb_sized_targets(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
    persona,
):
    base = demo_live_server.url
    context, page, external = _page(browser, "phone")
    _login(page, base, persona)
    menu = page.eval_on_selector_all(
        # .in-menu repeats the header's two-step link for narrow phones: not a menu section
        "header.top nav a:not(.in-menu)",
        "links => links.map(a => a.getAttribute('href'))",
    )
    urls = ["/"] + [u for u in menu if u != "/"]
    failures, visited = {}, []
    for url in urls:
        page.goto(base + url)
        visited.append(url)
        if bad := _targets(page):
            failures[url] = bad[:8]
        first = page.locator(FIRST_ROW).first
        if url != "/" and first.count():
            href = first.get_attribute("href")
            page.goto(base + href)
            visited.append(href)
            if bad := _targets(page):
                failures[href] = bad[:8]
    _shot(page, f"tap-{persona}-last-phone")
    assert len(visited) >= 4, visited
    assert not failures, failures
    assert not external, external
    context.close()
