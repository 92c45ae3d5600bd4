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
    assert not Person.objects.with_id_number(make_id(801)).exists()
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入")
    _shot(page, "exchange-applied")
    assert Person.objects.with_id_number(make_id(801)).exists()
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


def test_a_killed_import_shows_failed_with_reimport(browser, demo_live_server, settings):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from xianfeng.core.models import JobRun, User
    from xianfeng.exchange.models import ImportRun

    settings.XIANFENG_JOB_STALE_MINUTES = 10
    job = JobRun.objects.create(
        name="exchange.import_apply",
        status=JobRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(minutes=30),
        done=1200,
        total=5000,
    )
    run = ImportRun.objects.create(
        kind="members",
        filename="党员花名册.xlsx",
        stored_path="/nonexistent",
        created_by=User.objects.get(username="shequ"),
        status=ImportRun.Status.APPLYING,
        apply_job=job,
    )
    context, page, external = _page(browser, "desktop")
    _login(page, demo_live_server.url, "shequ")
    page.goto(f"{demo_live_server.url}{run.get_absolute_url()}")
    page.wait_for_selector("text=任务中断（进程已退出），数据未改变，请重新导入")
    _shot(page, "exchange-import-stale")
    page.click("a:has-text('重新导入')")
    page.wait_for_selector("#id_file")
    assert page.input_value("#id_kind") == "members"
    assert not external, external
    context.close()


def test_a_large_export_is_generated_in_the_background(browser, demo_live_server, settings):  # noqa: F811
    settings.XIANFENG_EXPORT_BACKGROUND_ROWS = 3
    context, page, external = _page(browser, "desktop")
    _login(page, demo_live_server.url, "shequ")
    page.goto(f"{demo_live_server.url}/exchange/export/members/")
    page.wait_for_selector("text=下载文件（Excel）")
    _shot(page, "exchange-export-background")
    with page.expect_download() as info:
        page.click("text=下载文件（Excel）")
    assert info.value.suggested_filename.endswith(".xlsx")
    page.goto(f"{demo_live_server.url}/exchange/exports/")
    page.wait_for_selector("text=后台生成（查看）")
    _shot(page, "exchange-export-records")
    assert not external, external
    context.close()


def test_too_many_declarations_get_a_chinese_429(browser, demo_live_server, settings):  # noqa: F811
    settings.XIANFENG_DECLARE_IP_LIMIT = (1, 600)
    building = Building.objects.filter(code__startswith="B-S01-C01-G01").first()
    context, page, external = _page(browser, "phone")
    for _ in range(2):
        page.goto(demo_live_server.url + public_url(building))
        page.fill("#landlord_name", "房东王")
        page.fill("#landlord_mobile", "13700001111")
        page.fill("input[name=room-0]", "301")
        page.click("text=提交申报")
    page.wait_for_selector("text=提交过于频繁，请稍后再试")
    assert not page.is_visible("#website")
    _shot(page, "exchange-declare-throttled-phone")
    assert not external, external
    context.close()
