"""Writes for 双领: campaigns, projects, the task state machine, supervision. Visits are
written by ``xianfeng.visits.services``, townsmen by ``xianfeng.community.services``.

Every task transition is one service ``task_<verb>``: keyword-only arguments, one transaction,
the task row locked with ``select_for_update``, the role checked, the change kept in the
task's history, and the duty ledger written for a claim, a submission (the member's
completion), a verification and the close.

Callers fetch objects through ``get_object_for`` (404 outside scope); the services check again
what only they can know (the state under the lock, who the assignee is).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.roles import ADMINS, FIELD_ROLES
from xianfeng.core.scope import active_roles
from xianfeng.core.services import duty_record, org_in_scope, save_with_history
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.work.choices import (
    ACTIVE_STATES,
    NoticeKind,
    ProjectOrigin,
    SupervisionStatus,
    TaskState,
)

# How far a task done by visits has got: answered by the visits app through the hooks.
from xianfeng.work.hooks import VisitProgress, store_task_photos, task_visit_progress  # noqa: F401
from xianfeng.work.models import Campaign, Notice, Project, Supervision, Task
from xianfeng.work.photos import validate_photos

if TYPE_CHECKING:
    from xianfeng.core.models import User

# Ledger actions written by this app.
LEDGER_TASK_CLAIM = "task.claim"
LEDGER_TASK_SUBMIT = "task.submit"
LEDGER_TASK_VERIFY = "task.verify"
LEDGER_TASK_COMPLETE = "task.complete"

# A phone's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)


class StateConflict(ValidationError):
    """The task is no longer in a state that allows the move (someone else was first)."""


# --- who is who --------------------------------------------------------------------------------


def member_of(user: User) -> PartyMember | None:
    """The party member a user account is (``User.person``), if any."""
    if not getattr(user, "person_id", None):
        return None
    cached = getattr(user, "_xf_member", None)
    if cached is None:
        cached = (
            PartyMember.objects.select_related("branch").filter(person_id=user.person_id).first()
        )
        user._xf_member = cached
    return cached


def field_member(user: User) -> PartyMember:
    """The member acting in the field; the auditor and accounts without a member may not."""
    member = member_of(user)
    kinds = {r.kind for r in active_roles(user)}
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员身份，不能认领任务或登记走访。"))
    if not (kinds & FIELD_ROLES) and not user.is_superuser:
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    return member


def _require_org_writer(user: User, task: Task) -> None:
    if not Task.objects.restrict(user, Action.CHANGE).filter(pk=task.pk).exists():
        raise PermissionDenied(_("只有发布任务的党组织（书记或管理员）可以进行此操作。"))


def _is_assignee(user: User, task: Task) -> bool:
    member = member_of(user)
    return member is not None and task.assignee_id == member.pk


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("organization").get(pk=task.pk)


def _require_state(task: Task, allowed: Sequence[str], verb: str) -> None:
    if task.state not in allowed:
        raise StateConflict(
            _("任务当前状态为“%(state)s”，不能%(verb)s。")
            % {"state": task.get_state_display(), "verb": verb},
            code="invalid_state",
        )


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


# --- the task state machine ---------------------------------------------------------------------


@transaction.atomic
def task_claim(*, actor: User, task: Task) -> Task:
    """党员领任务: an open task goes to the first member who claims it."""
    member = field_member(actor)
    task = _lock(task)
    if task.assignee_id is not None and task.state in ACTIVE_STATES:
        if task.assignee_id == member.pk:
            raise StateConflict(_("您已经认领了这项任务。"), code="invalid_state")
        raise StateConflict(
            _("这项任务已被%(name)s认领，请选择其他任务。") % {"name": task.assignee.person.name},
            code="invalid_state",
        )
    _require_state(task, (TaskState.OPEN, TaskState.OVERDUE), _("认领"))
    if not member.branch.is_descendant_of(task.organization):
        raise PermissionDenied(_("您所在的党组织不在该任务的发布范围内，不能认领。"))
    task.assignee = member
    task.state = TaskState.CLAIMED
    task.claimed_at = timezone.now()
    save_with_history(instance=task, actor=actor, reason=_("党员认领"))
    duty_record(
        actor=actor,
        action=LEDGER_TASK_CLAIM,
        organization=task.organization,
        target=task,
        member=member,
        note=task.title,
    )
    return task


@transaction.atomic
def task_assign(*, actor: User, task: Task, member: PartyMember) -> Task:
    """交办 or 改派: the organization gives the task to a member of its subtree."""
    task = _lock(task)
    _require_org_writer(actor, task)
    _require_state(task, ACTIVE_STATES, _("指派"))
    if not member.branch.is_descendant_of(task.organization):
        raise ValidationError({"member": _("所选党员不在该任务发布组织的范围内。")})
    reason = _("组织指派") if task.assignee_id is None else _("组织改派")
    task.assignee = member
    task.state = TaskState.CLAIMED
    task.claimed_at = timezone.now()
    save_with_history(instance=task, actor=actor, reason=reason)
    duty_record(
        actor=actor,
        action=LEDGER_TASK_CLAIM,
        organization=task.organization,
        target=task,
        member=member,
        note=reason,
    )
    return task


@transaction.atomic
def task_start(*, actor: User, task: Task) -> Task:
    task = _lock(task)
    if not _is_assignee(actor, task):
        raise PermissionDenied(_("只有承担这项任务的党员可以开始办理。"))
    _require_state(task, (TaskState.CLAIMED, TaskState.OVERDUE), _("开始办理"))
    task.state = TaskState.IN_PROGRESS
    save_with_history(instance=task, actor=actor, reason=_("开始办理"))
    return task


@transaction.atomic
def task_submit(
    *, actor: User, task: Task, notes: str, photos: Sequence[UploadedFile] = ()
) -> Task:
    """The member reports the task done, with evidence (notes, photos)."""
    task = _lock(task)
    if not _is_assignee(actor, task):
        raise PermissionDenied(_("只有承担这项任务的党员可以提交完成情况。"))
    _require_state(
        task,
        (TaskState.CLAIMED, TaskState.IN_PROGRESS, TaskState.RETURNED, TaskState.OVERDUE),
        _("提交"),
    )
    progress = task_visit_progress(task)
    if not progress.complete:
        if progress.by_household:
            text = _(
                "这项任务要求走访全部%(target)d户目标住户，已走访%(visited)d户，还有%(left)d户"
                "未走访（如%(first)s），请先登记走访再提交。"
            ) % {
                "target": progress.target,
                "visited": progress.visited,
                "left": progress.left,
                "first": progress.missing[0],
            }
        else:
            text = _(
                "这项任务要求走访%(target)d户次，已登记%(visited)d户次，还差%(left)d户次，"
                "请先登记走访再提交。"
            ) % {"target": progress.target, "visited": progress.visited, "left": progress.left}
        raise ValidationError(text, code="visits_missing")
    if not notes.strip():
        raise ValidationError({"notes": _("请填写完成情况。")})
    kinds = validate_photos(list(photos))
    store_task_photos(actor=actor, task=task, uploads=list(photos), kinds=kinds)
    task.evidence_notes = notes.strip()
    task.state = TaskState.SUBMITTED
    task.submitted_at = timezone.now()
    task.return_reason = ""
    save_with_history(instance=task, actor=actor, reason=_("提交完成情况"))
    duty_record(
        actor=actor,
        action=LEDGER_TASK_SUBMIT,
        organization=task.organization,
        target=task,
        member=task.assignee,
        note=notes.strip()[:500],
    )
    return task


def _last_submission(task: Task) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from xianfeng.core.models import DutyRecord

    return (
        DutyRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(Task),
            object_id=str(task.pk),
            action=LEDGER_TASK_SUBMIT,
        )
        .order_by("-id")
        .first()
    )


@transaction.atomic
def task_verify(*, actor: User, task: Task, note: str = "") -> Task:
    """The organization checks the evidence; nobody verifies a task of their own."""
    task = _lock(task)
    _require_org_writer(actor, task)
    if _is_assignee(actor, task):
        raise PermissionDenied(_("不能核验自己承担的任务，请由其他负责人核验。"))
    _require_state(task, (TaskState.SUBMITTED,), _("核验"))
    task.state = TaskState.VERIFIED
    task.verified_at = timezone.now()
    task.verified_by = actor
    save_with_history(instance=task, actor=actor, reason=note or _("核验通过"))
    duty_record(
        actor=actor,
        action=LEDGER_TASK_VERIFY,
        organization=task.organization,
        target=task,
        member=task.assignee,
        note=note,
        verified=True,
        verifies=_last_submission(task),
    )
    return task


@transaction.atomic
def task_return(*, actor: User, task: Task, reason: str) -> Task:
    task = _lock(task)
    _require_org_writer(actor, task)
    if _is_assignee(actor, task):
        raise PermissionDenied(_("不能核验自己承担的任务，请由其他负责人核验。"))
    _require_state(task, (TaskState.SUBMITTED,), _("退回"))
    if not reason.strip():
        raise ValidationError({"reason": _("退回时请写明原因。")})
    task.state = TaskState.RETURNED
    task.return_reason = reason.strip()
    save_with_history(instance=task, actor=actor, reason=_("退回：%(r)s") % {"r": reason[:80]})
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task) -> Task:
    """办结: a verified task is closed by the organization."""
    task = _lock(task)
    _require_org_writer(actor, task)
    _require_state(task, (TaskState.VERIFIED,), _("办结"))
    task.state = TaskState.DONE
    task.done_at = timezone.now()
    save_with_history(instance=task, actor=actor, reason=_("办结"))
    duty_record(
        actor=actor,
        action=LEDGER_TASK_COMPLETE,
        organization=task.organization,
        target=task,
        member=task.assignee,
        note=task.title,
        verified=True,
    )
    return task


@transaction.atomic
def task_mark_overdue(*, actor: User | None, task: Task, today: date | None = None) -> bool:
    """A background job's move: past its deadline and still being worked on. Answers whether
    the task changed."""
    today = today or timezone.localdate()
    task = _lock(task)
    if task.state not in (
        TaskState.OPEN,
        TaskState.CLAIMED,
        TaskState.IN_PROGRESS,
        TaskState.RETURNED,
    ):
        return False
    if task.deadline >= today:
        return False
    task.state = TaskState.OVERDUE
    save_with_history(instance=task, actor=actor, reason=_("超过完成时限，自动标记逾期"))
    return True


# Which transitions a page or the API offers: verb -> (service, states, who).
TRANSITIONS: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "claim": (task_claim, (TaskState.OPEN, TaskState.OVERDUE), "member"),
    "assign": (task_assign, tuple(ACTIVE_STATES), "org"),
    "start": (task_start, (TaskState.CLAIMED, TaskState.OVERDUE), "assignee"),
    "submit": (
        task_submit,
        (TaskState.CLAIMED, TaskState.IN_PROGRESS, TaskState.RETURNED, TaskState.OVERDUE),
        "assignee",
    ),
    "verify": (task_verify, (TaskState.SUBMITTED,), "org"),
    "return": (task_return, (TaskState.SUBMITTED,), "org"),
    "complete": (task_complete, (TaskState.VERIFIED,), "org"),
}


def task_actions(user: User, task: Task, *, org_writer: bool | None = None) -> list[str]:
    """The transitions this user may take on this task now (for buttons)."""
    member = member_of(user)
    if org_writer is None:
        org_writer = Task.objects.restrict(user, Action.CHANGE).filter(pk=task.pk).exists()
    is_assignee = member is not None and task.assignee_id == member.pk
    kinds = {r.kind for r in active_roles(user)}
    verbs = []
    for verb, (_service, states, who) in TRANSITIONS.items():
        if task.state not in states:
            continue
        if who == "member":
            if (
                member is not None
                and kinds & FIELD_ROLES
                and (task.assignee_id is None or task.state == TaskState.OPEN)
                and task.organization.path
                and member.branch.path.startswith(task.organization.path)
            ):
                verbs.append(verb)
        elif who == "assignee":
            if is_assignee:
                verbs.append(verb)
        elif org_writer and not (verb in ("verify", "return") and is_assignee):
            verbs.append(verb)
    return verbs


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
    Notice.objects.create(
        organization=organization,
        kind=NoticeKind.SUPERVISION,
        task=task,
        text=_("%(issuer)s督办：%(content)s（请于%(due)s前答复）")
        % {"issuer": issuer.display_name, "content": note.content[:150], "due": due_on},
        dedup_key=f"supervision:{note.pk}",
    )
    return note


@transaction.atomic
def supervision_answer(*, actor: User, supervision: Supervision, answer: str) -> Supervision:
    note = (
        Supervision.objects.select_for_update()
        .select_related("organization")
        .get(pk=supervision.pk)
    )
    if not org_in_scope(user=actor, org=note.organization, model=Supervision, action=Action.CHANGE):
        raise PermissionDenied(_("只有被督办的组织可以答复。"))
    if note.status == SupervisionStatus.ANSWERED:
        raise StateConflict(_("该督办事项已经答复过了。"), code="invalid_state")
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复内容。")})
    note.answer = answer.strip()
    note.answered_at = timezone.now()
    note.answered_by = actor
    note.status = SupervisionStatus.ANSWERED
    save_with_history(instance=note, actor=actor, reason=_("答复督办"))
    return note
