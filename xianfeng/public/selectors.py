"""Reads of the public app: the community's public wall and echo wall (anyone), the staff's
problem list (restricted), a zone's public board."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from xianfeng.public.choices import OPEN_STATES, ProblemState  # noqa: F401
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
    "created_at",
    "updated_at",
    "community_id",
    "latitude",
    "longitude",
)


def wall(community_id: int, *, state: str | None = None, category: str | None = None) -> QuerySet:
    """The public wall of a community: moderated problems, newest first (index problem_wall)."""
    qs = Problem.objects.public().filter(community_id=community_id)
    if state in ProblemState.values:
        qs = qs.filter(state=state)
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
