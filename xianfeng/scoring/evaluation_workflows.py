"""The state machines of the democratic evaluation (民主评议) and of the assessment cycle
(考核), declared in the one workflow mechanism (``xianfeng.core.workflow``).

* A round of 民主评议党员 is prepared (筹备中), opened for votes (投票中) and counted (已计票):
  counting writes each member's result and feeds it into the year's star rating, in the same
  transaction; a round may be cancelled with a reason before it is counted.
* An assessment cycle is scored (评分中), closed (已定档: totals, vetoes, ranking and stars are
  fixed) and its ranking reported to the organization above (已报上级)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import ADMINS, GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.scoring.choices import CycleState, EvaluationState

if TYPE_CHECKING:
    from xianfeng.core.models import User


def _over(org: Any, user: User, kinds: frozenset[str]) -> bool:
    if user.is_superuser:
        return True
    return any(r.kind in kinds and org.path.startswith(r.path) for r in active_roles(user))


def organizer(round_: Any, user: User) -> str | None:
    """The branch's secretary or an administrator over the round's organization."""
    if _over(round_.organization, user, GRID_WRITERS):
        return None
    return _("只有本组织的书记或上级管理员可以组织民主评议。")


def assessor(cycle: Any, user: User) -> str | None:
    """An administrator of the assessing organization (or above it)."""
    if _over(cycle.organization, user, ADMINS):
        return None
    return _("只有组织考核的单位或其上级的管理员可以办理。")


class EvaluationFlow:
    @step(
        source=EvaluationState.DRAFT,
        target=EvaluationState.VOTING,
        label=gettext_lazy("开始投票"),
        ledger="evaluation.open",
        allowed=organizer,
        style="primary",
        done=gettext_lazy("民主评议已开始投票。"),
    )
    def open(self, *, actor: User) -> dict[str, Any]:
        from xianfeng.scoring.evaluation import check_openable

        check_openable(self)
        return {"note": self.title}

    @step(
        source=EvaluationState.VOTING,
        target=EvaluationState.CLOSED,
        label=gettext_lazy("结束投票并计票"),
        ledger="evaluation.close",
        allowed=organizer,
        style="primary",
        done=gettext_lazy("已计票，评议结果已计入星级党员评定。"),
    )
    def close(self, *, actor: User) -> dict[str, Any]:
        from xianfeng.scoring.evaluation import count_round

        self.closed_at = timezone.now()
        counted = count_round(self, actor=actor)
        return {"note": _("%(t)s：%(b)d张选票，%(m)d名党员") % {"t": self.title, **counted}}

    @step(
        source=[EvaluationState.DRAFT, EvaluationState.VOTING],
        target=EvaluationState.CANCELLED,
        label=gettext_lazy("取消评议"),
        ledger="evaluation.cancel",
        allowed=organizer,
        inputs=[Input("reason", gettext_lazy("取消理由"), required=True, kind="textarea")],
        done=gettext_lazy("民主评议已取消。"),
    )
    def cancel(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        text = str(reason or "").strip()
        if not text:
            raise ValidationError({"reason": _("请写明取消理由。")})
        self.cancel_reason = text[:500]
        return {"note": self.cancel_reason}


class CycleFlow:
    @step(
        source=CycleState.SCORING,
        target=CycleState.CLOSED,
        label=gettext_lazy("定档"),
        ledger="assessment.close",
        allowed=assessor,
        style="primary",
        done=gettext_lazy("已定档：总分、一票否决、排名和星级已确定。"),
    )
    def close(self, *, actor: User) -> dict[str, Any]:
        from xianfeng.scoring.assessment import cycle_settle

        cycle_settle(self)
        self.closed_at = timezone.now()
        return {"note": self.title}

    @step(
        source=CycleState.CLOSED,
        target=CycleState.REPORTED,
        label=gettext_lazy("排名报上级"),
        ledger="assessment.report",
        allowed=assessor,
        inputs=[Input("note", gettext_lazy("报送说明"))],
        done=gettext_lazy("排名已报送上级组织备案。"),
    )
    def report(self, *, actor: User, note: str = "") -> dict[str, Any]:
        parent = self.organization.parent
        if parent is None:
            raise ValidationError(_("本组织没有上级组织，无需报送。"))
        self.reported_to = parent
        self.reported_at = timezone.now()
        self.report_note = str(note or "").strip()[:500]
        return {"note": _("排名报送%(p)s") % {"p": parent.name}}
