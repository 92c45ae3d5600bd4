"""Two-factor in the browser, desktop and phone: an administrator's code step at login, the
enrolment at first login with its QR code and recovery codes, and the own two-factor page.
Every page passes axe-core; screenshots in ``artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.core.testing import otp_code, role_org
from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.demo.base import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_district_admin_logs_in_with_a_code(demo_live_server, browser, size):  # noqa: F811
    base = demo_live_server.url
    context, page, external = _page(browser, size)
    _password(page, base, "qu")
    assert page.url == f"{base}/login/verify/"
    assert page.locator("h1").inner_text() == "两步验证"
    _axe(page)
    _shot(page, f"{size}-2fa-01-verify")
    page.fill("#id_otp", "000000")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "动态验证码或恢复码不正确。"
    _axe(page)
    _shot(page, f"{size}-2fa-02-verify-wrong")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="qu").update(throttling_failure_count=0)
    page.fill("#id_otp", otp_code(User.objects.get(username="qu")))
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/account/2fa/")
    assert "已启用" in page.locator("main").inner_text()
    assert page.locator("text=停用两步验证").count() == 0
    _axe(page)
    _shot(page, f"{size}-2fa-03-account")
    page.fill("#id_otp_codes", otp_code(User.objects.get(username="qu")))
    with page.expect_navigation():
        page.click("button[value=codes]")
    assert page.locator(".codes li").count() == 10
    _axe(page)
    _shot(page, f"{size}-2fa-04-new-codes")
    assert external == []
    context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_new_street_admin_sets_up_two_factor_at_first_login(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    size,
):
    base = demo_live_server.url
    jiedao = User.objects.get(username="jiedao")
    user = User.objects.create_user("jiedao-xin", password=DEMO_PASSWORD, display_name="新干部")
    Role.objects.create(user=user, kind=RoleKind.STREET_ADMIN, organization=role_org(jiedao))
    context, page, external = _page(browser, size)
    _password(page, base, "jiedao-xin")
    assert page.url == f"{base}/login/setup/"
    assert page.locator(".qr svg").is_visible()
    secret = page.locator(".secret").inner_text()
    assert len(secret) >= 16
    _axe(page)
    _shot(page, f"{size}-2fa-05-setup")
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("#id_otp", f"{TOTP(device.bin_key).token():06d}")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator(".codes li").count() == 10
    assert "只显示这一次" in page.locator("main").inner_text()
    _axe(page)
    _shot(page, f"{size}-2fa-06-codes")
    with page.expect_navigation():
        page.click("text=我已保存，继续")
    assert page.url == f"{base}/"
    assert external == []
    context.close()


def test_an_optional_user_turns_two_factor_on_from_the_phone(demo_live_server, browser):  # noqa: F811
    base = demo_live_server.url
    context, page, external = _page(browser, "phone")
    _login(page, base, "shequ")
    page.click("header.top a:has-text('两步验证') >> visible=true")
    assert "未启用" in page.locator("main").inner_text()
    _axe(page)
    _shot(page, "phone-2fa-07-account-off")
    with page.expect_navigation():
        page.click("text=设置验证器")
    assert page.locator(".qr svg").is_visible()
    _axe(page)
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="shequ", confirmed=False)
    page.fill("#id_otp", f"{TOTP(device.bin_key).token():06d}")
    with page.expect_navigation():
        page.click(".twofactor button[type=submit]")
    assert page.locator(".codes li").count() == 10
    assert external == []
    context.close()
