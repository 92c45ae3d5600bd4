"""The order (群众点单) state machine, declared in the one workflow mechanism
(``xianfeng.core.workflow``): new (待派单) → dispatched to a member (社区下单) → accepted (党员接单)
→ done with a note or photo → rated by the resident (from the signed link or the short code).
A member who declines, or the community recalling it, or a member who leaves, puts the order
back in the queue (new) — never lost. Orders past their time limit are reminded, then
escalated to the parent organization (system steps taken by the periodic job).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import Input, step
from xianfeng.people.members import member_of
from xianfeng.services.choices import OPEN_STATES, ComplaintState, OrderState

if TYPE_CHECKING:
    from xianfeng.core.models import User

S = OrderState
ASSIGNED = (S.DISPATCHED, S.ACCEPTED)
MAX_REASON = 200
MAX_NOTE = 1000


def manager(order: Any, user: User) -> str | None:
    """Staff of the order's community (secretary or admin there or above): they dispatch."""
    if user.is_superuser:
        return None
    path = order.organization.path
    if any(r.kind in GRID_WRITERS and path.startswith(r.path) for r in active_roles(user)):
        return None
    return _("只有点单所在社区的书记或管理员可以进行此操作。")


def _is_assignee(order: Any, user: User) -> bool:
    member = member_of(user)
    return member is not None and order.assignee_id is not None and order.assignee_id == member.pk


def assignee(order: Any, user: User) -> str | None:
    """The member the order was dispatched to (党员接单)."""
    if _is_assignee(order, user):
        return None
    return _("只有接到派单的党员可以进行此操作。")


def server(order: Any, user: User) -> str | None:
    """The member who serves it, or the staff who dispatched it (recording it for them)."""
    if _is_assignee(order, user) or manager(order, user) is None:
        return None
    return _("只有接单党员或社区管理员可以进行此操作。")


