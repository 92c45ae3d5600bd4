"""Test data for visits: the 双领 factories, and visits."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.visits.models import Visit
from xianfeng.work.tests.factories import (  # noqa: F401 (one module for the tests)
    JPEG,
    PNG,
    chain,
    dangyuan,
    household_under,
    member_under,
    submitted,
    supervision,
    task_in,
    wangge,
)


def visit_at(household: Household, member: PartyMember, days_ago: int = 1) -> Visit:
    return Visit.objects.create(
        member=member,
        household=household,
        building=household.building,
        organization=household.organization,
        visited_at=timezone.now() - timedelta(days=days_ago),
        purposes=["safety"],
    )
