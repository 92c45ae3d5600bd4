"""Objects for the services tests, placed where the personas act: ``wangge``'s grid branch
(side A, community of ``shequ``) or ``shequ2``'s community (side B)."""

from __future__ import annotations

import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xianfeng.core.testing import role_org
from xianfeng.orgs.models import Organization
from xianfeng.places.models import Building, Grid
from xianfeng.services import services
from xianfeng.services.models import Order, Service

_codes = itertools.count(1)
_phones = itertools.count(1000)


def building_under(org: Organization) -> Building:
    grid = Grid.objects.filter(organization__path__startswith=org.path).order_by("pk").first()
    assert grid is not None, f"no grid under {org}"
    n = next(_codes)
    return Building.objects.create(
        code=f"T-SVC-{org.pk}-{n}", name=f"测试楼{n}栋", address=f"点单测试路{n}号", grid=grid
    )


def service_at(org: Organization, **fields: Any) -> Service:
    n = next(_codes)
    data = {"code": f"t-svc-{n}", "title": f"测试服务{n}", "time_limit_hours": 24}
    data.update(fields)
    return Service.objects.create(organization=org, **data)


def phone() -> str:
    return f"1390000{next(_phones):04d}"


def order(community: Organization, **fields: Any) -> Order:
    data = {
        "community": community,
        "name": "王阿姨",
        "phone": phone(),
        "address": fields.pop("address", "幸福里小区"),
        "content": "家里水管漏水，需要帮忙联系维修",
        "client_ip": f"10.0.{next(_codes) % 250}.1",
    }
    data.update(fields)
    return services.create_public_order(**data)


def community_of(user: Any) -> Organization:
    org = role_org(user)
    return org.community()


def photo() -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (40, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("done.jpg", buffer.getvalue(), content_type="image/jpeg")


def order_in(state: str, personas: dict[str, Any]) -> Order:
    """An order of side A (``wangge``'s branch, ``shequ``'s community) in a state; dispatched
    and later ones are held by ``dangyuan``."""
    from xianfeng.demo.base import persona_member
    from xianfeng.services.choices import OrderState

    branch = role_org(personas["wangge"])
    made = order(branch.community(), client_ip=f"10.1.{next(_codes) % 250}.{next(_codes) % 250}")
    fields: dict[str, Any] = {"organization": branch}
    if state != OrderState.NEW:
        fields["assignee"] = persona_member("dangyuan")
    Order.objects.filter(pk=made.pk).update(state=state, **fields)
    made.refresh_from_db()
    return made
