"""An inspection and a hazard report captured with no signal, in real headless Chromium at
phone size (issue 17). The member opens a building's safety page online (which keeps its
whole-checklist form and hazard report on the phone), loses the connection, taps 开始检查 (the
kept checklist opens instead), answers every item with a photo on the failed one, typing the
date a year wrong, and reports a hazard. Back online both are sent by themselves: the hazard is
stored with the time it was found; the inspection comes back with the server's Chinese reason,
is corrected from the outbox (修改后重发, photo kept) and stored. Sent again (a lost answer),
nothing is stored twice. Kept pages older than the configured time are not shown.
Screenshots ``offline-safety-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.safety import services
from xianfeng.safety.models import Hazard, Inspection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = (
    "caches.open('xf-pages-v1').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
)
# Every item sent back to waiting, as after an answer lost on the way.
RESEND = """() => new Promise(ok => { const open = indexedDB.open('xianfeng-outbox', 1);
  open.onsuccess = () => { const store = open.result.transaction('items', 'readwrite')
    .objectStore('items'); const all = store.getAll(); all.onsuccess = () => {
    all.result.forEach(i => { i.state = 'waiting'; i.nextTry = 0; store.put(i); }); };
    store.transaction.oncomplete = () => ok(); }; })"""
# The kept copy of a page made to look kept ``hours`` ago (the service worker reads the time
# it was kept from this header; the page's banner, the time it was rendered from its body).
AGE = """([path, hours]) => caches.open('xf-pages-v1').then(cache => cache.keys().then(keys => {
  const request = keys.find(r => new URL(r.url).pathname === path);
  return cache.match(request).then(found => found.text().then(body => {
    const headers = new Headers(found.headers);
    headers.set('X-Xianfeng-Kept-At', String(Date.now() - hours * 3600 * 1000));
    const rendered = Math.floor(Date.now() / 1000 - hours * 3600);
    body = body.replace(/data-rendered-at="\\d+"/, `data-rendered-at="${rendered}"`);
    return cache.put(request, new Response(body, {status: 200, headers}));
  }));
}))"""


def _worker_log(context, page) -> list[str]:
    """What the page and its service worker said and fetched, for a failure's message."""
    log: list[str] = []
    page.on("console", lambda m: log.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: log.append(f"page error: {e}"))
    context.on("requestfailed", lambda r: log.append(f"failed {r.url}: {r.failure}"))
    context.on(
        "response",
        lambda r: log.append(f"{r.status} {r.url}") if r.status >= 300 else None,
    )
    return log


def _wait_for_worker(page, log: list[str]) -> None:
    """The service worker controls the page (it keeps the member's pages first: slow beside
    the other worker's tests on two cores); if not, the failure says what the worker's
    registration and the page's log show."""
    try:
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller",
            timeout=120_000,
        )
    except Exception as error:  # Playwright's TimeoutError: add what the page knows
        state = page.evaluate(
            "navigator.serviceWorker.getRegistration('/').then(r => r ? JSON.stringify({"
            "active: r.active && r.active.state, waiting: r.waiting && r.waiting.state, "
            "installing: r.installing && r.installing.state}) : 'no registration')"
        )
        raise AssertionError(f"no service worker: {state}\n" + "\n".join(log)) from error


