"""Scoring in real headless Chromium: the district publishes a rule on the rules page at
desktop size (a negative cap refused in Chinese first); a member's visits of the day are
scored and the member reads their points, index and breakdown on a phone, then appeals;
the auditor opens the anomalies. axe-core checks every page. Screenshots ``scoring-*.png``
in ``artifacts/screenshots/``."""

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


def test_rules_on_a_desktop_and_my_points_on_a_phone(demo_live_server, browser):  # noqa: F811
    from xianfeng.core.services import duty_record
    from xianfeng.demo.base import persona_member
    from xianfeng.places.models import Household
    from xianfeng.scoring import services
    from xianfeng.scoring.models import PointRule

    base = demo_live_server.url
    today = timezone.localdate()

    # 1. the district's rules page at desktop size: a negative cap is refused, then published
    context, page, external = _page(browser, "desktop")
    _login(page, base, "qu")
    page.goto(f"{base}/scoring/rules/")
    _axe(page)
    page.select_option("#id_kind", "visit.log")
    page.fill("#id_effective_from", today.replace(day=1).isoformat())
    page.fill("#id_points", "2")
    page.fill("#id_daily_cap", "-5")
    page.check("#id_once_per_target_per_day")
    page.fill("#id_note", "走访加分")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector("text=上限不能为负数")
    _axe(page)
    _shot(page, "scoring-desktop-01-rule-refused")
    page.fill("#id_daily_cap", "6")
    with page.expect_navigation():
        page.click("#rule-form button[type=submit]")
    page.wait_for_selector("text=已得积分不变")
    rule = PointRule.objects.filter(kind="visit.log").order_by("-version").first()
    assert rule.points == 2 and rule.daily_cap == 6 and rule.once_per_target_per_day
    _axe(page)
    _shot(page, "scoring-desktop-02-rule-published")
    # the year's star ratings from the index
    page.goto(f"{base}/scoring/stars/")
    with page.expect_navigation():
        page.click("#rate-stars")
    page.wait_for_selector("#stars")
    _axe(page)
    _shot(page, "scoring-desktop-05-stars")
    assert not external, external
    context.close()

    # 2. the member visits three households, one twice: scored past the high-water mark
    member = persona_member("dangyuan")
    homes = list(Household.objects.all()[:3])
    for home in [homes[0], *homes]:
        duty_record(
            actor=None, action="visit.log", organization=member.branch, member=member, target=home
        )
    services.award_pending(lag=timedelta(0))

    context, phone, external = _page(browser, "phone")
    _login(phone, base, "dangyuan")
    assert phone.locator("#scoring-home").is_visible()
    phone.goto(f"{base}/scoring/")
    total = phone.locator("#my-total").inner_text()
    assert float(total) >= 6
    assert phone.locator("text=积分从哪里来").is_visible()
    assert phone.locator("text=同一对象当日已计分").first.is_visible()
    _axe(phone)
    _shot(phone, "scoring-phone-01-my-points")
    phone.locator(".entries a").first.click()
    phone.fill("#id_reason", "第二次上门是送药，请核实")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    phone.wait_for_selector("#appeal-state")
    _axe(phone)
    _shot(phone, "scoring-phone-02-appeal")
    assert not external, external
    context.close()

    # 3. the auditor reads the anomalies
    context, audit, external = _page(browser, "desktop")
    _login(audit, base, "jiancha")
    audit.goto(f"{base}/scoring/anomalies/")
    assert audit.locator("#bursts").is_visible()
    _axe(audit)
    _shot(audit, "scoring-desktop-03-anomalies")
    audit.goto(f"{base}/scoring/leaderboard/")
    _axe(audit)
    _shot(audit, "scoring-desktop-04-leaderboard")
    context.close()
