"""The member life-cycle's state machines, declared in the one workflow mechanism
(``xianfeng.core.workflow``): a member case (报到, 流动, 转接, 失联) and 预备 → 正式.

Each step below is one row of the table: sources, target, who may take it, what it writes.
Cases are opened by the services in ``xianfeng.people.lifecycle`` (the first state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import Input, step
from xianfeng.people.choices import CaseKind, CaseState, MemberCategory, MemberStatus

if TYPE_CHECKING:
    from xianfeng.core.models import User

S = CaseState
NOTE = Input("note", gettext_lazy("说明（可选）"))


def _kind(*kinds: str) -> Any:
    return lambda case: case.kind in kinds


def _branch_side(member_id: int, user: User) -> bool:
    from xianfeng.people.models import PartyMember

    return PartyMember.objects.restrict(user, Action.CHANGE).filter(pk=member_id).exists()


def _org_side(org: Any, user: User) -> bool:
    from xianfeng.people.models import MemberCase

    return org_in_scope(user=user, org=org, model=MemberCase, action=Action.CHANGE)


# --- who may take a step (scope-aware rules: a refusal, or None) ------------------------------


def _rule(refusal: Any, *sides: Callable[[Any, User], bool], own: bool = False) -> Any:
    """A rule: the user may when one of ``sides`` holds (or, with ``own``, the member
    themself); otherwise the refusal."""

    def rule(case: Any, user: User) -> str | None:
        if own and user.person_id and user.person_id == case.member.person_id:
            return None
        if any(side(case, user) for side in sides):
            return None
        return str(refusal)

    return rule


def _member_branch(case: Any, user: User) -> bool:
    return _branch_side(case.member_id, user)


def _other_side(case: Any, user: User) -> bool:
    return _org_side(case.organization, user)


def _sending(case: Any, user: User) -> bool:
    return _org_side(case.from_branch, user)


branch_side = _rule(gettext_lazy("只有该党员所在党组织的管理人员可以办理。"), _member_branch)
community_side = _rule(gettext_lazy("只有报到社区的管理人员可以办理。"), _other_side)
self_branch_or_community = _rule(
    gettext_lazy("只有报到社区或党员所在党组织的管理人员可以办理。"),
    _member_branch,
    _other_side,
    own=True,
)
branch_or_home = _rule(
    gettext_lazy("只有流动党员之家或党员所在党组织的管理人员可以办理。"),
    _member_branch,
    _other_side,
)
sending_side = _rule(gettext_lazy("只有转出党组织的管理人员可以办理。"), _sending)
receiving_side = _rule(gettext_lazy("只有转入党组织的管理人员可以办理。"), _other_side)


def side_in_turn(case: Any, user: User) -> str | None:
    """A transfer is rejected by whichever side holds it now."""
    return sending_side(case, user) if case.state == S.REQUESTED else receiving_side(case, user)


def member_branch_side(member: Any, user: User) -> str | None:
    if _branch_side(member.pk, user):
        return None
    return _("只有该党员所在党组织的管理人员可以办理。")


# --- the member case --------------------------------------------------------------------------


def _lock_member(case: Any) -> Any:
    from xianfeng.people.models import PartyMember

    return PartyMember.objects.select_for_update().get(pk=case.member_id)


def _end(case: Any, note: str) -> None:
    from django.utils import timezone

    case.note = note.strip() or case.note
    case.ended_on = timezone.localdate()


def _open_place(case: Any, member: Any, actor: User) -> None:
    """The accepted 报到 (or 对接) gives the member a service place in the community."""
    from django.utils import timezone

    from xianfeng.people.models import ServicePlace

    place = ServicePlace(
        member=member,
        community=case.organization,
        case=case,
        started_on=timezone.localdate(),
    )
    save_with_history(instance=place, actor=actor, reason=_("社区接收报到，开始在社区服务"))


def end_places(member: Any, actor: User, reason: str, case: Any = None) -> int:
    """End the member's current service place(s) (of one case, or all); answers how many."""
    from django.utils import timezone

    from xianfeng.people.choices import PlaceEnd
    from xianfeng.people.models import ServicePlace

    places = ServicePlace.objects.select_for_update().filter(member=member, ended_on__isnull=True)
    if case is not None:
        places = places.filter(case=case)
    ended = 0
    for place in places:
        place.ended_on = timezone.localdate()
        place.end_reason = reason
        label = _("撤销报到，结束社区服务") if reason == PlaceEnd.REVOKED else _("组织关系转出")
        save_with_history(instance=place, actor=actor, reason=label)
        ended += 1
    return ended


