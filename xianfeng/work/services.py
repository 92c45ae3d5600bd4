"""Writes for 双领: campaigns, projects, the task state machine, supervision, visits.

Every task transition is one service ``task_<verb>``: keyword-only arguments, one transaction,
the task row locked with ``select_for_update``, the role checked, the change kept in the
task's history, and the duty ledger written for a claim, a submission (the member's
completion), a verification and the close.

Callers fetch objects through ``get_object_for`` (404 outside scope); the services check again
what only they can know (the state under the lock, who the assignee is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.scope import active_roles
from xianfeng.core.services import duty_record, org_in_scope, save_with_history
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Household
from xianfeng.work.choices import (
    ACTIVE_STATES,
    NoticeKind,
    ProjectOrigin,
    SupervisionStatus,
    TaskState,
    VisitPurpose,
)
from xianfeng.work.models import (
    ADMINS,
    FIELD_ROLES,
    Campaign,
    HouseholdResponsibility,
    Notice,
    Photo,
    Project,
    Supervision,
    Task,
    Townsman,
    Visit,
)
from xianfeng.work.photos import validate_photos

if TYPE_CHECKING:
    from xianfeng.core.models import User

# Ledger actions written by this app.
LEDGER_TASK_CLAIM = "task.claim"
LEDGER_TASK_SUBMIT = "task.submit"
LEDGER_TASK_VERIFY = "task.verify"
LEDGER_TASK_COMPLETE = "task.complete"
LEDGER_VISIT = "visit"

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


@dataclass(frozen=True)
class VisitProgress:
    """How far a task that is done by visits has got: ``visited`` of ``target``."""

    target: int
    visited: int
    by_household: bool
    missing: list[Household] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return self.target > 0

    @property
    def complete(self) -> bool:
        return self.visited >= self.target

    @property
    def left(self) -> int:
        return max(0, self.target - self.visited)


def task_visit_progress(task: Task) -> VisitProgress:
    """Target households visited by visits linked to the task, else linked visits counted
    against ``target_visits``. Two or three queries whatever the size."""
    targets = list(
        Household.objects.filter(target_of_tasks=task)
        .select_related("building")
        .order_by("building__code", "unit", "room", "pk")
    )
    if targets:
        seen = set(
            Visit.objects.filter(task=task, household__in=[h.pk for h in targets])
            .values_list("household_id", flat=True)
            .distinct()
        )
        missing = [h for h in targets if h.pk not in seen]
        return VisitProgress(
            target=len(targets),
            visited=len(targets) - len(missing),
            by_household=True,
            missing=missing,
        )
    if task.target_visits:
        done = Visit.objects.filter(task=task).count()
        return VisitProgress(target=task.target_visits, visited=done, by_household=False)
    return VisitProgress(target=0, visited=0, by_household=False)


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
    for upload, kind in zip(photos, kinds, strict=True):
        Photo.objects.create(
            organization=task.organization,
            task=task,
            image=upload,
            content_type=kind,
            size=upload.size or 0,
            uploaded_by=actor,
        )
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


# --- households: who answers for which ------------------------------------------------------


def paired_org_paths(member: PartyMember) -> list[str]:
    """Paths of the organizations paired (结对共建, 部门包居, 安全结对检查, …) with the member's
    branch or an organization above it: an agency's members check their paired community."""
    from django.db.models import Q

    from xianfeng.orgs.models import Pairing

    above = [int(s) for s in member.branch.path.split(".") if s]
    today = timezone.localdate()
    pairs = (
        Pairing.objects.filter(Q(org_a_id__in=above) | Q(org_b_id__in=above))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("org_a", "org_b")
    )
    return [(p.org_b if p.org_a_id in above else p.org_a).path for p in pairs]


def member_households(member: PartyMember) -> Any:
    """Households a member answers for: their zones (households and buildings), those
    assigned to them by hand, every household of their own branch's subtree, and those of the
    organizations their own is paired with (安全结对检查)."""
    from django.db.models import Q

    condition = (
        Q(zones__members=member)
        | Q(building__zones__members=member)
        | Q(responsibilities__member=member)
        | Q(organization__path__startswith=member.branch.path)
    )
    for path in paired_org_paths(member):
        condition |= Q(organization__path__startswith=path)
    return Household.objects.filter(condition).distinct()


def household_for_visit(*, user: User, pk: Any) -> Household:
    """The household a visit is for: one the user sees, or one the user's member answers for
    (a paired community's household). Otherwise the same 404 as a missing one."""
    from xianfeng.core.services import NotFound

    base = Household.objects.select_related("building", "organization")
    found = base.restrict(user).filter(pk=pk).first() if str(pk).isdigit() else None
    member = member_of(user)
    if found is None and member is not None and str(pk).isdigit():
        found = base.filter(pk__in=member_households(member).filter(pk=pk).values("pk")).first()
    if found is None:
        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    return found


def responsible_members(household: Household) -> Any:
    """Members who answer for a household: by zone (the household or its building) or by hand."""
    from django.db.models import Q

    return (
        PartyMember.objects.filter(
            Q(zones__households=household)
            | Q(zones__buildings=household.building_id)
            | Q(household_responsibilities__household=household)
        )
        .select_related("person")
        .distinct()
    )


