"""The whole loop in headless Chromium, the member on a phone: an in-service member reports to
``shequ``'s community, the community accepts, the member claims a community task, logs a visit
and two hours; the community confirms the hours and writes the record; the work unit's liaison
(``danwei``) opens the record on a phone and downloads the PDF, rendered to PNG here. axe-core
on every page; screenshots in ``artifacts/screenshots/community-*.png``."""

from __future__ import annotations

from pathlib import Path

import pytest

from xianfeng.community.models import PerformanceRecord, ServiceSession
from xianfeng.community.tests import factories as cf
from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.demo.base import DEMO_PASSWORD, SHEQU_COMMUNITY
from xianfeng.orgs.models import Organization
from xianfeng.people.models import MemberCase, PartyMember, ServicePlace
from xianfeng.work.tests.factories import JPEG, chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_in_service_member_serves_and_the_unit_reads_the_record(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
    tmp_path: Path,
):
    base = demo_live_server.url
    member = cf.in_service_member()
    user = User.objects.create_user(
        username="zaizhi2", password=DEMO_PASSWORD, person=member.person, display_name="在职"
    )
    Role.objects.create(user=user, kind=RoleKind.MEMBER, organization=member.branch)
    task = chain(cf.community(), title="社区消防通道清理")

    # 1. The member reports to the community on a phone.
    phone, page, external = _page(browser, "phone")
    _login(page, base, "zaizhi2")
    page.goto(f"{base}/members/{member.pk}/")
    page.locator("summary", has_text="办理新事项").click()
    page.fill("input[name=community_code] >> nth=0", SHEQU_COMMUNITY)
    page.click("button:has-text('报到')")
    page.wait_for_selector("text=已提交社区报到")
    _shot(page, "community-01-reported-phone")
    case = MemberCase.objects.get(member=member, kind="report")

    # 2. The community accepts.
    desk, staff, external_staff = _page(browser, "desktop")
    _login(staff, base, "shequ")
    staff.goto(f"{base}/member-cases/{case.pk}/")
    staff.click("button:has-text('社区接收')")
    staff.wait_for_selector("text=已接收报到")
    assert ServicePlace.objects.filter(member=member, ended_on__isnull=True).exists()

    # 3. Home shows where the member serves; they claim the community's task from 我的社区服务.
    page.goto(f"{base}/")
    page.wait_for_selector("#community-service-home")
    page.click("#community-service-home a")
    page.wait_for_selector("#community-tasks")
    _axe(page)
    _shot(page, "community-02-my-service-phone")
    page.locator("#community-tasks a", has_text=task.title).click()
    page.click("[data-action=claim]")
    page.wait_for_selector("text=认领成功")

    # 4. ... logs a visit to a household of the community (no reason needed: they serve there)
    page.goto(f"{base}/work/visits/new/")
    with page.expect_response(lambda r: "/work/visits/households/" in r.url):
        page.fill("#hh-search", "1")
    page.wait_for_timeout(300)
    page.locator("#hh-choices input[type=radio]").first.check()
    page.check("input[name=purposes][value=safety]")
    page.fill("#id_findings", "提醒住户清理楼道杂物。")
    page.click("#visit-submit")
    page.wait_for_selector("text=走访已登记")

    # 5. ... and two hours after work with a photo.
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(JPEG)
    page.goto(f"{base}/work/service/")
    page.fill("#hours", "2")
    page.fill("#content", "清理楼道杂物")
    page.set_input_files("#photo", str(photo))
    page.click("#hours-submit")
    page.wait_for_selector("text=已登记服务时长，待社区确认")
    _axe(page)
    _shot(page, "community-03-hours-logged-phone")
    session = ServiceSession.objects.get(member=member, source="self")

    # A 25-hour day is refused in Chinese.
    page.fill("#hours", "25")
    page.fill("#content", "通宵值守")
    page.set_input_files("#photo", str(photo))
    page.click("#hours-submit")
    page.wait_for_selector("text=一天的服务时长不能超过24小时")

    # 6. The community confirms the hours and writes the record.
    staff.goto(f"{base}/work/sessions/?state=pending")
    _axe(staff)
    staff.goto(f"{base}/work/sessions/{session.pk}/")
    staff.click("button:has-text('确认时长')")
    staff.wait_for_selector("text=已确认服务时长")
    _axe(staff)
    _shot(staff, "community-04-session-confirmed")
    # ... from the records page, its yearly list of members to write for (those still to
    # write first), not a typed address.
    assert ServicePlace.objects.filter(member=member, ended_on__isnull=True).exists()
    staff.goto(f"{base}/work/records/")
    staff.click("#records-due")
    staff.wait_for_selector("#due-list")
    from django.utils import timezone

    from xianfeng.community.records import record_year

    if record_year() != timezone.localdate().year:  # in January the list is last year's
        staff.goto(f"{base}/work/records/due/?year={timezone.localdate().year}")
    _axe(staff)
    _shot(staff, "community-04b-records-due")
    row = staff.locator("#due-list tr", has_text=member.person.name)
    row.locator("a", has_text="填写鉴定").click()
    staff.wait_for_selector("#record-form")
    _axe(staff)
    staff.select_option("#rating", "excellent")
    staff.fill("#positives", "清理楼道杂物\n入户走访")
    staff.fill("#opinion", "报到后积极参加社区服务。")
    staff.click("#record-form button[type=submit]")
    staff.wait_for_selector("text=已填写现实表现鉴定")
    record = PerformanceRecord.objects.get(member=member)
    assert record.hours == 2 and record.visits == 1

    # 7. The work unit's liaison reads it on a phone and downloads the PDF.
    liaison, lpage, external_liaison = _page(browser, "phone")
    _login(lpage, base, "danwei")
    lpage.goto(f"{base}/work/records/")
    _axe(lpage)
    _shot(lpage, "community-05-records-liaison-phone")
    lpage.locator("table.list a", has_text=member.person.name).click()
    lpage.wait_for_selector("#record-pdf")
    _axe(lpage)
    _shot(lpage, "community-06-record-liaison-phone")
    with lpage.expect_download() as download:
        lpage.click("#record-pdf")
    pdf_path = tmp_path / "record.pdf"
    download.value.save_as(str(pdf_path))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    text = pdf[0].get_textpage().get_text_range()
    assert "进社区现实表现鉴定" in text and member.person.name in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf[0].render(scale=1.2).to_pil().save(SHOTS / "community-07-record-pdf.png")
    assert external == external_staff == external_liaison == []
    for context in (phone, desk, liaison):
        context.close()