def _reason(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > MAX_REASON:
        raise ValidationError({field: _("请不超过%(n)d个字。") % {"n": MAX_REASON}})
    return text


def _not_reminded(order: Any) -> bool:
    return order.reminded_at is None


def _reminded_not_escalated(order: Any) -> bool:
    return (
        order.reminded_at is not None
        and order.escalated_to_id is None
        and order.organization.parent_id is not None
    )


def _member_for(order: Any, actor: User, member: Any) -> Any:
    """The member an order is dispatched to: one the dispatch form's picker offers, in the
    actor's scope and acting in the order's community (its own members and those serving
    there after 报到 or 对接; ``people.selectors.member_choices`` under the community)."""
    from xianfeng.people.models import PartyMember

    pk = int(member) if str(member or "").strip().isdigit() else None
    found = (
        PartyMember.objects.restrict(actor, serving=True)
        .acting_under(order.community)
        .select_related("branch", "person")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise ValidationError(
            {"member": _("所选党员不存在、不在您的管辖范围内，或不在这个社区服务。")}
        )
    return found


def _team_for(order: Any, actor: User, team: Any) -> Any:
    """A team of the order's community (community.Team) that the actor sees, in service."""
    from xianfeng.community.models import Team

    pk = int(team) if str(team or "").strip().isdigit() else None
    found = (
        Team.objects.restrict(actor)
        .filter(pk=pk, is_active=True, organization__path__startswith=order.community.path)
        .first()
        if pk
        else None
    )
    if found is None:
        raise ValidationError({"team": _("所选队伍不存在、已撤销或不属于这个社区。")})
    return found


def _leader_of(team: Any) -> Any:
    """The team's leader (队长) receives the order for the team; else its first member."""
    from xianfeng.community.choices import TeamRole

    membership = (
        team.memberships.filter(left_on__isnull=True)
        .select_related("member__person", "member__branch")
        .order_by(
            # the leader first
            models.Case(models.When(role=TeamRole.LEADER, then=0), default=1),
            "id",
        )
        .first()
    )
    if membership is None:
        raise ValidationError({"team": _("这支队伍现在没有在队的队员，不能派单。")})
    return membership.member


def _teams_in_community(order: Any, user: User) -> Any:
    """The active teams of the order's community the user's member leads (队长) now: the
    leader claims an order for the team (and alone sees the community's waiting orders)."""
    from xianfeng.community.models import Team
    from xianfeng.services.models import member_team_ids

    return Team.objects.filter(
        pk__in=member_team_ids(user, leading=True),
        is_active=True,
        organization__path__startswith=order.community.path,
    )


def team_member(order: Any, user: User) -> str | None:
    """The leader (队长) of one of the order's community's teams (安全巡查队, 志愿服务队 …):
    they claim the order for their team."""
    if _teams_in_community(order, user).exists():
        return None
    return _("只有本社区队伍的队长可以以队伍名义接单。")


def _claiming_team(order: Any, actor: User, team: Any) -> Any:
    """The team named (or, when the member is on one team only, that team): one the actor is
    on. A team of the community that the actor is not on is refused (403)."""
    from django.core.exceptions import PermissionDenied

    from xianfeng.community.models import Team

    mine = _teams_in_community(order, actor)
    if team in (None, ""):
        only = list(mine[:2])
        if len(only) == 1:
            return only[0]
        raise ValidationError({"team": _("请选择以哪支队伍的名义接单。")})
    pk = int(team) if str(team).strip().isdigit() else None
    chosen = mine.filter(pk=pk).first() if pk else None
    if chosen is not None:
        return chosen
    if (
        pk
        and Team.objects.filter(
            pk=pk, is_active=True, organization__path__startswith=order.community.path
        ).exists()
    ):
        raise PermissionDenied(_("只有该队队长可以以队伍名义接单。"))
    raise ValidationError({"team": _("所选队伍不存在、已撤销或不属于这个社区。")})


def participant_ids(ids: Any) -> list[str]:
    """The ids named as taking part, in order and once each: a list (a form's repeated field, a
    JSON array) whose items may each be a comma-separated string too (``"12,15"``, the API's
    older form, or with a full-width comma), or one such string."""
    items = ids if isinstance(ids, list | tuple) else [ids] if ids not in (None, "") else []
    parts = (part.strip() for item in items for part in str(item).replace("，", ",").split(","))
    return list(dict.fromkeys(part for part in parts if part))


def _participants(order: Any, server: Any, ids: Any) -> list[Any]:
    """The team's members who took part in serving a team's order (the one who serves always
    counts): current members of the order's team only, named by id."""
    wanted = participant_ids(ids)
    if not wanted:
        return []
    if order.team_id is None:
        raise ValidationError({"participants": _("只有队伍接的点单可以登记参加的队员。")})
    malformed = [i for i in wanted if not i.isdigit() or len(i) > 18]
    if malformed:
        raise ValidationError(
            {
                "participants": _("参加办理的队员应填党员编号（数字），以下不是：%(ids)s")
                % {"ids": "、".join(malformed)}
            }
        )
    from xianfeng.people.models import PartyMember

    numbers = [int(i) for i in wanted]
    found = {
        m.pk: m
        for m in PartyMember.objects.filter(
            pk__in=numbers,
            team_memberships__team_id=order.team_id,
            team_memberships__left_on__isnull=True,
        ).select_related("person", "branch")
    }
    missing = [i for i in wanted if int(i) not in found]
    if missing:
        raise ValidationError(
            {"participants": _("以下编号的党员不是该队队员：%(ids)s") % {"ids": "、".join(missing)}}
        )
    return [m for pk, m in found.items() if server is None or pk != server.pk]


class OrderFlow:
    """Steps of ``Order``; mixed into the model."""

    @property
    def duty_member(self) -> Any:
        return self.assignee

    @step(
        source=S.NEW,
        target=S.DISPATCHED,
        label=gettext_lazy("派单"),
        ledger="order.dispatched",
        allowed=manager,
        inputs=[
            Input("member", gettext_lazy("接单党员"), kind="member"),
            Input("team", gettext_lazy("或派给队伍（由队长接单）"), kind="member"),
        ],
        done=gettext_lazy("已派单，等待党员接单。"),
    )
    def dispatch(self, *, actor: User, member: Any = None, team: Any = None) -> dict[str, Any]:
        if team not in (None, "") and member not in (None, ""):
            raise ValidationError({"team": _("请在党员和队伍中选一个。")})
        if team in (None, "") and member in (None, ""):
            raise ValidationError({"member": _("请选择接单党员或队伍。")})
        chosen = _team_for(self, actor, team) if team not in (None, "") else None
        found = _leader_of(chosen) if chosen is not None else _member_for(self, actor, member)
        self.assignee = found
        self.team = chosen
        self.dispatched_by = actor
        self.dispatched_at = timezone.now()
        note = f"{chosen.name}：{self.summary}" if chosen is not None else self.summary
        return {"member": found, "note": note}

    @step(
        source=S.NEW,
        target=S.ACCEPTED,
        label=gettext_lazy("以队伍名义接单"),
        ledger="order.team_claimed",
        allowed=team_member,
        inputs=[Input("team", gettext_lazy("接单队伍"), kind="member")],
        done=gettext_lazy("已以队伍名义接单，请按时限办理。"),
        conflict=lambda order: _("这张点单已经有人接了，不能再以队伍名义接单。"),
    )
    def claim_for_team(self, *, actor: User, team: Any = None) -> dict[str, Any]:
        chosen = _claiming_team(self, actor, team)
        member = member_of(actor)
        self.assignee = member
        self.team = chosen
        self.accepted_at = timezone.now()
        return {"member": member, "note": f"{chosen.name}：{self.summary}"}

    @step(
        source=S.DISPATCHED,
        target=S.ACCEPTED,
        label=gettext_lazy("接单"),
        ledger="order.accepted",
        allowed=assignee,
        done=gettext_lazy("已接单，请按时限办理。"),
    )
    def accept(self, *, actor: User) -> dict[str, Any]:
        self.accepted_at = timezone.now()
        return {"note": self.summary}

    @step(
        source=ASSIGNED,
        target=S.NEW,
        label=gettext_lazy("退单"),
        ledger="order.declined",
        allowed=assignee,
        inputs=[Input("reason", gettext_lazy("退单理由"), required=True)],
        style="secondary",
        done=gettext_lazy("已退单，点单回到社区待派。"),
    )
    def decline(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        text = _reason(reason, "reason", _("请写明退单理由。"))
        member = self.assignee
        self.decline_reason = text
        self.assignee = None
        self.team = None
        self.accepted_at = None
        return {"member": member, "note": text, "history": _("退单：%(r)s") % {"r": text[:80]}}

    @step(
        source=ASSIGNED,
        target=S.NEW,
        label=gettext_lazy("收回重派"),
        ledger="order.recalled",
        allowed=manager,
        inputs=[Input("reason", gettext_lazy("收回理由"), required=True)],
        style="secondary",
        done=gettext_lazy("已收回，点单回到待派。"),
    )
    def recall(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        text = _reason(reason, "reason", _("请写明收回理由。"))
        member = self.assignee
        self.decline_reason = text
        self.assignee = None
        self.team = None
        self.accepted_at = None
        return {"member": member, "note": text, "history": _("收回：%(r)s") % {"r": text[:80]}}

    @step(
        source=S.ACCEPTED,
        target=S.DONE,
        label=gettext_lazy("办结"),
        ledger="order.served",
        allowed=server,
        inputs=[
            Input("note", gettext_lazy("办理情况"), kind="textarea"),
            Input("hours", gettext_lazy("服务时长（小时，计入8小时外）")),
        ],
        done=gettext_lazy("已办结，等待群众评价。"),
    )
    def serve(
        self,
        *,
        actor: User,
        note: str = "",
        photo: Any = None,
        hours: Any = None,
        participants: Any = None,
    ) -> dict[str, Any]:
        text = str(note or "").strip()
        if not text and not photo:
            raise ValidationError({"note": _("请填写办理情况或上传一张照片。")})
        if len(text) > MAX_NOTE:
            raise ValidationError({"note": _("请不超过%(n)d个字。") % {"n": MAX_NOTE}})
        # a team's order: the other members of the team who took part (the ledger and their
        # hours), read before anything is written
        others = _participants(self, self.assignee, participants)
        if hours not in (None, ""):
            # the members' hours after work, in the same transaction as the step
            from xianfeng.services.services import order_hours_record

            for member in [self.assignee, *others]:
                order_hours_record(actor=actor, order=self, hours=hours, member=member)
        if others:
            from xianfeng.core.services import duty_record

            label = _("%(team)s：%(what)s") % {"team": self.team.name, "what": self.summary}
            for member in others:
                duty_record(
                    actor=actor,
                    action="order.served",
                    organization=self.organization,
                    target=self,
                    member=member,
                    note=label,
                )
        if photo:
            from xianfeng.work.photos import clean_photo

            cleaned, _kind = clean_photo(photo, "photo")
            self.done_photo.save(cleaned.name, cleaned, save=False)
        self.done_note = text
        self.done_at = timezone.now()
        return {"note": text or _("（照片）")}

    @step(
        source=S.NEW,
        target=S.REJECTED,
        label=gettext_lazy("不予受理"),
        ledger="order.rejected",
        allowed=manager,
        inputs=[Input("reason", gettext_lazy("不予受理的理由（将告知群众）"), required=True)],
        style="secondary",
        done=gettext_lazy("已不予受理。"),
    )
    def reject(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        text = _reason(reason, "reason", _("请写明不予受理的理由。"))
        self.decline_reason = text
        return {"member": None, "note": text, "history": text}

    @step(
        source=S.DONE,
        target=S.RATED,
        label=gettext_lazy("群众评价"),
        ledger="order.rated",
        system=True,
        conflict=lambda order: (
            _("这张点单已经评价过了，不能重复评价。")
            if order.state == S.RATED
            else _("这张点单还没有办结，办结后才能评价。")
        ),
    )
    def rate(self, *, actor: None, rating: Any = None, comment: str = "") -> dict[str, Any]:
        try:
            value = int(rating)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise ValidationError({"rating": _("请选择1到5星的评价。")})
        text = str(comment or "").strip()
        if len(text) > MAX_REASON:
            raise ValidationError({"comment": _("请不超过%(n)d个字。") % {"n": MAX_REASON}})
        self.rating = value
        self.rating_comment = text
        self.rated_at = timezone.now()
        return {"note": _("%(n)d星") % {"n": value}, "verified": True}

    @step(
        source=OPEN_STATES,
        target=None,
        label=gettext_lazy("超时提醒"),
        ledger="order.reminded",
        system=True,
        conditions=[_not_reminded],
        history=gettext_lazy("超过办理时限，提醒社区和接单党员"),
    )
    def remind(self, *, actor: None) -> dict[str, Any]:
        self.reminded_at = timezone.now()
        return {"note": str(self.deadline)}

    @step(
        source=OPEN_STATES,
        target=None,
        label=gettext_lazy("超时升级"),
        ledger="order.escalated",
        system=True,
        conditions=[_reminded_not_escalated],
        history=gettext_lazy("提醒后仍未办结，升级到上级党组织督办"),
    )
    def escalate(self, *, actor: None) -> dict[str, Any]:
        self.escalated_to = self.organization.parent
        self.escalated_at = timezone.now()
        return {"member": None, "organization": self.escalated_to, "note": str(self.deadline)}

    @step(
        source=ASSIGNED,
        target=S.NEW,
        label=gettext_lazy("退回待派"),
        ledger="order.released",
        system=True,
        history=gettext_lazy("接单党员已不在岗（转出、失联或已故），点单退回待派"),
    )
    def release(self, *, actor: None) -> dict[str, Any]:
        member = self.assignee
        self.decline_reason = str(_("接单党员已不在岗"))
        self.assignee = None
        self.team = None
        self.accepted_at = None
        return {"member": member, "note": self.decline_reason}


# --- complaints (群众投诉) ----------------------------------------------------------------------

C = ComplaintState
MAX_FINDING = 1000


def verifier(complaint: Any, user: User) -> str | None:
    """Staff of the complaint's organization (secretary or admin there or above), never a
    member the complaint names: nobody verifies a complaint about themselves."""
    if manager(complaint, user) is not None:
        return _("只有投诉所在社区的书记或管理员可以核实投诉。")
    member = member_of(user)
    if member is not None and complaint.members.filter(pk=member.pk).exists():
        return _("被投诉的党员不能核实对自己的投诉。")
    return None


def _finding(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > MAX_FINDING:
        raise ValidationError({field: _("请不超过%(n)d个字。") % {"n": MAX_FINDING}})
    return text


class ComplaintFlow:
    """Steps of ``Complaint``; mixed into the model: 待核实 → 属实 (with the finding) or
    不属实 (with the reason), once."""

    @step(
        source=C.PENDING,
        target=C.CONFIRMED,
        label=gettext_lazy("核实属实"),
        ledger="complaint.confirmed",
        allowed=verifier,
        inputs=[Input("finding", gettext_lazy("核实情况（将告知投诉人）"), True, "textarea")],
        done=gettext_lazy("已核实属实，已记入被投诉党员的履职记录。"),
        conflict=lambda c: (
            _("这条投诉已经核实过了（%(s)s），不能重复核实。") % {"s": c.get_state_display()}
        ),
    )
    def confirm(self, *, actor: User, finding: str = "") -> dict[str, Any]:
        text = _finding(finding, "finding", _("请写明核实情况。"))
        self.finding = text
        self.verified_by = actor
        self.verified_at = timezone.now()
        # One record per member concerned: the step writes the first, the rest are written
        # here in the same transaction (the point rules deduct from each).
        members = list(self.members.order_by("pk"))
        if len(members) > 1:
            from xianfeng.core.services import duty_record

            for member in members[1:]:
                duty_record(
                    actor=actor,
                    action="complaint.confirmed",
                    organization=self.organization,
                    target=self,
                    member=member,
                    note=text[:500],
                    verified=True,
                )
        return {
            "member": members[0] if members else None,
            "note": text,
            "verified": True,
            "history": _("核实属实：%(t)s") % {"t": text[:80]},
        }

    @step(
        source=C.PENDING,
        target=C.DISMISSED,
        label=gettext_lazy("核实不属实"),
        ledger="complaint.dismissed",
        allowed=verifier,
        inputs=[Input("reason", gettext_lazy("不属实的理由（将告知投诉人）"), True, "textarea")],
        style="secondary",
        done=gettext_lazy("已核实不属实。"),
        conflict=lambda c: (
            _("这条投诉已经核实过了（%(s)s），不能重复核实。") % {"s": c.get_state_display()}
        ),
    )
    def dismiss(self, *, actor: User, reason: str = "") -> dict[str, Any]:
        text = _finding(reason, "reason", _("请写明不属实的理由。"))
        self.finding = text
        self.verified_by = actor
        self.verified_at = timezone.now()
        return {
            "member": None,
            "note": text,
            "history": _("核实不属实：%(t)s") % {"t": text[:80]},
        }
