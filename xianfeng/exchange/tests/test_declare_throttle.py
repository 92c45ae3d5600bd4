"""The public landlord declaration page: per-IP and per-building throttle, and a honeypot."""

from __future__ import annotations

import pytest

from xianfeng.exchange.declarations import public_url
from xianfeng.exchange.models import LandlordDeclaration
from xianfeng.exchange.tests.conftest import make_id
from xianfeng.places.models import Building

pytestmark = pytest.mark.django_db


def form(seq: int = 1, **extra: str) -> dict[str, str]:
    return {
        "landlord_name": "房东甲",
        "landlord_mobile": "13700000000",
        "n": "1",
        "unit-0": "1",
        "room-0": f"{100 + seq}",
        "name-0": "租客",
        "id-0": make_id(700 + seq),
        **extra,
    }


@pytest.fixture
def buildings():
    return list(Building.objects.order_by("pk")[:2])


def test_one_ip_is_throttled_with_a_chinese_429(client, buildings, settings):
    settings.XIANFENG_DECLARE_IP_LIMIT = (2, 600)
    url = public_url(buildings[0])
    assert client.post(url, form(1)).status_code == 200
    assert client.post(url, form(2)).status_code == 200
    response = client.post(url, form(3))
    assert response.status_code == 429
    assert "提交过于频繁，请稍后再试" in response.content.decode()
    assert response["Retry-After"]
    assert LandlordDeclaration.objects.count() == 2
    # another building does not help the same IP; another IP may still submit
    assert client.post(public_url(buildings[1]), form(4)).status_code == 429
    other = client.post(url, form(5), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200 and LandlordDeclaration.objects.count() == 3
    # reading the page is never throttled
    assert client.get(url).status_code == 200


def test_one_building_is_throttled_across_ips(client, buildings, settings):
    settings.XIANFENG_DECLARE_BUILDING_LIMIT = (2, 3600)
    url = public_url(buildings[0])
    for i in range(2):
        assert client.post(url, form(i), REMOTE_ADDR=f"10.0.1.{i}").status_code == 200
    assert client.post(url, form(9), REMOTE_ADDR="10.0.1.99").status_code == 429
    assert (
        client.post(public_url(buildings[1]), form(8), REMOTE_ADDR="10.0.1.98").status_code == 200
    )


def test_bad_submissions_count_too(client, buildings, settings):
    settings.XIANFENG_DECLARE_IP_LIMIT = (1, 600)
    url = public_url(buildings[0])
    assert client.post(url, {"landlord_name": ""}).status_code == 400
    assert client.post(url, form(1)).status_code == 429
    assert not LandlordDeclaration.objects.exists()


def test_a_forwarded_for_header_is_ignored_unless_a_proxy_is_declared(client, buildings, settings):
    settings.XIANFENG_DECLARE_IP_LIMIT = (1, 600)
    url = public_url(buildings[0])
    assert client.post(url, form(1), HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.post(url, form(2), HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    settings.XIANFENG_TRUSTED_PROXY_HOPS = 1
    assert client.post(url, form(3), HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 200


def test_the_honeypot_keeps_nothing_but_looks_like_success(client, buildings):
    url = public_url(buildings[0])
    page = client.get(url).content.decode()
    assert 'name="website"' in page and 'tabindex="-1"' in page
    response = client.post(url, form(1, website="http://spam.example"))
    assert response.status_code == 200 and "申报已提交" in response.content.decode()
    assert not LandlordDeclaration.objects.exists()
    assert client.post(url, form(2, website="")).status_code == 200
    assert LandlordDeclaration.objects.count() == 1


def test_a_forged_token_is_not_found_before_counting(client, settings):
    settings.XIANFENG_DECLARE_IP_LIMIT = (1, 600)
    assert client.post("/declare/1:forged/", form(1)).status_code == 404
    assert client.post("/declare/1:forged/", form(2)).status_code == 404
