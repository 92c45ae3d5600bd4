"""安全事故 in real headless Chromium at desktop size: a community admin records a serious
incident with the organization responsible, sees it listed and opened; axe-core finds no
WCAG 2.1 AA violation on the list, the form and the detail. Screenshots
``safety-incident-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

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
from xianfeng.safety.models import Incident
from xianfeng.safety.selectors import serious_incident_veto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_serious_incident_at_desktop_size(demo_live_server, browser):  # noqa: F811
    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org

    base = demo_live_server.url
    community = role_org(User.objects.get(username="shequ"))
    context, page, external = _page(browser, "desktop")
    _login(page, base, "shequ")
    page.goto(f"{base}/safety/incidents/")
    _axe(page)
    _shot(page, "safety-incident-1-list-empty")
    page.click("#incident-new")
    page.wait_for_selector("#id_title")
    page.select_option("#id_organization", str(community.pk))
    page.fill("#id_title", "出租屋电动车充电起火")
    page.fill("#id_occurred_on", timezone.localdate().isoformat())
    page.select_option("#id_severity", "larger")
    page.fill("#id_injuries", "3")
    page.select_option("#id_responsible", [str(community.pk)])
    page.fill("#id_description", "凌晨电动车在楼道充电起火，三人轻伤。")
    _axe(page)
    _shot(page, "safety-incident-2-form")
    with page.expect_navigation():
        page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_selector("#incident-severity")
    assert page.locator("#incident-severity").inner_text() == "较大事故"
    _axe(page)
    _shot(page, "safety-incident-3-detail")
    incident = Incident.objects.get(title="出租屋电动车充电起火")
    assert list(incident.responsible.all()) == [community]
    assert serious_incident_veto(community.parent, timezone.localdate().year)
    page.goto(f"{base}/safety/incidents/")
    assert page.locator(f"tr[data-incident='{incident.pk}']").is_visible()
    _shot(page, "safety-incident-4-list")
    assert not external, external
    context.close()
