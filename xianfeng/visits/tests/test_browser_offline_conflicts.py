"""The two conflicts of issue 17 at phone size in headless Chromium, with no connection: the
member logs a visit to a household that then moves out of reach, and claims a task (and logs a
visit for it) that someone else claims first. Back online the server's answer wins: the moved
household's visit is kept at its old building with the Chinese notice beside it in the outbox
(and waits for the community), the claim comes back refused with who holds the task, and the
task's visit is kept without the task, saying so. Screenshots ``offline-conflict-*.png``."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.visits import services
from xianfeng.visits.choices import HouseholdUpdate
from xianfeng.visits.models import Visit
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENT = "() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 2"


def _visit_offline(page, url: str, household_pk: int, findings: str) -> None:
    page.goto(url)
    page.locator(f"#hh-choices input[value='{household_pk}']").check()
    page.check("input[name=purposes][value=safety]")
    page.fill("#id_findings", findings)
    page.click("#visit-submit")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")


def test_the_server_wins_both_conflicts_and_the_visits_are_kept(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
    settings,
):
    from xianfeng.core.models import User
    from xianfeng.places.models import Household
    from xianfeng.work.tests.factories import chain, dangyuan, household_under, member_under

    settings.MEDIA_ROOT = tmp_path / "media"
    base = demo_live_server.url
    grid = role_org(User.objects.get(username="wangge"))
    member = dangyuan()
    moving, staying = list(
        services.member_households(member).order_by("building__code", "sort_key", "id")[:2]
    )
    old_building, old_label = moving.building, str(moving)
    task = chain(grid, title="入户排查燃气")

    context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=120_000
    )
    # online: the pages are opened once, so the service worker keeps them
    for path in (
        "/work/visits/new/",
        f"/work/visits/new/?task={task.pk}",
        f"/work/tasks/{task.pk}/",
        "/offline/outbox/",
    ):
        page.goto(f"{base}{path}")

    # no connection: a visit, a claim and a visit for the task wait in the outbox
    context.set_offline(True)
    _visit_offline(
        page, f"{base}/work/visits/new/", moving.pk, "冲突一：楼道堆放纸箱，已提醒清理。"
    )
    page.goto(f"{base}/work/tasks/{task.pk}/")
    page.click("[data-action=claim]")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")
    _visit_offline(
        page,
        f"{base}/work/visits/new/?task={task.pk}",
        staying.pk,
        "冲突二：燃气软管老化，建议更换。",
    )
    assert page.locator("#for-task").count() == 1  # the kept page still names the task
    _shot(page, "offline-conflict-01-task-visit-saved")

    # meanwhile the household moves out of the member's reach and someone else claims the task
    moving.building = household_under(role_org(User.objects.get(username="shequ2"))).building
    moving.room = "迁903"
    moving.save()
    moving.zones.clear()
    moving.responsibilities.all().delete()
    other = member_under(grid, exclude=(member.pk,))
    Task.objects.filter(pk=task.pk).update(assignee=other, state=TaskState.CLAIMED)

    # back online: sent by themselves; the server's answers are shown beside each item
    page.goto(f"{base}/offline/outbox/")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#outbox-list li[data-state=refused]", timeout=60_000)
    page.wait_for_function(SENT, timeout=60_000)
    sent = page.locator("#outbox-list li[data-state=sent]")
    texts = [sent.nth(i).inner_text() for i in range(sent.count())]
    moved_text = next(t for t in texts if "已迁走" in t)
    assert old_label in moved_text and "已提请社区更新住户信息" in moved_text
    task_text = next(t for t in texts if "入户排查燃气" in t)
    assert "不由您承担" in task_text and "没有关联到该任务" in task_text
    refused = page.locator("#outbox-list li[data-state=refused]").inner_text()
    assert "入户排查燃气" in refused and "已被" in refused and "认领" in refused
    assert other.person.name in refused  # the member sees who holds it
    assert page.locator("#outbox-count").inner_text() == "1"  # the refused claim stays
    _axe(page)
    _shot(page, "offline-conflict-02-outbox-server-answers")

    # the server: both visits kept, the server's answer for the household and the task
    moved_visit = Visit.objects.get(findings="冲突一：楼道堆放纸箱，已提醒清理。")
    assert moved_visit.household is None and moved_visit.building_id == old_building.pk
    assert moved_visit.moved_household == old_label
    assert moved_visit.household_update == HouseholdUpdate.PENDING
    task_visit = Visit.objects.get(findings="冲突二：燃气软管老化，建议更换。")
    assert task_visit.task is None and task_visit.household_id == staying.pk
    task.refresh_from_db()
    assert task.assignee_id == other.pk
    assert Household.objects.get(pk=moving.pk).room == "迁903"

    # the member opens the kept visit from the outbox: it says what waits for the community
    sent.filter(has_text="已迁走").locator("a[href^='/work/visits/']").click()
    page.wait_for_selector("text=待社区更新住户信息")
    assert old_label in page.content()
    _axe(page)
    _shot(page, "offline-conflict-03-moved-visit-kept")
    assert external == [], f"pages asked the internet for {external}"
    context.close()
