"""What community puts on core's home page: for a unit liaison (共建单位联络员), its in-service
members' record in the communities where they live (报到, visits this year, tasks done).
Called from ``CommunityConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home
from xianfeng.core.choices import RoleKind
from xianfeng.core.scope import active_roles
from xianfeng.people.choices import CaseKind, MemberKind
from xianfeng.people.models import MemberCase, PartyMember
from xianfeng.visits.models import Visit
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

if TYPE_CHECKING:
    from xianfeng.core.models import User

UNIT_MEMBERS_SHOWN = 50


def _unit_members(user: User, kinds: frozenset[str], context: dict[str, Any]) -> dict:
    """The liaison's unit's in-service members with their community record, in four queries
    whatever their number (members, 报到 cases, visits, tasks)."""
    if RoleKind.UNIT_LIAISON not in kinds:
        return {"unit_members": []}
    paths = [r.path for r in active_roles(user) if r.kind == RoleKind.UNIT_LIAISON]
    members = list(
        PartyMember.objects.restrict(user)
        .filter(kind=MemberKind.IN_SERVICE, branch__path__startswith=paths[0])
        .select_related("person", "residence_community")
        .order_by("person__name_pinyin", "id")[:UNIT_MEMBERS_SHOWN]
    )
    ids = [m.pk for m in members]
    reports: dict[int, MemberCase] = {}
    for case in MemberCase.objects.filter(member_id__in=ids, kind=CaseKind.REPORT).order_by(
        "member_id", "-id"
    ):
        reports.setdefault(case.member_id, case)
    year_start = timezone.localtime().replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    visits = dict(
        Visit.objects.filter(member_id__in=ids, visited_at__gte=year_start)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    tasks = dict(
        Task.objects.filter(assignee_id__in=ids, state__in=(TaskState.VERIFIED, TaskState.DONE))
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    rows = [
        {
            "member": m,
            "report": reports.get(m.pk),
            "visits": visits.get(m.pk, 0),
            "tasks": tasks.get(m.pk, 0),
        }
        for m in members
    ]
    return {"unit_members": rows}


def _service_panel(user: User, kinds: frozenset[str]) -> dict[str, Any] | None:
    """A member's 我的社区服务 (where they serve, the year's hours, pending confirmations to
    take for staff) and, for a mobile member, the townsmen goal with this month's contacts."""
    from xianfeng.community.hours import member_year_hours
    from xianfeng.community.mobile import townsmen_progress
    from xianfeng.community.services import is_mobile_member
    from xianfeng.people.members import member_of
    from xianfeng.people.models import ServicePlace

    if RoleKind.MEMBER not in kinds:
        return None
    member = member_of(user)
    if member is None:
        return None
    places = list(
        ServicePlace.objects.filter(member=member, ended_on__isnull=True).select_related(
            "community"
        )
    )
    mobile = townsmen_progress(member) if is_mobile_member(member) else None
    if not places and mobile is None:
        return None
    figures = member_year_hours(member, timezone.localdate().year) if places else None
    return {"places": places, "figures": figures, "mobile": mobile}


def register() -> None:
    from xianfeng.community.hours import pending_to_confirm
    from xianfeng.community.records import records_to_write

    home.register_todo(
        "community.sessions_pending",
        order=45,
        label=_("条服务时长待社区确认"),
        url="/work/sessions/?state=pending",
        count=lambda user, today: pending_to_confirm(user).count(),
    )
    home.register_todo(
        "community.records_due",
        order=46,
        label=_("名在职党员的年度现实表现鉴定未填写"),
        url="/work/records/due/",
        count=records_to_write,
    )
    home.register_context("unit_members", order=40, build=_unit_members)
    home.register_panel(
        "community_service", order=45, template="community/_home.html", build=_service_panel
    )