def _photo(path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (150, 40, 30)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_an_inspection_and_a_hazard_captured_offline_are_stored_once(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
    settings,
):
    from xianfeng.core.models import User
    from xianfeng.safety.tests.factories import building_under

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XIANFENG_OFFLINE_CACHE_HOURS = 2
    base = demo_live_server.url
    building = building_under(role_org(User.objects.get(username="wangge")))
    items = list(services.current_template(building.kind).items.all())
    failing = items[3]
    form_path = f"/safety/buildings/{building.pk}/inspect/all/"
    hazard_path = "/safety/hazards/new/"

    context, page, external = _page(browser, "phone")
    log = _worker_log(context, page)
    _login(page, base, "dangyuan")
    _wait_for_worker(page, log)
    # 1. online: the building's page only; its checklist and hazard report are kept with it
    page.goto(f"{base}/safety/buildings/{building.pk}/")
    # The kept-with pages are fetched one after another in the background: wait for all.
    wanted = [form_path, hazard_path, f"/safety/buildings/{building.pk}/"]
    page.wait_for_function(
        f"() => caches.open('xf-pages-v1').then(c => c.keys()).then(k => {{"
        f" const kept = k.map(r => new URL(r.url).pathname);"
        f" return {wanted!r}.every(p => kept.includes(p)); }})",
        timeout=60_000,
    )
    page.goto(f"{base}/offline/outbox/")
    assert set(wanted) <= set(page.evaluate(KEPT))

    # 2. no connection: 开始检查 opens the kept checklist; the date typed a year wrong
    context.set_offline(True)
    page.goto(f"{base}/safety/buildings/{building.pk}/")
    page.click("#start-inspection")
    page.wait_for_url(f"{base}{form_path}")
    assert "当前没有网络连接" in page.locator("#offline-banner").inner_text()
    typed = timezone.localtime() - timedelta(minutes=20)
    wrong = typed - timedelta(days=365)
    page.fill("#id_started_at", wrong.strftime("%Y-%m-%dT%H:%M"))
    for item in items:
        outcome = "fail" if item == failing else "pass"
        page.check(f"input[name='outcome-{item.pk}'][value={outcome}]")
    page.fill(f"#note-{failing.pk}", "楼梯间堆放杂物")
    page.set_input_files(f"#photo-{failing.pk}", _photo(tmp_path / "stairs.jpg"))
    _axe(page)
    _shot(page, "offline-safety-phone-01-checklist-offline")
    page.click("#inspect-all-submit")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")

    page.goto(f"{base}{hazard_path}?building={building.pk}")
    found = page.input_value("#id_reported_at")  # the phone's time now, not when it was kept
    page.fill("#id_title", "楼道电动车充电")
    page.select_option("#id_category", "ebike")
    page.select_option("#id_severity", index=1)
    page.click("form[data-outbox] [type=submit]")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")
    _axe(page)
    _shot(page, "offline-safety-phone-02-hazard-saved")

    page.goto(f"{base}/offline/outbox/")  # a reload with no connection: both wait
    page.wait_for_selector("#outbox-list li >> nth=1")
    assert page.locator("#outbox-list li[data-state=waiting]").count() == 2
    listed = page.locator("#outbox-list").inner_text()
    assert "安全检查" in listed and "安全检查 安全检查" not in listed  # the kind said once
    assert f"安全检查 {building.name}" in listed
    _axe(page)
    _shot(page, "offline-safety-phone-03-outbox-waiting")
    assert not Inspection.objects.filter(building=building).exists()

    # 3. back online: the hazard is stored; the inspection comes back with the reason
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#outbox-list li[data-state=refused]", timeout=30_000)
    page.wait_for_selector("#outbox-list li[data-state=sent]", timeout=30_000)
    refused = page.locator("#outbox-list li[data-state=refused]")
    assert "不能再补登" in refused.inner_text()
    assert page.locator("#outbox-count").inner_text() == "1"
    _axe(page)
    _shot(page, "offline-safety-phone-04-inspection-refused")
    hazard = Hazard.objects.get(building=building, title="楼道电动车充电")
    assert timezone.localtime(hazard.reported_at).strftime("%Y-%m-%dT%H:%M") == found
    assert not Inspection.objects.filter(building=building).exists()

    # 4. corrected from the outbox: the reason shown, the answers back, the photo kept
    refused.locator("text=修改后重发").click()
    page.wait_for_selector("#outbox-saved:has-text('不能再补登')")
    assert page.input_value("#id_started_at") == wrong.strftime("%Y-%m-%dT%H:%M")
    assert page.is_checked(f"input[name='outcome-{failing.pk}'][value=fail]")
    _axe(page)
    _shot(page, "offline-safety-phone-05-correcting")
    page.fill("#id_started_at", typed.strftime("%Y-%m-%dT%H:%M"))
    page.click("#inspect-all-submit")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")
    page.goto(f"{base}/offline/outbox/")
    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 2",
        timeout=30_000,
    )
    assert page.locator("#outbox-count").inner_text() == ""
    _axe(page)
    _shot(page, "offline-safety-phone-06-all-sent")
    inspection = Inspection.objects.get(building=building)
    assert timezone.localtime(inspection.started_at).strftime("%Y-%m-%dT%H:%M") == typed.strftime(
        "%Y-%m-%dT%H:%M"
    )
    assert inspection.fails == 1 and inspection.results.get(item=failing).photo
    assert inspection.results.get(item=failing).note == "楼梯间堆放杂物"
    assert Hazard.objects.filter(inspection=inspection).count() == 1
    page.locator("#outbox-list li[data-state=sent] a").first.click()
    page.wait_for_load_state()
    assert "/safety/" in page.url
    _shot(page, "offline-safety-phone-07-stored-record")

    # 5. sent again (answers lost on the way): nothing stored twice
    page.goto(f"{base}/offline/outbox/")
    page.evaluate(RESEND)
    page.reload()
    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 2",
        timeout=30_000,
    )
    assert Inspection.objects.filter(building=building).count() == 1
    assert Hazard.objects.filter(building=building, title="楼道电动车充电").count() == 1

    # 6. kept pages expire after the configured time (2 hours here)
    page.goto(f"{base}/safety/buildings/{building.pk}/")
    page.evaluate(AGE, [f"/safety/buildings/{building.pk}/", 3])
    page.evaluate(AGE, [hazard_path, 1])
    context.set_offline(True)
    page.goto(f"{base}{hazard_path}?building={building.pk}")
    assert page.locator("#id_title").count() == 1  # an hour old: still shown
    page.goto(f"{base}/safety/buildings/{building.pk}/")
    assert "保存的时间太久" in page.content()  # three hours old: gone
    assert f"/safety/buildings/{building.pk}/" not in page.evaluate(KEPT)
    _axe(page)
    _shot(page, "offline-safety-phone-08-kept-page-expired")
    # a page first opened offline: when the connection returns its banner says so (no longer
    # "no connection") and leads to the page as it is now
    page.goto(f"{base}{hazard_path}?building={building.pk}")
    banner = page.locator("#offline-banner")
    assert "当前没有网络连接" in banner.inner_text() and "保存于" in banner.inner_text()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "() => document.getElementById('offline-banner').textContent.includes('网络已恢复')"
    )
    assert "当前没有网络连接" not in banner.inner_text()
    _axe(page)
    _shot(page, "offline-safety-phone-09-back-online")
    with page.expect_navigation():
        banner.locator("a").click()
    page.wait_for_function("() => document.getElementById('offline-banner').hidden")
    assert external == [], f"pages asked the internet for {external}"
    context.close()
