"""The hazard (隐患) state machine, declared in the one workflow mechanism
(``xianfeng.core.workflow``): reported → confirmed → assigned → rectifying → submitted with
before/after evidence → verified by someone other than the submitter (整改督查) → closed (销号);
or returned for more work, dismissed (不予立案), merged into another report of the same hazard;
referred for enforcement (执法检查) and back to rectifying once the outcome is recorded; a
verified hazard is closed by a passing re-inspection of its item, or returned by a failing one
(system steps taken by ``inspection_submit``); overdue ones escalate to the parent
organization (the job's step). Pages, the API's
``actions`` and endpoints, and the overdue job all read these declarations.

Small works (零星工程) and focus days (集中整治日) are declared here too (``WorksFlow``,
``FocusFlow``): works filed → accepted or declined, checked on site while accepted, then
finished; a focus day planned → held, its hazards picked while planned.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import ADMINS, FIELD_ROLES, GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.people.members import member_of
from xianfeng.safety.choices import (
    OVERDUE_FROM,
    FocusState,
    HazardState,
    PhotoStage,
    WorksState,
)

if TYPE_CHECKING:
    from xianfeng.core.models import User

H = HazardState
#: States from which a duplicate may be merged into another report.
MERGEABLE = (H.REPORTED, H.CONFIRMED, H.ASSIGNED, H.RECTIFYING, H.RETURNED)
#: States from which a hazard may be referred for enforcement (执法检查).
REFERABLE = (H.CONFIRMED, H.ASSIGNED, H.RECTIFYING, H.RETURNED)


def _holds(user: User, hazard: Any, kinds: frozenset[str]) -> bool:
    if user.is_superuser:
        return True
    path = hazard.organization.path
    return any(r.kind in kinds and path.startswith(r.path) for r in active_roles(user))


def manager(hazard: Any, user: User) -> str | None:
    """Staff of the hazard's organization or above (secretary, community, street, district)."""
    if _holds(user, hazard, GRID_WRITERS):
        return None
    return _("只有隐患所在组织的书记或管理员可以进行此操作。")


def _is_assignee(hazard: Any, user: User) -> bool:
    member = member_of(user)
    return member is not None and hazard.assignee_id == member.pk


def rectifier(hazard: Any, user: User) -> str | None:
    """The member who sees to the rectification, or the staff who assigned it."""
    if _is_assignee(hazard, user) or manager(hazard, user) is None:
        return None
    return _("只有督促整改的党员或隐患所在组织的管理员可以进行此操作。")


def checker(hazard: Any, user: User) -> str | None:
    """整改督查: a member or staff in scope, never the one who handed in the rectification."""
    if not _holds(user, hazard, FIELD_ROLES):
        return _("只有隐患所在组织的党员或管理员可以核验整改。")
    if hazard.submitted_by_id is not None and hazard.submitted_by_id == user.pk:
        return _("不能核验自己提交的整改，请由其他党员或管理员核验。")
    return None


def _not_escalated(hazard: Any) -> bool:
    return hazard.escalated_to_id is None and hazard.organization.parent_id is not None


