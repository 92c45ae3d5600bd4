"""Demo visits: most households of the persona grid, about a third elsewhere, each with its
duty record (called by ``xianfeng.demo.work.build_work_demo``)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from xianfeng.core.models import DutyRecord
from xianfeng.demo.context import _count, _ledger
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household, household_label
from xianfeng.visits.choices import HouseholdUpdate, VisitPurpose
from xianfeng.visits.models import Visit


def build_visits_demo(
    ctx: Any,
    rng: random.Random,
    branches: list[Organization],
    members_by_branch: dict[int, list[PartyMember]],
    persona: Organization | None,
    dangyuan: Any,
    dangyuan_member: PartyMember | None,
    now: Any,
) -> None:
    purposes = list(VisitPurpose.values)
    visits: list[Visit] = []
    for branch in branches:
        households = list(
            Household.objects.filter(organization__path__startswith=branch.path)
            .order_by("pk")
            .values_list("pk", "building_id", "organization_id")
        )
        members = members_by_branch.get(branch.pk, [])
        if not members:
            continue
        is_persona = branch == persona and dangyuan_member is not None
        share = 0.75 if is_persona else 0.33
        for pk, building_id, org_id in households:
            if rng.random() > share:
                continue
            member = dangyuan_member if is_persona and rng.random() < 0.6 else rng.choice(members)
            visits.append(
                Visit(
                    member=member,
                    recorded_by=dangyuan if member == dangyuan_member else None,
                    household_id=pk,
                    building_id=building_id,
                    organization_id=org_id,
                    visited_at=now
                    - timedelta(days=int(rng.triangular(0, 150, 0)), minutes=rng.randrange(600)),
                    purposes=rng.sample(purposes, rng.randint(1, 2)),
                    findings=rng.choice(
                        [
                            "",
                            "楼道堆放杂物，已提醒清理。",
                            "电动车在楼道充电，已劝离。",
                            "燃气软管老化，建议更换。",
                        ]
                    ),
                )
            )
    _moved_households(visits, dangyuan_member)
    Visit.objects.bulk_create(visits, batch_size=2000)
    _count(ctx, Visit, len(visits))
    # Every visit is an act of duty: one ledger row each, through the ledger's one writer.
    for v in visits:
        _ledger(v.recorded_by, "visit.log", v.organization_id, v, v.member, v.visited_at)
    _count(ctx, DutyRecord, len(visits))


def _moved_households(visits: list[Visit], member: PartyMember | None) -> None:
    """Two of the persona member's visits found their household moved (sent from the phone's
    outbox after it left): kept at the building, waiting for the community (待社区更新住户信息).
    No random draw, so the rest of the demo stays the same."""
    mine = [v for v in visits if member is not None and v.member == member][:2]
    rows = Household.objects.filter(pk__in=[v.household_id for v in mine]).values_list(
        "pk", "building__name", "unit", "room"
    )
    names = {pk: household_label(b, u, r) for pk, b, u, r in rows}
    for visit in mine:
        visit.moved_household = names[visit.household_id]
        visit.household_id = None
        visit.household_update = HouseholdUpdate.PENDING
