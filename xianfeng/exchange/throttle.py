"""The throttle of the public landlord declaration page: one counter per client IP and one per
building, on the shared rate limits of ``core/ratelimit.py``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from xianfeng.core.ratelimit import client_ip, hit


def declaration_allowed(request: HttpRequest, building_id: int) -> bool:
    """Count this submission for the client IP and the building; False once either is over."""
    ip_limit = settings.XIANFENG_DECLARE_IP_LIMIT
    building_limit = settings.XIANFENG_DECLARE_BUILDING_LIMIT
    by_ip = hit(f"xf:declare:ip:{client_ip(request)}", tuple(ip_limit))
    by_building = hit(f"xf:declare:building:{building_id}", tuple(building_limit))
    return by_ip and by_building
