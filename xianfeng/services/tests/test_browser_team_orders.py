"""Issue 14 on a phone in headless Chromium: the community's staff dispatch an order by
searching the community's members as they type (an in-service member serving there after
报到, whom no responsibility zone suggests), and the order a team served names the members
who took part. axe-core checks each page; screenshots ``services-team-*.png``."""

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


def test_dispatch_by_search_and_the_team_that_served_on_a_phone(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
):
    from django.core.cache import cache

    from xianfeng.community.models import Team
    from xianfeng.community.tests import factories as cf
    from xianfeng.services import selectors
    from xianfeng.services.choices import OrderState
    from xianfeng.services.models import Order
    from xianfeng.services.services import create_public_order

    cache.clear()
    base = demo_live_server.url
    community = cf.community()
    # an in-service member serving in the community (the demo's 报到): not one of its branches
    serving = (
        Team.objects.get(organization=community, name="在职党员志愿服务队")
        .memberships.filter(left_on__isnull=True)
        .exclude(member__branch__path__startswith=community.path)
        .select_related("member__person")
        .order_by("-pk")
        .first()
        .member
    )
    order = create_public_order(
        community=community,
        name="赵大爷",
        phone="13900001111",
        address="幸福里小区5栋",
        content="阳台晾衣架坏了，想请人帮忙修一下",
        throttle=False,
    )

    ctx, staff, external = _page(browser, "phone")
    _login(staff, base, "shequ")
    staff.goto(f"{base}/services/orders/{order.pk}/")
    staff.wait_for_selector("button[data-step=dispatch]")
    assert staff.locator("#id_member").count() == 0  # no bare member number to type
    name = serving.person.name
    with staff.expect_response(lambda r: "/members/pick/" in r.url):
        staff.fill("#member-search", name)
    # the search's rows replace the first ones: wait until every row shown is a match
    staff.wait_for_function(
        """name => {
            const rows = [...document.querySelectorAll('#member-choices label')];
            return rows.length > 0 && rows.every(r => r.textContent.includes(name));
        }""",
        arg=name,
    )
    _axe(staff)
    _shot(staff, "services-team-phone-01-dispatch-search")
    staff.click(f"#member-choices label:has(input[value='{serving.pk}'])")
    assert staff.is_checked(f"#member-choices input[value='{serving.pk}']")
    staff.click("button[data-step=dispatch]")
    staff.wait_for_selector("text=已派单")
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED and order.assignee == serving

    # the demo's order the team claimed and served: its page names who took part
    served = Order.objects.filter(team__isnull=False, done_at__isnull=False).order_by("pk").first()
    took_part = selectors.order_participants(served)
    assert len(took_part) >= 2
    staff.goto(f"{base}/services/orders/{served.pk}/")
    shown = staff.inner_text("#order-participants")
    for member in took_part:
        assert member.person.name in shown
    _axe(staff)
    _shot(staff, "services-team-phone-02-participants")
    assert not external, external
    ctx.close()
