"""Safety in real headless Chromium at phone size: a member inspects a rental building item
by item, fails two items and sees it turn yellow; the two hazards appear on the grid
secretary's home page; the rectification is handed in with photos, verified by another member
and closed; a re-inspection turns the building green. axe-core checks every new page.
Screenshots ``safety-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.places.choices import SafetyColour
from xianfeng.safety.models import Hazard, Inspection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(tmp_path, name: str, colour: tuple[int, int, int]) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _answer(page, item_pk: int, outcome: str) -> None:
    with page.expect_response(lambda r: f"/items/{item_pk}/" in r.url):
        page.click(f"#item-{item_pk} input[data-outcome={outcome}]")
    page.wait_for_selector(f"#item-{item_pk}.{outcome}")


def _inspect(page, base: str, building, fails: tuple[int, ...], shots: str) -> Inspection:
    page.goto(f"{base}/safety/buildings/{building.pk}/")
    page.click("#start-inspection")
    page.wait_for_selector("#preview")
    inspection = Inspection.objects.filter(building=building).order_by("-pk").first()
    items = list(inspection.template.items.all())
    _axe(page)
    _shot(page, f"{shots}-a-first-item")
    for item in items:
        _answer(page, item.pk, "fail" if item.order in fails else "pass")
    _shot(page, f"{shots}-b-answered")
    page.click("#submit-inspection")
    page.wait_for_selector("text=检查已提交")
    _axe(page)
    _shot(page, f"{shots}-c-result")
    return inspection


def test_inspect_rectify_verify_and_reinspect_on_a_phone(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
    settings,
):
    from xianfeng.core.models import User
    from xianfeng.safety.tests.factories import building_under

    settings.MEDIA_ROOT = tmp_path / "media"
    base = demo_live_server.url
    building = building_under(role_org(User.objects.get(username="wangge")))

    # 1. the member inspects: two failed items (not veto ones) → yellow
    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    first = _inspect(page, base, building, fails=(4, 8), shots="safety-phone-01")
    assert page.locator("#result [data-colour=yellow]").is_visible()
    building.refresh_from_db()
    assert building.safety_colour == SafetyColour.YELLOW
    hazards = list(Hazard.objects.filter(inspection=first).order_by("pk"))
    assert len(hazards) == 2

    # 2. the grid secretary sees both on the home page, confirms and assigns them
    secretary, spage, external2 = _page(browser, "phone")
    _login(spage, base, "wangge")
    home = spage.locator("#safety-home")
    for hazard in hazards:
        assert home.locator(f"text={hazard.title}").first.is_visible()
    _axe(spage)
    _shot(spage, "safety-phone-02-secretary-home")
    spage.goto(f"{base}/safety/hazards/?open=1")
    _axe(spage)
    _shot(spage, "safety-phone-03-hazard-list")
    for hazard in hazards:
        spage.goto(f"{base}/safety/hazards/{hazard.pk}/")
        spage.click("[data-step=confirm]")
        spage.wait_for_selector("text=已确认立案")
        spage.select_option("#id_member", label="李晓梅")
        spage.click("[data-step=assign]")
        spage.wait_for_selector("text=已交办")
    _axe(spage)
    _shot(spage, "safety-phone-04-hazard-assigned")

    # 3. the member hands in each rectification with before/after photos; not without
    for n, hazard in enumerate(hazards):
        page.goto(f"{base}/safety/hazards/{hazard.pk}/")
        page.click("[data-step=start]")
        page.wait_for_selector("text=已开始整改")
        page.fill("#id_rectification", "房东已清理楼道杂物，更换灭火器。")
        if n == 0:
            page.click("[data-step=submit]")
            page.wait_for_selector("text=请上传整改后的照片作为证据")
            _shot(page, "safety-phone-05-no-evidence-refused")
            page.fill("#id_rectification", "房东已清理楼道杂物，更换灭火器。")
        page.set_input_files("#id_before_photos", _jpeg(tmp_path, f"before{n}.jpg", (90, 40, 40)))
        page.set_input_files("#id_after_photos", _jpeg(tmp_path, f"after{n}.jpg", (40, 140, 60)))
        _axe(page)
        page.click("[data-step=submit]")
        page.wait_for_selector("text=整改已提交")
    _shot(page, "safety-phone-06-submitted")
    # the submitter has no verify button on their own rectification
    assert page.locator("[data-step=verify]").count() == 0

    # 4. another member (the secretary) verifies and closes each
    for hazard in hazards:
        spage.goto(f"{base}/safety/hazards/{hazard.pk}/")
        spage.click("[data-step=verify]")
        spage.wait_for_selector("text=整改已核验通过")
        spage.click("[data-step=close]")
        spage.wait_for_selector("text=隐患已销号")
    _axe(spage)
    _shot(spage, "safety-phone-07-closed")
    assert set(Hazard.objects.filter(inspection=first).values_list("state", flat=True)) == {
        "closed"
    }

    # 5. the re-inspection turns the building green
    _inspect(page, base, building, fails=(), shots="safety-phone-08")
    assert page.locator("#result [data-colour=green]").is_visible()
    building.refresh_from_db()
    assert building.safety_colour == SafetyColour.GREEN
    page.goto(f"{base}/safety/buildings/{building.pk}/")
    _axe(page)
    _shot(page, "safety-phone-09-building-green")
    page.goto(f"{base}/safety/due/")
    _axe(page)
    page.goto(f"{base}/safety/checklists/")
    _axe(page)
    page.goto(f"{base}/safety/checklists/{first.template_id}/")
    _axe(page)
    page.goto(f"{base}/safety/hazards/new/?building={building.pk}")
    _axe(page)
    _shot(page, "safety-phone-10-report-form")
    assert external == [] and external2 == [], "pages asked the internet"
    context.close()
    secretary.close()
