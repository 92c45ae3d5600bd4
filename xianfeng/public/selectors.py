"""Reads of the public app: the community's public wall and echo wall (anyone), the staff's
problem list (restricted), a zone's public board."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from xianfeng.public.choices import OPEN_STATES, WALL_STATES, ProblemState  # noqa: F401
from xianfeng.public.models import EchoEntry, Problem

if TYPE_CHECKING:
    from xianfeng.core.models import User

#: The columns a public page shows; nothing about the reporter.
PUBLIC_FIELDS = (
    "id",
    "code",
    "category",
    "title",
    "description",
    "address",
    "state",
    "responsible",
    "measures",
    "deadline",
    "result",
    "close_reason",
    "referred_to",
    "supporters",
    "text_edited_at",
    "created_at",
    "updated_at",
    "community_id",
    "latitude",
    "longitude",
)


def wall(community_id: int, *, state: str | None = None, category: str | None = None) -> QuerySet:
    """The public wall of a community: moderated problems, newest first (index problem_wall)."""
    if state in ProblemState.values:
        # A state on the wall says the problem is public: read index problem_wall_state alone.
        qs = Problem.objects.filter(community_id=community_id, state=state)
        if state not in WALL_STATES:
            qs = qs.none()
    else:
        qs = Problem.objects.public().filter(community_id=community_id)
    if category:
        qs = qs.filter(category=category)
    return qs.only(*PUBLIC_FIELDS).order_by("-created_at", "-id")


def echo_wall(community_id: int) -> QuerySet:
    """Published results of a community, newest first, with their problem (one join)."""
    return (
        EchoEntry.objects.filter(community_id=community_id)
        .select_related("problem")
        .only(
            "id",
            "result",
            "published_at",
            "rating",
            "rating_comment",
            "edited_at",
            "problem__code",
            "problem__title",
            "problem__category",
            "problem__state",
            "problem__responsible",
        )
        .order_by("-published_at", "-id")
    )


def problems(user: User, *, state: str | None = None, community: int | None = None) -> QuerySet:
    """The staff's list (moderation queue with ``state=pending``), in their scope."""
    qs = Problem.objects.restrict(user).select_related("community")
    if state in ProblemState.values:
        qs = qs.filter(state=state)
    if community:
        qs = qs.filter(community_id=community)
    return qs.order_by("-created_at", "-id")


def staff_count(user: User, state: str) -> int:
    """How many problems in the user's scope are in ``state``, for staff only (the home page's
    "今天需要我处理"); members and the auditor get none."""
    from xianfeng.core.roles import GRID_WRITERS
    from xianfeng.core.scope import active_roles

    if not user.is_superuser and not any(r.kind in GRID_WRITERS for r in active_roles(user)):
        return 0
    return Problem.objects.restrict(user).filter(state=state).count()
