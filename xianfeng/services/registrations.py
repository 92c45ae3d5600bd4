"""What services puts on core's pages and listens to: a visit's "群众有诉求，需办理" opens an
order; the home page's lines (the community's queue) and the member's panel (my orders).
Called from ``ServicesConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.services import selectors

if TYPE_CHECKING:
    from xianfeng.core.models import User

PANEL_ROWS = 8


def _visit_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw or not created or not instance.raises_request:
        return
    from xianfeng.services.services import order_from_visit

    # In the visit's own transaction: the visit and its order are stored together or not at all.
    with transaction.atomic():
        order_from_visit(instance)


def _panel(user: User, kinds: frozenset[str]) -> dict[str, Any] | None:
    """The member's orders (我的点单) and, for staff who dispatch, the community's queue."""
    from xianfeng.people.members import member_of

    dispatcher = user.is_superuser or bool(kinds & GRID_WRITERS)
    member = member_of(user)
    mine = (
        list(selectors.orders(user, mine=True, open_only=True).order_by("deadline")[:PANEL_ROWS])
        if member
        else []
    )
    if not dispatcher and not mine:
        return None
    queue = selectors.queue(user) if dispatcher else None
    return {
        "mine": mine,
        "dispatcher": dispatcher,
        "queue": list(queue[:PANEL_ROWS]) if queue is not None else [],
        "queue_count": queue.count() if queue is not None else 0,
    }


def _pending_complaints(user: User) -> int:
    from xianfeng.services.complaints import pending_count

    return pending_count(user)


def register() -> None:
    from xianfeng.community.records import register_figures
    from xianfeng.visits.models import Visit

    # The record for the work unit counts the orders served and their ratings (the community
    # app sits below this one and may not read orders itself).
    register_figures(selectors.record_order_figures)
    # ... and the team's page lists the orders the team took.
    from xianfeng.community.teams import register_team_work

    register_team_work(selectors.team_orders)

    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="services.visit_order")
    home.register_todo(
        "orders.new",
        order=30,
        label=_("张群众点单待派单"),
        url="/services/orders/queue/",
        count=lambda user, today: selectors.order_counts(user)["new"],
    )
    home.register_todo(
        "orders.mine_new",
        order=31,
        label=_("张点单派给我，待接单"),
        url="/services/orders/?mine=1",
        count=lambda user, today: selectors.order_counts(user)["mine_new"],
    )
    home.register_todo(
        "orders.overdue",
        order=32,
        label=_("张点单超过办理时限"),
        url="/services/orders/?overdue=1",
        count=lambda user, today: selectors.order_counts(user)["overdue"],
    )
    home.register_todo(
        "complaints.pending",
        order=33,
        label=_("条群众投诉待核实"),
        url="/services/complaints/?state=pending",
        count=lambda user, today: _pending_complaints(user),
    )
    home.register_panel("services", order=55, template="services/_home.html", build=_panel)
