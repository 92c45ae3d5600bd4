"""Rate limits (core/ratelimit.py) and public addresses (core/publicurl.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from xianfeng.core import publicurl, ratelimit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_allow_counts_every_subject_and_refuses_past_any_limit():
    limits = {"ip:10.0.0.1": (3, 60), "phone:13800000000": (2, 60)}
    assert ratelimit.allow("orders", limits)
    assert ratelimit.allow("orders", limits)
    # The phone's limit (2) is passed first; the address still has room but the answer is no.
    assert not ratelimit.allow("orders", limits)
    assert not ratelimit.allow("orders", {"ip:10.0.0.1": (3, 60)})
    # Another scope and another subject count apart.
    assert ratelimit.allow("problems", limits)
    assert ratelimit.allow("orders", {"ip:10.0.0.2": (3, 60)})


def test_subjects_are_not_kept_in_clear():
    ratelimit.allow("orders", {"phone:13800000000": (5, 60)})
    keys = list(cache._cache.keys())  # locmem: the raw keys
    assert keys and not any("13800000000" in key for key in keys)


@override_settings(XIANFENG_TRUSTED_PROXY_HOPS=0)
def test_client_ip_ignores_forwarded_for_without_a_declared_proxy():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.9")
    assert ratelimit.client_ip(request) == "10.0.0.9"
    with override_settings(XIANFENG_TRUSTED_PROXY_HOPS=1):
        assert ratelimit.client_ip(request) == "1.2.3.4"


@override_settings(XIANFENG_PUBLIC_BASE_URL="https://xf.example.gov.cn")
def test_public_url_and_qr_use_the_configured_base():
    assert publicurl.public_url("/declare/abc/") == "https://xf.example.gov.cn/declare/abc/"
    with pytest.raises(ValueError):
        publicurl.public_url("declare/abc/")
    svg = publicurl.qr_svg("https://xf.example.gov.cn/declare/abc/")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
