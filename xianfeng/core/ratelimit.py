"""Fixed-window rate limits on Django's cache, for public pages and endpoints (the landlord
declaration, residents' orders and problems, Open311 POST, votes).

A limit is ``(count, seconds)``: at most ``count`` hits per key in a window of ``seconds``.
The counters live in the default cache, so a limit reaches as far as the cache does: local
memory counts per process; with ``XIANFENG_CACHE_URL`` set to a Redis (production, several
gunicorn workers) it holds across every process and server sharing that Redis."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

Limit = tuple[int, int]


def client_ip(request: HttpRequest) -> str:
    """The peer address. X-Forwarded-For is trusted only when a proxy is declared in
    ``XIANFENG_TRUSTED_PROXY_HOPS`` (how many proxies append to it), else it could be forged."""
    hops = settings.XIANFENG_TRUSTED_PROXY_HOPS
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(key: str, limit: Limit) -> bool:
    """Count one hit in ``key``'s window; True while within the limit."""
    count, seconds = limit
    if cache.add(key, 1, timeout=seconds):
        return 1 <= count
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        current = 1
    return current <= count


def allow(scope: str, limits: dict[str, Limit]) -> bool:
    """Count one hit under every ``{subject: limit}`` of ``scope`` (e.g. the client's address and
    the phone it gave); False once any is over. Subjects are hashed, so no phone number or
    address is kept in the cache in clear. Every counter is counted, even after one refuses,
    so that a client cannot probe one limit to spare the other."""
    allowed = True
    for subject, limit in limits.items():
        digest = hashlib.blake2b(subject.encode(), digest_size=12).hexdigest()
        if not hit(f"xf:rate:{scope}:{digest}", limit):
            allowed = False
    return allowed
