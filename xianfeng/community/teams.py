"""Writes for a community's teams (安全巡查队, 宣传队, 督查队, 志愿服务队): forming a team,
members joining and leaving. A team's members are the community's own members and the
in-service members serving there (a service place: an accepted 报到)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.community.choices import ActivityKind, SessionSource, TeamKind, TeamRole
from xianfeng.community.models import Team, TeamActivity, TeamMembership, TeamTask
from xianfeng.core.choices import Action
from xianfeng.core.services import (
    duty_record,
    org_in_scope,
    save_unique_with_history,
    save_with_history,
)
from xianfeng.core.workflow import take
from xianfeng.orgs.choices import OrgKind
from xianfeng.people.models import PartyMember
from xianfeng.work.models import Task
from xianfeng.work.services import field_member

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization


#: What apps above this one add to a team's page, each ``(user, team) -> list`` of objects
#: with ``get_absolute_url`` and ``__str__`` (the services app: the orders the team took),
#: read through their own ``restrict``. Registered in their ``AppConfig.ready()``.
TEAM_WORK: list[Any] = []


def register_team_work(source: Any) -> None:
    if source not in TEAM_WORK:
        TEAM_WORK.append(source)


def team_work(user: Any, team: Team) -> list[Any]:
    """The team's work that other apps keep (its orders), newest first per source."""
    found: list[Any] = []
    for source in TEAM_WORK:
        found.extend(source(user, team))
    return found


def belongs_to_community(member: PartyMember, community: Organization) -> bool:
    """A member of the community: their branch lies in its subtree, or they serve there (an
    accepted 报到 or 对接 gives a service place)."""
    return member.acts_in(community)


