"""Reads of organizational life: one selector per list, for the pages and the API alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from xianfeng.meetings.choices import MeetingKind, MeetingState
from xianfeng.meetings.models import Decision, Meeting, PublicityEvent

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization


def meetings(
    user: User,
    *,
    kind: str | None = None,
    state: str | None = None,
    organization: int | None = None,
    invited: bool = False,
) -> QuerySet[Meeting]:
    """Meetings the user may read (their subtrees, and those they are invited to), newest
    first, with the counts a row shows (invited, present) in the same query."""
    qs = Meeting.objects.restrict(user).select_related("organization", "convener")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if organization:
        qs = qs.filter(organization_id=organization)
    if invited:
        from xianfeng.people.members import member_of

        member = member_of(user)
        qs = qs.filter(attendees__member=member) if member is not None else qs.none()
    return qs.annotate(
        invited_count=Count("attendees", filter=Q(attendees__invited=True), distinct=True),
        present_count=Count(
            "attendees", filter=Q(attendees__signed_in_at__isnull=False), distinct=True
        ),
    ).order_by("-starts_at", "-id")


def public_decisions(community: Organization) -> QuerySet[Decision]:
    """一事一议一公开: the published decisions of the joint meetings held by the community
    (no account needed: what the community's public page shows)."""
    return (
        Decision.objects.filter(
            meeting__organization=community,
            meeting__kind=MeetingKind.JOINT,
            meeting__state=MeetingState.PUBLISHED,
        )
        .select_related("meeting", "meeting__convener")
        .order_by("-meeting__starts_at", "meeting_id", "order")
    )


def rhythm_organizations(user: User) -> QuerySet[Organization]:
    """Organizations in the user's scope whose kind has meeting rules: the rows of the
    assessment figures (paginated in the database; the figures are computed per page)."""
    from xianfeng.meetings.rhythm import active_rules
    from xianfeng.orgs.models import Organization

    return (
        Organization.objects.restrict(user).filter(kind__in=list(active_rules())).order_by("path")
    )


def publicity_events(
    user: User, *, organization: Organization | None = None, start=None, end=None
) -> QuerySet[PublicityEvent]:
    """宣传活动 in the user's scope (within ``organization``'s subtree and the dates when
    given), newest first."""
    qs = (
        PublicityEvent.objects.restrict(user)
        .select_related("organization")
        .prefetch_related("photos")
    )
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    return qs.order_by("-held_on", "-id")


def publicity_counts(
    user: User, *, organization: Organization | None = None, start=None, end=None
) -> dict[str, int]:
    """Events, sessions and participants counted (场次、人次) in the scope and period, in one
    query: what seed 001 reports as 556场、2.3万人次."""
    from django.db.models import Sum

    totals = publicity_events(user, organization=organization, start=start, end=end).aggregate(
        events=Count("pk"), sessions=Sum("sessions"), participants=Sum("participants")
    )
    return {k: v or 0 for k, v in totals.items()}
