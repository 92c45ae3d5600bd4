"""The townsman pairing's state machine (结对中 → 已结束结对), declared in the one workflow
mechanism (``xianfeng.core.workflow``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.community.choices import PairingState
from xianfeng.core.workflow import step
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
