"""Reads of safety: one selector per list, for the pages and the API alike."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from xianfeng.places.models import Building
from xianfeng.safety.choices import (
    OPEN_STATES,
    OVERDUE_FROM,
    SERIOUS_INCIDENTS,
    HazardCategory,
    HazardState,
)
from xianfeng.safety.models import FocusDay, Hazard, Incident, Inspection, SmallWork

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


def small_works(user: User, *, state: str | None = None) -> QuerySet[SmallWork]:
    """零星工程报备 in the user's scope, newest first."""
    qs = SmallWork.objects.restrict(user).select_related("community", "building")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-filed_at", "-id")


def works_hazards(user: User, works: SmallWork) -> QuerySet[Hazard]:
    """Hazards opened at the works' building for works since it was filed."""
    if works.building_id is None:
        return Hazard.objects.none()
    return (
        Hazard.objects.restrict(user)
        .filter(
            building_id=works.building_id,
            category=HazardCategory.WORKS,
            reported_at__gte=works.filed_at,
        )
        .order_by("-reported_at", "-id")
    )


def focus_days(user: User) -> QuerySet[FocusDay]:
    """集中整治日 of the streets in the user's scope, latest first."""
    return FocusDay.objects.restrict(user).select_related("organization").order_by("-day", "-id")


def led_buildings(user: User) -> QuerySet[Building]:
    """党员出租户: the buildings whose landlord is the user's own person (a member's duty they
    lead, 责任领办). The user's own data, found by their own person, wherever the buildings
    lie — not a read of others' data, so not through ``restrict``."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return Building.objects.none()
    return Building.objects.filter(landlord_id=person_id).select_related("safety").order_by("code")


def led_hazards(user: User) -> QuerySet[Hazard]:
    """Open hazards of the user's own rental buildings (their branch sees them through
    ``lead_branch``, so this reads through ``restrict``)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return Hazard.objects.none()
    return (
        Hazard.objects.restrict(user)
        .filter(building__landlord_id=person_id, state__in=OPEN_STATES)
        .select_related("building")
        .order_by("deadline", "id")
    )


def landlord_branch(building: Building) -> Organization | None:
    """党员出租户: the branch of the building's landlord when the landlord is a party member
    (shown on the building's page: the duty that branch leads)."""
    if not building.landlord_id:
        return None
    from xianfeng.orgs.models import Organization

    # Found by the building the caller already read through ``restrict``.
    return (
        Organization.objects.filter(members__person_id=building.landlord_id).order_by("pk").first()
    )


#: Lists of hazards count at most this many matches: an exact count of a street's open hazards
#: at a million rows reads every match (~0.5 s), while a page reads 50 index entries.
COUNT_CAP = 1000


def capped_count(queryset: QuerySet) -> tuple[int, bool]:
    """How many rows match, reading at most ``COUNT_CAP + 1`` of them: (count, capped), where
    ``capped`` says there are more than ``COUNT_CAP`` and the count is ``COUNT_CAP``."""
    n = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP
