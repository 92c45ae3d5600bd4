"""承诺履行 (issue 10): each side of a pairing records what it did on the pairing's page, the
liaison's home page or the API; one duty record per delivery for the delivering organization;
the other side and the scope above read it; bad input is refused in Chinese and stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.orgs import services
from xianfeng.orgs.models import Pairing, PairingDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing(personas):
    community, unit = role_org(personas["shequ"]), role_org(personas["danwei"])
    found = Pairing.objects.filter(org_a=community, org_b=unit).first()
    found = found or Pairing.objects.filter(org_a=unit, org_b=community).first()
    assert found is not None
    return found


def _unit(personas):
    return role_org(personas["danwei"])


def test_the_liaison_records_its_units_delivery_and_the_ledger_has_it(personas, pairing):
    today = timezone.localdate()
    delivery = services.pairing_delivery_record(
        actor=personas["danwei"],
        pairing=pairing,
        organization=_unit(personas),
        done_on=today,
        content="  组织8名党员  开展消防宣传 ",
    )
    assert delivery.content == "组织8名党员 开展消防宣传"
    record = DutyRecord.objects.get(action="pairing.deliver", object_id=str(delivery.pk))
    assert record.organization_id == _unit(personas).pk
    assert timezone.localtime(record.occurred_at).date() == today


def test_a_liaison_cannot_record_the_other_sides_delivery(personas, pairing):
    community = role_org(personas["shequ"])
    with pytest.raises(PermissionDenied):
        services.pairing_delivery_record(
            actor=personas["danwei"],
            pairing=pairing,
            organization=community,
            done_on=timezone.localdate(),
            content="代对方登记",
        )
    assert not PairingDelivery.objects.filter(pairing=pairing).exists()


@pytest.mark.parametrize(
    ("days", "content", "field"),
    [(1, "明天的事", "done_on"), (0, "   ", "content")],
    ids=["future", "blank"],
)
def test_bad_deliveries_are_refused(personas, pairing, days, content, field):
    with pytest.raises(ValidationError) as exc:
        services.pairing_delivery_record(
            actor=personas["danwei"],
            pairing=pairing,
            organization=_unit(personas),
            done_on=timezone.localdate() + timedelta(days=days),
            content=content,
        )
    assert field in exc.value.message_dict
    assert not PairingDelivery.objects.exists()


def test_before_the_pairing_started_is_refused(personas, pairing):
    with pytest.raises(ValidationError) as exc:
        services.pairing_delivery_record(
            actor=personas["danwei"],
            pairing=pairing,
            organization=_unit(personas),
            done_on=pairing.starts_on - timedelta(days=1),
            content="结对之前",
        )
    assert "结对开始" in exc.value.message_dict["done_on"][0]


def test_the_same_delivery_twice_is_stored_once(personas, pairing):
    kwargs = dict(
        actor=personas["danwei"],
        pairing=pairing,
        organization=_unit(personas),
        done_on=timezone.localdate(),
        content="捐赠图书200册",
    )
    services.pairing_delivery_record(**kwargs)
    with pytest.raises(ValidationError) as exc:
        services.pairing_delivery_record(**kwargs)
    assert "已登记过" in str(exc.value)
    assert PairingDelivery.objects.count() == 1
    assert DutyRecord.objects.filter(action="pairing.deliver").count() == 1


def test_the_page_records_and_the_other_side_reads_it(client_for, personas, pairing):
    liaison = client_for("danwei")
    url = f"/orgs/pairings/{pairing.pk}/deliveries/new/"
    form = liaison.get(url)
    assert form.status_code == 200 and "履行内容" in form.content.decode()
    today = timezone.localdate().isoformat()
    data = {"organization": _unit(personas).pk, "done_on": today, "content": "周末清扫楼道"}
    response = liaison.post(url, data)
    assert response.status_code == 302 and response.url == f"/orgs/pairings/{pairing.pk}/"
    again = liaison.post(url, data)
    assert again.status_code == 400 and "已登记过" in again.content.decode()
    detail = client_for("shequ").get(f"/orgs/pairings/{pairing.pk}/").content.decode()
    assert "周末清扫楼道" in detail and "已履行 1 次" in detail
    home = liaison.get("/").content.decode()
    assert "已履行 1 次" in home and url in home


def test_the_page_refuses_a_missing_date_in_chinese(client_for, personas, pairing):
    url = f"/orgs/pairings/{pairing.pk}/deliveries/new/"
    response = client_for("danwei").post(url, {"organization": _unit(personas).pk, "content": "x"})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    assert not PairingDelivery.objects.exists()


def test_the_api_records_lists_and_answers_a_duplicate_with_409(client_for, personas, pairing):
    api = client_for("danwei")
    url = f"/api/v1/pairings/{pairing.pk}/deliveries"
    body = {
        "organization": _unit(personas).pk,
        "done_on": str(timezone.localdate()),
        "content": "义诊",
    }
    created = api.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["organization"]["id"] == _unit(personas).pk
    dup = api.post(url, body, content_type="application/json")
    assert dup.status_code == 409 and "已登记过" in dup.json()["detail"]
    other = api.post(
        url,
        {**body, "organization": role_org(personas["shequ"]).pk, "content": "代登记"},
        content_type="application/json",
    )
    assert other.status_code == 403 and "detail" in other.json()
    stranger = api.post(url, {**body, "organization": 1}, content_type="application/json")
    assert stranger.status_code == 400 and "结对的一方" in stranger.json()["detail"]
    listed = client_for("shequ").get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["content"] == "义诊"


def test_the_pairing_page_lists_deliveries_in_a_fixed_number_of_queries(
    client_for, personas, pairing, django_assert_max_num_queries
):
    for i in range(5):
        services.pairing_delivery_record(
            actor=personas["danwei"],
            pairing=pairing,
            organization=_unit(personas),
            done_on=timezone.localdate() - timedelta(days=i),
            content=f"第{i}次",
        )
    client = client_for("shequ")
    client.get(f"/orgs/pairings/{pairing.pk}/")
    with django_assert_max_num_queries(14) as ctx:
        client.get(f"/orgs/pairings/{pairing.pk}/")
    few = len(ctx.captured_queries)
    services.pairing_delivery_record(
        actor=personas["danwei"],
        pairing=pairing,
        organization=_unit(personas),
        done_on=timezone.localdate() - timedelta(days=9),
        content="再一次",
    )
    with django_assert_max_num_queries(few):
        client.get(f"/orgs/pairings/{pairing.pk}/")
