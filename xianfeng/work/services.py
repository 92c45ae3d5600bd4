"""Writes for 双领: campaigns, projects, the task state machine, supervision. Visits are
written by ``xianfeng.visits.services``, townsmen by ``xianfeng.community.services``.

The task and supervision state machines are declared in ``xianfeng.work.workflows`` and
taken through ``xianfeng.core.workflow.take`` (lock, state, actor, history, ledger in one
transaction); the ``task_<verb>`` functions here are one-line entries to them. Creating a
project (组织领项目 or 交办) and issuing a supervision note are written to the ledger too.

Callers fetch objects through ``get_object_for`` (404 outside scope); the steps check again
what only they can know (the state under the lock, who the assignee is).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.roles import ADMINS
from xianfeng.core.scope import active_roles
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.work.choices import (
    NoticeKind,
    ProjectOrigin,
)

# How far a task done by visits has got: answered by the visits app through the hooks.
from xianfeng.work.hooks import VisitProgress, store_task_photos, task_visit_progress  # noqa: F401
from xianfeng.work.models import Campaign, Notice, Project, Supervision, Task

if TYPE_CHECKING:
    from xianfeng.core.models import User

# Who is who, and the workflow's conflict, for the callers of this module.
from xianfeng.core.workflow import StateConflict as StateConflict
from xianfeng.core.workflow import actions, take, take_due, write_ledger
from xianfeng.people.members import field_member as field_member
from xianfeng.people.members import member_of as member_of

# A phone's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)


# --- campaigns and projects -------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    organization: Organization,
    title: str,
    starts_on: date,
    ends_on: date,
    theme: str = "",
    goals: str = "",
) -> Campaign:
    if not org_in_scope(user=actor, org=organization, model=Campaign, action=Action.ADD):
        raise ValidationError({"organization": _("您无权以该组织名义发起专项行动。")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    campaign = Campaign(
        organization=organization,
        title=title,
        theme=theme,
        goals=goals,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    save_with_history(instance=campaign, actor=actor)
    return campaign


@transaction.atomic
def project_create(
    *,
    actor: User,
    campaign: Campaign,
    organization: Organization,
    title: str,
    deadline: date,
    goals: str = "",
    measures: str = "",
    leader: PartyMember | None = None,
) -> Project:
    """组织领项目 when the actor holds a role at the organization itself, else 交办 (assigned
    from above). The organization must lie under the campaign's issuer."""
    if not organization.is_descendant_of(campaign.organization):
        raise ValidationError({"organization": _("承担组织必须在发起专项行动的组织之下。")})
    if not org_in_scope(user=actor, org=organization, model=Project, action=Action.ADD):
        raise ValidationError(
            {"organization": _("所选组织不在您的管辖范围内，或您无权在其下操作。")}
        )
    if deadline > campaign.ends_on or deadline < campaign.starts_on:
        raise ValidationError({"deadline": _("完成时限应在专项行动的起止日期之内。")})
    if leader is not None and not PartyMember.objects.restrict(actor).filter(pk=leader.pk).exists():
        raise ValidationError({"leader": _("所选负责人不存在或不在您的管辖范围内。")})
    own = {r.organization_id for r in active_roles(actor)}
    project = Project(
        campaign=campaign,
        organization=organization,
        origin=ProjectOrigin.CLAIMED if organization.pk in own else ProjectOrigin.ASSIGNED,
        title=title,
        goals=goals,
        measures=measures,
        deadline=deadline,
        leader=leader,
        created_by=actor,
    )
    save_with_history(instance=project, actor=actor)
    kind = "project.claim" if project.origin == ProjectOrigin.CLAIMED else "project.assign"
    write_ledger(project, kind, actor=actor, member=leader, note=title)
    return project


