"""The state machine of an award candidacy's consultation (评优评先征求社区意见), declared in
the one workflow mechanism (``xianfeng.core.workflow``). Seed 002: a resident unit's party
organization, or an in-service member, is put up for an award only after the community
(街道社区党组织) where they serve gives its opinion. The unit asks (待社区反馈); an
administrator of that community or above it, never the one who asked, agrees (社区同意推荐)
or disagrees with a reason (社区不同意推荐). Each answer is a duty record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import ADMINS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.scoring.choices import AwardOpinionState

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_TEXT = 500


def answerer(opinion: Any, user: User) -> str | None:
    """An administrator of the community asked, or of an organization above it."""
    path = opinion.community.path
    over = user.is_superuser or any(
        r.kind in ADMINS and path.startswith(r.path) for r in active_roles(user)
    )
    if not over:
        return _("只有被征求意见的社区党组织或其上级管理员可以反馈意见。")
    if opinion.requested_by_id == user.pk:
        return _("不能对自己发起的征求意见作出反馈。")
    return None


class AwardOpinionFlow:
    @property
    def duty_member(self) -> Any:
        return self.member

    @step(
        source=AwardOpinionState.ASKED,
        target=AwardOpinionState.AGREED,
        label=gettext_lazy("同意推荐"),
        ledger="award_opinion.agree",
        allowed=answerer,
        inputs=[Input("note", gettext_lazy("社区意见（可选）"))],
        style="primary",
        history=gettext_lazy("社区党组织同意评优评先推荐"),
        done=gettext_lazy("已反馈：同意推荐。"),
    )
    def agree(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.answer = str(note or "").strip()[:MAX_TEXT]
        self.answered_by = actor
        self.answered_at = timezone.now()
        return {"note": self.answer or _("同意推荐")}

    @step(
        source=AwardOpinionState.ASKED,
        target=AwardOpinionState.DISAGREED,
        label=gettext_lazy("不同意推荐"),
        ledger="award_opinion.disagree",
        allowed=answerer,
        inputs=[Input("note", gettext_lazy("不同意的理由"), required=True, kind="textarea")],
        style="secondary",
        history=gettext_lazy("社区党组织不同意评优评先推荐"),
        done=gettext_lazy("已反馈：不同意推荐，理由已保留。"),
    )
    def disagree(self, *, actor: User, note: str = "") -> dict[str, Any]:
        text = str(note or "").strip()
        if not text:
            raise ValidationError({"note": _("请写明不同意推荐的理由。")})
        if len(text) > MAX_TEXT:
            raise ValidationError({"note": _("请不超过%(n)d个字。") % {"n": MAX_TEXT}})
        self.answer = text
        self.answered_by = actor
        self.answered_at = timezone.now()
        return {"note": text}