@transaction.atomic
def team_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    kind: str,
    duties: str = "",
) -> Team:
    """The community forms a team; a second team of the same name there is refused."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if organization is None or organization.kind != OrgKind.COMMUNITY:
        errors.setdefault("organization", []).append(_("队伍只能由社区组建。"))
    elif not org_in_scope(user=actor, org=organization, model=Team, action=Action.ADD):
        raise PermissionDenied(_("只有社区的管理人员可以组建队伍。"))
    if not name:
        errors.setdefault("name", []).append(_("请填写队伍名称。"))
    if kind not in TeamKind.values:
        errors.setdefault("kind", []).append(_("请选择队伍类型。"))
    if not errors and Team.objects.filter(organization=organization, name=name).exists():
        errors.setdefault("name", []).append(_("本社区已有同名队伍。"))
    if errors:
        raise ValidationError(errors, code="unique" if "name" in errors else "invalid")
    team = Team(
        organization=organization,
        name=name,
        kind=kind,
        duties=(duties or "").strip(),
        created_by=actor,
    )
    save_unique_with_history(instance=team, actor=actor, reason=_("组建队伍"))
    duty_record(actor=actor, action="team.create", organization=organization, target=team)
    return team


def _require_team_admin(actor: User, team: Team) -> None:
    if not Team.objects.restrict(actor, Action.CHANGE).filter(pk=team.pk).exists():
        raise PermissionDenied(_("只有队伍所在社区的管理人员可以调整队员。"))


@transaction.atomic
def team_member_add(
    *,
    actor: User,
    team: Team,
    member: PartyMember,
    role: str = TeamRole.MEMBER,
    joined_on: date | None = None,
) -> TeamMembership:
    """A member joins the team: one of the community's own members or an in-service member
    serving there; the same member twice is refused."""
    _require_team_admin(actor, team)
    team = Team.objects.select_for_update().select_related("organization").get(pk=team.pk)
    errors: dict[str, list[str]] = {}
    if not team.is_active:
        errors.setdefault("team", []).append(_("该队伍已撤销。"))
    if role not in TeamRole.values:
        errors.setdefault("role", []).append(_("请选择队内职务。"))
    if not belongs_to_community(member, team.organization):
        errors.setdefault("member", []).append(
            _("只有本社区党员和在本社区报到的在职党员可以加入队伍。")
        )
    elif team.has_member(member.pk):
        errors.setdefault("member", []).append(
            _("%(name)s已经是该队队员。") % {"name": member.person.name}
        )
    if errors:
        raise ValidationError(errors)
    membership = TeamMembership(
        team=team, member=member, role=role, joined_on=joined_on or timezone.localdate()
    )
    save_with_history(instance=membership, actor=actor, reason=_("加入队伍"))
    for organization in {team.organization, member.branch}:
        duty_record(
            actor=actor,
            action="team.join",
            organization=organization,
            target=membership,
            member=member,
            note=team.name,
        )
    return membership


@transaction.atomic
def team_member_remove(*, actor: User, membership: TeamMembership) -> TeamMembership:
    """A member leaves the team (the membership keeps its dates)."""
    _require_team_admin(actor, membership.team)
    membership = TeamMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("该党员已经离队。"))
    membership.left_on = timezone.localdate()
    save_with_history(instance=membership, actor=actor, reason=_("离开队伍"))
    duty_record(
        actor=actor,
        action="team.leave",
        organization=membership.team.organization,
        target=membership,
        member=membership.member,
    )
    return membership


def _team_member(actor: User, team: Team) -> PartyMember:
    """The acting member, who must be on the team now."""
    member = field_member(actor)
    if not team.has_member(member.pk):
        raise PermissionDenied(_("只有该队队员可以以队伍名义办理。"))
    return member


@transaction.atomic
def team_task_claim(*, actor: User, team: Team, task: Task) -> TeamTask:
    """A team claims a task as one: a member of the team claims it on the team's behalf (the
    task's ``claim`` step, which checks the task is open and in reach) and the team holds it.
    A non-member of the team is refused."""
    member = _team_member(actor, team)
    if not team.is_active:
        raise ValidationError({"team": _("该队伍已撤销。")})
    if not task.organization.path.startswith(team.organization.path) and not (
        team.organization.path.startswith(task.organization.path)
    ):
        raise ValidationError({"task": _("该任务不在本队所在社区的范围内。")})
    take(task, "claim", actor=actor)
    claim = TeamTask.objects.create(
        team=team, task=task, organization=team.organization, claimed_by=member
    )
    duty_record(
        actor=actor,
        action="team.claim",
        organization=team.organization,
        target=claim,
        member=member,
        note=f"{team.name}：{task.title}",
    )
    return claim


def team_activity_actor_check(*, actor: User, team: Team) -> None:
    """A team's activity is logged by a member of the team or by the community's staff."""
    if not Team.objects.restrict(actor, Action.CHANGE).filter(pk=team.pk).exists():
        _team_member(actor, team)


def team_participants(*, actor: User, team: Team, ids: Iterable[int]) -> list[PartyMember]:
    """An activity's participants named by id (page and API), read among the team's current
    members only, after the actor is checked: anyone else's id is refused by its number,
    never by a name, so ids cannot be used to look people up."""
    team_activity_actor_check(actor=actor, team=team)
    wanted = list(dict.fromkeys(ids))
    found = {
        m.pk: m
        for m in PartyMember.objects.filter(
            pk__in=wanted,
            team_memberships__team=team,
            team_memberships__left_on__isnull=True,
        ).select_related("person")
    }
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {"participants": _("以下编号的党员不是该队队员：%(ids)s") % {"ids": "、".join(missing)}}
        )
    return [found[pk] for pk in wanted]


@transaction.atomic
def team_activity_log(
    *,
    actor: User,
    team: Team,
    kind: str,
    held_on: date,
    hours: Any,
    content: str,
    participants: Sequence[PartyMember],
    place: str = "",
    audience: int | None = None,
) -> TeamActivity:
    """A patrol, publicity session, inspection round or volunteer service of the team, with who
    took part; each participant gets the hours as a service session. Logged by a team member
    (or the community's staff)."""
    from xianfeng.community.hours import parse_hours, session_record

    team_activity_actor_check(actor=actor, team=team)
    errors: dict[str, list[str]] = {}
    if kind not in ActivityKind.values:
        errors.setdefault("kind", []).append(_("请选择活动类型。"))
    if not (content or "").strip():
        errors.setdefault("content", []).append(_("请填写活动情况。"))
    if held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("活动日期不能晚于今天。"))
    participants = list(dict.fromkeys(participants))
    if not participants:
        errors.setdefault("participants", []).append(_("请选择参加的队员。"))
    outside = [m.person.name for m in participants if not team.has_member(m.pk)]
    if outside:
        errors.setdefault("participants", []).append(
            _("以下党员不是该队队员：%(names)s") % {"names": "、".join(outside)}
        )
    if errors:
        raise ValidationError(errors)
    hours = parse_hours(hours)
    activity = TeamActivity.objects.create(
        team=team,
        organization=team.organization,
        kind=kind,
        held_on=held_on,
        hours=hours,
        place=(place or "").strip()[:200],
        content=content.strip(),
        audience=audience,
        recorded_by=actor,
    )
    activity.participants.set(participants)
    duty_record(
        actor=actor,
        action="team.activity",
        organization=team.organization,
        target=activity,
        occurred_at=timezone.make_aware(datetime.combine(held_on, time(12))),
        location=activity.place,
        note=f"{team.name}：{activity.get_kind_display()}",
    )
    label = activity.get_kind_display()
    for member in participants:
        session_record(
            actor=actor,
            member=member,
            community=team.organization,
            source=SessionSource.PATROL,
            served_on=held_on,
            hours=hours,
            content=f"{team.name}{label}",
            activity=activity,
        )
    return activity


def team_for(user: User, pk: Any, action: str = Action.VIEW) -> Team:
    """A team the user sees: one of a community in their scope, or, for a member, a team they
    are on (read through their own membership, which their branch's scope covers). Missing and
    not-yours answer the same 404; a member may not change their team (403)."""
    from xianfeng.core.services import NotFound, get_object_for
    from xianfeng.people.members import member_of

    if Team.objects.restrict(user).filter(pk=pk).exists() if str(pk).isdigit() else False:
        return get_object_for(
            user=user,
            model=Team,
            pk=pk,
            action=action,
            queryset=Team.objects.select_related("organization"),
        )
    member = member_of(user)
    membership = (
        TeamMembership.objects.restrict(user)
        .filter(team_id=pk, member=member, left_on__isnull=True)
        .select_related("team__organization")
        .first()
        if member is not None and str(pk).isdigit()
        else None
    )
    if membership is None:
        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    if action != Action.VIEW:
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    return membership.team
