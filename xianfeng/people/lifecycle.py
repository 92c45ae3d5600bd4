"""Member life-cycle: the services that open a case in its first state
(``member_<matter>_<verb>``), and one-line entries for the steps that follow, which are
declared in ``xianfeng.people.workflows`` and taken through ``xianfeng.core.workflow.take``.

Opening a case is keyword-only and atomic, locks the member row, checks the actor's role on
the side that acts, keeps history and writes the duty ledger, like every step after it.

* 在职党员进社区报到: register (the member, or their branch) → the residence community accepts
  or declines; register or accepted → revoke.
* 流动党员: 流出 (destination, contact, the 流动党员之家 that receives them, how many fellow
  townsmen they pair with) → end; 流入 (a mobile member received by a 流动党员之家) → end.
* 组织关系转接: the branch requests → the sending side approves → the receiving side approves
  (the member moves); either side may reject.
* 失联: mark with a reason code → notes of each search for contact → found.
* 预备 → 正式: with the date, not before a year of probation.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import take, write_ledger
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import (
    HANDOVER_KINDS,
    REPORTING_KINDS,
    CaseKind,
    CaseState,
    LostReason,
    MemberKind,
    MemberStatus,
)
from xianfeng.people.models import CaseNote, MemberCase, PartyMember

if TYPE_CHECKING:
    from xianfeng.core.models import User

BRANCH_KINDS = {
    OrgKind.GRID_BRANCH,
    OrgKind.BUILDING_GROUP,
    OrgKind.COMMUNITY,
    OrgKind.AGENCY,
    OrgKind.NON_PUBLIC,
    OrgKind.SOCIAL,
    OrgKind.MOBILE,
    OrgKind.MOBILE_HOME,
}


def _lock_member(member: PartyMember) -> PartyMember:
    return (
        PartyMember.objects.select_for_update().select_related("branch", "person").get(pk=member.pk)
    )


def _require_branch_side(actor: User, member: PartyMember) -> None:
    if not PartyMember.objects.restrict(actor, Action.CHANGE).filter(pk=member.pk).exists():
        raise PermissionDenied(_("只有该党员所在党组织的管理人员可以办理。"))


def _require_org_side(actor: User, org: Organization | None, what: str) -> None:
    if not org_in_scope(user=actor, org=org, model=MemberCase, action=Action.CHANGE):
        raise PermissionDenied(_("只有%(what)s的管理人员可以办理。") % {"what": what})


def _save_case(case: MemberCase, actor: User, reason: str, kind: str) -> MemberCase:
    """A new case in its first state: saved with history, and the step on the ledger."""
    save_with_history(instance=case, actor=actor, reason=reason)
    sided = ("member.report_register", "member.handover_register")
    organization = case.organization if kind in sided else None
    write_ledger(case, kind, actor=actor, organization=organization or case.member.branch)
    return case


def _save_member(member: PartyMember, actor: User, reason: str) -> None:
    save_with_history(instance=member, actor=actor, reason=reason)


def _refuse_second(
    member: PartyMember, kind: str | tuple[str, ...], states: tuple[str, ...], message: str
) -> None:
    """One open case of a kind (or of several kinds together) per member."""
    kinds = (kind,) if isinstance(kind, str) else kind
    if MemberCase.objects.filter(member=member, kind__in=kinds, state__in=states).exists():
        raise ValidationError(message)


def _new_case(
    *, actor: User, member: PartyMember, kind: str, state: str, history: str, ledger: str, **fields
) -> MemberCase:
    """Open a case in its first state (saved with history, on the ledger)."""
    fields.setdefault("started_on", timezone.localdate())
    case = MemberCase(member=member, kind=kind, state=state, created_by=actor, **fields)
    return _save_case(case, actor, history, ledger)


# --- 在职党员进社区报到 ------------------------------------------------------------------------


@transaction.atomic
def member_report_register(
    *, actor: User, member: PartyMember, community: Organization | None, note: str = ""
) -> MemberCase:
    member = _lock_member(member)
    if actor.person_id != member.person_id:
        _require_branch_side(actor, member)
    _check_community(community)
    if member.kind not in REPORTING_KINDS:
        raise ValidationError(_("只有在职党员需要进社区报到。"))
    _refuse_second_place(member)
    return _new_case(
        actor=actor,
        member=member,
        kind=CaseKind.REPORT,
        state=CaseState.REGISTERED,
        history=_("在职党员进社区报到"),
        ledger="member.report_register",
        organization=community,
        note=note,
    )


def is_unit_liaison_of(actor: User, member: PartyMember) -> bool:
    """The liaison of the work unit (驻区单位) whose branches hold the member."""
    from xianfeng.core.choices import RoleKind
    from xianfeng.core.scope import active_roles

    return any(
        r.kind == RoleKind.UNIT_LIAISON and member.branch.path.startswith(r.path)
        for r in active_roles(actor)
    )


def _check_community(community: Organization | None) -> None:
    if community is None:
        raise ValidationError({"community": _("请选择要报到的居住地社区。")})
    if community.kind != OrgKind.COMMUNITY:
        raise ValidationError(
            {
                "community": _("“%(name)s”不是社区党组织，只能向居住地社区报到。")
                % {"name": community.name}
            }
        )


def _refuse_second_place(member: PartyMember) -> None:
    """One open 报到 or 对接 (registered or accepted) per member."""
    _refuse_second(
        member,
        (CaseKind.REPORT, CaseKind.HANDOVER),
        (CaseState.REGISTERED, CaseState.ACCEPTED),
        _("该党员已在社区报到，请先撤销原报到。"),
    )


@transaction.atomic
def member_handover_register(
    *, actor: User, member: PartyMember, community: Organization | None, note: str = ""
) -> MemberCase:
    """对接: the work unit (the member's branch) hands a retired or laid-off member over to
    their residence community; the community accepts or declines as a 报到."""
    member = _lock_member(member)
    if not is_unit_liaison_of(actor, member):
        _require_branch_side(actor, member)
    _check_community(community)
    if member.kind not in HANDOVER_KINDS:
        raise ValidationError(_("只有离退休党员和下岗失业党员由单位对接到居住地社区。"))
    _refuse_second_place(member)
    return _new_case(
        actor=actor,
        member=member,
        kind=CaseKind.HANDOVER,
        state=CaseState.REGISTERED,
        history=_("离退休、下岗党员对接社区"),
        ledger="member.handover_register",
        organization=community,
        note=note,
    )


# --- 流动党员 -------------------------------------------------------------------------------


def _mobile_home(home: Organization | None, required: bool) -> Organization | None:
    if home is None:
        if required:
            raise ValidationError({"home": _("请选择接收的流动党员之家。")})
        return None
    if home.kind not in (OrgKind.MOBILE_HOME, OrgKind.MOBILE):
        raise ValidationError({"home": _("接收组织应为流动党员之家或流动党员党组织。")})
    return home


@transaction.atomic
def member_flow_out(
    *,
    actor: User,
    member: PartyMember,
    destination: str,
    contact: str,
    home: Organization | None = None,
    fellows: int | None = None,
    started_on: date | None = None,
) -> MemberCase:
    member = _lock_member(member)
    _require_branch_side(actor, member)
    errors = {}
    if not destination.strip():
        errors["destination"] = _("请填写流向地。")
    if not contact.strip():
        errors["contact"] = _("请填写流出期间的联系人及联系方式。")
    if errors:
        raise ValidationError(errors)
    _mobile_home(home, required=False)
    _refuse_second(
        member,
        CaseKind.FLOW_OUT,
        (CaseState.ACTIVE,),
        _("该党员已登记为流出，请先结束原流出登记。"),
    )
    member.status = MemberStatus.MOBILE
    member.current_place = destination
    _save_member(member, actor, _("流动党员流出"))
    return _new_case(
        actor=actor,
        member=member,
        kind=CaseKind.FLOW_OUT,
        state=CaseState.ACTIVE,
        history=_("流动党员流出"),
        ledger="member.flow_out",
        organization=home,
        destination=destination,
        contact=contact,
        fellows=fellows,
        started_on=started_on or timezone.localdate(),
    )


@transaction.atomic
def member_flow_in(
    *,
    actor: User,
    member: PartyMember,
    home: Organization | None,
    origin: str,
    contact: str,
    fellows: int | None = None,
    started_on: date | None = None,
) -> MemberCase:
    member = _lock_member(member)
    home = _mobile_home(home, required=True)
    _require_org_side(actor, home, _("接收的流动党员之家"))
    if not origin.strip():
        raise ValidationError({"origin": _("请填写流出地（户籍地）。")})
    _refuse_second(
        member,
        CaseKind.FLOW_IN,
        (CaseState.ACTIVE,),
        _("该党员已登记流入，请先结束原流入登记。"),
    )
    member.kind = MemberKind.MOBILE
    member.origin = origin
    _save_member(member, actor, _("流动党员流入"))
    return _new_case(
        actor=actor,
        member=member,
        kind=CaseKind.FLOW_IN,
        state=CaseState.ACTIVE,
        history=_("流动党员流入"),
        ledger="member.flow_in",
        organization=home,
        destination=origin,
        contact=contact,
        fellows=fellows,
        started_on=started_on or timezone.localdate(),
    )


# --- 组织关系转接 ----------------------------------------------------------------------------


def branch_by_code(code: str) -> Organization:
    """The receiving branch of a transfer may lie outside the requester's scope, so it is
    named by its code; a code that names no branch is refused."""
    org = Organization.objects.filter(code=(code or "").strip()).first()
    if org is None or org.kind not in BRANCH_KINDS:
        raise ValidationError(
            {"to_branch": _("转入党组织“%(code)s”不存在，请核对组织代码。") % {"code": code}}
        )
    return org


def community_by_code(code: str) -> Organization:
    """The residence community of an in-service member usually lies outside their branch's
    scope, so it is named by its code."""
    org = Organization.objects.filter(code=(code or "").strip(), kind=OrgKind.COMMUNITY).first()
    if org is None:
        raise ValidationError(
            {"community": _("社区“%(code)s”不存在，请核对社区的组织代码。") % {"code": code}}
        )
    return org


@transaction.atomic
def member_transfer_request(
    *, actor: User, member: PartyMember, to_branch: Organization, note: str = ""
) -> MemberCase:
    member = _lock_member(member)
    _require_branch_side(actor, member)
    if to_branch.pk == member.branch_id:
        raise ValidationError({"to_branch": _("转入党组织与现所在党组织相同。")})
    if to_branch.kind not in BRANCH_KINDS:
        raise ValidationError({"to_branch": _("转入的组织不是党组织。")})
    _refuse_second(
        member,
        CaseKind.TRANSFER,
        (CaseState.REQUESTED, CaseState.OUT_APPROVED),
        _("该党员已有一项正在办理的组织关系转接。"),
    )
    return _new_case(
        actor=actor,
        member=member,
        kind=CaseKind.TRANSFER,
        state=CaseState.REQUESTED,
        history=_("申请组织关系转接"),
        ledger="member.transfer_request",
        organization=to_branch,
        from_branch=member.branch,
        note=note,
    )


# --- 失联 ------------------------------------------------------------------------------------


@transaction.atomic
def member_lost_mark(
    *, actor: User, member: PartyMember, reason: str, note: str = ""
) -> MemberCase:
    member = _lock_member(member)
    _require_branch_side(actor, member)
    if reason not in LostReason.values:
        raise ValidationError({"reason": _("请选择失联原因。")})
    if reason == LostReason.OTHER and not note.strip():
        raise ValidationError({"note": _("失联原因为“其他”时请说明具体情况。")})
    _refuse_second(member, CaseKind.LOST, (CaseState.ACTIVE,), _("该党员已登记为失联。"))
    member.status = MemberStatus.LOST_CONTACT
    _save_member(member, actor, _("登记失联"))
    return _new_case(
        actor=actor,
        member=member,
        kind=CaseKind.LOST,
        state=CaseState.ACTIVE,
        history=_("登记失联"),
        ledger="member.lost_mark",
        organization=member.branch,
        reason=reason,
        note=note,
    )


# --- 预备 → 正式 -----------------------------------------------------------------------------


# --- the steps of an open case (declared in xianfeng.people.workflows) ----------------------


def member_report_accept(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    return take(case, "report_accept", actor=actor, note=note)


def member_report_decline(*, actor: User, case: MemberCase, note: str) -> MemberCase:
    return take(case, "report_decline", actor=actor, note=note)


def member_report_revoke(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    return take(case, "report_revoke", actor=actor, note=note)


def member_flow_end(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    return take(case, "flow_end", actor=actor, note=note)


def member_transfer_approve_out(*, actor: User, case: MemberCase) -> MemberCase:
    return take(case, "transfer_approve_out", actor=actor)


def member_transfer_approve_in(*, actor: User, case: MemberCase) -> MemberCase:
    return take(case, "transfer_approve_in", actor=actor)


def member_transfer_reject(*, actor: User, case: MemberCase, note: str) -> MemberCase:
    return take(case, "transfer_reject", actor=actor, note=note)


def member_lost_note(*, actor: User, case: MemberCase, text: str) -> CaseNote:
    return take(case, "lost_note", actor=actor, text=text).new_note


def member_lost_found(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    return take(case, "lost_found", actor=actor, note=note)


def member_make_full(
    *, actor: User, member: PartyMember, full_member_on: date | None
) -> PartyMember:
    return take(member, "make_full", actor=actor, full_member_on=full_member_on)