def test_the_community_gives_its_work_to_an_in_service_member_who_serves_an_order_on_a_phone(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
    settings,
    tmp_path: Path,
):
    """Once accepted, the in-service member is in the community's pickers (the task's 指派给,
    a new zone's members); the community dispatches them a resident's order, which they accept
    and serve on a phone with 1.5 hours, counted on their 我的社区服务 page."""
    from django.core.cache import cache

    from xianfeng.core.workflow import take
    from xianfeng.services.tests import factories as sf

    shequ = User.objects.get(username="shequ")

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    base = demo_live_server.url
    member = cf.in_service_member()
    user = User.objects.create_user(
        username="zaizhi3", password=DEMO_PASSWORD, person=member.person, display_name="在职"
    )
    Role.objects.create(user=user, kind=RoleKind.MEMBER, organization=member.branch)
    cf.reported(member, shequ)
    task = chain(cf.community(), title="社区楼道安全检查")

    # 1. The community assigns its task to them from the task's picker, and sees them among
    # a new zone's members.
    desk, staff, external_staff = _page(browser, "desktop")
    _login(staff, base, "shequ")
    staff.goto(f"{base}/work/tasks/{task.pk}/")
    staff.select_option("#id_member", str(member.pk))
    _axe(staff)
    staff.click("button[data-action=assign]")
    staff.wait_for_selector(f"dd:has-text('{member.person.name}')")
    task.refresh_from_db()
    assert task.assignee_id == member.pk
    staff.goto(f"{base}/zones/new/{cf.community().pk}/")
    assert staff.locator(f"input[name=members][value='{member.pk}']").count() == 1
    _axe(staff)
    _shot(staff, "community-08-zone-picker-serving")

    # 2. A resident's order, dispatched to them; they accept and serve it on a phone.
    order = sf.order(cf.community())
    take(order, "dispatch", actor=shequ, member=str(member.pk))
    phone, page, external = _page(browser, "phone")
    _login(page, base, "zaizhi3")
    page.goto(f"{base}/services/orders/{order.pk}/")
    page.click("button[data-step=accept]")
    page.wait_for_selector("button[data-step=serve]")
    page.fill("#id_note", "已帮住户联系维修水管。")
    page.fill("#id_hours", "25")
    page.click("button[data-step=serve]")
    page.wait_for_selector("text=一天的服务时长不能超过24小时")
    page.fill("#id_note", "已帮住户联系维修水管。")
    page.fill("#id_hours", "1.5")
    _axe(page)
    _shot(page, "community-09-order-serve-hours-phone")
    page.click("button[data-step=serve]")
    page.wait_for_selector("text=已办结，等待群众评价。")
    session = ServiceSession.objects.get(member=member, source="order")
    assert session.reference == order.code and str(session.hours) == "1.5"

    # 3. Their 我的社区服务 page counts the hours.
    page.goto(f"{base}/work/service/")
    assert "1.5" in page.inner_text("main")
    _axe(page)
    _shot(page, "community-10-my-hours-phone")
    assert external == external_staff == []
    for context in (phone, desk):
        context.close()


