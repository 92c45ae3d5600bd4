"""Reads of safety: one selector per list, for the pages and the API alike."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from xianfeng.places.models import Building
from xianfeng.safety.choices import OPEN_STATES, OVERDUE_FROM, SERIOUS_INCIDENTS, HazardState
from xianfeng.safety.models import Hazard, Incident, Inspection

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember


def hazards(
    user: User,
    *,
    state: str | None = None,
    open_only: bool = False,
    overdue: bool = False,
    building: int | None = None,
    category: str | None = None,
    severity: str | None = None,
    mine: bool = False,
    today: date | None = None,
) -> QuerySet[Hazard]:
    """Hazards in the user's scope, filtered in the database, soonest deadline first."""
    qs = Hazard.objects.restrict(user).select_related("building", "organization")
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if overdue:
        qs = qs.filter(state__in=OVERDUE_FROM, deadline__lt=today or timezone.localdate())
    if building:
        qs = qs.filter(building_id=building)
    if category:
        qs = qs.filter(category=category)
    if severity:
        qs = qs.filter(severity=severity)
    if mine:
        from xianfeng.people.members import member_of

        member = member_of(user)
        qs = qs.filter(assignee=member) if member is not None else qs.none()
    return qs.order_by("deadline", "id")


def due_condition(today: date) -> Q:
    """Buildings due for a patrol: never inspected, or their colour's rhythm has come round."""
    return Q(safety__isnull=True) | Q(safety__due_on__lte=today)


def due_buildings(
    user: User, *, member: PartyMember | None = None, today: date | None = None
) -> QuerySet[Building]:
    """Buildings due for inspection in the user's scope; with ``member``, those of the
    member's responsibility zones."""
    today = today or timezone.localdate()
    qs = Building.objects.restrict(user).filter(due_condition(today))
    if member is not None:
        qs = qs.filter(zones__members=member).distinct()
    return qs.select_related("safety").order_by("safety__due_on", "code")


def inspections(
    user: User, *, building: int | None = None, state: str | None = None, mine: bool = False
) -> QuerySet[Inspection]:
    qs = Inspection.objects.restrict(user).select_related("building", "inspector__person")
    if building:
        qs = qs.filter(building_id=building)
    if state:
        qs = qs.filter(state=state)
    if mine:
        qs = qs.filter(recorded_by=user)
    return qs


def hazard_counts(user: User, today: date | None = None) -> dict[str, int]:
    """The home page's figures in one query (kept on the user object for the request):
    open, reported (to confirm), submitted (to verify), overdue."""
    from django.db.models import Count

    today = today or timezone.localdate()
    cached = getattr(user, "_xf_hazard_counts", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    counts = Hazard.objects.restrict(user).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        reported=Count("pk", filter=Q(state=HazardState.REPORTED)),
        submitted=Count("pk", filter=Q(state=HazardState.SUBMITTED)),
        overdue=Count("pk", filter=Q(state__in=OVERDUE_FROM, deadline__lt=today)),
    )
    user._xf_hazard_counts = (today, counts)
    return counts


def escalated_patrols(user: User) -> QuerySet[Building]:
    """Buildings whose overdue patrol was escalated to one of the user's own organizations
    (the parent's home page and ``/safety/due/?escalated=1``); all escalated ones for a
    superuser. Read through ``restrict`` like every list."""
    from xianfeng.core.scope import active_roles

    qs = Building.objects.restrict(user).filter(safety__escalated_to__isnull=False)
    if not user.is_superuser:
        orgs = {r.organization_id for r in active_roles(user)}
        qs = qs.filter(safety__escalated_to_id__in=orgs)
    return qs.select_related("safety", "organization").order_by("safety__due_on", "code")


def incidents(
    user: User, *, year: int | None = None, severity: str | None = None
) -> QuerySet[Incident]:
    qs = Incident.objects.restrict(user).select_related("organization", "building")
    if year:
        qs = qs.filter(occurred_on__year=year)
    if severity:
        qs = qs.filter(severity=severity)
    return qs.prefetch_related("responsible")


def serious_incident_veto(organization: Organization, year: int) -> bool:
    """The assessment's veto (一票否决): a serious incident (较大及以上) in ``year`` for which
    the organization, or an organization under it, was responsible. Scoring reads this; it
    is a fact about the organization, not a list a user reads, so it takes no user."""
    return Incident.objects.filter(
        occurred_on__year=year,
        severity__in=SERIOUS_INCIDENTS,
        responsible__path__startswith=organization.path,
    ).exists()
