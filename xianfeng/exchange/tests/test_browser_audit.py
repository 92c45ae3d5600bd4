"""A full export asks why, and the auditor reads the reason in 敏感信息审计 (issue 9, item 9), in
real headless Chromium with axe-core. Screenshots: ``artifacts/screenshots/audit-*.png``."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401 - fixtures
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.exchange.models import ExportRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_full_export_asks_why_and_the_auditor_reads_it(browser, demo_live_server):  # noqa: F811
    base = demo_live_server.url
    context, page, external = _page(browser, "desktop")
    _login(page, base, "shequ")
    page.goto(f"{base}/members/?kind=community")
    page.click("text=导出Excel（含完整号码）")
    page.wait_for_selector("text=导出用途")
    _axe(page)
    page.click("button:has-text('确认导出')")  # no reason: refused on the same page
    page.wait_for_selector("text=请填写导出用途")
    _axe(page)
    _shot(page, "audit-export-reason-missing")
    assert ExportRecord.objects.count() == 0
    page.fill("input[name=reason]", "换届选举核对党员名册")
    with page.expect_download() as download:
        page.click("button:has-text('确认导出')")
    assert download.value.suggested_filename.endswith(".xlsx")
    record = ExportRecord.objects.get()
    assert (record.revealed, record.reason, record.filters) == (
        True,
        "换届选举核对党员名册",
        {"kind": "community"},
    )
    context.close()

    context, page, external2 = _page(browser, "desktop")
    _login(page, base, "jiancha")
    page.goto(f"{base}/exchange/audit/")
    page.wait_for_selector("h1:has-text('敏感信息审计')")
    _axe(page)
    _shot(page, "audit-reveals")
    page.click("nav a:has-text('导出完整号码')")
    page.wait_for_selector("text=换届选举核对党员名册")
    _axe(page)
    _shot(page, "audit-exports")
    assert not external and not external2, (external, external2)
    context.close()