@transaction.atomic
def task_create(
    *,
    actor: User,
    project: Project,
    title: str,
    deadline: date,
    description: str = "",
    organization: Organization | None = None,
    target_visits: int = 0,
    target_households: Sequence[Household] = (),
) -> Task:
    organization = organization or project.organization
    if not organization.is_descendant_of(project.organization):
        raise ValidationError({"organization": _("发布组织必须是项目承担组织或其下级。")})
    if not org_in_scope(user=actor, org=organization, model=Task, action=Action.ADD):
        raise ValidationError(
            {"organization": _("所选组织不在您的管辖范围内，或您无权在其下操作。")}
        )
    if deadline > project.deadline:
        raise ValidationError({"deadline": _("任务时限不能晚于项目的完成时限。")})
    if target_visits < 0:
        raise ValidationError({"target_visits": _("要求走访户次不能是负数。")})
    outside = [h for h in target_households if not h.organization.is_descendant_of(organization)]
    if outside:
        raise ValidationError(
            {
                "target_households": _("目标住户必须在任务发布组织的范围内：%(h)s。")
                % {"h": outside[0]}
            }
        )
    task = Task(
        project=project,
        organization=organization,
        title=title,
        description=description,
        deadline=deadline,
        target_visits=target_visits,
    )
    save_with_history(instance=task, actor=actor)
    if target_households:
        task.target_households.set(target_households)
    return task


# --- the task state machine (declared in work/workflows.py) -----------------------------------
# One line each, for callers that name the step in code; pages and the API take the steps
# through the declarations directly.


def task_claim(*, actor: User, task: Task) -> Task:
    """党员领任务: an open task goes to the first member who claims it."""
    return take(task, "claim", actor=actor)


def task_assign(*, actor: User, task: Task, member: PartyMember) -> Task:
    """交办 or 改派: the organization gives the task to a member of its subtree."""
    return take(task, "assign", actor=actor, member=member)


def task_start(*, actor: User, task: Task) -> Task:
    return take(task, "start", actor=actor)


def task_submit(
    *, actor: User, task: Task, notes: str, photos: Sequence[UploadedFile] = ()
) -> Task:
    """The member reports the task done, with evidence (notes, photos)."""
    return take(task, "submit", actor=actor, notes=notes, photos=photos)


def task_verify(*, actor: User, task: Task, note: str = "") -> Task:
    return take(task, "verify", actor=actor, note=note)


def task_return(*, actor: User, task: Task, reason: str) -> Task:
    return take(task, "return", actor=actor, reason=reason)


def task_complete(*, actor: User, task: Task) -> Task:
    """办结: a verified task is closed by the organization."""
    return take(task, "complete", actor=actor)


def mark_overdue(objects: Any, today: date) -> int:
    """The periodic job's pass over tasks or supervision notes past their date."""
    return take_due(objects, "mark_overdue", when=lambda obj: _past(obj, today))


def task_mark_overdue(*, actor: None = None, task: Task, today: date | None = None) -> bool:
    """Mark one task overdue if it is past its deadline and still being worked on."""
    return bool(mark_overdue([task], today or timezone.localdate()))


def _past(obj: Any, today: date) -> bool:
    return (obj.deadline if isinstance(obj, Task) else obj.due_on) < today


def task_actions(user: User, task: Task) -> list[str]:
    """The steps this user may take on this task now (buttons, the API's ``actions``)."""
    return actions(user, task)


# --- supervision (督办) -------------------------------------------------------------------------


@transaction.atomic
def supervision_create(
    *,
    actor: User,
    organization: Organization,
    content: str,
    due_on: date,
    project: Project | None = None,
    task: Task | None = None,
) -> Supervision:
    """A higher organization asks a lower one to answer by a date."""
    issuers = [
        r
        for r in active_roles(actor)
        if r.kind in ADMINS and organization.path.startswith(r.path) and r.path != organization.path
    ]
    if issuers:
        issuer = Organization.objects.get(pk=issuers[-1].organization_id)
    elif actor.is_superuser and organization.parent_id:
        issuer = organization.parent
    else:
        raise ValidationError({"organization": _("只能督办本组织的下级组织。")})
    if not content.strip():
        raise ValidationError({"content": _("请填写督办事项。")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("答复时限不能早于今天。")})
    note = Supervision(
        issuer=issuer,
        organization=organization,
        project=project,
        task=task,
        content=content.strip(),
        due_on=due_on,
        created_by=actor,
    )
    save_with_history(instance=note, actor=actor)
    write_ledger(note, "supervision.issue", actor=actor, organization=issuer, note=note.content)
    Notice.objects.create(
        organization=organization,
        kind=NoticeKind.SUPERVISION,
        task=task,
        text=_("%(issuer)s督办：%(content)s（请于%(due)s前答复）")
        % {"issuer": issuer.display_name, "content": note.content[:150], "due": due_on},
        dedup_key=f"supervision:{note.pk}",
    )
    return note


def supervision_answer(*, actor: User, supervision: Supervision, answer: str) -> Supervision:
    return take(supervision, "answer", actor=actor, answer=answer)
