"""What meetings puts on core's pages: the secretary's home-page line and panel of meetings
due in the current period and missed in the last one (by the district's meeting rules), and
the member's meetings to sign in to. Called from ``MeetingsConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home
from xianfeng.core.choices import RoleKind

if TYPE_CHECKING:
    from xianfeng.core.models import User

PANEL_ROWS = 8


def _rows(user: User) -> list[Any]:
    cached = getattr(user, "_xf_rhythm", None)
    if cached is None:
        from xianfeng.meetings.rhythm import secretary_rows

        cached = secretary_rows(user)
        user._xf_rhythm = cached
    return cached


def _panel(user: User, kinds: frozenset[str]) -> dict[str, Any] | None:
    if not user.is_superuser and not (kinds - {RoleKind.AUDITOR, RoleKind.UNIT_LIAISON}):
        return None
    from xianfeng.meetings.choices import MeetingState
    from xianfeng.meetings.models import Meeting
    from xianfeng.people.members import member_of

    member = member_of(user)
    upcoming = []
    if member is not None:
        today = timezone.localdate()
        upcoming = list(
            Meeting.objects.filter(
                attendees__member=member,
                state__in=(MeetingState.PLANNED, MeetingState.HELD),
                starts_at__date__gte=today,
            )
            .select_related("organization")
            .order_by("starts_at")[:PANEL_ROWS]
        )
    rows = _rows(user)
    if not rows and not upcoming:
        return None
    return {
        "due": [r for r in rows if r.due][:PANEL_ROWS],
        "missed": [r for r in rows if r.missed][:PANEL_ROWS],
        "upcoming": upcoming,
    }


def register() -> None:
    home.register_todo(
        "meetings.due",
        order=40,
        label=_("次会议本期按制度尚未召开"),
        url="/meetings/rhythm/",
        count=lambda user, today: sum(r.due for r in _rows(user)),
    )
    home.register_panel("meetings", order=55, template="meetings/_home.html", build=_panel)
