"""Log in and walk the foundation pages in real headless Chromium, desktop and phone size.

Screenshots land in ``artifacts/screenshots/`` (see README) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from xianfeng.demo.accounts import PERSONA_ZONE_NAME
from xianfeng.demo.base import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo_live_server(live_server):
    # Transactional tests start from empty tables: build the small district for the server.
    call_command("demo_district", scale="small", verbosity=0)
    return live_server


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make system-deps` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _page(browser, size: str):
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    page = context.new_page()
    external: list[str] = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if not r.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
            else None
        ),
    )
    return context, page, external


AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe(page) -> None:
    """axe-core (from npm, ``make assets`` installs it) finds no WCAG 2.1 AA violation."""
    assert AXE.exists(), "axe-core is missing: run `make assets`"
    # Evaluated from the test, not added as a <script>: the pages' Content-Security-Policy
    # refuses inline scripts, and must not be loosened for the test.
    page.evaluate("src => { (0, eval)(src); }", AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    found = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert not found, found


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page, base: str, username: str) -> None:
    """Log in through the form; district and street admins and the superuser also pass the
    second factor with a code of the demo authenticator."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/login/verify/" in page.url:
        _second_factor(page, username)
    page.wait_for_url(f"{base}/")


def _second_factor(page, username: str) -> None:
    from xianfeng.core.models import User
    from xianfeng.core.testing import otp_code

    page.fill("#id_otp", otp_code(User.objects.get(username=username)))
    page.click("button[type=submit]")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_community_admin_walks_tree_member_and_building(demo_live_server, browser, size):
    base = demo_live_server.url
    context, page, external = _page(browser, size)
    page.goto(f"{base}/login/")
    _shot(page, f"{size}-01-login")
    _login(page, base, "shequ")
    assert page.locator("h1").inner_text().endswith("您好")
    _shot(page, f"{size}-02-home-shequ")

    page.goto(f"{base}/orgs/")
    toggle = page.locator("button.toggle").first
    toggle.click()
    page.wait_for_selector(".tree ul ul li")
    assert page.locator(".tree ul ul li").count() >= 1
    _shot(page, f"{size}-03-org-tree")

    page.goto(f"{base}/members/")
    page.locator("table.list tbody tr a").first.click()
    page.wait_for_selector("#sensitive")
    masked = page.locator("#sensitive").inner_text()
    assert "*" in masked
    page.click("#sensitive button")
    page.wait_for_selector("#sensitive .revealed")
    assert "已记录" in page.locator("#sensitive").inner_text()
    _shot(page, f"{size}-04-member")

    page.goto(f"{base}/places/grids/")
    page.locator("table.list tbody tr a").first.click()
    page.locator("table.list tbody tr a").first.click()
    page.wait_for_selector("h1")
    assert page.locator("text=住户").first.is_visible()
    _shot(page, f"{size}-05-building")

    page.goto(f"{base}/zones/")
    page.locator("table.list tbody tr a").first.click()
    assert page.locator(".board").is_visible()
    _shot(page, f"{size}-06-zone")
    assert external == [], f"pages asked the internet for {external}"
    context.close()


def test_a_member_on_a_phone_sees_their_zone_and_search_by_initials(demo_live_server, browser):
    base = demo_live_server.url
    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    _shot(page, "phone-07-home-member")
    assert page.get_by_role("heading", name="我的责任区", exact=True).is_visible()
    page.click(f"text={PERSONA_ZONE_NAME}")
    assert page.locator(".board").is_visible()
    _shot(page, "phone-07b-member-zone")
    page.goto(f"{base}/search/")
    page.fill("input[name=q]", "zz")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("h1")
    _shot(page, "phone-08-search")
    assert external == []
    context.close()


def test_a_wrong_password_shows_a_chinese_message(demo_live_server, browser):
    base = demo_live_server.url
    context, page, _ = _page(browser, "phone")
    page.goto(f"{base}/login/")
    page.fill("#id_username", "shequ")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator(".alert").inner_text()
    _shot(page, "phone-09-login-error")
    context.close()


def test_an_admin_registers_a_member_and_sees_errors_first(demo_live_server, browser):
    base = demo_live_server.url
    context, page, _ = _page(browser, "desktop")
    _login(page, base, "wangge")
    page.goto(f"{base}/members/new/")
    page.fill("#id_name", "测试党员")
    page.fill("#id_id_number", "110105194912310021")
    page.fill("#id_mobile", "123")
    page.click("form.edit button[type=submit]")
    assert "校验位" in page.content()
    _shot(page, "desktop-10-member-form-errors")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_mobile", "13912345678")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=已登记党员")
    _shot(page, "desktop-11-member-created")
    context.close()
