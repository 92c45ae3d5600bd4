"""``{% work_home %}``: the 双领 section of the role home page (tasks and notices; the apps
above add their lines through ``xianfeng.work.hooks.home_sections``, e.g. visits and coverage)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from xianfeng.core.choices import RoleKind
from xianfeng.core.roles import ADMINS, GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.orgs.models import Organization
from xianfeng.work import services
from xianfeng.work.choices import NoticeKind, SupervisionStatus, TaskState
from xianfeng.work.hooks import home_sections
from xianfeng.work.models import Campaign, Notice, Project, Supervision, Task

register = template.Library()

MANAGERS = GRID_WRITERS


@register.inclusion_tag("work/_home.html", takes_context=True)
def work_home(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    roles = active_roles(user)
    kinds = {r.kind for r in roles}
    data: dict[str, Any] = {"shown": False}
    if not (kinds & (MANAGERS | {RoleKind.MEMBER})):
        return data
    data["shown"] = True
    member = services.member_of(user)
    data["member"] = member
    if member is not None:
        mine = Task.objects.filter(assignee=member)
        data["my_open"] = mine.filter(
            state__in=(
                TaskState.CLAIMED,
                TaskState.IN_PROGRESS,
                TaskState.RETURNED,
                TaskState.OVERDUE,
            )
        ).count()
        data.update(
            mine.aggregate(
                my_returned=Count("pk", filter=Q(state=TaskState.RETURNED)),
                my_overdue=Count("pk", filter=Q(state=TaskState.OVERDUE)),
            )
        )
        data["claimable"] = Task.objects.claimable_by(member).count()
    org = None
    if kinds & MANAGERS:
        role = next(r for r in roles if r.kind in MANAGERS)
        # The role's organization as far as the selectors need it (its id and path).
        org = Organization(pk=role.organization_id, path=role.path, name=role.organization_name)
        data["org"] = org
        data.update(
            Task.objects.filter(organization__path__startswith=org.path).aggregate(
                overdue=Count("pk", filter=Q(state=TaskState.OVERDUE)),
                to_verify=Count("pk", filter=Q(state=TaskState.SUBMITTED)),
            )
        )
        # 督办 to answer: each a link to its answer form, gone once answered.
        notes = Supervision.objects.restrict(user).select_related("issuer")
        data["to_answer"] = list(
            notes.filter(
                organization_id=org.pk,
                status__in=(SupervisionStatus.OPEN, SupervisionStatus.OVERDUE),
            ).order_by("due_on", "id")[:10]
        )
        # 督办 the organization issued, answered in the last week: read the answer.
        week_ago = timezone.now() - timedelta(days=7)
        data["answered"] = list(
            notes.filter(
                issuer_id=org.pk, status=SupervisionStatus.ANSWERED, answered_at__gte=week_ago
            )
            .select_related("organization")
            .order_by("-answered_at", "-id")[:10]
        )
        # Reminders, escalations and digests addressed to the organization (a supervision's
        # notice is the line to answer above).
        data["notices"] = list(
            Notice.objects.restrict(user)
            .filter(organization_id=org.pk)
            .exclude(kind=NoticeKind.SUPERVISION)[:5]
        )
        if kinds & ADMINS:
            data.update(_campaigns_and_supervision(user, org))
    data["sections"] = home_sections(user, member, org)
    return data


CAMPAIGNS_SHOWN = 5


def _campaigns_and_supervision(user: Any, org: Organization) -> dict[str, Any]:
    """For street and district staff: how the running campaigns stand (projects, tasks done of
    all), the projects their organization carries, and the 督办 they issued that still wait,
    overdue first; four queries."""
    today = timezone.localdate()
    done = Q(projects__tasks__state__in=(TaskState.VERIFIED, TaskState.DONE))
    campaigns = list(
        Campaign.objects.restrict(user)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .annotate(
            n_projects=Count("projects", distinct=True),
            n_tasks=Count("projects__tasks", distinct=True),
            n_done=Count("projects__tasks", filter=done, distinct=True),
        )
        .order_by("ends_on", "id")[:CAMPAIGNS_SHOWN]
    )
    # The projects the organization itself carries in running campaigns (a street sees its
    # part of a district campaign this way; the campaign's own page is the district's).
    own_projects = list(
        Project.objects.restrict(user)
        .filter(
            organization_id=org.pk, campaign__starts_on__lte=today, campaign__ends_on__gte=today
        )
        .annotate(
            n_tasks=Count("tasks", distinct=True),
            n_done=Count(
                "tasks",
                filter=Q(tasks__state__in=(TaskState.VERIFIED, TaskState.DONE)),
                distinct=True,
            ),
        )
        .order_by("deadline", "id")[:CAMPAIGNS_SHOWN]
    )
    issued = Supervision.objects.restrict(user).filter(issuer__path__startswith=org.path)
    waiting = issued.filter(status__in=(SupervisionStatus.OPEN, SupervisionStatus.OVERDUE))
    counts = waiting.aggregate(
        n_waiting=Count("pk"), n_late=Count("pk", filter=Q(status=SupervisionStatus.OVERDUE))
    )
    late = list(
        waiting.filter(status=SupervisionStatus.OVERDUE)
        .select_related("organization")
        .order_by("due_on", "id")[:CAMPAIGNS_SHOWN]
    )
    return {"campaigns": campaigns, "own_projects": own_projects, "issued_late": late, **counts}
