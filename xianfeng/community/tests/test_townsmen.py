"""流动党员结对老乡: a mobile member keeps a list of fellow townsmen and logs contacts with them
(a door-to-door visit to a registered household is the same visit record)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.community import services
from xianfeng.community.models import Townsman, TownsmanContact
from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.people.choices import MemberKind
from xianfeng.visits.models import Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def mobile(personas):
    member = f.dangyuan()
    member.kind = MemberKind.MOBILE
    member.save()
    return personas["dangyuan"]


def add(actor, **kw):
    fields = {"name": "张老乡", "phone": "13800138000", "hometown": "昭通镇雄", **kw}
    return services.townsman_add(actor=actor, **fields)


def test_a_mobile_member_keeps_a_list_of_townsmen(mobile):
    t = add(mobile, whereabouts="工业园区3号厂")
    assert t.member == f.dangyuan() and t.organization == f.dangyuan().branch
    assert t.phone_masked == "138****8000"
    assert t.history.count() == 1
    with pytest.raises(ValidationError, match="已经在您的老乡名单里了"):
        add(mobile)
    with pytest.raises(ValidationError, match="电话应为11位手机号"):
        add(mobile, name="李老乡", phone="12345")
    with pytest.raises(ValidationError, match="请填写老乡的姓名"):
        add(mobile, name="  ")


def test_only_mobile_members_pair_with_townsmen(personas):
    with pytest.raises(PermissionDenied, match="只有流动党员"):
        add(personas["dangyuan"])
    with pytest.raises(PermissionDenied, match="没有关联党员身份"):
        add(personas["shequ"])


def test_a_contact_is_logged_with_the_ledger_and_stored_once(mobile):
    t = add(mobile)
    fields = {
        "townsman": t,
        "way": "phone",
        "contacted_at": timezone.now(),
        "purposes": ["policy"],
        "findings": "提醒不租违建房",
        "client_key": "k1",
    }
    first, created = services.townsman_contact_log(actor=mobile, **fields)
    again, created_again = services.townsman_contact_log(actor=mobile, **fields)
    assert created and not created_again and first == again
    assert TownsmanContact.objects.filter(townsman=t).count() == 1
    record = DutyRecord.objects.get(action="townsman.contact", object_id=str(first.pk))
    assert record.member == f.dangyuan() and "张老乡" in record.note


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"contacted_at": timezone.now() + timedelta(days=1)}, "不能晚于现在"),
        ({"purposes": []}, "请至少选择一项事项"),
        ({"purposes": ["bogus"]}, "请至少选择一项事项"),
        ({"way": "pigeon"}, "请选择联系方式"),
    ],
)
def test_bad_contacts_are_refused_in_chinese(mobile, change, words):
    t = add(mobile)
    fields = {"way": "phone", "contacted_at": timezone.now(), "purposes": ["safety"], **change}
    with pytest.raises(ValidationError, match=words):
        services.townsman_contact_log(actor=mobile, townsman=t, **fields)
    assert not TownsmanContact.objects.exists()


def test_only_the_paired_member_logs_contacts(mobile, personas):
    t = add(mobile)
    with pytest.raises(PermissionDenied, match="结对的流动党员本人"):
        services.townsman_contact_log(
            actor=personas["wangge"],
            townsman=t,
            way="phone",
            contacted_at=timezone.now(),
            purposes=["safety"],
        )


def test_a_door_to_door_visit_is_the_same_visit_record(mobile, personas):
    household = f.household_under(role_org(personas["wangge"]))
    t = add(mobile)
    contact, _ = services.townsman_contact_log(
        actor=mobile,
        townsman=t,
        way="visit",
        contacted_at=timezone.now(),
        purposes=["safety"],
        household=household,
        raises_hazard=True,
    )
    visit = Visit.objects.get(pk=contact.visit_id)
    assert visit.household == household and visit.raises_hazard
    assert visit.member == f.dangyuan()
    with pytest.raises(ValidationError, match="只有上门走访才关联住户"):
        services.townsman_contact_log(
            actor=mobile,
            townsman=t,
            way="phone",
            contacted_at=timezone.now(),
            purposes=["safety"],
            household=household,
        )


def test_an_ended_pairing_takes_no_contacts(mobile):
    t = add(mobile)
    services.townsman_end(actor=mobile, townsman=t)
    with pytest.raises(ValidationError, match="已经不在结对名单中"):
        services.townsman_end(actor=mobile, townsman=t)
    with pytest.raises(ValidationError, match="已经不在结对名单中"):
        services.townsman_contact_log(
            actor=mobile, townsman=t, way="phone", contacted_at=timezone.now(), purposes=["safety"]
        )
    # The same person may be paired again later.
    assert add(mobile).active


def test_the_phone_pages_add_a_townsman_and_log_a_contact(client_for, mobile):
    client = client_for("dangyuan")
    page = client.get("/work/townsmen/")
    assert page.status_code == 200 and "添加老乡" in page.content.decode()
    refused = client.post("/work/townsmen/", {"name": "王老乡", "phone": "999"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "电话应为11位手机号" in body and 'value="王老乡"' in body
    made = client.post("/work/townsmen/", {"name": "王老乡", "phone": "13900139000"})
    assert made.status_code == 302
    t = Townsman.objects.get(name="王老乡")
    detail = client.get(made.url).content.decode()
    assert "139****9000" in detail and "13900139000" not in detail
    data = {
        "way": "visit",
        "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "purposes": ["safety", "policy"],
        "findings": "住处有电动车室内充电",
        "raises_hazard": "on",
        "client_key": "page-1",
    }
    assert client.post(made.url, data).status_code == 302
    assert client.post(made.url, data).status_code == 302
    assert TownsmanContact.objects.filter(townsman=t).count() == 1
    bad = client.post(made.url, {**data, "client_key": "page-2", "purposes": []})
    assert bad.status_code == 400 and "住处有电动车室内充电" in bad.content.decode()
    listing = client.get("/work/townsmen/").content.decode()
    assert "联系1次" in listing and "139****9000" in listing
    assert client.post(made.url, {"end": "1"}).status_code == 302
    assert not Townsman.objects.get(pk=t.pk).active


def test_others_in_scope_read_but_do_not_write(client_for, mobile):
    t = add(mobile)
    wangge = client_for("wangge")
    assert wangge.get(f"/work/townsmen/{t.pk}/").status_code == 200
    assert "登记联系" not in wangge.get(f"/work/townsmen/{t.pk}/").content.decode()
    refused = wangge.post(
        f"/api/v1/townsmen/{t.pk}/contacts",
        {"way": "phone", "purposes": ["safety"]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert client_for("shequ2").get(f"/work/townsmen/{t.pk}/").status_code == 404
    assert client_for("shequ2").get(f"/api/v1/townsmen/{t.pk}").status_code == 404
    assert client_for("jiancha").post("/work/townsmen/", {"name": "x"}).status_code == 403


def test_the_api(client_for, mobile):
    client = client_for("dangyuan")
    made = client.post(
        "/api/v1/townsmen",
        {"name": "赵老乡", "phone": "13700137000", "hometown": "会泽"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["phone"] == "137****7000"
    bad = client.post(
        "/api/v1/townsmen", {"name": "", "phone": "1"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "name" in bad.json()["errors"]
    url = f"/api/v1/townsmen/{body['id']}/contacts"
    payload = {"way": "message", "purposes": ["policy"]}
    first = client.post(url, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")
    second = client.post(url, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    future = str(timezone.now() + timedelta(days=2))
    late = client.post(url, {**payload, "contacted_at": future}, content_type="application/json")
    assert late.status_code == 400 and "contacted_at" in late.json()["errors"]
    assert client.get(url).json()["count"] == 1
    mine = client.get("/api/v1/townsmen?mine=true").json()
    assert mine["count"] == 1 and mine["results"][0]["contact_count"] == 1
    assert client.post(f"/api/v1/townsmen/{body['id']}/end").status_code == 200
    assert client.post(f"/api/v1/townsmen/{body['id']}/end").status_code == 409


def test_only_numbers_take_the_place_of_a_townsmans_id(client_for, mobile):
    """/townsmen/{id} does not swallow other paths under /townsmen/ (a word there once answered
    422 about the id): the progress answers, an unknown word is a plain 404."""
    client = client_for("dangyuan")
    add(mobile)
    progress = client.get("/api/v1/townsmen/progress")
    assert progress.status_code == 200, progress.content
    assert progress.json() == client.get("/api/v1/townsmen-progress").json()
    assert progress.json()["paired"] == 1
    for word in ("/api/v1/townsmen/abc", "/api/v1/townsmen/abc/contacts"):
        assert client.get(word).status_code == 404, word


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/work/townsmen/?all=1", "/api/v1/townsmen?page_size={n}"])
def test_townsman_lists_do_not_grow_with_the_page(client_for, mobile, settings, url):
    for i in range(6):
        t = add(mobile, name=f"老乡{i}", phone=f"1380013800{i}")
        services.townsman_contact_log(
            actor=mobile, townsman=t, way="phone", contacted_at=timezone.now(), purposes=["safety"]
        )
    client = client_for("wangge")
    settings.PAGE_SIZE = 2
    small = _queries(client, url.format(n=2))
    settings.PAGE_SIZE = 40
    large = _queries(client, url.format(n=40))
    assert small == large, (small, large)
