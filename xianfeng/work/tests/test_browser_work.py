"""双领 in real headless Chromium: a member claims a task and logs a visit on a phone, a
secretary verifies and looks at coverage on a desktop. Screenshots ``work-*.png`` in
``artifacts/screenshots/``."""

from __future__ import annotations

import time

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.visits.models import Visit
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_claims_a_task_and_logs_a_visit_on_a_phone(demo_live_server, browser):  # noqa: F811
    base = demo_live_server.url
    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    assert page.locator("text=双领：任务与走访").is_visible()
    _shot(page, "work-phone-01-home-member")

    page.goto(f"{base}/work/tasks/?claimable=1")
    _shot(page, "work-phone-02-claimable")
    page.locator("table.list tbody tr a").first.click()
    page.wait_for_selector("[data-action=claim]")
    _shot(page, "work-phone-03-task-open")
    page.click("[data-action=claim]")
    page.wait_for_selector("text=认领成功")
    assert page.locator("[data-action=start]").is_visible()
    _shot(page, "work-phone-04-task-claimed")

    started = time.monotonic()
    page.goto(f"{base}/work/visits/new/")
    # Wait for the htmx search to answer (and settle) before choosing, or a slow answer
    # replaces the radio that was just checked.
    with page.expect_response(lambda r: "/work/visits/households/" in r.url):
        page.fill("#hh-search", "1")
    page.wait_for_timeout(300)
    page.locator("#hh-choices input[type=radio]").first.check()
    page.check("input[name=purposes][value=safety]")
    page.check("input[name=purposes][value=policy]")
    page.fill("#id_findings", "楼道堆放纸箱，已提醒清理。")
    _shot(page, "work-phone-05-visit-form")
    page.click("#visit-submit")
    page.wait_for_selector("text=走访已登记")
    assert time.monotonic() - started < 30
    _shot(page, "work-phone-06-visit-saved")
    assert Visit.objects.filter(findings="楼道堆放纸箱，已提醒清理。").count() == 1

    page.goto(f"{base}/work/visits/new/")
    page.locator("#hh-choices input[type=radio]").first.check()
    page.check("input[name=purposes][value=talk]")
    page.fill("#id_visited_at", "2099-01-01T10:00")
    page.click("#visit-submit")
    assert "走访时间不能晚于现在" in page.content()
    _shot(page, "work-phone-07-visit-future-refused")
    assert external == [], f"pages asked the internet for {external}"
    context.close()


def test_a_secretary_verifies_and_acts_on_coverage(demo_live_server, browser):  # noqa: F811
    base = demo_live_server.url
    context, page, external = _page(browser, "desktop")
    _login(page, base, "wangge")
    _shot(page, "work-desktop-01-home-secretary")
    task = Task.objects.filter(state=TaskState.SUBMITTED).order_by("pk").first()
    page.goto(f"{base}/work/tasks/{task.pk}/")
    page.click("[data-action=verify]")
    page.wait_for_selector("text=已核验通过")
    _shot(page, "work-desktop-02-task-verified")
    page.goto(f"{base}/work/coverage/")
    assert page.locator("text=住户走访覆盖率").is_visible()
    _shot(page, "work-desktop-03-coverage")
    page.goto(f"{base}/work/coverage/not-visited/?days=90")
    page.locator("input[name=households]").first.check()
    # The member picker finds anyone by name as one types (not a list cut at 200).
    from xianfeng.core.models import User
    from xianfeng.people.models import PartyMember

    wangge = User.objects.get(username="wangge")
    someone = PartyMember.objects.restrict(wangge).select_related("person").order_by("-pk").first()
    with page.expect_response(lambda r: "/members/pick/" in r.url):
        page.fill("#member-search", someone.person.name)
    choice = page.locator(f"#member-choices input[value='{someone.pk}']")
    choice.wait_for()
    choice.check()
    _axe(page)
    page.click("button:has-text('分派到户')")
    page.wait_for_selector(f"text=交给{someone.person.name}负责走访")
    _shot(page, "work-desktop-04-not-visited-assigned")
    page.goto(f"{base}/work/campaigns/")
    page.locator("table.list tbody tr a").first.click()
    _shot(page, "work-desktop-05-campaign")
    assert external == []
    context.close()


def test_a_task_gets_its_target_households_on_the_page(demo_live_server, browser):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.places.models import Household
    from xianfeng.work.tests.factories import chain

    shequ = User.objects.get(username="shequ")
    project = chain(role_org(shequ)).project
    wanted = (
        Household.objects.filter(organization__path__startswith=project.organization.path)
        .select_related("building")
        .order_by("-pk")
        .first()
    )
    base = demo_live_server.url
    context, page, external = _page(browser, "desktop")
    _login(page, base, "shequ")
    page.goto(f"{base}/work/projects/{project.pk}/tasks/new/")
    page.fill("#id_title", "入户核查")
    page.fill("#id_deadline", (timezone.localdate() + timedelta(days=3)).isoformat())
    with page.expect_response(lambda r: "/places/households/pick/" in r.url):
        page.fill("#id_target_households", wanted.building.name)
    box = page.locator(f"input[name=target_households][value='{wanted.pk}']")
    box.wait_for()
    box.check()
    _axe(page)
    _shot(page, "work-desktop-06-task-targets")
    page.click("button:has-text('发布任务')")
    page.wait_for_selector("h1:has-text('入户核查')")
    task = project.tasks.get(title="入户核查")
    assert list(task.target_households.all()) == [wanted]
    assert not external, external
    context.close()
