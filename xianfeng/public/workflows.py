"""The problem (问题墙) state machine, declared in the one workflow mechanism
(``xianfeng.core.workflow``): a resident's report waits for moderation (pending → accepted or
rejected); staff name the responsible party, measures and deadline (plan), mark it solved, and
someone other than the solver checks the result, which publishes it on the echo wall
(published) or sends it back. "Not ours / referred" is its own state (closed_unsolved), never
shown as solved; a duplicate is merged into another with its supporters. The reporter rates
the published result and, unsatisfied, may reopen it once: those two steps are taken by the
platform for the holder of the reporter's link (``system=True``, actor ``None``), after
``services.problem_rate`` / ``problem_reopen`` checked the link."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.people.members import member_of
from xianfeng.public.choices import ProblemState, Rating

if TYPE_CHECKING:
    from xianfeng.core.models import User

P = ProblemState
MERGEABLE = (P.PENDING, P.ACCEPTED, P.IN_PROGRESS)


def _holds(user: User, problem: Any) -> bool:
    if user.is_superuser:
        return True
    path = problem.organization.path
    return any(r.kind in GRID_WRITERS and path.startswith(r.path) for r in active_roles(user))


def staff(problem: Any, user: User) -> str | None:
    """Staff of the problem's organization or above (secretary, community, street, district)."""
    if _holds(user, problem):
        return None
    return _("只有问题所在组织的书记或管理员可以进行此操作。")


def checker(problem: Any, user: User) -> str | None:
    """Staff in scope, never the one who marked it solved."""
    refusal = staff(problem, user)
    if refusal is not None:
        return refusal
    if problem.solved_by_id is not None and problem.solved_by_id == user.pk:
        return _("不能核实自己办结的问题，请由其他人员核实后公开。")
    return None


