"""Self-declared acts in real headless Chromium: a member on a phone declares an act (a
missing photo refused in Chinese first, then with a photo), the grid secretary on a desktop
sees that a refusal needs a reason, and approves it; the district reads its
kinds. axe-core checks every page. Screenshots ``declared-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_member_declares_on_a_phone_and_the_secretary_approves(demo_live_server, browser):  # noqa: F811
    from xianfeng.core.models import DutyRecord
    from xianfeng.scoring.models import SelfDeclaration

    base = demo_live_server.url

    # 1. the member on a phone: without a photo it is refused, with one it waits for review
    context, phone, external = _page(browser, "phone")
    _login(phone, base, "dangyuan")
    phone.goto(f"{base}/scoring/declared/?mine=1")
    _axe(phone)
    _shot(phone, "declared-phone-01-mine")
    phone.click("#declare-new")
    phone.wait_for_selector("#declaration-form")
    _axe(phone)
    phone.select_option("#id_kind", label="调解邻里纠纷")
    phone.fill("#id_description", "调解5号楼上下层漏水纠纷，双方签了维修协议")
    with phone.expect_navigation():
        phone.click("#declaration-submit")
    assert "请上传一张现场照片。" in phone.locator("#declaration-form").inner_text()
    _axe(phone)
    _shot(phone, "declared-phone-02-photo-missing")
    phone.set_input_files(
        "#id_photo", files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    with phone.expect_navigation():
        phone.click("#declaration-submit")
    phone.wait_for_selector("#declaration-state")
    assert phone.locator("#declaration-state").inner_text() == "待审核"
    _axe(phone)
    _shot(phone, "declared-phone-03-submitted")
    assert not external, external
    context.close()
    obj = SelfDeclaration.objects.get(description__startswith="调解5号楼")

    # 2. the grid secretary on a desktop approves
    context, page, external = _page(browser, "desktop")
    _login(page, base, "wangge")
    page.goto(f"{base}/scoring/declared/?state=pending")
    _axe(page)
    page.goto(f"{base}{obj.get_absolute_url()}")
    _axe(page)
    _shot(page, "declared-desktop-01-to-review")
    # the refusal's reason is required in the form itself (the service's message is tested
    # in test_self_declared_acts.py)
    assert page.locator("form.step-form[data-step=reject] input[name=note][required]").count()
    with page.expect_navigation():
        page.click("form.step-form[data-step=approve] button")
    assert page.locator("#declaration-state").inner_text() == "已认定"
    _axe(page)
    _shot(page, "declared-desktop-02-approved")
    assert DutyRecord.objects.filter(
        action="self_declared.approve", object_id=str(obj.pk), verified=True
    ).exists()
    assert not external, external
    context.close()

    # 3. the district reads and sets the kinds
    context, page, external = _page(browser, "desktop")
    _login(page, base, "qu")
    page.goto(f"{base}/scoring/declared/kinds/")
    page.wait_for_selector("#kind-form")
    _axe(page)
    _shot(page, "declared-desktop-03-kinds")
    assert not external, external
    context.close()
