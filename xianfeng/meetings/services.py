"""Writes of organizational life: plan a meeting (with its invitees, and for a joint meeting
its member units and the rotating convener), sign in (本人 on a phone, or 书记代签), minutes
before publication, decisions and photos. The meeting's own steps (hold, publish, revise,
cancel) are declared in ``xianfeng.meetings.workflows`` and taken with ``workflow.take``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.meetings.choices import HELD_STATES, ItemKind, MeetingKind, MeetingState, SignIn
from xianfeng.meetings.models import (
    ActivityItem,
    Attendee,
    Decision,
    Meeting,
    MeetingPhoto,
    MeetingRule,
    PublicityEvent,
    PublicityPhoto,
)
from xianfeng.meetings.workflows import holds_role_over, organizer
from xianfeng.orgs.models import Organization
from xianfeng.people.members import field_member
from xianfeng.people.models import PartyMember
from xianfeng.work.photos import clean_photos

if TYPE_CHECKING:
    from xianfeng.core.models import User

#: A member signs in on their phone from this long before the start until the day ends.
EARLY_SIGN_IN = timedelta(hours=2)
#: The most invitees one form sends (a community's 二级支部书记例会 has a few dozen).
MAX_INVITEES = 500


def next_convener(organization: Organization, units: Sequence[Organization]) -> Organization | None:
    """轮值召集: the unit after the one that convened the organization's last planned joint
    meeting (units in the order of their ids), the first one if none has yet. "Last planned",
    not "latest on the calendar": a meeting planned now for an earlier date than one already
    planned would otherwise take the same turn again."""
    ordered = sorted(units, key=lambda u: u.pk)
    if not ordered:
        return None
    last = (
        Meeting.objects.filter(organization=organization, kind=MeetingKind.JOINT)
        .exclude(state=MeetingState.CANCELLED)
        .exclude(convener=None)
        .order_by("-id")
        .values_list("convener_id", flat=True)
        .first()
    )
    ids = [u.pk for u in ordered]
    if last not in ids:
        return ordered[0]
    return ordered[(ids.index(last) + 1) % len(ordered)]


def unit_choices(actor: User, organization: Organization | None = None) -> list[Organization]:
    """Who may sit on a joint meeting as a member unit: the partners of pairings (结对共建,
    部门包居, 十个一) the actor sees, of ``organization`` when given."""
    from django.db.models import Q

    from xianfeng.orgs.models import Pairing

    pairings = Pairing.objects.restrict(actor)
    if organization is not None:
        pairings = pairings.filter(Q(org_a=organization) | Q(org_b=organization))
    ids: set[int] = set()
    for a, b in pairings.values_list("org_a_id", "org_b_id")[:1000]:
        if organization is None:
            ids.update((a, b))
        else:
            ids.add(b if a == organization.pk else a)
    return list(Organization.objects.filter(pk__in=ids).order_by("kind", "name")[:300])


def _members_in(actor: User, pks: Sequence[int]) -> list[PartyMember]:
    wanted = list(dict.fromkeys(int(p) for p in pks))
    if len(wanted) > MAX_INVITEES:
        raise ValidationError({"invitees": _("一次最多邀请%(n)d名党员。") % {"n": MAX_INVITEES}})
    found = {m.pk: m for m in PartyMember.objects.restrict(actor).filter(pk__in=wanted)}
    missing = [str(p) for p in wanted if p not in found]
    if missing:
        raise ValidationError(
            {
                "invitees": _("以下编号的党员不存在或不在您的管辖范围内：%(ids)s")
                % {"ids": "、".join(missing)}
            }
        )
    return [found[p] for p in wanted]


@transaction.atomic
def meeting_plan(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    topic: str,
    starts_at: datetime,
    place: str,
    agenda: str = "",
    invitees: Sequence[int] = (),
    units: Sequence[Organization] = (),
    convener: Organization | None = None,
) -> Meeting:
    """计划一次会议 of the organization, inviting members (ids in the actor's scope). A joint
    meeting names its member units; without a convener the rotation picks the next one."""
    if not org_in_scope(user=actor, org=organization, model=Meeting, action=Action.ADD):
        raise ValidationError({"organization": _("您无权以该组织名义召开会议。")})
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("请选择会议类型。")})
    units = list(units)
    if kind == MeetingKind.JOINT:
        if not units:
            raise ValidationError({"units": _("党建联席会议请选择至少一个成员单位。")})
        allowed = {u.pk for u in unit_choices(actor, organization)}
        strangers = [u.display_name for u in units if u.pk not in allowed]
        if strangers:
            raise ValidationError(
                {
                    "units": _("成员单位须与召开组织结对共建：%(names)s 不是。")
                    % {"names": "、".join(strangers)}
                }
            )
        if convener is None:
            convener = next_convener(organization, units)
        elif convener.pk not in {u.pk for u in units}:
            raise ValidationError({"convener": _("轮值召集单位必须是成员单位之一。")})
    elif units or convener is not None:
        raise ValidationError({"units": _("只有党建联席会议有成员单位和轮值召集单位。")})
    members = _members_in(actor, invitees)
    meeting = Meeting(
        organization=organization,
        kind=kind,
        topic=(topic or "").strip(),
        agenda=(agenda or "").strip(),
        starts_at=starts_at,
        place=(place or "").strip(),
        convener=convener,
        created_by=actor,
    )
    save_with_history(instance=meeting, actor=actor, reason=_("计划召开"))
    if units:
        meeting.units.set(units)
    Attendee.objects.bulk_create(
        [Attendee(meeting=meeting, member=m, invited=True) for m in members]
    )
    write_ledger(meeting, "meeting.plan", actor=actor, member=None, note=meeting.topic)
    return meeting


def sign_in_closed(meeting: Meeting, now: datetime) -> str | None:
    """Why a member cannot sign in to the meeting now (too early, past its day, its state),
    or None: the page shows the reason instead of a button that would be refused."""
    try:
        _signable(meeting, now)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def _signable(meeting: Meeting, now: datetime) -> None:
    if meeting.state not in (MeetingState.PLANNED, MeetingState.HELD):
        raise ValidationError(
            _("会议%(state)s，不能再签到。") % {"state": meeting.get_state_display()},
            code="invalid_state",
        )
    local = timezone.localtime(meeting.starts_at)
    if now < meeting.starts_at - EARLY_SIGN_IN:
        raise ValidationError(
            _("会议%(t)s开始，开始前两小时内才能签到。") % {"t": f"{local:%m-%d %H:%M}"},
            code="invalid_state",
        )
    if timezone.localtime(now).date() > local.date():
        raise ValidationError(
            _("签到只在会议当天开放；会后补签请由书记代签。"), code="invalid_state"
        )


def _in_reach(meeting: Meeting, member: PartyMember) -> bool:
    """May sign in uninvited (列席): a member of the hosting organization's subtree, or of a
    member unit's, of a joint meeting."""
    branch_path = member.branch.path
    if branch_path.startswith(meeting.organization.path):
        return True
    return any(branch_path.startswith(u.path) for u in meeting.units.all())


@transaction.atomic
def attendance_sign_in(
    *, actor: User, meeting: Meeting, reason: str = "", now: datetime | None = None
) -> Attendee:
    """本人签到 on a phone. Invited: signed in. Not invited: 列席 with a reason, if the member
    belongs to the hosting organization (or a member unit); refused otherwise. A second sign-in
    is refused with the time of the first, nothing changed."""
    member = field_member(actor)
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _signable(meeting, now)
    row = Attendee.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is not None and row.signed_in_at is not None:
        raise ValidationError(
            _("您已于%(t)s签到，无需重复签到。")
            % {"t": f"{timezone.localtime(row.signed_in_at):%H:%M}"},
            code="unique",
        )
    if row is None:
        if not _in_reach(meeting, member):
            raise PermissionDenied(
                _("您不在本次会议的邀请名单中，也不属于召开会议的组织，不能签到。")
            )
        why = (reason or "").strip()
        if not why:
            raise ValidationError(
                {"reason": _("您不在邀请名单中。列席请写明理由（例如：代表本支部列席）。")}
            )
        row = Attendee(meeting=meeting, member=member, invited=False, reason=why[:200])
    row.signed_in_at = now
    row.method = SignIn.SELF
    row.signed_by = actor
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(_("您已签到，无需重复签到。"), code="unique") from None
    write_ledger(
        meeting,
        "meeting.attend",
        actor=actor,
        member=member,
        organization=member.branch,
        note=meeting.topic if row.invited else _("列席：%(r)s") % {"r": row.reason},
    )
    return row


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, member: PartyMember, note: str = ""
) -> Attendee:
    """书记代签: the organizer marks a member present (on the day or afterwards, until the
    minutes are published). An uninvited member is added as 列席 with the note as reason."""
    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state not in (MeetingState.PLANNED, MeetingState.HELD):
        raise ValidationError(
            _("会议%(state)s，不能再登记签到。") % {"state": meeting.get_state_display()},
            code="invalid_state",
        )
    if not PartyMember.objects.restrict(actor).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("所选党员不存在或不在您的管辖范围内。")})
    row = Attendee.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is not None and row.signed_in_at is not None:
        raise ValidationError(
            {
                "member": ValidationError(
                    _("%(name)s已签到，无需重复登记。") % {"name": member.person.name},
                    code="unique",
                )
            }
        )
    if row is None:
        row = Attendee(meeting=meeting, member=member, invited=False)
        why = (note or "").strip()
        if not why:
            raise ValidationError({"note": _("该党员不在邀请名单中，代签列席请写明理由。")})
        row.reason = why[:200]
    elif note:
        row.reason = note.strip()[:200]
    row.signed_in_at = timezone.now()
    row.method = SignIn.SECRETARY
    row.signed_by = actor
    row.save()
    write_ledger(
        meeting,
        "meeting.attend",
        actor=actor,
        member=member,
        organization=member.branch,
        note=meeting.topic,
        verified=True,
    )
    return row