@transaction.atomic
def household_responsibility_assign(
    *, actor: User, households: Sequence[Household], member: PartyMember, note: str = ""
) -> int:
    """社区党员干部负责到户: put households in a member's charge. Answers how many were new."""
    created = 0
    for household in households:
        if not org_in_scope(
            user=actor,
            org=household.organization,
            model=HouseholdResponsibility,
            action=Action.ADD,
        ):
            raise ValidationError({"households": _("所选住户不在您的管辖范围内。")})
        if HouseholdResponsibility.objects.filter(household=household, member=member).exists():
            continue
        link = HouseholdResponsibility(
            household=household, member=member, note=note, assigned_by=actor
        )
        save_with_history(instance=link, actor=actor, reason=_("分派到户"))
        created += 1
    return created


# --- visits (走访登记) --------------------------------------------------------------------------


def visit_create(
    *,
    actor: User,
    visited_at: datetime,
    purposes: Sequence[str],
    household: Household | None = None,
    building: Building | None = None,
    findings: str = "",
    suggestions: str = "",
    raises_hazard: bool = False,
    raises_request: bool = False,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    outside_reason: str = "",
    client_key: str = "",
    task: Task | None = None,
    photos: Sequence[UploadedFile] = (),
) -> tuple[Visit, bool]:
    """Log one visit; answers ``(visit, created)``. The same ``client_key`` from the same
    account answers the visit already stored (a resubmit from a flaky phone connection).

    A household the member does not answer for (zones, assignments, own grid) is accepted only
    with ``outside_reason``; one the account cannot see at all never gets here (404/400 at the
    caller)."""
    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = Visit.objects.filter(recorded_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    member = field_member(actor)
    errors: dict[str, list[str]] = {}
    if household is None and building is None:
        errors.setdefault("household", []).append(_("请选择走访的住户或楼栋。"))
    if household is not None:
        building = household.building
    if visited_at > timezone.now() + FUTURE_TOLERANCE:
        errors.setdefault("visited_at", []).append(_("走访时间不能晚于现在。"))
    wrong = [p for p in purposes if p not in VisitPurpose.values]
    if not purposes or wrong:
        errors.setdefault("purposes", []).append(_("请至少选择一项走访事项。"))
    if (latitude is None) != (longitude is None):
        errors.setdefault("latitude", []).append(_("定位需要同时有纬度和经度。"))
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors.setdefault("latitude", []).append(_("定位坐标不正确。"))
    if household is not None and not errors:
        mine = member_households(member).filter(pk=household.pk).exists()
        if not mine and not outside_reason.strip():
            errors.setdefault("outside_reason", []).append(
                _("该住户不在您的责任范围内；如确需走访，请写明理由。")
            )
    if errors:
        raise ValidationError(errors)
    kinds = validate_photos(list(photos))
    organization = household.organization if household is not None else building.organization
    # A visitor from outside (agency, mobile members' home, in-service member) reports to
    # their own organization as well.
    reported_to = None if organization.is_descendant_of(member.branch) else member.branch
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                member=member,
                recorded_by=actor,
                household=household,
                building=building,
                organization=organization,
                reported_to=reported_to,
                task=task,
                visited_at=visited_at,
                purposes=list(dict.fromkeys(purposes)),
                findings=findings.strip(),
                suggestions=suggestions.strip(),
                raises_hazard=raises_hazard,
                raises_request=raises_request,
                latitude=latitude,
                longitude=longitude,
                outside_reason=outside_reason.strip(),
                client_key=client_key,
            )
            for upload, kind in zip(photos, kinds, strict=True):
                Photo.objects.create(
                    organization=organization,
                    visit=visit,
                    image=upload,
                    content_type=kind,
                    size=upload.size or 0,
                    uploaded_by=actor,
                )
            duty_record(
                actor=actor,
                action=LEDGER_VISIT,
                organization=organization,
                target=visit,
                member=member,
                occurred_at=visited_at,
                location=str(household or building),
                note=findings.strip()[:500],
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it.
        existing = Visit.objects.filter(recorded_by=actor, client_key=client_key).first()
        if client_key and existing is not None:
            return existing, False
        raise
    return visit, True


# --- mobile members and their fellow townsmen (流动党员结对老乡) ----------------------------------

LEDGER_TOWNSMAN_CONTACT = "townsman.contact"
TOWNSMEN_LIMIT = 50


def is_mobile_member(member: PartyMember) -> bool:
    from xianfeng.orgs.choices import OrgKind
    from xianfeng.people.choices import MemberKind, MemberStatus

    return (
        member.kind == MemberKind.MOBILE
        or member.status == MemberStatus.MOBILE
        or member.branch.kind in (OrgKind.MOBILE, OrgKind.MOBILE_HOME)
    )


def mobile_member(user: User) -> PartyMember:
    member = field_member(user)
    if not is_mobile_member(member):
        raise PermissionDenied(_("只有流动党员可以结对老乡。"))
    return member


@transaction.atomic
def townsman_add(
    *,
    actor: User,
    name: str = "",
    phone: str = "",
    person: Any = None,
    hometown: str = "",
    whereabouts: str = "",
    note: str = "",
) -> Townsman:
    """A mobile member pairs with a fellow townsman: a registered person (name and phone from
    the registry) or a name and phone. The phone is checked; the same person twice is not."""
    from xianfeng.core.validators import normalize_text, validate_phone

    member = mobile_member(actor)
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()
    if person is not None:
        name = name.strip() or person.name
        phone = phone.strip() or (person.mobile or "")
    name, phone = normalize_text(name or "").strip(), normalize_text(phone or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("请填写老乡的姓名。"))
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    mine = Townsman.objects.filter(member=member, active=True)
    if not errors and (
        mine.filter(name=name, phone=phone).exists()
        or (person is not None and mine.filter(person=person).exists())
    ):
        errors.setdefault("name", []).append(_("%(n)s已经在您的老乡名单里了。") % {"n": name})
    if not errors and mine.count() >= TOWNSMEN_LIMIT:
        errors.setdefault("name", []).append(
            _("每名流动党员最多结对%(n)d名老乡。") % {"n": TOWNSMEN_LIMIT}
        )
    if errors:
        raise ValidationError(errors)
    townsman = Townsman(
        member=member,
        organization=member.branch,
        person=person,
        name=name,
        phone=phone,
        hometown=hometown.strip(),
        whereabouts=whereabouts.strip(),
        note=note.strip(),
    )
    save_with_history(instance=townsman, actor=actor, reason=_("结对老乡"))
    return townsman


def _own_townsman(actor: User, townsman: Townsman) -> PartyMember:
    member = field_member(actor)
    if townsman.member_id != member.pk:
        raise PermissionDenied(_("只有结对的流动党员本人可以登记与这位老乡的联系。"))
    return member


@transaction.atomic
def townsman_end(*, actor: User, townsman: Townsman) -> Townsman:
    """The pairing ends (the townsman moved home, say); the list and contacts stay."""
    _own_townsman(actor, townsman)
    if not townsman.active:
        raise StateConflict(_("这位老乡已经不在结对名单中。"), code="invalid_state")
    townsman.active = False
    save_with_history(instance=townsman, actor=actor, reason=_("结束结对"))
    return townsman


def townsman_contact_log(
    *,
    actor: User,
    townsman: Townsman,
    way: str,
    contacted_at: datetime,
    purposes: Sequence[str],
    findings: str = "",
    raises_hazard: bool = False,
    household: Household | None = None,
    client_key: str = "",
) -> tuple[Any, bool]:
    """Log a contact with a fellow townsman; answers ``(contact, created)`` and, like a visit,
    stores a resubmit with the same ``client_key`` once. A door-to-door visit to a registered
    household is also stored as a ``Visit`` (the same record as every other visit), linked."""
    from xianfeng.work.choices import ContactWay
    from xianfeng.work.models import TownsmanContact

    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = TownsmanContact.objects.filter(recorded_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    member = _own_townsman(actor, townsman)
    errors: dict[str, list[str]] = {}
    if not townsman.active:
        errors.setdefault("townsman", []).append(_("这位老乡已经不在结对名单中。"))
    if way not in ContactWay.values:
        errors.setdefault("way", []).append(_("请选择联系方式。"))
    if contacted_at > timezone.now() + FUTURE_TOLERANCE:
        errors.setdefault("contacted_at", []).append(_("联系时间不能晚于现在。"))
    wrong = [p for p in purposes if p not in VisitPurpose.values]
    if not purposes or wrong:
        errors.setdefault("purposes", []).append(_("请至少选择一项事项。"))
    if household is not None and way != ContactWay.VISIT:
        errors.setdefault("household", []).append(_("只有上门走访才关联住户。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = None
        if household is not None:
            visit, _created = visit_create(
                actor=actor,
                visited_at=contacted_at,
                purposes=purposes,
                household=household,
                findings=findings,
                raises_hazard=raises_hazard,
                outside_reason=_("走访结对老乡%(n)s") % {"n": townsman.name},
            )
        try:
            with transaction.atomic():
                contact = TownsmanContact.objects.create(
                    townsman=townsman,
                    member=member,
                    organization=townsman.organization,
                    visit=visit,
                    way=way,
                    contacted_at=contacted_at,
                    purposes=list(dict.fromkeys(purposes)),
                    findings=findings.strip(),
                    raises_hazard=raises_hazard,
                    recorded_by=actor,
                    client_key=client_key,
                )
        except IntegrityError:
            existing = TownsmanContact.objects.filter(
                recorded_by=actor, client_key=client_key
            ).first()
            if client_key and existing is not None:
                return existing, False
            raise
        duty_record(
            actor=actor,
            action=LEDGER_TOWNSMAN_CONTACT,
            organization=townsman.organization,
            target=contact,
            member=member,
            occurred_at=contacted_at,
            location=townsman.whereabouts,
            note=(f"{townsman.name}：{findings.strip()}")[:500],
        )
    return contact, True
