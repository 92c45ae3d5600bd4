"""The residents' loop in headless Chromium at phone size: scan a zone board's QR code, report
a problem from it, see it on the wall once staff approved it (their queue and page at desktop
size), see the answer on the echo wall, rate it from the reporter's link, reopen it. axe-core
checks every page; screenshots ``public-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reports_from_a_zone_board_and_rates_the_answer(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    settings,
    tmp_path,
):
    from django.core.cache import cache

    from xianfeng.core import workflow
    from xianfeng.core.models import User
    from xianfeng.demo.base import persona_member
    from xianfeng.places.models import ResponsibilityZone
    from xianfeng.public.models import BoardChoice, Problem

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    base = demo_live_server.url
    member = persona_member("dangyuan")
    zone = ResponsibilityZone.objects.filter(members=member).first()
    BoardChoice.objects.update_or_create(member=member, defaults={"show_name": True})

    # 1. The resident scans the board (the QR code's path) and reports from it.
    context, page, external = _page(browser, "phone")
    page.goto(f"{base}/public/zones/{zone.public_code}/")
    assert member.person.name in page.content()
    _axe(page)
    _shot(page, "public-phone-01-board")
    page.click("#board-report")
    page.wait_for_selector("#title")
    page.select_option("#category", "environment")
    page.fill("#title", "<b>楼下</b>垃圾桶满了没人清")
    page.fill("#phone", "1390000")  # too short: refused, everything typed stays
    page.fill("#description", "已经三天了")
    page.click("button[type=submit]")
    page.wait_for_selector("#phone-error")
    assert page.input_value("#title") == "<b>楼下</b>垃圾桶满了没人清"
    assert page.input_value("#description") == "已经三天了"
    _axe(page)
    _shot(page, "public-phone-02-report-refused")
    page.fill("#phone", "13900000201")
    page.click("button[type=submit]")
    page.wait_for_selector("#follow-link")
    _axe(page)
    _shot(page, "public-phone-03-reported")
    follow = page.get_attribute("#follow-link", "href")
    problem = Problem.objects.get(title="<b>楼下</b>垃圾桶满了没人清")
    assert problem.zone_id == zone.pk and problem.state == "pending"

    # 2. Staff see it in their queue (desktop) and approve it from its page.
    staff_context, staff, _ext = _page(browser, "desktop")
    _login(staff, base, "shequ")
    staff.goto(f"{base}/public/problems/?state=pending")
    _axe(staff)
    _shot(staff, "public-desktop-04-queue")
    staff.click(f"text={problem.title}")
    staff.wait_for_selector("[data-step=approve]")
    _axe(staff)
    staff.click("[data-step=approve] button")
    staff.wait_for_selector("text=已审核")
    _shot(staff, "public-desktop-05-approved")

    # 3. It is on the wall, escaped.
    page.goto(f"{base}/public/c/{problem.community.code}/")
    assert page.locator("text=<b>楼下</b>垃圾桶满了没人清").count() == 1
    _axe(page)
    _shot(page, "public-phone-06-wall")

    # 4. Planned, solved by one, checked by another: on the echo wall.
    shequ, jiedao = User.objects.get(username="shequ"), User.objects.get(username="jiedao")
    workflow.take(
        problem,
        "plan",
        actor=shequ,
        responsible="小区物业",
        measures="每天清运两次",
        deadline=timezone.localdate() + timedelta(days=3),
    )
    workflow.take(problem, "solve", actor=shequ, result="已增加清运频次，垃圾桶已清空")
    workflow.take(problem, "verify", actor=jiedao)
    page.goto(f"{base}/public/c/{problem.community.code}/echo/")
    assert page.locator("text=已增加清运频次").count() == 1
    _axe(page)
    _shot(page, "public-phone-07-echo")

    # 5. The reporter rates it (unsatisfied) and reopens it once.
    page.goto(f"{base}{follow}")
    page.check("input[value=unsatisfied]")
    page.fill("#comment", "晚上又满了")
    page.click("#rate-form button")
    page.wait_for_selector("#reopen-form")
    _axe(page)
    _shot(page, "public-phone-08-rated")
    page.fill("#reason", "晚上还是满的，希望晚上也清运")
    page.click("#reopen-form button")
    page.wait_for_selector("text=已重新交办")
    _axe(page)
    _shot(page, "public-phone-09-reopened")
    problem.refresh_from_db()
    assert problem.state == "in_progress" and problem.reopened == 1
    page.goto(f"{base}/public/p/{problem.code}/")
    _axe(page)
    _shot(page, "public-phone-10-problem")
    assert not external, external
    staff_context.close()
    context.close()


def test_a_refused_landlord_declaration_keeps_every_row_on_a_phone(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
):
    from django.core.cache import cache

    from xianfeng.exchange.declarations import public_url
    from xianfeng.exchange.tests.conftest import make_id
    from xianfeng.places.models import Building

    cache.clear()
    building = Building.objects.filter(code__startswith="B-S01-C01-G01").first()
    context, page, external = _page(browser, "phone")
    page.goto(demo_live_server.url + public_url(building))
    page.fill("#landlord_name", "房东王")
    page.fill("#landlord_mobile", "13700001111")
    page.fill("input[name=room-0]", "301")
    page.fill("input[name=name-0]", "租客甲")
    page.fill("input[name=id-0]", make_id(911))
    page.fill("input[name=room-1]", "302")
    page.fill("input[name=name-1]", "租客乙")
    page.fill("input[name=id-1]", "12345")
    page.click("text=提交申报")
    page.wait_for_selector("#row-1-errors")
    assert page.input_value("input[name=id-0]") == make_id(911)
    assert page.input_value("input[name=name-1]") == "租客乙"
    assert page.input_value("input[name=id-1]") == "12345"
    _axe(page)
    _shot(page, "public-phone-11-declaration-refused")
    page.click("text=房间或租户较多？加几行")
    page.wait_for_selector("input[name=room-8]")
    assert page.input_value("input[name=room-1]") == "302"
    page.fill("input[name=id-1]", make_id(912))
    page.click("text=提交申报")
    page.wait_for_selector("text=申报已提交")
    assert not external, external
    context.close()


def test_staff_raise_a_problem_and_correct_what_the_walls_show_on_a_phone(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    settings,
    tmp_path,
):
    from django.core.cache import cache

    from xianfeng.core.models import User
    from xianfeng.public.models import Problem
    from xianfeng.public.tests.helpers import COMMUNITY, published

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    base = demo_live_server.url
    personas = {u.username: u for u in User.objects.filter(username__in=["shequ", "jiedao"])}
    done = published(personas, title="小区路灯不亮", phone="13900000301")

    # 1. A problem raised at a meeting: a form left short keeps what was typed.
    context, page, external = _page(browser, "phone")
    _login(page, base, "shequ")
    page.goto(f"{base}/public/problems/")
    page.click("#raise")
    page.wait_for_selector("#id_title")
    _axe(page)
    page.select_option("#id_source", "meeting")
    page.fill("#id_source_note", "12月议事日")
    page.fill("#id_description", "议事会上居民提出")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert page.input_value("#id_description") == "议事会上居民提出"
    assert page.input_value("#id_source_note") == "12月议事日"
    _axe(page)
    _shot(page, "public-phone-11-raise-refused")
    page.select_option("#id_organization", index=1)
    page.select_option("#id_category", "traffic")
    page.fill("#id_title", "学校门口上下学拥堵")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("#edit-text")
    raised = Problem.objects.get(title="学校门口上下学拥堵")
    assert raised.on_wall and raised.source == "meeting"
    _axe(page)
    _shot(page, "public-phone-12-raised")

    # 2. The moderator corrects its public text: the wall shows the new text, marked edited.
    page.click("#edit-text")
    page.wait_for_selector("#id_reason")
    page.fill("#id_title", "学校门口上下学时段车辆拥堵")
    page.fill("#id_reason", "表述更准确")
    _axe(page)
    _shot(page, "public-phone-13-edit-text")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=公开内容经管理员编辑")
    page.goto(f"{base}/public/c/{raised.community.code}/")
    assert page.locator("text=学校门口上下学时段车辆拥堵").count() == 1
    assert page.locator("text=学校门口上下学拥堵").count() == 0

    # 3. And the echo wall's result of another.
    page.goto(f"{base}/public/problems/{done.pk}/")
    page.click("#edit-result")
    page.wait_for_selector("#id_result")
    page.fill("#id_result", "已更换路灯灯泡，恢复照明")
    page.fill("#id_reason", "补充办理细节")
    _axe(page)
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("#edit-result")
    page.goto(f"{base}/public/c/{COMMUNITY}/echo/")
    assert page.locator("text=已更换路灯灯泡，恢复照明").count() == 1
    _axe(page)
    _shot(page, "public-phone-14-echo-edited")
    assert not external, external
    context.close()