@transaction.atomic
def minutes_save(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    """The minutes while the meeting is held and not yet published (after publication they
    change only through the ``revise`` step, which marks them)."""
    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == MeetingState.PUBLISHED:
        raise ValidationError(_("纪要已公开，修改请用“修订纪要”并写明原因。"), code="invalid_state")
    if meeting.state != MeetingState.HELD:
        raise ValidationError(_("会议召开后才能填写纪要。"), code="invalid_state")
    meeting.minutes = (minutes or "").strip()
    save_with_history(instance=meeting, actor=actor, reason=_("填写纪要"))
    return meeting


@transaction.atomic
def decision_add(*, actor: User, meeting: Meeting, text: str, responsible: str = "") -> Decision:
    """一事一议: a decision of a held meeting, before its minutes are published."""
    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != MeetingState.HELD:
        raise ValidationError(_("决议在会议召开后、纪要公开前登记。"), code="invalid_state")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写决议事项。")})
    order = (meeting.decisions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    decision = Decision(
        meeting=meeting, order=order, text=text[:300], responsible=(responsible or "").strip()
    )
    save_with_history(instance=decision, actor=actor, reason=_("登记决议"))
    return decision


@transaction.atomic
def photos_add(*, actor: User, meeting: Meeting, uploads: Sequence[Any]) -> list[MeetingPhoto]:
    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if meeting.state not in HELD_STATES:
        raise ValidationError(_("会议召开后才能上传照片。"), code="invalid_state")
    if not uploads:
        raise ValidationError({"photos": _("请选择照片。")})
    files, kinds = clean_photos(list(uploads), "photos")
    return [
        MeetingPhoto.objects.create(
            meeting=meeting,
            image=f,
            content_type=k,
            size=f.size or 0,
            uploaded_by=actor,
        )
        for f, k in zip(files, kinds, strict=True)
    ]


# --- meeting rules (会议制度) ---------------------------------------------------------------


def may_set_rules(actor: User) -> bool:
    """The district (区委组织部) sets the meeting rules; a superuser too."""
    from xianfeng.core.choices import RoleKind
    from xianfeng.core.scope import active_roles

    return actor.is_superuser or any(r.kind == RoleKind.DISTRICT_ADMIN for r in active_roles(actor))


RULE_FIELDS = ("org_kind", "meeting_kind", "period", "times", "is_active", "basis")


@transaction.atomic
def rule_save(*, actor: User, rule: MeetingRule | None = None, **fields: Any) -> MeetingRule:
    """Add a rule or change one (kept in its history); one rule per organization kind and
    meeting kind."""
    from xianfeng.meetings.choices import Period

    if not may_set_rules(actor):
        raise PermissionDenied(_("只有区委组织部可以设置会议制度。"))
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("该字段不能在此修改。")})
    rule = rule or MeetingRule()
    for name, value in fields.items():
        setattr(rule, name, value)
    if rule.period not in Period.values:
        raise ValidationError({"period": _("请选择周期。")})
    if not rule.times or rule.times < 1:
        raise ValidationError({"times": _("每周期至少召开1次。")})
    clash = MeetingRule.objects.filter(org_kind=rule.org_kind, meeting_kind=rule.meeting_kind)
    if rule.pk:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError(
            {
                "meeting_kind": ValidationError(
                    _("该组织类型已有这类会议的制度，请修改原有的一条。"), code="unique"
                )
            }
        )
    save_with_history(instance=rule, actor=actor, reason=_("设置会议制度"))
    return rule


