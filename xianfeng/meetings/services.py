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
from xianfeng.meetings.choices import HELD_STATES, MeetingKind, MeetingState, SignIn
from xianfeng.meetings.models import Attendee, Decision, Meeting, MeetingPhoto
from xianfeng.meetings.workflows import organizer
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
    """轮值召集: the unit after the one that convened the organization's last joint meeting
    (in the order of their ids), the first one if none has yet."""
    ordered = sorted(units, key=lambda u: u.pk)
    if not ordered:
        return None
    last = (
        Meeting.objects.filter(organization=organization, kind=MeetingKind.JOINT)
        .exclude(state=MeetingState.CANCELLED)
        .exclude(convener=None)
        .order_by("-starts_at", "-id")
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
            {"member": _("%(name)s已签到，无需重复登记。") % {"name": member.person.name}},
            code="unique",
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
