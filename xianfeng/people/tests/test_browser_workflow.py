"""A member case's steps in headless Chromium, as each side meets them: the branch on the
member's page, the receiving community on the case's own page; desktop and phone, with
axe-core finding no WCAG 2.1 AA violation."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_report_is_accepted_by_the_community_on_its_own_page(browser, demo_live_server, size):  # noqa: F811
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.people import lifecycle
    from xianfeng.people.choices import CaseState, MemberKind
    from xianfeng.people.models import MemberCase, PartyMember

    member = (
        PartyMember.objects.filter(branch__code="XF-S01-C01-G01", person__user__isnull=True)
        .order_by("pk")
        .first()
    )
    member.kind = MemberKind.IN_SERVICE
    member.save()
    case = lifecycle.member_report_register(
        actor=User.objects.get(username="wangge"),
        member=member,
        community=Organization.objects.get(code="XF-S02-C01"),
    )
    base = demo_live_server.url

    # The branch side sees revoke, not the community's accept.
    context, page, external = _page(browser, size)
    _login(page, base, "wangge")
    page.goto(f"{base}/members/{member.pk}/")
    page.wait_for_selector("form[data-step=report_revoke]")
    assert page.locator("form[data-step=report_accept]").count() == 0
    _axe(page)
    _shot(page, f"people-member-case-branch-{size}")
    context.close()

    # The community opens the case and accepts it there.
    context, page, external = _page(browser, size)
    _login(page, base, "shequ2")
    page.goto(f"{base}/member-cases/{case.pk}/")
    page.wait_for_selector("form[data-step=report_accept]")
    _axe(page)
    _shot(page, f"people-case-detail-{size}")
    page.click("form[data-step=report_accept] button")
    page.wait_for_selector("text=已接收报到")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert page.locator("form[data-step=report_accept]").count() == 0
    _axe(page)
    _shot(page, f"people-case-accepted-{size}")
    assert not external, external
    context.close()
    assert MemberCase.objects.get(pk=case.pk).state == CaseState.ACCEPTED
