"""What services puts on core's pages and listens to: a visit's "群众有诉求，需办理" opens an
order; the home page's lines (the community's queue) and the member's panel (my orders).
Called from ``ServicesConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save


def _visit_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw or not created or not instance.raises_request:
        return
    from xianfeng.services.services import order_from_visit

    # In the visit's own transaction: the visit and its order are stored together or not at all.
    with transaction.atomic():
        order_from_visit(instance)


def register() -> None:
    from xianfeng.visits.models import Visit

    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="services.visit_order")