def _text(value: Any, field: str, message: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > limit:
        raise ValidationError(
            {field: _("最多%(limit)d个字符（现在有%(n)d个）。") % {"limit": limit, "n": len(text)}}
        )
    return text


def _deadline(value: Any) -> date:
    if value in (None, ""):
        raise ValidationError({"deadline": _("请填写办理时限。")})
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError({"deadline": _("日期格式应为2021-03-05。")}) from None
    if value < timezone.localdate():
        raise ValidationError({"deadline": _("办理时限不能早于今天。")})
    return value


class ProblemFlow:
    """Steps of ``Problem``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return None

    @step(
        source=P.PENDING,
        target=P.ACCEPTED,
        label=gettext_lazy("审核上墙"),
        ledger="problem.approve",
        allowed=staff,
        done=gettext_lazy("已审核，问题已在问题墙公开。"),
    )
    def approve(self, *, actor: User) -> dict[str, Any]:
        return {"note": self.title}

    @step(
        source=P.PENDING,
        target=P.REJECTED,
        label=gettext_lazy("不予公开"),
        ledger="problem.reject",
        allowed=staff,
        inputs=[Input("reason", gettext_lazy("不予公开的理由"), required=True)],
        style="secondary",
        done=gettext_lazy("已不予公开。"),
    )
    def reject(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        self.moderation_note = _text(reason, "reason", _("请写明不予公开的理由。"), 200)
        return {"note": self.moderation_note, "history": self.moderation_note}

    @step(
        source=[P.ACCEPTED, P.IN_PROGRESS],
        target=P.IN_PROGRESS,
        label=gettext_lazy("明确责任与措施"),
        ledger="problem.plan",
        allowed=staff,
        inputs=[
            Input("responsible", gettext_lazy("责任主体"), required=True),
            Input("measures", gettext_lazy("整改措施"), required=True, kind="textarea"),
            Input("deadline", gettext_lazy("办理时限"), required=True, kind="date"),
        ],
        done=gettext_lazy("已明确责任主体、措施和时限。"),
    )
    def plan(
        self, *, actor: User, responsible: str = "", measures: str = "", deadline: Any = None
    ) -> dict[str, Any]:
        self.responsible = _text(responsible, "responsible", _("请填写责任主体。"), 120)
        self.measures = _text(measures, "measures", _("请填写整改措施。"), 1000)
        self.deadline = _deadline(deadline)
        return {"note": self.responsible}

    @step(
        source=P.IN_PROGRESS,
        target=P.SOLVED,
        label=gettext_lazy("办结"),
        ledger="problem.solve",
        allowed=staff,
        inputs=[Input("result", gettext_lazy("办理结果"), required=True, kind="textarea")],
        done=gettext_lazy("已办结，请由其他人员核实后在回音壁公开。"),
    )
    def solve(self, *, actor: User, result: str = "") -> dict[str, Any]:
        self.result = _text(result, "result", _("请填写办理结果。"), 1000)
        self.solved_by = actor
        self.solved_at = timezone.now()
        return {"member": member_of(actor), "note": self.result}

    @step(
        source=P.SOLVED,
        target=P.PUBLISHED,
        label=gettext_lazy("核实并公开到回音壁"),
        ledger="problem.verify",
        allowed=checker,
        done=gettext_lazy("已核实，办理结果已在回音壁公开。"),
    )
    def verify(self, *, actor: User) -> dict[str, Any]:
        from xianfeng.public.models import EchoEntry

        EchoEntry.objects.create(
            problem=self,
            organization=self.organization,
            community=self.community,
            result=self.result,
            solved_by=self.solved_by,
            checked_by=actor,
        )
        return {"verified": True, "note": self.title}

    @step(
        source=P.SOLVED,
        target=P.IN_PROGRESS,
        label=gettext_lazy("退回重新办理"),
        ledger="problem.send_back",
        allowed=checker,
        inputs=[Input("reason", gettext_lazy("退回理由"), required=True)],
        style="secondary",
        done=gettext_lazy("已退回重新办理。"),
    )
    def send_back(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        text = _text(reason, "reason", _("请写明退回理由。"), 200)
        return {"note": text, "history": text}

    @step(
        source=[P.ACCEPTED, P.IN_PROGRESS, P.SOLVED],
        target=P.CLOSED_UNSOLVED,
        label=gettext_lazy("关闭（不属本辖区或已转交）"),
        ledger="problem.close",
        allowed=staff,
        inputs=[
            Input("reason", gettext_lazy("关闭原因"), required=True),
            Input("referred_to", gettext_lazy("转交单位（如已转交）")),
        ],
        style="secondary",
        done=gettext_lazy("问题已关闭，问题墙上显示为“已关闭（未解决）”。"),
    )
    def close(self, *, actor: User, reason: str = "", referred_to: str = "") -> dict[str, Any]:
        self.close_reason = _text(reason, "reason", _("请写明关闭原因。"), 200)
        self.referred_to = str(referred_to or "").strip()[:120]
        return {"note": self.close_reason, "history": self.close_reason}

    @step(
        source=MERGEABLE,
        target=P.MERGED,
        label=gettext_lazy("合并到另一问题"),
        ledger="problem.merge",
        allowed=staff,
        inputs=[Input("into", gettext_lazy("合并到的问题编号"), required=True)],
        style="secondary",
        done=gettext_lazy("已合并，附议人数已一并转入。"),
    )
    def merge(self, *, actor: User, into: str = "") -> dict[str, Any]:
        from xianfeng.public.models import Problem, ProblemSupport

        code = str(into or "").strip().upper()
        target = (
            Problem.objects.restrict(actor, "change")
            .filter(code=code, community_id=self.community_id, state__in=MERGEABLE[1:])
            .exclude(pk=self.pk)
            .first()
        )
        if target is None:
            raise ValidationError(
                {"into": _("没有找到同一社区内正在办理的这个问题编号，不能合并。")}
            )
        taken = set(target.supports.values_list("subject", flat=True))
        for support in self.supports.all():
            if support.subject in taken:
                support.delete()
            else:
                support.problem = target
                support.save(update_fields=["problem"])
        target.supporters = ProblemSupport.objects.filter(problem=target).count()
        target.save(update_fields=["supporters", "updated_at"])
        self.supporters = 0
        self.merged_into = target
        return {"note": target.code, "history": _("合并到%(code)s") % {"code": target.code}}

    @step(
        source=P.PUBLISHED,
        target=None,
        label=gettext_lazy("居民评议"),
        ledger="problem.rate",
        system=True,
        inputs=[Input("rating", gettext_lazy("评议"), required=True)],
    )
    def rate(self, *, actor: None, rating: str = "", comment: str = "") -> dict[str, Any]:
        echo = self.latest_echo
        if echo is None or echo.rating:
            raise ValidationError({"rating": _("这次办理结果已经评议过了，每次只能评议一次。")})
        if rating not in Rating.values:
            raise ValidationError({"rating": _("请选择满意、基本满意或不满意。")})
        echo.rating = rating
        echo.rating_comment = str(comment or "").strip()[:200]
        echo.rated_at = timezone.now()
        echo.save(update_fields=["rating", "rating_comment", "rated_at"])
        label = Rating(rating).label
        return {"note": str(label), "history": _("居民评议：%(r)s") % {"r": label}}

    @step(
        source=P.PUBLISHED,
        target=P.IN_PROGRESS,
        label=gettext_lazy("居民不满意，重新办理"),
        ledger="problem.reopen",
        system=True,
        inputs=[Input("reason", gettext_lazy("不满意的理由"), required=True)],
    )
    def reopen(self, *, actor: None, reason: str = "") -> dict[str, Any]:
        echo = self.latest_echo
        if self.reopened >= 1:
            raise ValidationError({"reason": _("每个问题只能重新办理一次。")})
        if echo is None or echo.rating != Rating.UNSATISFIED:
            raise ValidationError({"reason": _("评议为“不满意”后才能要求重新办理。")})
        self.reopen_reason = _text(reason, "reason", _("请写明不满意的理由。"), 200)
        self.reopened += 1
        self.solved_by = None
        self.solved_at = None
        return {"note": self.reopen_reason, "history": self.reopen_reason}
