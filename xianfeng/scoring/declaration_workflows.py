"""The state machine of a self-declared act (自行申报), declared in the one workflow mechanism
(``xianfeng.core.workflow``): a member declares an act with a photo (待审核); the secretary of
their branch or an administrator over it, never the declarer, approves it (已认定: the duty
record ``self_declared.approve``, verified, is what the point rules score) or refuses it with a
reason (未认定: kept, with the reason, and earning nothing)."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.scoring.choices import SelfDeclarationState

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_TEXT = 500


def reviewer(declaration: Any, user: User) -> str | None:
    """The branch's secretary or an administrator over the branch, not the declarer."""
    path = declaration.organization.path
    over = user.is_superuser or any(
        r.kind in GRID_WRITERS and path.startswith(r.path) for r in active_roles(user)
    )
    if not over:
        return _("只有申报人所在支部的书记或上级管理员可以审核自行申报。")
    own = getattr(user, "person_id", None) and user.person_id == declaration.member.person_id
    if declaration.submitted_by_id == user.pk or own:
        return _("不能审核自己的申报，请由其他人审核。")
    return None


class SelfDeclarationFlow:
    @property
    def duty_member(self) -> Any:
        return self.member

    @step(
        source=SelfDeclarationState.PENDING,
        target=SelfDeclarationState.APPROVED,
        label=gettext_lazy("认定"),
        ledger="self_declared.approve",
        allowed=reviewer,
        inputs=[Input("note", gettext_lazy("审核意见（可选）"))],
        style="primary",
        history=gettext_lazy("认定自行申报的履职事项"),
        done=gettext_lazy("已认定，按积分规则计分。"),
    )
    def approve(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.review_note = str(note or "").strip()[:MAX_TEXT]
        self.reviewed_by = actor
        self.reviewed_at = timezone.now()
        # The act happened on the declared day: the points fall in that day's period.
        occurred = timezone.make_aware(datetime.combine(self.done_on, time(12)))
        return {
            "note": f"{self.kind.name}：{self.description}"[:MAX_TEXT],
            "verified": True,
            "occurred_at": occurred,
        }

    @step(
        source=SelfDeclarationState.PENDING,
        target=SelfDeclarationState.REJECTED,
        label=gettext_lazy("不予认定"),
        ledger="self_declared.reject",
        allowed=reviewer,
        inputs=[Input("note", gettext_lazy("不予认定的理由"), required=True, kind="textarea")],
        style="secondary",
        history=gettext_lazy("不予认定自行申报的履职事项"),
        done=gettext_lazy("已不予认定，申报和理由都已保留。"),
    )
    def reject(self, *, actor: User, note: str = "") -> dict[str, Any]:
        text = str(note or "").strip()
        if not text:
            raise ValidationError({"note": _("请写明不予认定的理由。")})
        if len(text) > MAX_TEXT:
            raise ValidationError({"note": _("请不超过%(n)d个字。") % {"n": MAX_TEXT}})
        self.review_note = text
        self.reviewed_by = actor
        self.reviewed_at = timezone.now()
        return {"note": text}