# --- fixed activity days (党员固定活动日) ------------------------------------------------------


@transaction.atomic
def activity_item_add(
    *, actor: User, meeting: Meeting, kind: str, title: str, project: Any
) -> ActivityItem:
    """A 学习日 / 议事日 / 活动日 item of a fixed activity day: a task of the chosen project
    posted at the branch for its members to claim (the 双领 claim), due on the day."""
    from xianfeng.work.models import Project
    from xianfeng.work.services import task_create

    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if meeting.kind != MeetingKind.ACTIVITY_DAY:
        raise ValidationError(_("只有党员固定活动日可以设置学习日、议事日、活动日项目。"))
    if meeting.state not in (MeetingState.PLANNED, MeetingState.HELD):
        raise ValidationError(_("活动日已结束，不能再添加项目。"), code="invalid_state")
    errors: dict[str, str] = {}
    if kind not in ItemKind.values:
        errors["kind"] = _("请选择学习日、议事日或活动日。")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写项目内容。")
    found = None
    if project is not None:
        found = (
            Project.objects.restrict(actor)
            .select_related("organization")
            .filter(pk=getattr(project, "pk", project))
            .first()
        )
    if found is None or not meeting.organization.path.startswith(found.organization.path):
        errors["project"] = _("请选择本支部或上级组织承担的项目。")
    if errors:
        raise ValidationError(errors)
    day = timezone.localtime(meeting.starts_at).date()
    if day > found.deadline:
        raise ValidationError({"project": _("所选项目的完成时限早于活动日，请另选项目。")})
    label = ItemKind(kind).label
    task = task_create(
        actor=actor,
        project=found,
        organization=meeting.organization,
        title=f"【{label}】{title}"[:120],
        deadline=day,
        description=_("%(day)s 党员固定活动日：%(topic)s") % {"day": day, "topic": meeting.topic},
    )
    item = ActivityItem.objects.create(meeting=meeting, kind=kind, task=task)
    write_ledger(meeting, "activity_item.post", actor=actor, member=None, note=task.title)
    return item


