"""Reads of organizational life: one selector per list, for the pages and the API alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from xianfeng.meetings.choices import MeetingKind, MeetingState
from xianfeng.meetings.models import Decision, Meeting

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
