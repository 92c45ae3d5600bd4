"""The one step of a visit's workflow (``xianfeng.core.workflow``): a visit whose household had
moved (``Visit.moved_household``) waits for the community to update the household; the
community's staff close it (待社区更新住户信息 → 住户信息已处理), in history and on the ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.workflow import Input, step
from xianfeng.visits.choices import HouseholdUpdate

if TYPE_CHECKING:
    from xianfeng.core.models import User


def household_keeper(visit: Any, user: User) -> str | None:
    """Those who may change the households of the visit's organization (the community's and
    the grid's staff) answer for the households a visit found moved."""
    from xianfeng.core.choices import Action
    from xianfeng.core.services import org_in_scope
    from xianfeng.places.models import Household

    if not org_in_scope(user=user, org=visit.organization, model=Household, action=Action.CHANGE):
        return _("只有社区（网格）管理人员可以处理住户信息更新。")
    return None


def _not_pending(visit: Any) -> str | None:
    if visit.household_update == HouseholdUpdate.DONE:
        return _("这条走访的住户信息已经处理过了。")
    if visit.household_update == HouseholdUpdate.NONE:
        return _("这条走访没有需要更新的住户信息。")
    return None


class VisitFlow:
    """Steps of ``Visit``; mixed into the model."""

    @step(
        source=HouseholdUpdate.PENDING,
        target=HouseholdUpdate.DONE,
        field="household_update",
        label=gettext_lazy("住户信息已处理"),
        ledger="visit.household_updated",
        allowed=household_keeper,
        conflict=_not_pending,
        inputs=[
            Input(
                "note",
                gettext_lazy("处理说明（如：已登记迁出，或已更新到新住址）"),
                required=True,
            )
        ],
        history=gettext_lazy("社区已处理迁走住户的信息"),
        done=gettext_lazy("已记录：住户信息已处理。"),
    )
    def close_household_update(self, *, actor: User, note: str = "") -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        note = (note or "").strip()
        if not note:
            raise ValidationError({"note": _("请写明住户信息是怎样处理的。")})
        self.household_update_note = note[:200]
        # The act is the staff's (no member's duty): the ledger names the household as it was.
        return {"note": f"{self.moved_household}：{note}", "member": None}
