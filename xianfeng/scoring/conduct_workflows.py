"""The state machine of the 不合格党员 procedure (不合格党员处置), declared in the one workflow
mechanism (``xianfeng.core.workflow``). Seed 000: a party-member landlord whose rental is found
in violation starts it. A case is opened (已立案) from the duty ledger; the branch talks with
the member and sets a deadline to put things right (谈话/限期整改: 整改中); it is closed as put
right (整改合格) or with a disposal and its outcome (组织处置). The branch's secretary or an
administrator over the branch takes the steps; the member never takes their own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.scoring.choices import ConductState

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_TEXT = 500


def handler(case: Any, user: User) -> str | None:
    path = case.organization.path
    over = user.is_superuser or any(
        r.kind in GRID_WRITERS and path.startswith(r.path) for r in active_roles(user)
    )
    if not over:
        return _("只有党员所在支部的书记或上级管理员可以办理不合格党员处置。")
    if getattr(user, "person_id", None) and user.person_id == case.member.person_id:
        return _("不能办理涉及自己的处置程序。")
    return None


def _text(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("请不超过%(n)d个字。") % {"n": MAX_TEXT}})
    return text


class ConductCaseFlow:
    @property
    def duty_member(self) -> Any:
        return self.member

    @step(
        source=ConductState.OPENED,
        target=ConductState.RECTIFYING,
        label=gettext_lazy("谈话并限期整改"),
        ledger="conduct_case.talk",
        allowed=handler,
        inputs=[
            Input("note", gettext_lazy("谈话记录"), required=True, kind="textarea"),
            Input("deadline", gettext_lazy("整改期限"), required=True, kind="date"),
        ],
        style="primary",
        done=gettext_lazy("已记录谈话，限期整改。"),
    )
    def talk(self, *, actor: User, note: str = "", deadline: Any = None) -> dict[str, Any]:
        self.talk_note = _text(note, "note", _("请填写谈话记录。"))
        day = deadline if isinstance(deadline, date) else parse_date(str(deadline or ""))
        if day is None:
            raise ValidationError({"deadline": _("请填写整改期限。")})
        if day < timezone.localdate():
            raise ValidationError({"deadline": _("整改期限不能早于今天。")})
        self.rectify_by = day
        self.talked_by = actor
        self.talked_at = timezone.now()
        return {"note": self.talk_note}

    @step(
        source=ConductState.RECTIFYING,
        target=ConductState.RECTIFIED,
        label=gettext_lazy("整改合格，结案"),
        ledger="conduct_case.rectified",
        allowed=handler,
        inputs=[Input("note", gettext_lazy("整改情况"), required=True, kind="textarea")],
        done=gettext_lazy("已按整改合格结案。"),
    )
    def rectified(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.outcome = _text(note, "note", _("请写明整改情况。"))
        self.closed_by = actor
        self.closed_at = timezone.now()
        return {"note": self.outcome}

    @step(
        source=ConductState.RECTIFYING,
        target=ConductState.DISPOSED,
        label=gettext_lazy("组织处置，结案"),
        ledger="conduct_case.dispose",
        allowed=handler,
        inputs=[
            Input(
                "note",
                gettext_lazy("处置结果（如限期改正、劝其退党、除名）及理由"),
                required=True,
                kind="textarea",
            )
        ],
        style="secondary",
        done=gettext_lazy("已记录处置结果并结案。"),
    )
    def dispose(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.outcome = _text(note, "note", _("请写明处置结果及理由。"))
        self.closed_by = actor
        self.closed_at = timezone.now()
        return {"note": self.outcome}