# --- publicity events (宣传活动) ---------------------------------------------------------------


@transaction.atomic
def publicity_record(
    *,
    actor: User,
    organization: Organization,
    theme: str,
    held_on: Any,
    place: str,
    participants: int,
    sessions: int = 1,
    note: str = "",
    photos: Sequence[Any] = (),
) -> PublicityEvent:
    """登记一次宣传、宣讲活动: its sessions and the participants counted (on the ledger), with
    up to nine photos (each checked and re-encoded before anything is stored)."""
    from xianfeng.people.members import member_of

    if not org_in_scope(user=actor, org=organization, model=PublicityEvent, action=Action.ADD):
        raise ValidationError({"organization": _("您无权以该组织名义登记宣传活动。")})
    errors: dict[str, str] = {}
    if not (theme or "").strip():
        errors["theme"] = _("请填写宣传主题。")
    if not (place or "").strip():
        errors["place"] = _("请填写地点。")
    if held_on is None:
        errors["held_on"] = _("请填写日期。")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("宣传活动开展后再登记，日期不能晚于今天。")
    if sessions is None or sessions < 1:
        errors["sessions"] = _("场次至少为1。")
    if participants is None or participants < 0:
        errors["participants"] = _("参与人次不能是负数。")
    if errors:
        raise ValidationError(errors)
    # Photos first: a wrong file refuses the whole record, so nothing half-saved is left.
    files, kinds = clean_photos(list(photos), "photos") if photos else ([], [])
    event = PublicityEvent(
        organization=organization,
        theme=theme.strip()[:120],
        held_on=held_on,
        place=place.strip()[:120],
        sessions=sessions,
        participants=participants,
        note=(note or "").strip(),
        created_by=actor,
    )
    save_with_history(instance=event, actor=actor, reason=_("登记宣传活动"))
    _publicity_photos_store(event, files, kinds, actor)
    write_ledger(
        event,
        "publicity.record",
        actor=actor,
        member=member_of(actor),
        note=_("%(theme)s：%(s)d场，%(p)d人次")
        % {"theme": event.theme, "s": event.sessions, "p": event.participants},
    )
    return event


def _publicity_photos_store(
    event: PublicityEvent, files: Sequence[Any], kinds: Sequence[str], actor: User
) -> list[PublicityPhoto]:
    return [
        PublicityPhoto.objects.create(
            event=event, image=f, content_type=k, size=f.size or 0, uploaded_by=actor
        )
        for f, k in zip(files, kinds, strict=True)
    ]


