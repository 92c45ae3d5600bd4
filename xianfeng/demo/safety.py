"""Safety in the demo district: the default checklists (the migration writes them; a test run
that emptied the tables needs them again) and, once, a few inspections in the persona grid:
``dangyuan`` has inspected three rental buildings (one green, sent from the phone's outbox with
the time it was done, one yellow with two hazards
waiting to be confirmed, one red with a hazard being rectified)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xianfeng.core.models import User
from xianfeng.core.workflow import take
from xianfeng.demo.base import WANGGE_GRID, persona_member
from xianfeng.demo.context import Context
from xianfeng.places.choices import BuildingKind
from xianfeng.places.models import Building
from xianfeng.safety import services
from xianfeng.safety.choices import Outcome
from xianfeng.safety.defaults import ensure_default_checklists
from xianfeng.safety.models import Hazard, Inspection


def _inspect(actor: User, building: Building, fail: list[int]) -> Inspection:
    inspection, _created = services.inspection_start(actor=actor, building=building)
    for item in inspection.template.items.all():
        outcome = Outcome.FAIL if item.order in fail else Outcome.PASS
        note = "现场发现，已告知房东" if outcome == Outcome.FAIL else ""
        services.inspection_record(
            actor=actor, inspection=inspection, item=item, outcome=outcome, note=note
        )
    return services.inspection_submit(actor=actor, inspection=inspection)


def build_safety_demo(ctx: Context) -> None:
    made = ensure_default_checklists()
    if made:
        ctx.created["checklists"] = ctx.created.get("checklists", 0) + made
    if Inspection.objects.exists():
        return
    member = User.objects.filter(username="dangyuan").first()
    secretary = User.objects.filter(username="wangge").first()
    rentals = list(
        Building.objects.filter(grid__code=WANGGE_GRID, kind=BuildingKind.RENTAL).order_by("code")[
            :3
        ]
    )
    if member is None or secretary is None or len(rentals) < 3:
        return
    # Filled in offline in a basement last evening, sent from the phone's outbox on the way
    # out: it keeps the time it was done (issue 17).
    services.inspection_create(
        actor=member,
        building=rentals[0],
        results=[
            {"item": i.pk, "outcome": Outcome.PASS}
            for i in services.current_template(BuildingKind.RENTAL).items.all()
        ],
        client_key="demo-offline-inspection",
        started_at=timezone.now() - timedelta(hours=16),
    )
    _inspect(member, rentals[1], [4, 8])  # extinguishers, gas: yellow
    red = _inspect(member, rentals[2], [2])  # electric bicycles charging indoors: veto, red
    hazard = Hazard.objects.get(inspection=red)
    take(hazard, "confirm", actor=secretary)
    take(hazard, "assign", actor=secretary, member=persona_member("dangyuan").pk)
    take(hazard, "start", actor=member)
    ctx.created["inspections"] = 3
