"""A simple fixed-window throttle on Django's cache, for the public landlord declaration page:
one counter per client IP and one per building. Each deployment's cache decides how far it
reaches: the default local-memory cache counts per process; configure a shared cache (Redis)
when several processes serve the site."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The peer address. X-Forwarded-For is trusted only when a proxy is declared in
    ``XIANFENG_TRUSTED_PROXY_HOPS`` (how many proxies append to it), else it could be forged."""
    hops = settings.XIANFENG_TRUSTED_PROXY_HOPS
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _hit(key: str, limit: tuple[int, int]) -> bool:
    """Count one request in ``key``'s window; True while within the limit."""
    count, seconds = limit
    if cache.add(key, 1, timeout=seconds):
        return 1 <= count
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        current = 1
    return current <= count


def declaration_allowed(request: HttpRequest, building_id: int) -> bool:
    """Count this submission for the client IP and the building; False once either is over."""
    ip_limit = settings.XIANFENG_DECLARE_IP_LIMIT
    building_limit = settings.XIANFENG_DECLARE_BUILDING_LIMIT
    by_ip = _hit(f"xf:declare:ip:{client_ip(request)}", tuple(ip_limit))
    by_building = _hit(f"xf:declare:building:{building_id}", tuple(building_limit))
    return by_ip and by_building