@transaction.atomic
def publicity_photos_add(
    *, actor: User, event: PublicityEvent, uploads: Sequence[Any]
) -> list[PublicityPhoto]:
    """More photos of a publicity event, by the staff of its organization or above; at most
    nine per event in all."""
    from xianfeng.work.photos import MAX_PHOTOS

    if not holds_role_over(actor, event.organization):
        raise PermissionDenied(_("只有组织单位的书记或管理员可以上传照片。"))
    if not uploads:
        raise ValidationError({"photos": _("请选择照片。")})
    room = MAX_PHOTOS - event.photos.count()
    if len(uploads) > room:
        raise ValidationError(
            {
                "photos": _("每次宣传活动最多%(max)d张照片，还可以上传%(room)d张。")
                % {"max": MAX_PHOTOS, "room": max(room, 0)}
            }
        )
    files, kinds = clean_photos(list(uploads), "photos")
    return _publicity_photos_store(event, files, kinds, actor)


# --- a decision becomes a problem on the problem wall ---------------------------------------


@transaction.atomic
def decision_to_problem(
    *, actor: User, decision: Decision, category: str, address: str = ""
) -> Any:
    """一事一议 to the problem wall: the decision becomes a problem raised by a meeting (the
    public app's ``problem_raise``), linked both ways (``decision.problem`` and
    ``problem.meeting_decision``). Once per decision."""
    from xianfeng.public.choices import ProblemSource
    from xianfeng.public.services import problem_raise

    meeting = decision.meeting
    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.problem_id is not None:
        raise ValidationError(_("这项决议已转为问题墙上的问题，无需重复。"), code="unique")
    if meeting.state not in HELD_STATES:
        raise ValidationError(_("会议召开后，决议才能转为问题。"), code="invalid_state")
    day = timezone.localtime(meeting.starts_at).date()
    problem = problem_raise(
        actor=actor,
        organization=meeting.organization,
        source=ProblemSource.MEETING,
        category=category,
        title=decision.text if len(decision.text) <= 60 else decision.text[:59] + "…",
        description=_("%(day)s %(topic)s 决议：%(text)s")
        % {"day": day, "topic": meeting.topic, "text": decision.text},
        address=address,
        source_note=_("会议决议 #%(n)d") % {"n": decision.pk},
    )
    decision.problem = problem
    save_with_history(instance=decision, actor=actor, reason=_("转为问题墙问题"))
    return problem


# --- a decision becomes a project under a campaign --------------------------------------------


@transaction.atomic
def decision_to_project(*, actor: User, decision: Decision, campaign: Any, deadline: Any) -> Any:
    """一事一议 to the 双领 board: the decision becomes a project of the meeting's organization
    under a campaign the actor sees (``work.services.project_create``: the campaign's span, the
    scope), linked both ways (``decision.project`` and ``project.meeting_decision``). Once per
    decision."""
    from xianfeng.work.models import Campaign
    from xianfeng.work.services import project_create

    meeting = decision.meeting
    refusal = organizer(meeting, actor)
    if refusal:
        raise PermissionDenied(refusal)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.project_id is not None:
        raise ValidationError(_("这项决议已转为专项行动项目，无需重复。"), code="unique")
    if meeting.state not in HELD_STATES:
        raise ValidationError(_("会议召开后，决议才能转为项目。"), code="invalid_state")
    found = (
        Campaign.objects.restrict(actor)
        .select_related("organization")
        .filter(pk=getattr(campaign, "pk", campaign))
        .first()
        if campaign
        else None
    )
    if found is None:
        raise ValidationError({"campaign": _("请选择您可见的专项行动。")})
    if deadline is None:
        raise ValidationError({"deadline": _("请填写完成时限。")})
    day = timezone.localtime(meeting.starts_at).date()
    project = project_create(
        actor=actor,
        campaign=found,
        organization=meeting.organization,
        title=decision.text[:120],
        deadline=deadline,
        goals=_("%(day)s %(topic)s 决议：%(text)s")
        % {"day": day, "topic": meeting.topic, "text": decision.text},
        measures=_("牵头：%(who)s") % {"who": decision.responsible} if decision.responsible else "",
    )
    decision.project = project
    save_with_history(instance=decision, actor=actor, reason=_("转为专项行动项目"))
    return project


def decision_campaigns(actor: User, meeting: Meeting) -> list[Any]:
    """Campaigns a decision of the meeting may become a project under: seen by the actor,
    issued by the meeting's organization or one above it, not yet ended."""
    from xianfeng.work.models import Campaign

    above = [int(s) for s in meeting.organization.path.split(".") if s]
    return list(
        Campaign.objects.restrict(actor)
        .filter(organization_id__in=above, ends_on__gte=timezone.localdate())
        .order_by("ends_on")[:50]
    )
