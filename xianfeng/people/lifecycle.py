"""Member life-cycle workflows, one service per transition (``member_<matter>_<verb>``).

Each is keyword-only and atomic, locks the rows it changes (``select_for_update``), checks the
actor's role on the side that acts, keeps history (the member's and the case's), and writes
the duty ledger where the step is an act of duty.

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

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.services import duty_record, org_in_scope, save_with_history
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import (
    CaseKind,
    CaseState,
    LostReason,
    MemberCategory,
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


def _lock_case(case: MemberCase, kind: str) -> MemberCase:
    case = MemberCase.objects.select_for_update().select_related("member__branch").get(pk=case.pk)
    if case.kind != kind:
        raise ValidationError(_("这个事项不是“%(kind)s”。") % {"kind": CaseKind(kind).label})
    return case


def _require_branch_side(actor: User, member: PartyMember) -> None:
    if not PartyMember.objects.restrict(actor, Action.CHANGE).filter(pk=member.pk).exists():
        raise PermissionDenied(_("只有该党员所在党组织的管理人员可以办理。"))


def _require_org_side(actor: User, org: Organization | None, what: str) -> None:
    if not org_in_scope(user=actor, org=org, model=MemberCase, action=Action.CHANGE):
        raise PermissionDenied(_("只有%(what)s的管理人员可以办理。") % {"what": what})


def _require_state(case: MemberCase, *states: str) -> None:
    if case.state not in states:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能进行这一步。") % {"state": case.get_state_display()}
        )


def _save_case(case: MemberCase, actor: User, reason: str) -> MemberCase:
    save_with_history(instance=case, actor=actor, reason=reason)
    return case


def _save_member(member: PartyMember, actor: User, reason: str) -> None:
    save_with_history(instance=member, actor=actor, reason=reason)


def _open_case(member: PartyMember, kind: str, *states: str) -> MemberCase | None:
    return MemberCase.objects.filter(member=member, kind=kind, state__in=states).first()


# --- 在职党员进社区报到 ------------------------------------------------------------------------


@transaction.atomic
def member_report_register(
    *, actor: User, member: PartyMember, community: Organization | None, note: str = ""
) -> MemberCase:
    member = _lock_member(member)
    if actor.person_id != member.person_id:
        _require_branch_side(actor, member)
    if community is None or community.kind != OrgKind.COMMUNITY:
        raise ValidationError({"community": _("请选择要报到的居住地社区。")})
    if member.kind != MemberKind.IN_SERVICE:
        raise ValidationError(_("只有在职党员需要进社区报到。"))
    if _open_case(member, CaseKind.REPORT, CaseState.REGISTERED, CaseState.ACCEPTED):
        raise ValidationError(_("该党员已在社区报到，请先撤销原报到。"))
    case = MemberCase(
        member=member,
        kind=CaseKind.REPORT,
        state=CaseState.REGISTERED,
        organization=community,
        note=note,
        started_on=timezone.localdate(),
        created_by=actor,
    )
    return _save_case(case, actor, _("在职党员进社区报到"))


@transaction.atomic
def member_report_accept(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    case = _lock_case(case, CaseKind.REPORT)
    _require_org_side(actor, case.organization, _("报到社区"))
    _require_state(case, CaseState.REGISTERED)
    case.state = CaseState.ACCEPTED
    case.note = note or case.note
    member = _lock_member(case.member)
    member.residence_community = case.organization
    _save_member(member, actor, _("社区接收报到"))
    duty_record(
        actor=actor,
        action="member_report_accept",
        organization=case.organization,
        target=case,
        member=member,
        note=note,
    )
    return _save_case(case, actor, _("社区接收报到"))


@transaction.atomic
def member_report_decline(*, actor: User, case: MemberCase, note: str) -> MemberCase:
    case = _lock_case(case, CaseKind.REPORT)
    _require_org_side(actor, case.organization, _("报到社区"))
    _require_state(case, CaseState.REGISTERED)
    if not note.strip():
        raise ValidationError({"note": _("请说明不接收的原因。")})
    case.state = CaseState.DECLINED
    case.note = note
    case.ended_on = timezone.localdate()
    return _save_case(case, actor, _("社区未接收报到"))


@transaction.atomic
def member_report_revoke(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    case = _lock_case(case, CaseKind.REPORT)
    if actor.person_id != case.member.person_id:
        try:
            _require_branch_side(actor, case.member)
        except PermissionDenied:
            _require_org_side(actor, case.organization, _("报到社区或党员所在党组织"))
    _require_state(case, CaseState.REGISTERED, CaseState.ACCEPTED)
    member = _lock_member(case.member)
    if member.residence_community_id == case.organization_id:
        member.residence_community = None
        _save_member(member, actor, _("撤销社区报到"))
    case.state = CaseState.REVOKED
    case.note = note or case.note
    case.ended_on = timezone.localdate()
    return _save_case(case, actor, _("撤销社区报到"))


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
    if _open_case(member, CaseKind.FLOW_OUT, CaseState.ACTIVE):
        raise ValidationError(_("该党员已登记为流出，请先结束原流出登记。"))
    member.status = MemberStatus.MOBILE
    member.current_place = destination
    _save_member(member, actor, _("流动党员流出"))
    case = MemberCase(
        member=member,
        kind=CaseKind.FLOW_OUT,
        state=CaseState.ACTIVE,
        organization=home,
        destination=destination,
        contact=contact,
        fellows=fellows,
        started_on=started_on or timezone.localdate(),
        created_by=actor,
    )
    return _save_case(case, actor, _("流动党员流出"))


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
    if _open_case(member, CaseKind.FLOW_IN, CaseState.ACTIVE):
        raise ValidationError(_("该党员已登记流入，请先结束原流入登记。"))
    member.kind = MemberKind.MOBILE
    member.origin = origin
    _save_member(member, actor, _("流动党员流入"))
    case = MemberCase(
        member=member,
        kind=CaseKind.FLOW_IN,
        state=CaseState.ACTIVE,
        organization=home,
        destination=origin,
        contact=contact,
        fellows=fellows,
        started_on=started_on or timezone.localdate(),
        created_by=actor,
    )
    duty_record(
        actor=actor, action="member_flow_in", organization=home, target=member, member=member
    )
    return _save_case(case, actor, _("流动党员流入"))


@transaction.atomic
def member_flow_end(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    case = MemberCase.objects.select_for_update().select_related("member").get(pk=case.pk)
    if case.kind not in (CaseKind.FLOW_OUT, CaseKind.FLOW_IN):
        raise ValidationError(_("这个事项不是流动党员登记。"))
    try:
        _require_branch_side(actor, case.member)
    except PermissionDenied:
        _require_org_side(actor, case.organization, _("流动党员之家或党员所在党组织"))
    _require_state(case, CaseState.ACTIVE)
    if case.kind == CaseKind.FLOW_OUT:
        member = _lock_member(case.member)
        if member.status == MemberStatus.MOBILE:
            member.status = MemberStatus.NORMAL
            _save_member(member, actor, _("流动党员返回"))
    case.state = CaseState.ENDED
    case.note = note or case.note
    case.ended_on = timezone.localdate()
    return _save_case(case, actor, _("结束流动登记"))


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
    if _open_case(member, CaseKind.TRANSFER, CaseState.REQUESTED, CaseState.OUT_APPROVED):
        raise ValidationError(_("该党员已有一项正在办理的组织关系转接。"))
    case = MemberCase(
        member=member,
        kind=CaseKind.TRANSFER,
        state=CaseState.REQUESTED,
        organization=to_branch,
        from_branch=member.branch,
        note=note,
        started_on=timezone.localdate(),
        created_by=actor,
    )
    return _save_case(case, actor, _("申请组织关系转接"))


@transaction.atomic
def member_transfer_approve_out(*, actor: User, case: MemberCase) -> MemberCase:
    case = _lock_case(case, CaseKind.TRANSFER)
    _require_org_side(actor, case.from_branch, _("转出党组织"))
    _require_state(case, CaseState.REQUESTED)
    case.state = CaseState.OUT_APPROVED
    duty_record(
        actor=actor,
        action="member_transfer_approve_out",
        organization=case.from_branch,
        target=case,
        member=case.member,
    )
    return _save_case(case, actor, _("转出方同意组织关系转接"))


@transaction.atomic
def member_transfer_approve_in(*, actor: User, case: MemberCase) -> MemberCase:
    case = _lock_case(case, CaseKind.TRANSFER)
    _require_org_side(actor, case.organization, _("转入党组织"))
    _require_state(case, CaseState.OUT_APPROVED)
    member = _lock_member(case.member)
    member.branch = case.organization
    _save_member(member, actor, _("组织关系转入"))
    case.state = CaseState.COMPLETED
    case.ended_on = timezone.localdate()
    duty_record(
        actor=actor,
        action="member_transfer_approve_in",
        organization=case.organization,
        target=case,
        member=member,
    )
    return _save_case(case, actor, _("转入方接收组织关系"))


@transaction.atomic
def member_transfer_reject(*, actor: User, case: MemberCase, note: str) -> MemberCase:
    case = _lock_case(case, CaseKind.TRANSFER)
    if case.state == CaseState.REQUESTED:
        _require_org_side(actor, case.from_branch, _("转出党组织"))
    else:
        _require_state(case, CaseState.OUT_APPROVED)
        _require_org_side(actor, case.organization, _("转入党组织"))
    if not note.strip():
        raise ValidationError({"note": _("请说明退回的原因。")})
    case.state = CaseState.REJECTED
    case.note = note
    case.ended_on = timezone.localdate()
    return _save_case(case, actor, _("退回组织关系转接"))


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
    if _open_case(member, CaseKind.LOST, CaseState.ACTIVE):
        raise ValidationError(_("该党员已登记为失联。"))
    member.status = MemberStatus.LOST_CONTACT
    _save_member(member, actor, _("登记失联"))
    case = MemberCase(
        member=member,
        kind=CaseKind.LOST,
        state=CaseState.ACTIVE,
        organization=member.branch,
        reason=reason,
        note=note,
        started_on=timezone.localdate(),
        created_by=actor,
    )
    return _save_case(case, actor, _("登记失联"))


@transaction.atomic
def member_lost_note(*, actor: User, case: MemberCase, text: str) -> CaseNote:
    case = _lock_case(case, CaseKind.LOST)
    _require_branch_side(actor, case.member)
    _require_state(case, CaseState.ACTIVE)
    if not text.strip():
        raise ValidationError({"text": _("请填写这次查找联系的情况。")})
    note = CaseNote.objects.create(case=case, text=text.strip(), author=actor)
    duty_record(
        actor=actor,
        action="member_lost_search",
        organization=case.member.branch,
        target=case,
        member=case.member,
        note=text.strip()[:200],
    )
    return note


@transaction.atomic
def member_lost_found(*, actor: User, case: MemberCase, note: str = "") -> MemberCase:
    case = _lock_case(case, CaseKind.LOST)
    _require_branch_side(actor, case.member)
    _require_state(case, CaseState.ACTIVE)
    member = _lock_member(case.member)
    if member.status == MemberStatus.LOST_CONTACT:
        member.status = MemberStatus.NORMAL
        _save_member(member, actor, _("失联党员已取得联系"))
    case.state = CaseState.FOUND
    case.note = note or case.note
    case.ended_on = timezone.localdate()
    return _save_case(case, actor, _("失联党员已取得联系"))


# --- 预备 → 正式 -----------------------------------------------------------------------------


@transaction.atomic
def member_make_full(
    *, actor: User, member: PartyMember, full_member_on: date | None
) -> PartyMember:
    member = _lock_member(member)
    _require_branch_side(actor, member)
    if member.category != MemberCategory.PROBATIONARY:
        raise ValidationError(_("该党员不是预备党员。"))
    if full_member_on is None:
        raise ValidationError({"full_member_on": _("请填写转正日期。")})
    if full_member_on > timezone.localdate():
        raise ValidationError({"full_member_on": _("转正日期不能晚于今天。")})
    if member.joined_on and full_member_on < member.joined_on + timedelta(days=365):
        raise ValidationError(
            {
                "full_member_on": _("预备期为一年，转正日期不能早于%(d)s。")
                % {"d": member.joined_on + timedelta(days=365)}
            }
        )
    member.category = MemberCategory.FULL
    member.full_member_on = full_member_on
    _save_member(member, actor, _("预备党员转为正式党员"))
    duty_record(
        actor=actor,
        action="member_make_full",
        organization=member.branch,
        target=member,
        member=member,
    )
    return member
