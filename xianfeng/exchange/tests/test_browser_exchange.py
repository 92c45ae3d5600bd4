"""The import preview → apply flow at desktop size and the landlord's public page at phone
size, in real headless Chromium. Screenshots: ``artifacts/screenshots/exchange-*.png``."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.exchange.declarations import public_url
from xianfeng.exchange.tests.conftest import MEMBER_HEAD, make_id, xlsx_bytes
from xianfeng.people.models import Person
from xianfeng.places.models import Building

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_import_is_previewed_then_applied(browser, demo_live_server, tmp_path):  # noqa: F811
    base = demo_live_server.url
    path = tmp_path / "党员花名册.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                MEMBER_HEAD,
                [
                    "赵一",
                    make_id(801),
                    "XF-S01-C01-G01",
                    "13900000801",
                    "社区党员",
                    "正式党员",
                    "2012年7月1日",
                ],
                [
                    "赵二",
                    make_id(802),
                    "XF-S01-C01-G01",
                    "13900000802",
                    "在职党员",
                    "正式党员",
                    41000,
                ],
                ["赵三", 53010219900101083, "XF-S01-C01-G01", "", "", "", ""],
                ["赵四", make_id(804), "XF-S02-C01", "", "", "", ""],
            ]
        )
    )
    context, page, external = _page(browser, "desktop")
    _login(page, base, "shequ")
    page.click("nav >> text=数据")
    page.click("text=导入Excel/CSV")
    page.select_option("#id_kind", "members")
    page.set_input_files("#id_file", str(path))
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=待确认导入")
    body = page.inner_text("main")
    assert "存成了数字" in body and "不在您的管辖范围内" in body
    _shot(page, "exchange-preview")
    assert not Person.objects.filter(id_number=make_id(801)).exists()
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入")
    _shot(page, "exchange-applied")
    assert Person.objects.filter(id_number=make_id(801)).exists()
    assert not external, external
    context.close()


def test_a_landlord_declares_on_a_phone(browser, demo_live_server):  # noqa: F811
    building = Building.objects.filter(code__startswith="B-S01-C01-G01").first()
    context, page, external = _page(browser, "phone")
    page.goto(demo_live_server.url + public_url(building))
    page.fill("#landlord_name", "房东王")
    page.fill("#landlord_mobile", "13700001111")
    page.fill("input[name=unit-0]", "1")
    page.fill("input[name=room-0]", "301")
    page.fill("input[name=name-0]", "租客甲")
    page.fill("input[name=id-0]", make_id(901))
    page.fill("input[name=mobile-0]", "13600009001")
    _shot(page, "exchange-declare-phone")
    page.click("text=提交申报")
    page.wait_for_selector("text=申报已提交")
    _shot(page, "exchange-declare-done-phone")
    assert not external, external
    context.close()


def test_a_member_page_shows_the_matters_panel(browser, demo_live_server):  # noqa: F811
    from xianfeng.people.models import PartyMember

    member = (
        PartyMember.objects.filter(branch__code="XF-S01-C01-G01", person__user__isnull=True)
        .order_by("pk")
        .first()
    )
    context, page, external = _page(browser, "desktop")
    _login(page, demo_live_server.url, "wangge")
    page.goto(f"{demo_live_server.url}/members/{member.pk}/")
    page.wait_for_selector("text=办理新事项")
    page.click("text=办理新事项")
    page.select_option("select[name=reason]", "contact_invalid")
    page.click("button:has-text('登记失联')")
    page.wait_for_selector("text=已登记为失联党员")
    page.fill("input[name=text]", "电话停机，走访原住址无人")
    page.click("button:has-text('记录查找')")
    page.wait_for_selector("text=电话停机")
    _shot(page, "exchange-member-cases")
    assert not external, external
    context.close()