def test_the_district_tracks_each_mobile_members_townsmen_on_a_phone(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
):
    """From the 流动党员之家's services to 流动党员结对老乡进度: the demo's first mobile member
    has 21 townsmen (one beyond the goal, not capped); those furthest from the goal first."""
    base = demo_live_server.url
    phone, page, external = _page(browser, "phone")
    _login(page, base, "qu")
    page.goto(f"{base}/work/mobile-services/")
    home = Organization.objects.filter(kind="mobile_home").order_by("path").first()
    served = PartyMember.objects.filter(branch__path__startswith=home.path).order_by("pk").first()
    page.select_option("#home", str(home.pk))
    # The picker searches the home's mobile members as one types (no internal number, no cap).
    with page.expect_response(lambda r: "/mobile-services/pick/" in r.url):
        page.fill("#member-search", served.person.name)
    page.wait_for_selector(f"#member-choices input[value='{served.pk}']")
    page.check(f"#member-choices input[value='{served.pk}']")
    page.select_option("#kind", "job")
    page.fill("#content", "介绍到工业园区电子厂就业")
    _shot(page, "community-12-mobile-service-form-phone")
    page.click("#mobile-service button[type=submit]")
    page.wait_for_selector("text=已登记服务。")
    assert served.person.name in page.inner_text("main")
    _axe(page)
    page.click("#to-progress")
    page.wait_for_selector("#mobile-progress")
    text = page.inner_text("#mobile-progress")
    assert "已结对21名，目标20名" in text and "超出目标1名" in text
    from xianfeng.community.mobile import mobile_members_progress

    rows = list(mobile_members_progress(User.objects.get(username="qu")))
    first = page.locator("#mobile-progress li").first.inner_text()
    assert rows[0].person.name in first and f"已结对{rows[0].paired}名" in first
    assert rows[0].paired <= 21 and rows[-1].paired == 21  # the furthest from the goal first
    _axe(page)
    _shot(page, "community-11-mobile-progress-phone")
    assert external == []
    phone.close()


def test_the_community_adds_a_team_member_with_the_picker_and_the_team_claims_an_order(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
):
    """The team page picks a new member by name (no internal number); a member of the team
    (``dangyuan``, on the demo's volunteer team) claims a resident's order for the team on a
    phone."""
    from xianfeng.community.models import Team
    from xianfeng.services.services import create_public_order

    base = demo_live_server.url
    team = Team.objects.get(name="在职党员志愿服务队")
    joining = cf.in_service_member(3)
    cf.reported(joining, User.objects.get(username="shequ"))

    desk, staff, external_staff = _page(browser, "desktop")
    _login(staff, base, "shequ")
    staff.goto(f"{base}/work/teams/{team.pk}/")
    with staff.expect_response(lambda r: "/members/pick/" in r.url):
        staff.fill("#member-search", joining.person.name)
    staff.wait_for_selector(f"#member-choices input[value='{joining.pk}']")
    staff.check(f"#member-choices input[value='{joining.pk}']")
    _axe(staff)
    _shot(staff, "community-13-team-member-picker")
    staff.click("#team-member-add button[type=submit]")
    staff.wait_for_selector("text=已加入队伍。")
    assert team.has_member(joining.pk)

    order = create_public_order(
        community=cf.community(),
        name="周大爷",
        phone="13900077001",
        address="幸福里小区5栋",
        content="楼下路灯不亮",
        throttle=False,
    )
    phone, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    page.goto(f"{base}/services/orders/{order.pk}/")
    page.wait_for_selector("#claim-for-team")
    _axe(page)
    _shot(page, "community-14-team-claims-order-phone")
    page.click("#claim-for-team button[type=submit]")
    page.wait_for_selector("text=已以队伍名义接单，请按时限办理。")
    page.wait_for_selector("#participants")
    _axe(page)
    order.refresh_from_db()
    assert order.team == team and order.state == "accepted"
    assert external == external_staff == []
    for context in (phone, desk):
        context.close()
