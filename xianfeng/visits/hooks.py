"""What this app answers to 双领's hooks (``xianfeng.work.hooks``); registered in
``VisitsConfig.ready()``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from xianfeng.work.hooks import VisitProgress, hooks


def count_visits(*, path: str, start: datetime, end: datetime) -> int:
    from xianfeng.visits.models import Visit

    return Visit.objects.filter(
        organization__path__startswith=path, visited_at__gte=start, visited_at__lt=end
    ).count()


def task_section(request: Any, task: Any, actions: list[str], progress: VisitProgress) -> dict:
    """The 关联走访 section of a task's page: its progress and the visits linked to it."""
    from xianfeng.visits.models import Visit

    visits = (
        Visit.objects.restrict(request.user)
        .filter(task=task)
        .select_related("household__building", "building", "member__person")
        .order_by("-visited_at", "-id")[:50]
    )
    return {"template": "visits/_task_visits.html", "visits": visits}


def home_section(user: Any, member: Any, org: Any) -> dict[str, Any]:
    """The visits lines of the 双领 card on the home page."""
    from xianfeng.visits import selectors
    from xianfeng.visits.models import Visit

    data: dict[str, Any] = {"template": "visits/_home_lines.html"}
    if member is not None:
        month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        data["my_visits"] = Visit.objects.filter(member=member, visited_at__gte=month_start).count()
        data["month_start"] = month_start.date()
    if org is not None:
        data["coverage"], data["not_visited"] = selectors.recent_coverage(
            org=org, days=30, nv_days=90
        )
        from xianfeng.core.choices import Action
        from xianfeng.core.scope import user_can
        from xianfeng.places.models import Household

        # For the staff who keep the households: visits that found one moved.
        data["moved"] = (
            selectors.moved_household_count(user, org)
            if user_can(user, Action.CHANGE, Household)
            else None
        )
    return data


def register() -> None:
    from xianfeng.visits.services import store_task_photos, task_visit_progress

    hooks.progress = task_visit_progress
    hooks.store_photos = store_task_photos
    hooks.count_visits = count_visits
    for section, where in (
        (task_section, hooks.task_sections),
        (home_section, hooks.home_sections),
    ):
        if section not in where:
            where.append(section)
