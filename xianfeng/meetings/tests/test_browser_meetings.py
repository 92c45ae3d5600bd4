"""Organizational life in headless Chromium, as its users meet it. On a phone: ``dangyuan``
finds the meeting they are invited to and signs in (once: the page then says when), opens the
branch's fixed activity day; ``wangge`` records a publicity event with a photo (a document
passed off as a photo is refused in Chinese); a resident votes with a one-time code (the same
code twice is refused). On a desktop: ``shequ`` reads the selection and the audit of its
ballots and the contact points' lessons. axe-core on every page; screenshots in
``artifacts/screenshots/meetings-*.png``.

Every form's button is clicked by its own selector: the first submit button of every page is
the logout button of ``base.html``."""

from __future__ import annotations

from pathlib import Path

import pytest

from xianfeng.core.models import User
from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.demo.base import WANGGE_BRANCH, persona_member
from xianfeng.meetings import votes
from xianfeng.meetings.choices import MeetingKind, SelectionState
from xianfeng.meetings.models import Attendee, Ballot, Meeting, PublicityEvent, Selection
from xianfeng.orgs.models import Organization
from xianfeng.work.tests.factories import JPEG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_signs_in_to_a_meeting_on_a_phone(browser, demo_live_server):  # noqa: F811
    base = demo_live_server.url
    me = persona_member("dangyuan")
    meeting = Meeting.objects.get(
        kind=MeetingKind.BRANCH_ASSEMBLY, attendees__member=me, state="planned"
    )
    _context, page, external = _page(browser, "phone")
    _login(page, base, "dangyuan")
    page.goto(f"{base}/meetings/")
    page.click("a:has-text('邀请我的')")
    page.wait_for_selector(f"tr[data-meeting='{meeting.pk}']")
    _axe(page)
    _shot(page, "meetings-01-invited-phone")
    page.click(f"tr[data-meeting='{meeting.pk}'] a")
    page.wait_for_selector("#sign-in-card")
    _axe(page)
    _shot(page, "meetings-02-meeting-phone")
    page.click("#sign-in")
    page.wait_for_selector("text=签到成功")
    assert page.locator("#signed-in").is_visible()
    assert page.locator("#sign-in").count() == 0  # no second sign-in offered
    _axe(page)
    _shot(page, "meetings-03-signed-in-phone")
    row = Attendee.objects.get(meeting=meeting, member=me)
    assert row.present and row.method == "self"
    # A second sign-in (an old tab, a double tap) is refused in Chinese; the first time stands.
    first = row.signed_in_at
    answer = page.request.post(
        f"{base}/meetings/{meeting.pk}/sign-in/",
        headers={"X-CSRFToken": _csrf(page), "Referer": f"{base}/meetings/{meeting.pk}/"},
    )
    assert answer.status == 409 and "已于" in answer.text()
    row.refresh_from_db()
    assert row.signed_in_at == first

    # The branch's fixed activity day: its items, one claimed by this member.
    day = Meeting.objects.get(kind=MeetingKind.ACTIVITY_DAY)
    page.goto(f"{base}/meetings/{day.pk}/")
    page.wait_for_selector("#activity-items li")
    assert page.locator("#activity-items li").count() == 3
    # Three days ahead: the page says when sign-in opens instead of offering a button.
    assert "开始前两小时内才能签到" in page.locator("#sign-in-note").inner_text()
    assert page.locator("#sign-in").count() == 0
    _axe(page)
    _shot(page, "meetings-04-activity-day-phone")
    assert not external, external


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_a_secretary_records_publicity_with_a_photo_on_a_phone(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
    tmp_path: Path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = demo_live_server.url
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(JPEG)
    fake = tmp_path / "notice.jpg"
    fake.write_bytes(b"%PDF-1.4 not a photo")
    branch = Organization.objects.get(code=WANGGE_BRANCH)
    _context, page, external = _page(browser, "phone")
    _login(page, base, "wangge")
    page.goto(f"{base}/meetings/publicity/new/")
    _axe(page)
    with page.expect_response(lambda r: "/orgs/pick/" in r.url):
        page.fill("#id_organization", branch.name)
    page.wait_for_load_state("networkidle")
    page.check(f"#id_organization-choices input[value='{branch.pk}']")
    page.fill("#id_theme", "不租违建房、不住有安全隐患住所")
    page.fill("#id_held_on", "2026-12-01")
    page.fill("#id_place", "网格广场")
    page.fill("#id_sessions", "2")
    page.fill("#id_participants", "86")
    page.set_input_files("#id_photos", str(fake))
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=不是图片")
    _axe(page)
    _shot(page, "meetings-05-publicity-refused-phone")
    assert not PublicityEvent.objects.filter(participants=86).exists()
    page.set_input_files("#id_photos", str(photo))
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("text=宣传活动已登记")
    event = PublicityEvent.objects.get(participants=86)
    assert event.photos.count() == 1
    page.wait_for_selector(f"tr[data-publicity='{event.pk}'] a[data-photo]")
    _axe(page)
    _shot(page, "meetings-06-publicity-list-phone")
    assert not external, external


def test_a_resident_votes_with_a_code_and_the_community_audits(
    browser,  # noqa: F811
    demo_live_server,  # noqa: F811
):
    base = demo_live_server.url
    selection = Selection.objects.get(state=SelectionState.VOTING)
    shequ = User.objects.get(username="shequ")
    code = votes.codes_issue(actor=shequ, selection=selection, count=1)[0]
    before = Ballot.objects.filter(selection=selection).count()

    _context, page, external = _page(browser, "phone")  # no account
    page.goto(f"{base}/meetings/vote/{selection.pk}/")
    _axe(page)
    _shot(page, "meetings-07-vote-phone")
    page.locator("#vote-form input[name=candidate]").nth(1).check()
    page.fill("#id_code", code.lower())
    page.click("#vote")
    page.wait_for_selector("#vote-done")
    _axe(page)
    _shot(page, "meetings-08-voted-phone")
    page.goto(f"{base}/meetings/vote/{selection.pk}/")
    page.locator("#vote-form input[name=candidate]").first.check()
    page.fill("#id_code", code)
    page.click("#vote")
    page.wait_for_selector("#vote-error")
    assert "只能投一次" in page.locator("#vote-error").inner_text()
    _axe(page)
    assert Ballot.objects.filter(selection=selection).count() == before + 1
    # 一事一议一公开: from the community's problem wall to the joint meeting's decisions.
    community = selection.organization
    page.goto(f"{base}/public/c/{community.code}/")
    page.click(".pub-tabs a:has-text('议事公开')")
    page.wait_for_selector("[data-public-meeting]")
    published = Meeting.objects.filter(
        kind=MeetingKind.JOINT, state="published", organization=community
    ).first()
    assert published is not None
    assert page.locator(f"[data-public-meeting='{published.pk}'] li").count() >= 1
    assert page.locator(".pub-tabs a[aria-current=page]").inner_text() == "议事公开"
    _axe(page)
    _shot(page, "meetings-08b-decisions-phone")
    assert not external, external

    _context, desk, external = _page(browser, "desktop")
    _login(desk, base, "shequ")
    desk.goto(f"{base}/meetings/selections/")
    _axe(desk)
    desk.goto(f"{base}/meetings/selections/{selection.pk}/")
    _axe(desk)
    desk.click("#audit-link")
    desk.wait_for_selector("#audit-summary")
    assert desk.locator("tr[data-ballot]").count() == before + 1
    assert code not in desk.content()
    _axe(desk)
    _shot(desk, "meetings-09-ballot-audit")
    done = Selection.objects.get(state=SelectionState.PUBLISHED)
    desk.goto(f"{base}/meetings/vote/{done.pk}/")
    desk.wait_for_selector("#results")
    _axe(desk)
    desk.goto(f"{base}/meetings/publicity/")
    _axe(desk)
    desk.goto(f"{base}/meetings/rhythm/")
    _axe(desk)
    # The 常委's contact point in this community, this year's lesson given (the street's point,
    # lesson owed, is outside the community's scope).
    desk.goto(f"{base}/meetings/contact-points/")
    desk.wait_for_selector("#contact-points")
    assert desk.locator("tr[data-point]").count() == 1
    assert "已上1次" in desk.locator("#contact-points").inner_text()
    _axe(desk)
    _shot(desk, "meetings-10-contact-points")
    assert not external, external
