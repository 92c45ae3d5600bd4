"""The state machines of scoring, declared in the one workflow mechanism
(``xianfeng.core.workflow``): a manual points adjustment (人工调整) is requested with a reason
and approved or rejected by an administrator in scope who is not the requester; a member's
appeal (申诉) is answered by an administrator in scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import ADMINS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.scoring.choices import AdjustmentState, AppealState

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_TEXT = 500


def _admin_over(obj: Any, user: User) -> bool:
    if user.is_superuser:
        return True
    path = obj.organization.path
    return any(r.kind in ADMINS and path.startswith(r.path) for r in active_roles(user))


def approver(adjustment: Any, user: User) -> str | None:
    """An administrator over the member's organization, never the one who asked."""
    if not _admin_over(adjustment, user):
        return _("只有党员所在组织的上级管理员可以审批积分调整。")
    if adjustment.requested_by_id == user.pk:
        return _("不能审批自己申请的积分调整，请由其他管理员审批。")
    return None


def answerer(appeal: Any, user: User) -> str | None:
    if not _admin_over(appeal, user):
        return _("只有党员所在组织的上级管理员可以答复申诉。")
    if appeal.submitted_by_id == user.pk:
        return _("不能答复自己提出的申诉。")
    return None


def _text(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("请不超过%(n)d个字。") % {"n": MAX_TEXT}})
    return text


class AdjustmentFlow:
    @step(
        source=AdjustmentState.REQUESTED,
        target=AdjustmentState.APPROVED,
        label=gettext_lazy("批准"),
        ledger="adjustment.approve",
        allowed=approver,
        inputs=[Input("note", gettext_lazy("审批意见"))],
        style="primary",
        done=gettext_lazy("已批准，积分已计入。"),
    )
    def approve(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.decided_by = actor
        self.decided_at = timezone.now()
        self.decision_note = str(note or "").strip()[:MAX_TEXT]
        from xianfeng.scoring.services import adjustment_entry

        adjustment_entry(self)
        return {"member": self.member, "note": self.reason}

    @step(
        source=AdjustmentState.REQUESTED,
        target=AdjustmentState.REJECTED,
        label=gettext_lazy("驳回"),
        ledger="adjustment.reject",
        allowed=approver,
        inputs=[Input("note", gettext_lazy("驳回理由"), required=True, kind="textarea")],
        done=gettext_lazy("已驳回。"),
    )
    def reject(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.decision_note = _text(note, "note", _("请写明驳回理由。"))
        self.decided_by = actor
        self.decided_at = timezone.now()
        return {"member": self.member, "note": self.decision_note}


class AppealFlow:
    @step(
        source=AppealState.SUBMITTED,
        target=AppealState.ANSWERED,
        label=gettext_lazy("答复"),
        ledger="appeal.answer",
        allowed=answerer,
        inputs=[Input("answer", gettext_lazy("答复"), required=True, kind="textarea")],
        style="primary",
        done=gettext_lazy("已答复申诉。"),
    )
    def answer(self, *, actor: User, answer: str = "") -> dict[str, Any]:
        self.answer_text = _text(answer, "answer", _("请填写答复内容。"))
        self.answered_by = actor
        self.answered_at = timezone.now()
        return {"member": self.member, "note": self.answer_text}
