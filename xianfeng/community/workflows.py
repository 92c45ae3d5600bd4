"""The townsman pairing's state machine (结对中 → 已结束结对), declared in the one workflow
mechanism (``xianfeng.core.workflow``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.community.choices import PairingState, SessionState
from xianfeng.core.workflow import Input, step
from xianfeng.people.members import field_refusal, member_of

if TYPE_CHECKING:
    from xianfeng.core.models import User


def own_member(townsman: Any, user: User) -> str | None:
    """Only the paired mobile member acts on the pairing."""
    refusal = field_refusal(user)
    if refusal is not None:
        return refusal
    if member_of(user).pk != townsman.member_id:
        return _("只有结对的流动党员本人可以办理。")
    return None


def _ended(townsman: Any) -> str | None:
    return _("这位老乡已经不在结对名单中。") if townsman.state == PairingState.ENDED else None


class TownsmanFlow:
    """Steps of ``Townsman``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return self.member

    @step(
        source=PairingState.ACTIVE,
        target=PairingState.ENDED,
        label=gettext_lazy("结束结对"),
        ledger="townsman.end",
        allowed=own_member,
        conflict=_ended,
        style="secondary",
        history=gettext_lazy("结束结对"),
        done=gettext_lazy("已结束与这位老乡的结对。"),
    )
    def end(self, *, actor: User) -> dict[str, Any]:
        return {"note": self.name}


def community_confirmer(session: Any, user: User) -> str | None:
    """The served community's staff confirm a self-reported session; never one's own."""
    from xianfeng.core.choices import Action
    from xianfeng.core.services import org_in_scope

    member = member_of(user)
    if member is not None and member.pk == session.member_id:
        return _("不能确认自己申报的服务时长，请由社区其他工作人员确认。")
    if not org_in_scope(
        user=user, org=session.organization, model=type(session), action=Action.CHANGE
    ):
        return _("只有服务社区的管理人员可以确认服务时长。")
    return None


class ServiceSessionFlow:
    """Steps of ``ServiceSession``: the community confirms or declines a self-reported one."""

    @property
    def duty_member(self) -> Any:
        return self.member

    @step(
        source=SessionState.PENDING,
        target=SessionState.CONFIRMED,
        label=gettext_lazy("确认时长"),
        ledger="service.confirm",
        allowed=community_confirmer,
        inputs=[Input("note", gettext_lazy("确认意见（可选）"))],
        history=gettext_lazy("社区确认服务时长"),
        done=gettext_lazy("已确认服务时长。"),
    )
    def confirm(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.note = (note or "").strip()[:200]
        self.confirmed_by = actor
        return {"note": self.content, "verified": True}

    @step(
        source=SessionState.PENDING,
        target=SessionState.REJECTED,
        label=gettext_lazy("不予确认"),
        ledger="service.reject",
        allowed=community_confirmer,
        inputs=[Input("note", gettext_lazy("不予确认的原因"), required=True)],
        style="secondary",
        history=gettext_lazy("社区不予确认服务时长"),
        done=gettext_lazy("已不予确认。"),
    )
    def reject(self, *, actor: User, note: str = "") -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        note = (note or "").strip()
        if not note:
            raise ValidationError({"note": _("请说明不予确认的原因。")})
        self.note = note[:200]
        self.confirmed_by = actor
        return {"note": note}
