"""Reads for 双领: every list that a page and the API show comes from one function here,
with one set of filters (the page and the endpoint call the same one)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from xianfeng.work.choices import TaskState
from xianfeng.work.models import Campaign, Project, Supervision, Task
from xianfeng.work.services import member_of


def campaigns(user: Any) -> QuerySet:
    """Campaigns the user sees (issued in or above their scope), newest first."""
    return (
        Campaign.objects.restrict(user)
        .select_related("organization")
        .annotate(n_projects=Count("projects"))
        .order_by("-starts_on", "-id")
    )


def projects(user: Any, *, campaign: Any = None) -> QuerySet:
    """Projects the user sees, with their task counts; ``campaign`` an object or an id."""
    qs = (
        Project.objects.restrict(user)
        .select_related("organization", "leader__person")
        .annotate(
            n_tasks=Count("tasks"),
            n_done=Count("tasks", filter=Q(tasks__state=TaskState.DONE)),
        )
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("deadline", "id")


def tasks(
    user: Any,
    *,
    mine: bool = False,
    claimable: bool = False,
    state: str | None = None,
    project: Any = None,
) -> QuerySet:
    """The task list as the user may see it: ``mine`` (the user's member is the assignee),
    ``claimable`` (open or overdue, unclaimed, posted at the member's branch or above),
    ``state``, ``project`` (an object or an id)."""
    qs = Task.objects.restrict(user).select_related("organization", "assignee__person")
    member = member_of(user)
    if mine:
        qs = qs.assigned_to(member)
    if claimable:
        qs = qs.claimable_by(member)
    if state:
        qs = qs.filter(state=state)
    if project:
        qs = qs.filter(project=project)
    return qs.order_by("deadline", "id")


def supervisions(user: Any, *, project: Any = None, task: Any = None) -> QuerySet:
    """Supervision notes the user sees (issued by or to their scope), by due date."""
    qs = Supervision.objects.restrict(user).select_related("issuer", "organization")
    if project is not None:
        qs = qs.filter(project=project)
    if task is not None:
        qs = qs.filter(task=task)
    return qs.order_by("due_on", "id")
