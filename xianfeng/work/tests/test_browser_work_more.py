"""Issue 4's later parts in real headless Chromium: a task done by visits (progress, refused
submit, visits opened from the task) and a mobile member's fellow townsmen on a phone; the
paired unit's report of its safety checks on a desktop. Screenshots ``work-*.png``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.community.models import Townsman, TownsmanContact
from xianfeng.core.models import User
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_browser import _login, _page, _shot, browser, demo_live_server  # noqa: F401
from xianfeng.demo.base import persona_member
from xianfeng.people.choices import MemberKind
from xianfeng.people.models import PartyMember, Person
from xianfeng.visits import services
from xianfeng.visits.models import Visit
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_task_done_by_visits_on_a_phone(demo_live_server, browser):  # noqa: F811
    base = demo_live_server.url
    member = persona_member("dangyuan")
    targets = list(
        services.member_households(member).order_by("building__code", "unit", "room")[:2]
    )
    task = (
        Task.objects.filter(organization__path__startswith=member.branch.path)
        .order_by("pk")
        .first()
    )
    task.assignee = member
    task.state = TaskState.IN_PROGRESS
    task.save()
    task.target_households.set(targets)

    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    page.goto(f"{base}/work/tasks/{task.pk}/")
    assert page.locator("[data-progress='0/2']").is_visible()
    page.fill("#id_notes", "两户都查了")
    page.click("[data-action=submit]")
    assert "还有2户未走访" in page.content()
    _shot(page, "work-phone-10-task-submit-refused")
    for _ in targets:
        page.goto(f"{base}/work/tasks/{task.pk}/")
        page.locator("#task-visits .muted a").first.click()
        page.wait_for_selector("#for-task")
        page.check("input[name=purposes][value=safety]")
        _shot(page, "work-phone-11-visit-from-task")
        page.click("#visit-submit")
        page.wait_for_selector("text=走访已登记")
    page.goto(f"{base}/work/tasks/{task.pk}/")
    assert page.locator("[data-progress='2/2']").is_visible()
    _shot(page, "work-phone-12-task-visits-done")
    page.fill("#id_notes", "两户都查了")
    page.click("[data-action=submit]")
    page.wait_for_selector("text=已提交，等待核验")
    _shot(page, "work-phone-13-task-submitted")
    assert Visit.objects.filter(task=task).count() == 2
    assert external == []
    context.close()


def test_a_mobile_member_keeps_townsmen_on_a_phone(demo_live_server, browser):  # noqa: F811
    base = demo_live_server.url
    member = persona_member("dangyuan")
    member.kind = MemberKind.MOBILE
    member.save()
    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    page.goto(f"{base}/work/townsmen/")
    page.fill("#id_name", "张老乡")
    page.fill("#id_phone", "12345")
    page.click("#townsman-submit")
    assert "电话应为11位手机号" in page.content()
    _shot(page, "work-phone-14-townsman-refused")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_hometown", "昭通镇雄")
    page.fill("#id_whereabouts", "工业园区3号厂宿舍")
    page.click("#townsman-submit")
    page.wait_for_selector("text=已加入老乡名单")
    assert "138****8000" in page.content() and "13800138000" not in page.content()
    page.check("input[name=way][value=visit]")
    page.fill("#id_findings", "宿舍电动车室内充电，已劝离。")
    page.check("#id_raises_hazard")
    _shot(page, "work-phone-15-townsman-contact-form")
    page.click("#contact-submit")
    page.wait_for_selector("text=联系已登记")
    _shot(page, "work-phone-16-townsman-contact-saved")
    page.goto(f"{base}/work/townsmen/")
    assert page.locator("text=联系1次").is_visible()
    _shot(page, "work-phone-17-townsmen-list")
    assert TownsmanContact.objects.filter(townsman__name="张老乡").count() == 1
    assert Townsman.objects.get(name="张老乡").member == member
    assert external == []
    context.close()


def test_the_paired_unit_reads_its_safety_checks(demo_live_server, browser):  # noqa: F811
    base = demo_live_server.url
    unit = role_org(User.objects.get(username="danwei"))
    community = role_org(User.objects.get(username="shequ"))
    person = Person.objects.create(organization=unit, name="驻区党员甲")
    member = PartyMember.objects.create(person=person, branch=unit)
    households = services.member_households(member).filter(
        organization__path__startswith=community.path
    )[:3]
    for i, household in enumerate(households):
        Visit.objects.create(
            member=member,
            household=household,
            building=household.building,
            organization=household.organization,
            reported_to=unit,
            visited_at=timezone.now() - timedelta(hours=i + 1),
            purposes=["safety"],
            raises_hazard=i == 0,
            findings="安全结对检查",
        )
    context, page, external = _page(browser, "desktop")
    _login(page, base, "danwei")
    page.goto(f"{base}/work/paired-checks/")
    assert page.locator("table.paired").is_visible()
    assert "驻区党员甲" in page.content()
    _shot(page, "work-desktop-06-paired-checks")
    assert external == []
    context.close()
    phone, ppage, _external = _page(browser, "phone")
    _login(ppage, base, "danwei")
    ppage.goto(f"{base}/work/paired-checks/")
    _shot(ppage, "work-phone-18-paired-checks")
    phone.close()
