"""``{% work_home %}``: the 双领 section of the role home page (tasks and notices; the apps
above add their lines through ``xianfeng.work.hooks.home_sections``, e.g. visits and coverage)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from xianfeng.core.choices import RoleKind
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.orgs.models import Organization
from xianfeng.work import services
from xianfeng.work.choices import TaskState
from xianfeng.work.hooks import home_sections
from xianfeng.work.models import Notice, Task

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
        # Reminders, escalations, digests and supervision notes addressed to the organization.
        data["notices"] = list(Notice.objects.restrict(user).filter(organization_id=org.pk)[:5])
    data["sections"] = home_sections(user, member, org)
    return data
