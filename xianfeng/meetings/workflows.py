"""The meeting state machine, declared in the one workflow mechanism
(``xianfeng.core.workflow``): planned → held → minutes published, or planned → cancelled.
Minutes revised after publication stay published: the step keeps the earlier text in the
history and marks the meeting revised (修订 n 次). Pages, the API's ``actions`` and endpoints
all read these declarations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.meetings.choices import MeetingState, SelectionState

if TYPE_CHECKING:
    from xianfeng.core.models import User

S = MeetingState


def holds_role_over(user: User, organization: Any, kinds: frozenset[str] = GRID_WRITERS) -> bool:
    """The user holds one of ``kinds`` at the organization or above it."""
    if user.is_superuser:
        return True
    path = organization.path
    return any(r.kind in kinds and path.startswith(r.path) for r in active_roles(user))


def organizer(meeting: Any, user: User) -> str | None:
    """The secretary or staff of the hosting organization or above."""
    if holds_role_over(user, meeting.organization):
        return None
    return _("只有召开会议的组织的书记或管理员可以进行此操作。")


def _text(value: Any, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


class MeetingFlow:
    """Steps of ``Meeting``; mixed into the model."""

    duty_member = None

    @step(
        source=S.PLANNED,
        target=S.HELD,
        label=gettext_lazy("确认已召开"),
        ledger="meeting.hold",
        allowed=organizer,
        done=gettext_lazy("会议已召开，请整理纪要和决议后公开。"),
    )
    def hold(self, *, actor: User) -> dict[str, Any]:
        self.held_at = timezone.now()
        if self.contact_point_id:
            # The contact point's lesson is the leader's act of duty (seed 002: 每年至少上一次党课).
            return {"note": self.topic, "member": self.contact_point.leader}
        return {"note": self.topic}

    @step(
        source=S.HELD,
        target=S.PUBLISHED,
        label=gettext_lazy("公开纪要"),
        ledger="meeting.publish",
        allowed=organizer,
        inputs=[Input("minutes", gettext_lazy("会议纪要"), kind="textarea")],
        done=gettext_lazy("纪要和决议已公开。"),
    )
    def publish(self, *, actor: User, minutes: str = "") -> dict[str, Any]:
        if (minutes or "").strip():
            self.minutes = minutes.strip()
        if not self.minutes.strip():
            raise ValidationError({"minutes": _("请先填写会议纪要再公开。")})
        self.published_at = timezone.now()
        return {"note": self.topic}

    @step(
        source=S.PUBLISHED,
        target=None,
        label=gettext_lazy("修订纪要"),
        ledger="meeting.revise",
        allowed=organizer,
        inputs=[
            Input("minutes", gettext_lazy("修订后的纪要"), required=True, kind="textarea"),
            Input("reason", gettext_lazy("修订原因"), required=True),
        ],
        style="secondary",
        done=gettext_lazy("纪要已修订；修订前的文本保留在修改历史中，并标注“已修订”。"),
    )
    def revise(self, *, actor: User, minutes: str = "", reason: str = "") -> dict[str, Any]:
        errors: dict[str, str] = {}
        text = (minutes or "").strip()
        why = (reason or "").strip()
        if not text:
            errors["minutes"] = _("请填写修订后的纪要。")
        if not why:
            errors["reason"] = _("纪要公开后修订，必须写明原因。")
        if errors:
            raise ValidationError(errors)
        if text == self.minutes.strip():
            raise ValidationError({"minutes": _("修订后的纪要与现在的相同，没有改动。")})
        self.minutes = text
        self.revisions += 1
        self.revised_at = timezone.now()
        reason_line = _("公开后修订：%(r)s") % {"r": why[:150]}
        return {"note": why[:200], "history": reason_line}

    @step(
        source=S.PLANNED,
        target=S.CANCELLED,
        label=gettext_lazy("取消会议"),
        ledger="meeting.cancel",
        allowed=organizer,
        inputs=[Input("reason", gettext_lazy("取消原因"), required=True)],
        style="secondary",
        done=gettext_lazy("会议已取消。"),
    )
    def cancel(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        self.cancel_reason = _text(reason, "reason", _("请写明取消会议的原因。"))[:200]
        return {"note": self.cancel_reason, "history": self.cancel_reason}


def _enough_candidates(selection: Any) -> bool:
    return selection.candidates.count() >= 2


def _voting_over(selection: Any) -> bool:
    return timezone.localdate() > selection.vote_ends


class SelectionFlow:
    """Steps of ``Selection``: nominating → voting → published."""

    duty_member = None

    @step(
        source=SelectionState.NOMINATING,
        target=SelectionState.VOTING,
        label=gettext_lazy("开始投票"),
        ledger="selection.open",
        allowed=organizer,
        conditions=[_enough_candidates],
        conflict=lambda s: (
            _("至少要有两名候选才能开始投票。") if s.state == SelectionState.NOMINATING else None
        ),
        done=gettext_lazy("已开始投票。"),
    )
    def open_voting(self, *, actor: User) -> dict[str, Any]:
        return {"note": self.title}

    @step(
        source=SelectionState.VOTING,
        target=SelectionState.PUBLISHED,
        label=gettext_lazy("公布结果"),
        ledger="selection.publish",
        allowed=organizer,
        conditions=[_voting_over],
        conflict=lambda s: (
            _("投票截止（%(d)s）后才能公布结果。") % {"d": s.vote_ends}
            if s.state == SelectionState.VOTING
            else None
        ),
        done=gettext_lazy("评选结果已公布。"),
    )
    def publish(self, *, actor: User) -> dict[str, Any]:
        self.published_at = timezone.now()
        return {"note": self.title}
