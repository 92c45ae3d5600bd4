"""Meetings for tests, made through the services (and states set directly where a test needs
an object already in a state)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.meetings import services
from xianfeng.meetings.choices import MeetingKind, MeetingState
from xianfeng.meetings.models import Decision, Meeting
from xianfeng.people.models import PartyMember


def branch_members(org: Any, n: int = 3) -> list[PartyMember]:
    return list(
        PartyMember.objects.filter(branch__path__startswith=org.path)
        .select_related("person", "branch")
        .order_by("pk")[:n]
    )


def meeting(
    actor: Any,
    org: Any | None = None,
    *,
    kind: str = MeetingKind.BRANCH_ASSEMBLY,
    invite: list[PartyMember] | None = None,
    starts_in: timedelta = timedelta(minutes=30),
    **extra: Any,
) -> Meeting:
    org = org or role_org(actor)
    invitees = invite if invite is not None else branch_members(org)
    return services.meeting_plan(
        actor=actor,
        organization=org,
        kind=kind,
        topic=extra.pop("topic", "学习安全生产责任制"),
        starts_at=timezone.now() + starts_in,
        place=extra.pop("place", "社区党群服务中心"),
        invitees=[m.pk for m in invitees],
        **extra,
    )


def meeting_in(state: str, personas: dict[str, Any], org: Any | None = None) -> Meeting:
    """A meeting of ``wangge``'s branch (or ``org``) in ``state``."""
    found = meeting(personas["admin"], org or role_org(personas["wangge"]))
    fields: dict[str, Any] = {"state": state}
    if state in (MeetingState.HELD, MeetingState.PUBLISHED):
        fields["held_at"] = timezone.now()
        fields["minutes"] = "会议学习了安全生产责任制。"
    if state == MeetingState.PUBLISHED:
        fields["published_at"] = timezone.now()
        Decision.objects.create(meeting=found, order=1, text="每月开展一次安全巡查")
    Meeting.objects.filter(pk=found.pk).update(**fields)
    found.refresh_from_db()
    return found
