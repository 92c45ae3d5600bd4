"""What safety puts on core's pages and listens to: the home page's lines and its safety
panel, and the visit's "发现安全隐患，需立案" (a hazard opened when such a visit is stored).
Called from ``SafetyConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home
from xianfeng.core.choices import RoleKind
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.safety import selectors

if TYPE_CHECKING:
    from xianfeng.core.models import User

PANEL_ROWS = 8


def _visit_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw or not created or not instance.raises_hazard:
        return
    from xianfeng.safety.services import hazard_from_visit

    # In the visit's own transaction: the visit and its case are stored together or not at all.
    with transaction.atomic():
        hazard_from_visit(instance)


def _panel(user: User, kinds: frozenset[str]) -> dict[str, Any] | None:
    # The auditor reads the lists; a unit's liaison has no buildings: neither gets the panel.
    if not user.is_superuser and not (kinds - {RoleKind.AUDITOR, RoleKind.UNIT_LIAISON}):
        return None
    from xianfeng.people.members import member_of

    member = member_of(user)
    mine = list(selectors.due_buildings(user, member=member)[:PANEL_ROWS]) if member else []
    open_hazards = selectors.hazards(user, open_only=True)
    return {
        "due_mine": mine,
        "hazards": list(open_hazards[:PANEL_ROWS]),
        "hazard_count": selectors.hazard_counts(user)["open"],
        "escalated_patrols": list(selectors.escalated_patrols(user)[:PANEL_ROWS])
        if kinds & GRID_WRITERS or user.is_superuser
        else [],
        "my_hazards": list(selectors.hazards(user, open_only=True, mine=True)[:PANEL_ROWS])
        if member
        else [],
        # 党员出租户: a member who lets buildings leads their safety (责任领办).
        "led_buildings": list(selectors.led_buildings(user)[:PANEL_ROWS]) if member else [],
        "led_hazards": list(selectors.led_hazards(user)[:PANEL_ROWS]) if member else [],
    }


def register() -> None:
    from xianfeng.visits.models import Visit

    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="safety.visit_hazard")
    home.register_todo(
        "hazards.reported",
        order=25,
        label=_("处安全隐患待确认立案"),
        url="/safety/hazards/?state=reported",
        count=lambda user, today: selectors.hazard_counts(user, today)["reported"],
    )
    home.register_todo(
        "hazards.submitted",
        order=26,
        label=_("处隐患整改待核验"),
        url="/safety/hazards/?state=submitted",
        count=lambda user, today: selectors.hazard_counts(user, today)["submitted"],
    )
    home.register_todo(
        "hazards.overdue",
        order=27,
        label=_("处隐患超过整改时限"),
        url="/safety/hazards/?overdue=1",
        count=lambda user, today: selectors.hazard_counts(user, today)["overdue"],
    )
    home.register_todo(
        "buildings.due",
        order=28,
        label=_("栋楼到期需安全巡查"),
        url="/safety/due/",
        count=lambda user, today: selectors.due_buildings(user, today=today).count(),
    )
    home.register_todo(
        "patrols.escalated",
        order=29,
        label=_("栋楼巡查逾期，已升级到本级督办"),
        url="/safety/due/?escalated=1",
        count=lambda user, today: selectors.escalated_patrols(user).count(),
    )
    home.register_panel("safety", order=50, template="safety/_home.html", build=_panel)
