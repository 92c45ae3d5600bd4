"""What safety puts on core's pages and listens to: the home page's lines and its safety
panel, and the visit's "发现安全隐患，需立案" (a hazard opened when such a visit is stored).
Called from ``SafetyConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save


def _visit_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw or not created or not instance.raises_hazard:
        return
    from xianfeng.safety.services import hazard_from_visit

    # In the visit's own transaction: the visit and its case are stored together or not at all.
    with transaction.atomic():
        hazard_from_visit(instance)


def register() -> None:
    from xianfeng.visits.models import Visit

    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="safety.visit_hazard")