def _required(name: str, value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({name: message})
    return value.strip()


class MemberCaseFlow:
    """Steps of ``MemberCase``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return self.member

    # 在职党员进社区报到
    @step(
        source=S.REGISTERED,
        target=S.ACCEPTED,
        label=gettext_lazy("社区接收"),
        ledger="member.report_accept",
        allowed=community_side,
        conditions=[_kind(CaseKind.REPORT, CaseKind.HANDOVER)],
        inputs=[NOTE],
        done=gettext_lazy("已接收报到。"),
    )
    def report_accept(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.note = note.strip() or self.note
        member = _lock_member(self)
        member.residence_community = self.organization
        save_with_history(instance=member, actor=actor, reason=_("社区接收报到"))
        _open_place(self, member, actor)
        return {"note": note}

    @step(
        source=S.REGISTERED,
        target=S.DECLINED,
        label=gettext_lazy("不接收"),
        ledger="member.report_decline",
        allowed=community_side,
        conditions=[_kind(CaseKind.REPORT, CaseKind.HANDOVER)],
        inputs=[Input("note", gettext_lazy("不接收的原因"), required=True)],
        style="secondary",
        done=gettext_lazy("已不接收报到。"),
    )
    def report_decline(self, *, actor: User, note: str = "") -> dict[str, Any]:
        note = _required("note", note, _("请说明不接收的原因。"))
        self.note = note
        _end(self, note)
        return {"note": note}

    @step(
        source=[S.REGISTERED, S.ACCEPTED],
        target=S.REVOKED,
        label=gettext_lazy("撤销报到"),
        ledger="member.report_revoke",
        allowed=self_branch_or_community,
        conditions=[_kind(CaseKind.REPORT, CaseKind.HANDOVER)],
        style="secondary",
        done=gettext_lazy("已撤销报到。"),
    )
    def report_revoke(self, *, actor: User, note: str = "") -> dict[str, Any]:
        from xianfeng.people.choices import PlaceEnd

        member = _lock_member(self)
        if member.residence_community_id == self.organization_id:
            member.residence_community = None
            save_with_history(instance=member, actor=actor, reason=_("撤销社区报到"))
        end_places(member, actor, PlaceEnd.REVOKED, case=self)
        _end(self, note)
        return {"note": note}

    # 流动党员
    @step(
        source=S.ACTIVE,
        target=S.ENDED,
        label=gettext_lazy("结束流动登记"),
        ledger="member.flow_end",
        allowed=branch_or_home,
        conditions=[_kind(CaseKind.FLOW_OUT, CaseKind.FLOW_IN)],
        style="secondary",
        done=gettext_lazy("已结束流动登记。"),
    )
    def flow_end(self, *, actor: User, note: str = "") -> dict[str, Any]:
        if self.kind == CaseKind.FLOW_OUT:
            member = _lock_member(self)
            if member.status == MemberStatus.MOBILE:
                member.status = MemberStatus.NORMAL
                save_with_history(instance=member, actor=actor, reason=_("流动党员返回"))
        _end(self, note)
        return {"note": note, "organization": self.organization or self.member.branch}

    # 组织关系转接
    @step(
        source=S.REQUESTED,
        target=S.OUT_APPROVED,
        label=gettext_lazy("转出方同意"),
        ledger="member.transfer_approve_out",
        allowed=sending_side,
        conditions=[_kind(CaseKind.TRANSFER)],
        done=gettext_lazy("转出方已同意。"),
    )
    def transfer_approve_out(self, *, actor: User, note: str = "") -> dict[str, Any]:
        return {"organization": self.from_branch, "note": note}

    @step(
        source=S.OUT_APPROVED,
        target=S.COMPLETED,
        label=gettext_lazy("转入方接收"),
        ledger="member.transfer_approve_in",
        allowed=receiving_side,
        conditions=[_kind(CaseKind.TRANSFER)],
        done=gettext_lazy("已接收组织关系。"),
    )
    def transfer_approve_in(self, *, actor: User, note: str = "") -> dict[str, Any]:
        from xianfeng.people.choices import PlaceEnd

        member = _lock_member(self)
        member.branch = self.organization
        save_with_history(instance=member, actor=actor, reason=_("组织关系转入"))
        end_places(member, actor, PlaceEnd.TRANSFERRED)
        _end(self, note)
        return {"note": note}

    @step(
        source=[S.REQUESTED, S.OUT_APPROVED],
        target=S.REJECTED,
        label=gettext_lazy("退回"),
        ledger="member.transfer_reject",
        allowed=side_in_turn,
        conditions=[_kind(CaseKind.TRANSFER)],
        inputs=[Input("note", gettext_lazy("退回原因"), required=True)],
        style="secondary",
        done=gettext_lazy("已退回转接。"),
    )
    def transfer_reject(self, *, actor: User, note: str = "") -> dict[str, Any]:
        note = _required("note", note, _("请说明退回的原因。"))
        organization = self.from_branch if self.state == S.REQUESTED else self.organization
        self.note = note
        _end(self, note)
        return {"note": note, "organization": organization}

    # 失联
    @step(
        source=S.ACTIVE,
        target=None,
        label=gettext_lazy("记录查找"),
        ledger="member.lost_search",
        allowed=branch_side,
        conditions=[_kind(CaseKind.LOST)],
        inputs=[Input("text", gettext_lazy("这次查找联系的情况"), required=True)],
        history=gettext_lazy("记录一次查找联系"),
        done=gettext_lazy("已记录这次查找。"),
    )
    def lost_note(self, *, actor: User, text: str = "") -> dict[str, Any]:
        from xianfeng.people.models import CaseNote

        text = _required("text", text, _("请填写这次查找联系的情况。"))
        self.new_note = CaseNote.objects.create(case=self, text=text, author=actor)
        return {"note": text[:200], "organization": self.member.branch}

    @step(
        source=S.ACTIVE,
        target=S.FOUND,
        label=gettext_lazy("已取得联系"),
        ledger="member.lost_found",
        allowed=branch_side,
        conditions=[_kind(CaseKind.LOST)],
        style="secondary",
        done=gettext_lazy("已标记为取得联系。"),
    )
    def lost_found(self, *, actor: User, note: str = "") -> dict[str, Any]:
        member = _lock_member(self)
        if member.status == MemberStatus.LOST_CONTACT:
            member.status = MemberStatus.NORMAL
            save_with_history(instance=member, actor=actor, reason=_("失联党员已取得联系"))
        _end(self, note)
        return {"note": note, "organization": self.member.branch}


class MemberCategoryFlow:
    """预备 → 正式, on ``PartyMember.category``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return self

    @step(
        field="category",
        source=MemberCategory.PROBATIONARY,
        target=MemberCategory.FULL,
        label=gettext_lazy("转为正式党员"),
        ledger="member.make_full",
        allowed=member_branch_side,
        inputs=[Input("full_member_on", gettext_lazy("转正日期"), required=True, kind="date")],
        history=gettext_lazy("预备党员转为正式党员"),
        done=gettext_lazy("已转为正式党员。"),
    )
    def make_full(self, *, actor: User, full_member_on: Any = None) -> dict[str, Any]:
        from datetime import timedelta

        from django.utils import timezone

        if full_member_on is None:
            raise ValidationError({"full_member_on": _("请填写转正日期。")})
        if full_member_on > timezone.localdate():
            raise ValidationError({"full_member_on": _("转正日期不能晚于今天。")})
        if self.joined_on and full_member_on < self.joined_on + timedelta(days=365):
            raise ValidationError(
                {
                    "full_member_on": _("预备期为一年，转正日期不能早于%(d)s。")
                    % {"d": self.joined_on + timedelta(days=365)}
                }
            )
        self.full_member_on = full_member_on
        return {"organization": self.branch}
