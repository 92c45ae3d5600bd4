"""The task (党员领任务) and supervision (督办) state machines, declared in the one workflow
mechanism (``xianfeng.core.workflow``): each step is one row — sources, target, who may take
it, what it writes to the duty ledger. Pages, the API's ``actions`` field and endpoints, and
the overdue job all read these declarations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope
from xianfeng.core.workflow import Input, step
from xianfeng.people.members import field_refusal, member_of
from xianfeng.work.choices import ACTIVE_STATES, SupervisionStatus, TaskState

if TYPE_CHECKING:
    from xianfeng.core.models import User

T = TaskState
#: States in which a task can still become overdue (being worked on, deadline not met).
OVERDUE_FROM = (T.OPEN, T.CLAIMED, T.IN_PROGRESS, T.RETURNED)
CLAIMABLE = (T.OPEN, T.OVERDUE)
SUBMITTABLE = (T.CLAIMED, T.IN_PROGRESS, T.RETURNED, T.OVERDUE)


# --- who may take a step ------------------------------------------------------------------------


def _org_writer(task: Any, user: User) -> bool:
    cache = getattr(user, "_xf_task_writer", None)
    if cache is None:
        cache = user._xf_task_writer = {}
    if task.pk not in cache:
        cache[task.pk] = (
            type(task).objects.restrict(user, Action.CHANGE).filter(pk=task.pk).exists()
        )
    return cache[task.pk]


def _is_assignee(task: Any, user: User) -> bool:
    member = member_of(user)
    return member is not None and task.assignee_id == member.pk


def claimer(task: Any, user: User) -> str | None:
    """A member (or a manager who is one) of a branch at or under the task's organization."""
    refusal = field_refusal(user)
    if refusal is not None:
        return refusal
    if not member_of(user).acts_in(task.organization):
        return _("您所在的党组织不在该任务的发布范围内，不能认领。")
    return None


def assignee(verb: str) -> Any:
    def rule(task: Any, user: User) -> str | None:
        if _is_assignee(task, user):
            return None
        return _("只有承担这项任务的党员可以%(verb)s。") % {"verb": verb}

    return rule


def org_writer(task: Any, user: User) -> str | None:
    if _org_writer(task, user):
        return None
    return _("只有发布任务的党组织（书记或管理员）可以进行此操作。")


def checker(task: Any, user: User) -> str | None:
    """The organization checks the evidence; nobody checks a task of their own."""
    refusal = org_writer(task, user)
    if refusal is None and _is_assignee(task, user):
        return _("不能核验自己承担的任务，请由其他负责人核验。")
    return refusal


def _unclaimed(task: Any) -> bool:
    return task.assignee_id is None


def _claimed_by(task: Any) -> str | None:
    if task.assignee_id is not None and task.state in ACTIVE_STATES:
        return _("这项任务已被%(name)s认领，请选择其他任务。") % {"name": task.assignee.person.name}
    return None


def _last_submission(task: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from xianfeng.core.models import DutyRecord

    return (
        DutyRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(type(task)),
            object_id=str(task.pk),
            action="task.submit",
        )
        .order_by("-id")
        .first()
    )


def _member_for(task: Any, actor: User, member: Any) -> Any:
    """The member a task is assigned to: one the actor sees, in the task's subtree."""
    from xianfeng.people.models import PartyMember

    if not isinstance(member, PartyMember):
        pk = int(member) if str(member or "").isdigit() else None
        member = (
            PartyMember.objects.restrict(actor).select_related("branch").filter(pk=pk).first()
            or serving_member(actor, pk)
            if pk
            else None
        )
        if member is None:
            raise ValidationError({"member": _("所选党员不存在或不在您的管辖范围内。")})
    if not member.acts_in(task.organization):
        raise ValidationError({"member": _("所选党员不在该任务发布组织的范围内。")})
    return member


def serving_member(actor: User, pk: int) -> Any:
    """A member serving (报到) in a community the actor sees, though their branch lies
    elsewhere: the community assigns them its tasks."""
    from xianfeng.people.models import PartyMember, ServicePlace

    places = ServicePlace.objects.restrict(actor).filter(member_id=pk, ended_on__isnull=True)
    if not places.exists():
        return None
    return PartyMember.objects.select_related("branch").filter(pk=pk).first()


def _visits_missing(progress: Any) -> str:
    if progress.by_household:
        return _(
            "这项任务要求走访全部%(target)d户目标住户，已走访%(visited)d户，还有%(left)d户"
            "未走访（如%(first)s），请先登记走访再提交。"
        ) % {
            "target": progress.target,
            "visited": progress.visited,
            "left": progress.left,
            "first": progress.missing[0],
        }
    return _(
        "这项任务要求走访%(target)d户次，已登记%(visited)d户次，还差%(left)d户次，"
        "请先登记走访再提交。"
    ) % {"target": progress.target, "visited": progress.visited, "left": progress.left}


