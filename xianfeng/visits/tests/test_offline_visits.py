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
from django.http import Http404
from django.utils import timezone
from PIL import Image

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.visits import services
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


def test_pages_of_accounts_with_no_field_work_are_marked_not_to_be_kept(client_for, client):
    """no-store binds the HTTP cache, not the service worker's Cache Storage: an office account
    (no person behind it) gets a header the worker obeys; a member's field pages are kept."""
    office = client_for("shequ").get("/work/visits/")
    assert "no-store" in office["Cache-Control"] and office["X-Xianfeng-No-Keep"] == "1"
    field = client_for("dangyuan").get("/work/visits/")
    assert "no-store" in field["Cache-Control"] and "X-Xianfeng-No-Keep" not in field
    assert "X-Xianfeng-No-Keep" not in client.get("/offline/")
    worker = client.get("/sw.js").content.decode()
    assert 'var NO_KEEP = "X-Xianfeng-No-Keep";' in worker
    assert 'response.headers.get(NO_KEEP) === "1") return' in worker


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


def test_a_visit_to_a_household_that_moved_is_kept_at_its_old_building_and_flagged(
    client_for, personas, household
):
    """The phone kept the form while the household was in the member's grid; it moved out of
    reach before the visit arrived: the server keeps the visit where the household was, says
    so, and flags it for the community; sent again, the same record and the same notice."""
    old_building, label = household.building, str(household)
    happened = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    household.building = f.household_under(role_org(personas["shequ2"])).building
    household.room = "迁901"
    household.save()  # moved to another community, out of the member's reach
    household.zones.clear()  # and no longer in the member's zone or hands
    household.responsibilities.all().delete()
    client = client_for("dangyuan")
    with pytest.raises(Http404):  # the household the phone names is out of reach now
        services.household_for_visit(user=personas["dangyuan"], pk=household.pk)
    first = _send(client, household, "outbox-moved", happened)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["household"] is None and body["building_id"] == old_building.pk
    assert body["moved_household"] == label
    assert "已迁走" in body["notice"] and "提请社区更新" in body["notice"]
    visit = Visit.objects.get(client_key="outbox-moved")
    assert visit.household is None and visit.visited_at == happened
    assert visit.organization_id == old_building.organization_id
    assert Photo.objects.filter(visit=visit).count() == 1
    assert DutyRecord.objects.filter(action="visit.log", object_id=str(visit.pk)).count() == 1
    again = _send(client, household, "outbox-moved", happened)
    assert again.status_code == 200 and again.json()["id"] == visit.pk
    assert "已迁走" in again.json()["notice"]
    assert Visit.objects.filter(client_key="outbox-moved").count() == 1
    # the community sees the flag on the visit's page
    page = client_for("wangge").get(visit.get_absolute_url()).content.decode()
    assert "待社区更新住户信息" in page and label in page


def test_a_household_never_in_reach_is_still_refused_even_with_its_history(client_for, personas):
    outside = f.household_under(role_org(personas["shequ2"]))
    outside.building = f.household_under(role_org(personas["shequ2"])).building
    outside.room = "迁902"
    outside.save()
    response = _send(client_for("dangyuan"), outside, "outbox-never", timezone.now())
    assert response.status_code == 400
    assert not Visit.objects.filter(client_key="outbox-never").exists()


def test_a_visit_for_a_task_someone_else_claimed_first_is_kept_without_the_task(
    client_for, personas, household
):
    """Claimed offline, but another member's claim reached the server first: the visit is the
    member's record and is kept, not linked to the other member's task; the answer says so."""
    from xianfeng.work.tests.factories import chain

    task = chain(role_org(personas["wangge"]), title="入户排查燃气")
    assert client_for("wangge").post(f"/work/tasks/{task.pk}/claim/").status_code == 302
    client = client_for("dangyuan")
    response = _send(client, household, "outbox-task", timezone.now(), task=task.pk)
    assert response.status_code == 201, response.content
    assert response.json()["task_id"] is None
    assert "入户排查燃气" in response.json()["notice"] and "没有关联" in response.json()["notice"]
    visit = Visit.objects.get(client_key="outbox-task")
    assert visit.task is None and visit.household == household
    assert not task.visits.exists()
    again = _send(client, household, "outbox-task", timezone.now(), task=task.pk)
    assert again.status_code == 200 and "没有关联" in again.json()["notice"]
    # an open task nobody holds is not linked either; the member's own task is
    open_task = chain(role_org(personas["wangge"]), title="走访独居老人")
    unheld = _send(client, household, "outbox-open", timezone.now(), task=open_task.pk)
    assert unheld.status_code == 201 and unheld.json()["task_id"] is None
    assert client.post(f"/work/tasks/{open_task.pk}/claim/").status_code == 302
    held = _send(client, household, "outbox-held", timezone.now(), task=open_task.pk)
    assert held.status_code == 201 and held.json()["task_id"] == open_task.pk
    assert held.json()["notice"] == ""
