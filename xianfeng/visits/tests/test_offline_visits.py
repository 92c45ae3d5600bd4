"""Field work offline, the server's side (core/offline.py): the service worker, the manifest,
the offline and outbox pages, logout's Clear-Site-Data; a visit sent late from a phone's
outbox keeps the time it happened (within XIANFENG_FIELD_BACKDATE_DAYS), is stored once per
client key however often it arrives, and a refusal answers a Chinese reason."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from PIL import Image

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.visits.models import Photo, Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    return f.household_under(role_org(personas["wangge"]))


def test_the_service_worker_is_served_from_the_root_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert b'addEventListener("fetch"' in response.content


def test_the_manifest_names_the_app_and_icons_the_app_serves(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["short_name"] == "先锋" and body["start_url"] == "/" and body["scope"] == "/"
    assert body["display"] == "standalone"
    sizes = {i["sizes"] for i in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        assert icon["src"].startswith("/static/")  # the app's own files, no CDN
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_offline_page_needs_no_login_and_the_outbox_does(client, client_for):
    page = client.get("/offline/")
    assert page.status_code == 200 and "没有网络" in page.content.decode()
    assert client.get("/offline/outbox/").status_code == 302
    member = client_for("dangyuan").get("/offline/outbox/")
    html = member.content.decode()
    assert member.status_code == 200 and 'id="outbox-list"' in html and "发件箱" in html


def test_every_page_links_the_manifest_and_hands_its_settings_to_the_script(client_for, settings):
    settings.XIANFENG_OFFLINE_CACHE_HOURS = 5
    html = client_for("dangyuan").get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'src="/static/js/offline.js"' in html
    assert 'data-offline-max-age="18000"' in html
    assert 'data-utc-offset="+0800"' in html and "data-rendered-at=" in html
    assert "data-logout" in html and 'id="offline-banner"' in html


def test_the_visit_form_goes_to_the_outbox_when_offline(client_for):
    html = client_for("dangyuan").get("/work/visits/new/").content.decode()
    assert 'data-outbox="api"' in html and 'data-outbox-url="/api/v1/visits"' in html
    assert 'data-outbox-time="visited_at"' in html


def test_logout_clears_the_browsers_cache_of_the_site(client_for):
    response = client_for("dangyuan").post("/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), (120, 90, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _send(client, household, key: str, visited_at, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "household": household.pk,
        "purposes": ["safety", "care"],
        "findings": "楼道堆放杂物",
        "visited_at": visited_at.isoformat(),
        "client_key": key,
        "photos": [SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg")],
        **extra,
    }
    return client.post("/api/v1/visits", data)


def test_a_visit_sent_late_keeps_its_time_and_is_stored_once(client_for, household):
    client = client_for("dangyuan")
    happened = (timezone.now() - timedelta(hours=20)).replace(microsecond=0)
    first = _send(client, household, "outbox-1", happened)
    assert first.status_code == 201, first.content
    again = _send(client, household, "outbox-1", happened)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    visit = Visit.objects.get(client_key="outbox-1")
    assert visit.visited_at == happened
    assert Photo.objects.filter(visit=visit).count() == 1
    record = DutyRecord.objects.get(action="visit.log", object_id=str(visit.pk))
    assert record.occurred_at == happened


def test_a_visit_older_than_the_window_is_refused_in_chinese(client_for, household, settings):
    settings.XIANFENG_FIELD_BACKDATE_DAYS = 3
    client = client_for("dangyuan")
    response = _send(client, household, "outbox-old", timezone.now() - timedelta(days=4))
    assert response.status_code == 400
    assert "3天前" in json.dumps(response.json(), ensure_ascii=False)
    assert not Visit.objects.filter(client_key="outbox-old").exists()
    ok = _send(client, household, "outbox-2d", timezone.now() - timedelta(days=2))
    assert ok.status_code == 201


def test_a_visit_to_a_household_out_of_reach_is_refused_with_the_reason(client_for, personas):
    outside = f.household_under(role_org(personas["shequ2"]))
    response = _send(client_for("dangyuan"), outside, "outbox-far", timezone.now())
    assert response.status_code == 400
    assert "不存在或不在您的管辖范围内" in response.json()["errors"]["household"][0]
    assert not Visit.objects.filter(client_key="outbox-far").exists()


def test_a_claim_sent_again_by_the_member_who_made_it_answers_the_claim(client_for, personas):
    """A phone's outbox sends a claim again when the first answer was lost: the member sees
    their claim (a redirect to the task), not "claimed by someone else"; one ledger record."""
    from xianfeng.work.tests.factories import chain

    task = chain(role_org(personas["wangge"]), title="清查出租屋消防通道")
    client = client_for("dangyuan")
    first = client.post(f"/work/tasks/{task.pk}/claim/")
    assert first.status_code == 302
    again = client.post(f"/work/tasks/{task.pk}/claim/", follow=True)
    assert again.redirect_chain[-1][0] == task.get_absolute_url()
    assert "您已经认领了这项任务" in again.content.decode()
    records = DutyRecord.objects.filter(action="task.claim", object_id=str(task.pk))
    assert records.count() == 1
    other = client_for("wangge").post(f"/work/tasks/{task.pk}/claim/")
    # someone else: still refused, with who claimed it
    assert other.status_code in (400, 409) and "已被" in other.content.decode()