class TaskFlow:
    """Steps of ``Task``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return self.assignee

    @step(
        source=CLAIMABLE,
        target=T.CLAIMED,
        label=gettext_lazy("认领"),
        ledger="task.claim",
        allowed=claimer,
        conditions=[_unclaimed],
        conflict=_claimed_by,
        history=gettext_lazy("党员认领"),
        done=gettext_lazy("认领成功，请按时完成。"),
    )
    def claim(self, *, actor: User) -> dict[str, Any]:
        self.assignee = member_of(actor)
        self.claimed_at = timezone.now()
        return {"member": self.assignee, "note": self.title}

    @step(
        source=ACTIVE_STATES,
        target=T.CLAIMED,
        label=gettext_lazy("指派"),
        ledger="task.assign",
        allowed=org_writer,
        inputs=[Input("member", gettext_lazy("党员"), required=True, kind="member")],
        style="secondary",
        done=gettext_lazy("已指派。"),
    )
    def assign(self, *, actor: User, member: Any = None) -> dict[str, Any]:
        member = _member_for(self, actor, member)
        reason = _("组织指派") if self.assignee_id is None else _("组织改派")
        self.assignee = member
        self.claimed_at = timezone.now()
        return {"member": member, "note": reason, "history": reason}

    @step(
        source=[T.CLAIMED, T.OVERDUE],
        target=T.IN_PROGRESS,
        label=gettext_lazy("开始办理"),
        ledger="task.start",
        allowed=assignee(gettext_lazy("开始办理")),
        done=gettext_lazy("已开始办理。"),
    )
    def start(self, *, actor: User) -> None:
        return None

    @step(
        source=SUBMITTABLE,
        target=T.SUBMITTED,
        label=gettext_lazy("提交完成情况"),
        ledger="task.submit",
        allowed=assignee(gettext_lazy("提交完成情况")),
        inputs=[Input("notes", gettext_lazy("完成情况"), required=True, kind="textarea")],
        done=gettext_lazy("已提交，等待核验。"),
    )
    def submit(self, *, actor: User, notes: str = "", photos: Any = ()) -> dict[str, Any]:
        from xianfeng.work.hooks import store_task_photos, task_visit_progress
        from xianfeng.work.photos import clean_photos

        progress = task_visit_progress(self)
        if not progress.complete:
            raise ValidationError(_visits_missing(progress), code="visits_missing")
        if not (notes or "").strip():
            raise ValidationError({"notes": _("请填写完成情况。")})
        # re-encoded by Pillow, without EXIF, under generated names (work/photos.py)
        photos, kinds = clean_photos(list(photos or ()))
        store_task_photos(actor=actor, task=self, uploads=photos, kinds=kinds)
        self.evidence_notes = notes.strip()
        self.submitted_at = timezone.now()
        self.return_reason = ""
        return {"note": self.evidence_notes}

    @step(
        source=T.SUBMITTED,
        target=T.VERIFIED,
        label=gettext_lazy("核验通过"),
        ledger="task.verify",
        allowed=checker,
        inputs=[Input("note", gettext_lazy("核验意见（可选）"))],
        done=gettext_lazy("已核验通过。"),
    )
    def verify(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.verified_at = timezone.now()
        self.verified_by = actor
        return {
            "note": note,
            "verified": True,
            "verifies": _last_submission(self),
            "history": note or _("核验通过"),
        }

    @step(
        name="return",
        source=T.SUBMITTED,
        target=T.RETURNED,
        label=gettext_lazy("退回重办"),
        ledger="task.return",
        allowed=checker,
        inputs=[Input("reason", gettext_lazy("退回原因"), required=True)],
        style="secondary",
        done=gettext_lazy("已退回重办。"),
    )
    def return_(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("退回时请写明原因。")})
        self.return_reason = reason.strip()
        return {"note": self.return_reason, "history": _("退回：%(r)s") % {"r": reason[:80]}}

    @step(
        source=T.VERIFIED,
        target=T.DONE,
        label=gettext_lazy("办结"),
        ledger="task.complete",
        allowed=org_writer,
        done=gettext_lazy("已办结。"),
    )
    def complete(self, *, actor: User) -> dict[str, Any]:
        self.done_at = timezone.now()
        return {"note": self.title, "verified": True}

    @step(
        source=OVERDUE_FROM,
        target=T.OVERDUE,
        label=gettext_lazy("标记逾期"),
        ledger="task.overdue",
        system=True,
        history=gettext_lazy("超过完成时限，自动标记逾期"),
    )
    def mark_overdue(self, *, actor: None) -> dict[str, Any]:
        return {"note": str(self.deadline)}


# --- supervision (督办) ---------------------------------------------------------------------


def supervised_side(note: Any, user: User) -> str | None:
    if org_in_scope(user=user, org=note.organization, model=type(note), action=Action.CHANGE):
        return None
    return _("只有被督办的组织可以答复。")


def _answered(note: Any) -> str | None:
    if note.status == SupervisionStatus.ANSWERED:
        return _("该督办事项已经答复过了。")
    return None


class SupervisionFlow:
    """Steps of ``Supervision``; mixed into the model."""

    duty_member = None

    @step(
        name="answer",
        field="status",
        source=[SupervisionStatus.OPEN, SupervisionStatus.OVERDUE],
        target=SupervisionStatus.ANSWERED,
        label=gettext_lazy("答复督办"),
        ledger="supervision.answer",
        allowed=supervised_side,
        conflict=_answered,
        inputs=[Input("answer", gettext_lazy("答复内容"), required=True, kind="textarea")],
        done=gettext_lazy("已答复督办。"),
    )
    def answer_note(self, *, actor: User, answer: str = "") -> dict[str, Any]:
        if not (answer or "").strip():
            raise ValidationError({"answer": _("请填写答复内容。")})
        self.answer = answer.strip()
        self.answered_at = timezone.now()
        self.answered_by = actor
        return {"note": self.answer}

    @step(
        field="status",
        source=SupervisionStatus.OPEN,
        target=SupervisionStatus.OVERDUE,
        label=gettext_lazy("标记逾期未答复"),
        ledger="supervision.overdue",
        system=True,
        history=gettext_lazy("超过答复时限"),
    )
    def mark_overdue(self, *, actor: None) -> dict[str, Any]:
        return {"note": str(self.due_on)}
