"""The issue's own scenario (issue 17, "tried as its users would"), in headless Chromium at
phone size with ``context.set_offline(True)``: a member opens the field pages online, goes
offline, logs two visits with photos and one inspection, reloads with no connection (all three
still wait), goes online, and each is stored exactly once with the time it happened on the
phone, not the time it arrived. Then the same again with the server answering 500 once in the
middle — after it has stored the record, so the phone never heard the answer: retried, and
still stored once.
Screenshots ``offline-scenario-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

import io
import time

import pytest
from django.utils import timezone
from PIL import Image

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)
from xianfeng.safety import services as safety_services
from xianfeng.safety.models import Inspection
from xianfeng.visits import services
from xianfeng.visits.models import Photo, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTBOX_KEYS = """() => new Promise((ok, no) => {
  const open = indexedDB.open('xianfeng-outbox', 1);
  open.onsuccess = () => {
    const get = open.result.transaction('items').objectStore('items').getAll();
    get.onsuccess = () => { ok(get.result.map(i => [i.kind, i.key, i.state]));
      open.result.close(); };
  };
  open.onerror = () => no(open.error);
})"""


def _photo(path, colour: tuple[int, int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _visit(page, base: str, household, findings: str, photo: str) -> str:
    """Logs a visit with a photo on the kept form; answers the time the phone put on it."""
    page.goto(f"{base}/work/visits/new/")
    page.locator(f"#hh-choices input[value='{household.pk}']").check()
    page.check("input[name=purposes][value=safety]")
    page.fill("#id_findings", findings)
    page.set_input_files("#id_photos", photo)
    at = page.input_value("#id_visited_at")
    page.click("#visit-submit")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")
    return at


def _inspect(page, base: str, building, items, failing, photo: str) -> str:
    """Answers the kept whole checklist (one item failing, with a photo); answers its time."""
    page.goto(f"{base}/safety/buildings/{building.pk}/inspect/all/")
    for item in items:
        outcome = "fail" if item == failing else "pass"
        page.check(f"input[name='outcome-{item.pk}'][value={outcome}]")
    page.fill(f"#note-{failing.pk}", "楼梯间堆放杂物")
    page.set_input_files(f"#photo-{failing.pk}", photo)
    at = page.input_value("#id_started_at")
    page.click("#inspect-all-submit")
    page.wait_for_selector("#outbox-saved:has-text('已存入发件箱')")
    return at


def _minute(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def _past_the_minute(phone_time: str) -> None:
    """Waits (at most a minute) until the clock has left the minute the acts were logged in,
    so that an arrival time stored in their place would show."""
    while timezone.localtime().strftime("%Y-%m-%dT%H:%M") <= phone_time:
        time.sleep(1)


def _round(page, base, tmp_path, tag, households, building, items, failing):
    """Offline: two visits with photos and one inspection; a reload with no connection."""
    times = {
        "visits": [
            _visit(
                page,
                base,
                households[0],
                f"{tag}：楼道堆放纸箱，已提醒清理。",
                _photo(tmp_path / f"{tag}-1.jpg", (40, 120, 60)),
            ),
            _visit(
                page,
                base,
                households[1],
                f"{tag}：独居老人，燃气软管老化。",
                _photo(tmp_path / f"{tag}-2.jpg", (120, 60, 40)),
            ),
        ],
    }
    times["inspection"] = _inspect(
        page, base, building, items, failing, _photo(tmp_path / f"{tag}-3.jpg", (150, 40, 30))
    )
    page.reload()  # the kept form again, with no connection
    assert page.locator("#id_started_at").count() == 1
    page.goto(f"{base}/offline/outbox/")
    page.wait_for_selector("#outbox-list li >> nth=2")
    assert page.locator("#outbox-list li[data-state=waiting]").count() == 3
    assert page.locator("#outbox-count").inner_text() == "3"
    return times


def _stored_once(keys, households, building, times, tag) -> None:
    """Each item of the outbox is one record on the server, with the phone's time; the ledger
    record of the act carries the same time, and was written later (its arrival)."""
    visits = Visit.objects.filter(client_key__in=[k for kind, k, _s in keys if kind == "走访"])
    assert visits.count() == 2
    for household, at in zip(households, times["visits"], strict=True):
        visit = visits.get(household=household, findings__startswith=tag)
        assert _minute(visit.visited_at) == at, (visit.visited_at, at)
        assert Photo.objects.filter(visit=visit).count() == 1
        record = DutyRecord.objects.get(action=services.LEDGER_VISIT, object_id=str(visit.pk))
        assert record.occurred_at == visit.visited_at
        assert _minute(record.recorded_at) > at  # it arrived later; the act's time is kept
    inspection = Inspection.objects.get(
        building=building, client_key__in=[k for kind, k, _s in keys if kind == "安全检查"]
    )
    assert _minute(inspection.started_at) == times["inspection"]
    assert inspection.fails == 1 and inspection.results.filter(photo__gt="").count() == 1
    assert Inspection.objects.filter(building=building).count() == 1


def test_two_visits_and_an_inspection_offline_are_stored_once_with_their_time(
    demo_live_server,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
    settings,
    monkeypatch,
):
    from xianfeng.core.models import User
    from xianfeng.safety.tests.factories import building_under
    from xianfeng.work.tests.factories import dangyuan

    settings.MEDIA_ROOT = tmp_path / "media"
    base = demo_live_server.url
    grid = role_org(User.objects.get(username="wangge"))
    member = dangyuan()
    households = list(
        services.member_households(member).order_by("building__code", "sort_key", "id")[:4]
    )
    assert len(households) == 4
    first_building, second_building = building_under(grid), building_under(grid)
    items = list(safety_services.current_template(first_building.kind).items.all())
    failing = items[2]

    context, page, external = _page(browser, "phone")
    # each field write the server answered, in order, by the item's client key
    answers: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            answers.append((r.request.headers.get("idempotency-key", ""), r.status))
            if r.request.method == "POST"
            and (r.url.endswith("/api/v1/visits") or "/inspect/all/" in r.url)
            else None
        ),
    )
    _login(page, base, "dangyuan")
    # the worker keeps the member's pages before it takes control: slow beside the other
    # worker's tests on two cores
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=120_000
    )
    # online: the member's pages, opened once (and so kept on the phone)
    for path in (
        "/",
        "/work/tasks/?mine=1",
        "/work/visits/new/",
        f"/safety/buildings/{first_building.pk}/",
        f"/safety/buildings/{second_building.pk}/",
        "/offline/outbox/",
    ):
        page.goto(f"{base}{path}")
    page.wait_for_function(
        f"() => caches.open('xf-pages-v1').then(c => c.keys()).then(k => k.some("
        f"r => new URL(r.url).pathname === '/safety/buildings/{second_building.pk}/inspect/all/'))"
    )

    # 1. offline: two visits with photos, one inspection; reloaded, all three still wait
    context.set_offline(True)
    times = _round(page, base, tmp_path, "第一轮", households[:2], first_building, items, failing)
    _axe(page)
    _shot(page, "offline-scenario-phone-01-three-waiting")
    assert not Visit.objects.filter(findings__startswith="第一轮").exists()
    _past_the_minute(max(times["visits"] + [times["inspection"]]))

    # online again: sent by themselves, each stored once with its own time
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 3",
        timeout=60_000,
    )
    assert page.locator("#outbox-count").inner_text() == ""
    _axe(page)
    _shot(page, "offline-scenario-phone-02-three-sent")
    keys = page.evaluate(OUTBOX_KEYS)
    _stored_once(keys, households[:2], first_building, times, "第一轮")
    # the phone sends in the outbox's order; two visits created (201), the inspection page
    # redirected to the stored inspection (302)
    assert sorted(status for _key, status in answers) == [201, 201, 302], answers
    first_keys = {key for _kind, key, _state in keys}

    # 2. the same again, and the server answers 500 once in the middle: the second field
    # write of the round is stored, then the answer is lost in a 500; the phone retries
    real_visit, real_inspection = services.visit_create, safety_services.inspection_create
    calls = {"n": 0}

    def lost_answer(real):
        def write(**kwargs):
            stored = real(**kwargs)
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("the connection to the phone broke before the answer")
            return stored

        return write

    monkeypatch.setattr(services, "visit_create", lost_answer(real_visit))
    monkeypatch.setattr(safety_services, "inspection_create", lost_answer(real_inspection))
    answers.clear()
    context.set_offline(True)
    times = _round(page, base, tmp_path, "第二轮", households[2:4], second_building, items, failing)
    _past_the_minute(max(times["visits"] + [times["inspection"]]))
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list li[data-state=sent]').length === 6",
        timeout=60_000,
    )
    statuses = [status for _key, status in answers]
    assert statuses.count(500) == 1 and statuses[1] == 500, answers
    assert len(answers) == 4, answers  # three writes and the retry of the one that failed
    retried = answers[1][0]
    assert retried and [key for key, _s in answers].count(retried) == 2
    assert len({key for key, _s in answers}) == 3
    # the retry found the record the failed try had stored: 200 (a visit) or the redirect
    # to the stored inspection, never a second record
    assert answers[3][0] == retried and answers[3][1] in (200, 302), answers
    assert calls["n"] == 4  # three writes and the retry, which found the key and stored nothing
    _axe(page)
    _shot(page, "offline-scenario-phone-03-sent-after-a-500")
    keys = [item for item in page.evaluate(OUTBOX_KEYS) if item[1] not in first_keys]
    assert len(keys) == 3
    _stored_once(keys, households[2:4], second_building, times, "第二轮")
    assert Visit.objects.filter(findings__regex=r"^第[一二]轮").count() == 4
    assert external == [], f"pages asked the internet for {external}"
    context.close()
