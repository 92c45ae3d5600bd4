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
