"""Objects for the safety tests, placed where the personas act: ``wangge``'s grid branch
(side A) or ``shequ2``'s community (side B)."""

from __future__ import annotations

import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xianfeng.core.workflow import take
from xianfeng.orgs.models import Organization
from xianfeng.places.choices import BuildingKind
from xianfeng.places.models import Building, Grid
from xianfeng.safety import services
from xianfeng.safety.choices import HazardCategory, Outcome, Severity
from xianfeng.safety.models import Hazard, Inspection

_codes = itertools.count(1)


def building_under(org: Organization, kind: str = BuildingKind.RENTAL) -> Building:
    """A fresh building (no colour, never inspected) in a grid under ``org``."""
    grid = Grid.objects.filter(organization__path__startswith=org.path).order_by("pk").first()
    assert grid is not None, f"no grid under {org}"
    n = next(_codes)
    return Building.objects.create(
        code=f"T-SAFE-{org.pk}-{n}",
        name=f"测试出租楼{n}号",
        address=f"测试路{n}号",
        grid=grid,
        kind=kind,
    )


def photo(name: str = "p.jpg", fmt: str = "JPEG", size: tuple[int, int] = (8, 6)) -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def inspect(actor: Any, building: Building, fail: int = 0, veto: bool = False) -> Inspection:
    """An inspection submitted with ``fail`` failed items (non-veto ones unless ``veto``)."""
    inspection, _created = services.inspection_start(actor=actor, building=building)
    items = list(inspection.template.items.all())
    failing = [i for i in items if i.veto == veto][:fail] if fail else []
    for item in items:
        outcome = Outcome.FAIL if item in failing else Outcome.PASS
        services.inspection_record(
            actor=actor, inspection=inspection, item=item, outcome=outcome, note="现场发现"
        )
    return services.inspection_submit(actor=actor, inspection=inspection)


def hazard(actor: Any, building: Building, **fields: Any) -> Hazard:
    data = {
        "title": "楼道堆放杂物",
        "category": HazardCategory.ESCAPE,
        "severity": Severity.GENERAL,
        **fields,
    }
    return services.hazard_report(actor=actor, building=building, **data)


def hazard_in(state: str, p: dict[str, Any], building: Building) -> Hazard:
    """A hazard walked to ``state`` by wangge (manager) and dangyuan (assignee)."""
    from xianfeng.demo.base import persona_member

    h = hazard(p["dangyuan"], building, photos=[photo()])
    path = ["confirmed", "assigned", "rectifying", "submitted", "verified", "closed"]
    if state in ("reported",):
        return h
    if state in ("dismissed",):
        return take(h, "dismiss", actor=p["wangge"], reason="非隐患")
    if state == "referred":
        h = take(h, "confirm", actor=p["wangge"])
        return take(h, "refer", actor=p["wangge"], agency="区消防救援大队")
    for target in path:
        if target == "confirmed":
            h = take(h, "confirm", actor=p["wangge"])
        elif target == "assigned":
            h = take(h, "assign", actor=p["wangge"], member=persona_member("dangyuan").pk)
        elif target == "rectifying":
            h = take(h, "start", actor=p["dangyuan"])
        elif target == "submitted":
            h = take(h, "submit", actor=p["dangyuan"], rectification="已清理", photos=[photo()])
        elif target == "verified":
            h = take(h, "verify", actor=p["wangge"])
        elif target == "closed":
            h = take(h, "close", actor=p["wangge"])
        if target == state:
            return h
    raise AssertionError(state)