def _deadline(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError({"deadline": _("日期格式应为2021-03-05。")}) from None
    if value < timezone.localdate():
        raise ValidationError({"deadline": _("整改时限不能早于今天。")})
    return value


def _member_for(hazard: Any, actor: User, member: Any) -> Any:
    from xianfeng.people.models import PartyMember

    pk = int(member) if str(member or "").isdigit() else None
    found = (
        PartyMember.objects.restrict(actor).select_related("branch", "person").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise ValidationError({"member": _("所选党员不存在或不在您的管辖范围内。")})
    return found


def landlord_violation(hazard: Any, *, actor: User | None) -> None:
    """Seed 000: a party-member landlord's rental found in violation (a hazard confirmed on it)
    starts the 不合格党员 procedure. Written to the ledger as ``landlord.violation`` against the
    landlord and their branch; scoring opens the case from the ledger, never from safety."""
    from xianfeng.core.workflow import write_ledger
    from xianfeng.people.models import PartyMember
    from xianfeng.places.choices import BuildingKind

    building = hazard.building
    if building.kind != BuildingKind.RENTAL or not building.landlord_id:
        return
    landlord = (
        PartyMember.objects.filter(person_id=building.landlord_id, branch__isnull=False)
        .select_related("branch")
        .order_by("pk")
        .first()
    )
    if landlord is None:
        return
    write_ledger(
        hazard,
        "landlord.violation",
        actor=actor,
        member=landlord,
        organization=landlord.branch,
        note=_("出租屋“%(building)s”经检查立案隐患：%(title)s")
        % {"building": building, "title": hazard.title},
        location=str(building),
    )


class HazardFlow:
    """Steps of ``Hazard``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return self.assignee

    @step(
        source=H.REPORTED,
        target=H.CONFIRMED,
        label=gettext_lazy("确认立案"),
        ledger="hazard.confirm",
        allowed=manager,
        inputs=[Input("deadline", gettext_lazy("整改时限（默认按隐患等级）"), kind="date")],
        done=gettext_lazy("已确认立案。"),
    )
    def confirm(self, *, actor: User, deadline: Any = None) -> dict[str, Any]:
        chosen = _deadline(deadline)
        if chosen is not None:
            self.deadline = chosen
        landlord_violation(self, actor=actor)
        return {"member": None, "note": self.title}

    @step(
        source=H.REPORTED,
        target=H.DISMISSED,
        label=gettext_lazy("不予立案"),
        ledger="hazard.dismiss",
        allowed=manager,
        inputs=[Input("reason", gettext_lazy("不予立案的理由"), required=True)],
        style="secondary",
        done=gettext_lazy("已不予立案。"),
    )
    def dismiss(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("请写明不予立案的理由。")})
        self.return_reason = reason.strip()[:200]
        return {"member": None, "note": self.return_reason, "history": self.return_reason}

    @step(
        source=[H.CONFIRMED, H.ASSIGNED, H.RECTIFYING],
        target=H.ASSIGNED,
        label=gettext_lazy("交办"),
        ledger="hazard.assign",
        allowed=manager,
        inputs=[Input("member", gettext_lazy("督促整改的党员"), required=True, kind="member")],
        style="secondary",
        done=gettext_lazy("已交办。"),
    )
    def assign(self, *, actor: User, member: Any = None) -> dict[str, Any]:
        found = _member_for(self, actor, member)
        self.assignee = found
        return {"member": found, "note": self.title}

    @step(
        source=H.ASSIGNED,
        target=H.RECTIFYING,
        label=gettext_lazy("开始整改"),
        ledger="hazard.start",
        allowed=rectifier,
        done=gettext_lazy("已开始整改，请督促责任方按整治标准整改。"),
    )
    def start(self, *, actor: User) -> dict[str, Any]:
        return {"note": self.title}

    @step(
        source=[H.RECTIFYING, H.RETURNED],
        target=H.SUBMITTED,
        label=gettext_lazy("提交整改"),
        ledger="hazard.submit",
        allowed=rectifier,
        inputs=[Input("rectification", gettext_lazy("整改情况"), required=True, kind="textarea")],
        done=gettext_lazy("整改已提交，等待其他党员或管理员核验。"),
    )
    def submit(
        self,
        *,
        actor: User,
        rectification: str = "",
        photos: Any = (),
        before_photos: Any = (),
    ) -> dict[str, Any]:
        from xianfeng.safety.services import store_hazard_photos
        from xianfeng.work.photos import clean_photos

        errors: dict[str, list[str]] = {}
        if not (rectification or "").strip():
            errors["rectification"] = [_("请填写整改情况。")]
        photos, before_photos = list(photos or ()), list(before_photos or ())
        if not photos:
            errors["photos"] = [_("请上传整改后的照片作为证据。")]
        has_before = self.photos.filter(stage=PhotoStage.BEFORE).exists()
        if not before_photos and not has_before:
            errors["before_photos"] = [_("请上传整改前的照片（发现隐患时没有拍照的，请补传）。")]
        if errors:
            raise ValidationError(errors)
        after, after_kinds = clean_photos(photos, "photos")
        before, before_kinds = clean_photos(before_photos, "before_photos")
        store_hazard_photos(
            actor=actor, hazard=self, uploads=before, kinds=before_kinds, stage=PhotoStage.BEFORE
        )
        store_hazard_photos(
            actor=actor, hazard=self, uploads=after, kinds=after_kinds, stage=PhotoStage.AFTER
        )
        self.rectification = rectification.strip()
        self.submitted_by = actor
        self.submitted_at = timezone.now()
        self.return_reason = ""
        return {"note": self.rectification}

    @step(
        source=H.SUBMITTED,
        target=H.VERIFIED,
        label=gettext_lazy("核验通过"),
        ledger="hazard.verify",
        allowed=checker,
        inputs=[Input("note", gettext_lazy("核验意见（可选）"))],
        done=gettext_lazy("整改已核验通过。"),
    )
    def verify(self, *, actor: User, note: str = "") -> dict[str, Any]:
        from xianfeng.safety.services import last_ledger

        self.verified_by = actor
        self.verified_at = timezone.now()
        return {
            "member": member_of(actor),
            "note": note or self.title,
            "verified": True,
            "verifies": last_ledger(self, "hazard.submit"),
            "history": note or _("核验通过"),
        }

    @step(
        name="return",
        source=H.SUBMITTED,
        target=H.RETURNED,
        label=gettext_lazy("退回整改"),
        ledger="hazard.return",
        allowed=checker,
        inputs=[Input("reason", gettext_lazy("退回原因"), required=True)],
        style="secondary",
        done=gettext_lazy("已退回整改。"),
    )
    def return_(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("退回时请写明原因。")})
        self.return_reason = reason.strip()[:200]
        return {
            "member": member_of(actor),
            "note": self.return_reason,
            "history": _("退回：%(r)s") % {"r": self.return_reason[:80]},
        }

    @step(
        source=H.VERIFIED,
        target=H.CLOSED,
        label=gettext_lazy("销号"),
        ledger="hazard.close",
        allowed=manager,
        done=gettext_lazy("隐患已销号。"),
    )
    def close(self, *, actor: User) -> dict[str, Any]:
        self.closed_at = timezone.now()
        return {"note": self.title, "verified": True}

    @step(
        source=MERGEABLE,
        target=H.MERGED,
        label=gettext_lazy("合并重复"),
        ledger="hazard.merge",
        allowed=manager,
        inputs=[Input("into", gettext_lazy("并入的隐患编号"), required=True)],
        style="secondary",
        done=gettext_lazy("已合并到另一条隐患。"),
    )
    def merge(self, *, actor: User, into: Any = "") -> dict[str, Any]:
        from xianfeng.safety.choices import OPEN_STATES

        raw = str(into or "").strip().lstrip("#")
        target = None
        if raw.isdigit() and int(raw) != self.pk:
            target = (
                type(self)
                .objects.restrict(actor)
                .filter(pk=int(raw), building_id=self.building_id, state__in=OPEN_STATES)
                .first()
            )
        if target is None:
            raise ValidationError(
                {"into": _("请填写同一楼栋另一条未销号隐患的编号（不能是它自己）。")}
            )
        self.merged_into = target
        return {
            "note": _("并入隐患 #%(n)d") % {"n": target.pk},
            "history": _("并入隐患 #%(n)d") % {"n": target.pk},
        }

    @step(
        source=OVERDUE_FROM,
        target=None,
        label=gettext_lazy("逾期升级"),
        ledger="hazard.escalate",
        system=True,
        conditions=[_not_escalated],
        history=gettext_lazy("超过整改时限，升级到上级党组织督办"),
    )
    def escalate(self, *, actor: None) -> dict[str, Any]:
        self.escalated_to = self.organization.parent
        self.escalated_at = timezone.now()
        return {"member": None, "organization": self.escalated_to, "note": str(self.deadline)}

    @step(
        source=REFERABLE,
        target=H.REFERRED,
        label=gettext_lazy("移交执法检查"),
        ledger="hazard.refer",
        allowed=manager,
        inputs=[
            Input("agency", gettext_lazy("移交的执法部门"), required=True),
            Input("reason", gettext_lazy("移交原因")),
        ],
        style="secondary",
        done=gettext_lazy("已移交执法检查，请在执法部门反馈后登记结果。"),
    )
    def refer(self, *, actor: User, agency: str = "", reason: str = "") -> dict[str, Any]:
        agency = (agency or "").strip()
        if not agency:
            raise ValidationError(
                {"agency": _("请填写移交的执法部门（如消防救援大队、应急管理局）。")}
            )
        self.enforcement_agency = agency[:100]
        self.referred_at = timezone.now()
        self.enforcement_outcome = ""
        self.enforced_at = None
        note = _("移交%(a)s") % {"a": self.enforcement_agency}
        if (reason or "").strip():
            note = f"{note}：{reason.strip()[:200]}"
        return {"member": None, "note": note, "history": note}

    @step(
        source=H.REFERRED,
        target=H.RECTIFYING,
        label=gettext_lazy("登记执法结果"),
        ledger="hazard.enforce",
        allowed=manager,
        inputs=[
            Input(
                "outcome",
                gettext_lazy("执法检查结果（如责令限期整改、罚款）"),
                required=True,
                kind="textarea",
            )
        ],
        done=gettext_lazy("执法结果已登记，隐患回到整改中，整改后提交核验。"),
    )
    def enforce(self, *, actor: User, outcome: str = "") -> dict[str, Any]:
        outcome = (outcome or "").strip()
        if not outcome:
            raise ValidationError({"outcome": _("请填写执法检查的结果。")})
        self.enforcement_outcome = outcome
        self.enforced_at = timezone.now()
        note = _("执法结果：%(o)s") % {"o": outcome[:80]}
        return {"member": None, "note": outcome, "history": note}

    @step(
        source=H.VERIFIED,
        target=H.CLOSED,
        label=gettext_lazy("复查合格销号"),
        ledger="hazard.recheck",
        system=True,
        history=gettext_lazy("复查合格，整改效果保持，销号"),
    )
    def recheck(self, *, actor: None, inspection: Any = None) -> dict[str, Any]:
        self.closed_at = timezone.now()
        return {
            "member": getattr(inspection, "inspector", None),
            "note": _("复查检查 #%(n)s 合格") % {"n": getattr(inspection, "pk", "")},
            "verified": True,
        }

    @step(
        source=H.VERIFIED,
        target=H.RETURNED,
        label=gettext_lazy("复查不合格"),
        ledger="hazard.reopen",
        system=True,
        history=gettext_lazy("复查不合格，重新整改"),
    )
    def reopen(self, *, actor: None, inspection: Any = None) -> dict[str, Any]:
        self.return_reason = _("复查检查 #%(n)s 发现仍不合格") % {
            "n": getattr(inspection, "pk", "")
        }
        self.verified_by = None
        self.verified_at = None
        return {"member": getattr(inspection, "inspector", None), "note": self.return_reason}


# --- small works (零星工程) --------------------------------------------------------------------

W = WorksState


def works_manager(works: Any, user: User) -> str | None:
    """Staff of the community (or the works' grid) and above accept, decline and finish."""
    if _holds(user, works, GRID_WRITERS):
        return None
    return _("只有工程所在社区或网格的书记、管理员可以受理零星工程报备。")


def works_checker(works: Any, user: User) -> str | None:
    """A member or staff in scope checks the site while the works go on."""
    if _holds(user, works, FIELD_ROLES) and (
        member_of(user) is not None or _holds(user, works, GRID_WRITERS)
    ):
        return None
    return _("只有工程所在组织的党员或管理员可以登记施工检查。")


class WorksFlow:
    """Steps of ``SmallWork``; mixed into the model."""

    duty_member = None

    @step(
        source=W.FILED,
        target=W.ACCEPTED,
        label=gettext_lazy("受理"),
        ledger="works.accept",
        allowed=works_manager,
        inputs=[
            Input("building", gettext_lazy("楼栋编码（可选，用于施工检查和发现隐患）")),
            Input("note", gettext_lazy("受理意见（如施工时间、注意事项）")),
        ],
        done=gettext_lazy("已受理，施工期间请安排检查。"),
    )
    def accept(self, *, actor: User, building: Any = "", note: str = "") -> dict[str, Any]:
        from xianfeng.safety.services import works_building

        found = works_building(actor=actor, works=self, code=building)
        if found is not None:
            self.building = found
            self.organization = found.organization
        self.decision_note = (note or "").strip()[:200]
        self.decided_by = actor
        self.decided_at = timezone.now()
        return {"member": member_of(actor), "note": self.decision_note or str(self)}

    @step(
        source=W.FILED,
        target=W.DECLINED,
        label=gettext_lazy("不予受理"),
        ledger="works.decline",
        allowed=works_manager,
        inputs=[Input("reason", gettext_lazy("不予受理的理由（会告知报备人）"), required=True)],
        style="secondary",
        done=gettext_lazy("已不予受理。"),
    )
    def decline(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("请写明不予受理的理由。")})
        self.decision_note = reason[:200]
        self.decided_by = actor
        self.decided_at = timezone.now()
        return {"member": member_of(actor), "note": self.decision_note}

    @step(
        source=W.ACCEPTED,
        target=None,
        label=gettext_lazy("登记施工检查"),
        ledger="works.inspect",
        allowed=works_checker,
        inputs=[
            Input("finding", gettext_lazy("检查情况"), required=True, kind="textarea"),
            Input("problem", gettext_lazy("发现安全问题，需立案整改"), kind="bool"),
        ],
        style="secondary",
        done=gettext_lazy("施工检查已登记。"),
    )
    def inspect(self, *, actor: User, finding: str = "", problem: bool = False) -> dict[str, Any]:
        from xianfeng.safety.services import works_hazard

        finding = (finding or "").strip()
        if not finding:
            raise ValidationError({"finding": _("请写明施工现场的检查情况。")})
        if problem and self.building_id is None:
            raise ValidationError(
                {"problem": _("这项工程还没有关联楼栋，不能立案隐患；请先联系社区补充楼栋。")}
            )
        self.checks += 1
        note = finding[:200]
        if problem:
            hazard = works_hazard(actor=actor, works=self, finding=finding)
            note = _("%(f)s（已立案隐患 #%(n)d）") % {"f": finding[:160], "n": hazard.pk}
        return {"member": member_of(actor), "note": note, "history": note}

    @step(
        source=W.ACCEPTED,
        target=W.FINISHED,
        label=gettext_lazy("完工销项"),
        ledger="works.finish",
        allowed=works_manager,
        inputs=[Input("note", gettext_lazy("完工情况（可选）"))],
        done=gettext_lazy("已登记完工。"),
    )
    def finish(self, *, actor: User, note: str = "") -> dict[str, Any]:
        self.finished_at = timezone.now()
        return {"member": member_of(actor), "note": (note or "").strip()[:200] or str(self)}


# --- focus days (集中整治日) ------------------------------------------------------------------


def street_leader(day: Any, user: User) -> str | None:
    """The street's leadership (its admins) or the district's."""
    if _holds(user, day, ADMINS):
        return None
    return _("只有街道党工委或区委组织部的管理员可以安排和登记集中整治日。")


class FocusFlow:
    """Steps of ``FocusDay``; mixed into the model."""

    duty_member = None

    @step(
        source=FocusState.PLANNED,
        target=None,
        label=gettext_lazy("选定整治的隐患"),
        ledger="focus.pick",
        allowed=street_leader,
        style="secondary",
        done=gettext_lazy("已选定整治的隐患。"),
    )
    def pick(self, *, actor: User, hazards: Any = ()) -> dict[str, Any]:
        from xianfeng.safety.services import focus_pick

        chosen = focus_pick(actor=actor, day=self, hazards=hazards)
        return {
            "note": _("选定%(n)d处隐患") % {"n": len(chosen)},
            "history": _("选定隐患：%(ids)s") % {"ids": "、".join(f"#{h.pk}" for h in chosen)},
        }

    @step(
        source=FocusState.PLANNED,
        target=FocusState.HELD,
        label=gettext_lazy("登记整治情况"),
        ledger="focus.record",
        allowed=street_leader,
        inputs=[Input("summary", gettext_lazy("整治情况"), required=True, kind="textarea")],
        done=gettext_lazy("整治日情况已登记。"),
    )
    def record(
        self,
        *,
        actor: User,
        summary: str = "",
        attendees: Any = (),
        resolved: Any = (),
        others: str = "",
    ) -> dict[str, Any]:
        from xianfeng.safety.services import focus_record

        count = focus_record(
            actor=actor, day=self, summary=summary, attendees=attendees, resolved=resolved
        )
        self.others = (others or "").strip()[:200]
        return {
            "note": _("%(a)d名党员参加，解决%(r)d处隐患") % count,
            "verified": True,
        }
