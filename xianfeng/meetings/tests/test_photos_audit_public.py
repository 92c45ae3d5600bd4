"""Photos of publicity events (checked, re-encoded, refused in Chinese when wrong), the audit of
a selection's ballots (who may read it, and that no code, phone or member shows in it), the
public vote API (one vote per code or phone, a vote after the period, the rate limit) and the
API's refusal of member units that are not the organizer's pairings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.meetings import services, votes
from xianfeng.meetings.models import Ballot, PublicityEvent, PublicityPhoto, Selection
from xianfeng.meetings.tests.test_votes import _open, _selection
from xianfeng.orgs.models import Organization
from xianfeng.work.tests.factories import JPEG, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path


def _jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def _form(org: Organization, **extra) -> dict:
    return {
        "organization": org.pk,
        "theme": "不租违建房、不住有安全隐患住所",
        "held_on": timezone.localdate().isoformat(),
        "place": "网格广场",
        "sessions": 2,
        "participants": 80,
        **extra,
    }


# --- photos of publicity events -------------------------------------------------------------


def test_a_publicity_event_is_recorded_with_its_photos(personas, client_for):
    branch = role_org(personas["wangge"])
    client = client_for("wangge")
    form = client.get("/meetings/publicity/new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="photos"' in form
    photos = [_jpeg(), SimpleUploadedFile("海报.png", PNG, content_type="image/png")]
    answer = client.post("/meetings/publicity/new/", {**_form(branch), "photos": photos})
    assert answer.status_code == 302, answer.content.decode()
    event = PublicityEvent.objects.get(organization=branch, participants=80)
    stored = list(event.photos.order_by("pk"))
    assert [p.content_type for p in stored] == ["image/jpeg", "image/png"]
    assert all("现场" not in p.image.name and p.image.name.startswith("publicity/") for p in stored)
    page = client.get("/meetings/publicity/").content.decode()
    assert stored[0].image.url in page and "照片2" in page


def test_a_wrong_file_is_refused_in_chinese_and_nothing_is_stored(personas, client_for, settings):
    branch = role_org(personas["wangge"])
    client = client_for("wangge")
    before = PublicityEvent.objects.count()
    script = SimpleUploadedFile("照片.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    answer = client.post("/meetings/publicity/new/", {**_form(branch), "photos": [script]})
    assert answer.status_code == 400
    assert "不是图片" in answer.content.decode()
    settings.XIANFENG_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("大图.jpg", JPEG + b"\0" * (1024 * 1024), content_type="image/jpeg")
    answer = client.post("/meetings/publicity/new/", {**_form(branch), "photos": [big]})
    assert answer.status_code == 400 and "超过了1MB的上限" in answer.content.decode()
    assert PublicityEvent.objects.count() == before  # the whole record refused, nothing half-kept
    assert not PublicityPhoto.objects.exists()


def test_photos_are_added_through_the_api_within_scope_and_limit(personas, client_for):
    branch = role_org(personas["wangge"])
    event = services.publicity_record(
        actor=personas["wangge"], organization=branch, theme="燃气安全进万家",
        held_on=timezone.localdate(), place="楼院", participants=30,
    )  # fmt: skip
    url = f"/api/v1/publicity/{event.pk}/photos"
    ok = client_for("wangge").post(url, {"photos": [_jpeg(), _jpeg()]})
    assert ok.status_code == 201, ok.content
    assert len(ok.json()["photos"]) == 2 and ok.json()["photos"][0]["url"].startswith("/media/")
    wrong = client_for("wangge").post(
        url, {"photos": [SimpleUploadedFile("a.jpg", b"%PDF-1.4", content_type="image/jpeg")]}
    )
    assert wrong.status_code == 400 and "不是图片" in json.dumps(wrong.json(), ensure_ascii=False)
    too_many = client_for("wangge").post(url, {"photos": [_jpeg() for _i in range(8)]})
    assert too_many.status_code == 400
    assert "还可以上传7张" in json.dumps(too_many.json(), ensure_ascii=False)
    none = client_for("wangge").post(url, {})
    assert none.status_code == 400 and "请选择照片" in json.dumps(none.json(), ensure_ascii=False)
    assert client_for("shequ2").post(url, {"photos": [_jpeg()]}).status_code == 404
    assert client_for("dangyuan").post(url, {"photos": [_jpeg()]}).status_code == 403
    assert client_for("jiancha").post(url, {"photos": [_jpeg()]}).status_code == 403
    assert event.photos.count() == 2


# --- the audit of ballots ---------------------------------------------------------------------


def _voted(personas) -> tuple[Selection, list[str]]:
    selection = _open(_selection(personas), personas)
    codes = votes.codes_issue(actor=personas["shequ"], selection=selection, count=4)
    ids = list(selection.candidates.order_by("pk").values_list("pk", flat=True))
    for i, code in enumerate(codes[:3]):
        votes.vote_cast(selection=selection, candidate=ids[i % 2], client_ip="10.1.0.7", code=code)
    votes.vote_cast(
        selection=selection, candidate=ids[1], client_ip="10.1.0.8", user=personas["dangyuan"]
    )
    return selection, codes


def test_the_ballot_audit_shows_every_ballot_and_no_voter_in_clear(personas, client_for):
    selection, codes = _voted(personas)
    url = f"/meetings/selections/{selection.pk}/ballots/"
    page = client_for("shequ").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    ballots = list(Ballot.objects.filter(selection=selection).order_by("pk"))
    assert html.count("data-ballot=") == 4
    for ballot in ballots:
        assert votes.voter_tag(ballot.voter) in html
        assert ballot.voter not in html  # neither the code's digest nor "member:<id>"
    for code in codes:
        assert code not in html
    dangyuan = ballots[-1].member
    assert dangyuan is not None and dangyuan.person.name not in html
    assert "一人一票，无重复" in html and "与投票码选票数一致" in html
    assert "发放4个，已使用3个" in html
    detail = client_for("shequ").get(f"/meetings/selections/{selection.pk}/").content.decode()
    assert 'id="audit-link"' in detail

    api = client_for("jiancha").get(f"/api/v1/selections/{selection.pk}/ballots").json()
    assert api["count"] == 4
    assert {r["channel"] for r in api["results"]} == {"code", "member"}
    assert all(len(r["voter_tag"]) == 12 for r in api["results"])
    assert "member:" not in json.dumps(api)
    summary = client_for("jiancha").get(f"/api/v1/selections/{selection.pk}/ballots/summary")
    assert summary.json() | {"busiest_clients": None} == {
        "ballots": 4,
        "by_channel": {"code": 3, "member": 1},
        "codes_issued": 4,
        "codes_used": 3,
        "distinct_voters": 4,
        "busiest_clients": None,
    }
    assert summary.json()["busiest_clients"][0]["ballots"] == 3  # three from one address


def test_who_may_read_the_ballot_audit(personas, client_for):
    selection, _codes = _voted(personas)
    for persona, want in [
        ("admin", 200), ("qu", 200), ("jiedao", 200), ("shequ", 200), ("jiancha", 200),
        ("shequ2", 404), ("wangge", 404), ("danwei", 404),
    ]:  # fmt: skip
        page = client_for(persona).get(f"/meetings/selections/{selection.pk}/ballots/")
        api = client_for(persona).get(f"/api/v1/selections/{selection.pk}/ballots")
        assert (page.status_code, api.status_code) == (want, want), persona


def test_the_ballot_audit_pages_in_the_database(personas, client_for, settings):
    selection, _codes = _voted(personas)
    client = client_for("shequ")
    url = f"/meetings/selections/{selection.pk}/ballots/"
    settings.PAGE_SIZE = 2
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    settings.PAGE_SIZE = 50
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as api_few:
        client.get(f"/api/v1/selections/{selection.pk}/ballots?page_size=2")
    with CaptureQueriesContext(connection) as api_many:
        client.get(f"/api/v1/selections/{selection.pk}/ballots?page_size=50")
    assert len(api_many) == len(api_few)


# --- the public vote API ----------------------------------------------------------------------


def _vote(client, selection, body):
    return client.post(
        f"/api/v1/public/selections/{selection.pk}/vote",
        json.dumps(body),
        content_type="application/json",
    )


def test_the_public_vote_api_takes_one_vote_per_code(personas, client):
    selection = _open(_selection(personas), personas)
    first, second = votes.codes_issue(actor=personas["shequ"], selection=selection, count=2)
    ids = list(selection.candidates.order_by("pk").values_list("pk", flat=True))
    shown = client.get(f"/api/v1/public/selections/{selection.pk}").json()
    assert [c["id"] for c in shown["candidates"]] == ids
    assert all(c["votes"] is None for c in shown["candidates"])  # no running count
    ok = _vote(client, selection, {"candidate": ids[0], "code": first.lower()})
    assert ok.status_code == 201 and ok.json()["candidate_id"] == ids[0]
    twice = _vote(client, selection, {"candidate": ids[1], "code": first})
    assert twice.status_code == 409 and "只能投一次" in twice.json()["detail"]
    forged = _vote(client, selection, {"candidate": ids[1], "code": "ZZZZ2222"})
    assert forged.status_code == 400 and "投票码无效" in forged.json()["errors"]["code"][0]
    nobody = _vote(client, selection, {"candidate": ids[1]})
    assert nobody.status_code == 400 and "请输入投票码" in nobody.json()["errors"]["code"][0]
    stray = _vote(client, selection, {"candidate": 999999, "code": second})
    assert stray.status_code == 400 and "candidate" in stray.json()["errors"]
    assert _vote(client, Selection(pk=999999), {"candidate": ids[0]}).status_code == 404
    assert Ballot.objects.filter(selection=selection).count() == 1


def test_the_public_vote_api_never_votes_as_the_signed_in_member(personas, client_for):
    selection = _open(_selection(personas), personas)
    candidate = selection.candidates.first().pk
    answer = _vote(client_for("dangyuan"), selection, {"candidate": candidate})
    assert answer.status_code == 400 and "请输入投票码" in answer.json()["errors"]["code"][0]
    assert not Ballot.objects.filter(selection=selection).exists()


def test_the_public_vote_api_refuses_after_the_period_and_when_throttled(
    personas, client, settings
):
    selection = _open(_selection(personas), personas)
    code = votes.codes_issue(actor=personas["shequ"], selection=selection, count=1)[0]
    candidate = selection.candidates.first().pk
    settings.XIANFENG_TRUSTED_PROXY_HOPS = 0
    answers = [
        _vote(client, selection, {"candidate": candidate, "code": f"BAD{i}"})
        for i in range(votes.PER_ADDRESS[0] + 1)
    ]
    assert answers[0].status_code == 400
    assert answers[-1].status_code == 429 and "过于频繁" in answers[-1].json()["detail"]
    cache.clear()
    yesterday = timezone.localdate() - timedelta(days=1)
    Selection.objects.filter(pk=selection.pk).update(
        nominate_until=yesterday - timedelta(days=2), vote_starts=yesterday - timedelta(days=1),
        vote_ends=yesterday,
    )  # fmt: skip
    late = _vote(client, selection, {"candidate": candidate, "code": code})
    assert late.status_code == 409 and "投票已于" in late.json()["detail"]
    assert not Ballot.objects.filter(selection=selection).exists()


# --- member units through the scoping method --------------------------------------------------


def test_the_api_refuses_member_units_that_are_not_the_organizers_pairings(personas, client_for):
    community = role_org(personas["shequ"])
    stranger = Organization.objects.exclude(path__startswith=community.path).order_by("-pk")[0]
    body = {
        "organization": community.pk, "kind": "joint", "topic": "联席会议",
        "starts_at": "2030-01-05T09:00:00+08:00", "place": "党群服务中心",
        "units": [stranger.pk, 987654321],
    }  # fmt: skip
    answer = client_for("shequ").post(
        "/api/v1/meetings", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 400
    message = answer.json()["errors"]["units"][0]
    assert "不存在或未与召开组织结对共建" in message
    assert str(stranger.pk) in message and "987654321" in message
    assert stranger.name not in message  # an unpaired unit is not named
