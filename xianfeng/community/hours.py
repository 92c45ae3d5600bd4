"""Hours after work (8小时外): service sessions in a community with their hours, from a task,
an order, a team's activity, a visit, or self-reported with a photo (the community confirms
those), and the year's hours of a member and of a branch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.community.choices import SessionSource, SessionState
from xianfeng.community.models import ServiceSession
from xianfeng.core.choices import Action
from xianfeng.core.services import save_with_history
from xianfeng.core.workflow import take, write_ledger
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.work.photos import clean_photo
from xianfeng.work.services import field_member

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_DAY_HOURS = Decimal("24")
#: Sessions that count (a declined self-report does not; a pending one counts once confirmed).
COUNTED = (SessionState.CONFIRMED,)


def parse_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"hours": _("请填写服务时长（小时），如 2 或 1.5。")}) from None
    if hours <= 0:
        raise ValidationError({"hours": _("服务时长必须大于0。")})
    if hours > MAX_DAY_HOURS:
        raise ValidationError({"hours": _("一天的服务时长不能超过24小时。")})
    return hours


def _check_day(member: PartyMember, served_on: date, hours: Decimal) -> None:
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": _("服务日期不能晚于今天。")})
    logged = ServiceSession.objects.filter(member=member, served_on=served_on).exclude(
        state=SessionState.REJECTED
    ).aggregate(total=Sum("hours"))["total"] or Decimal("0")
    if logged + hours > MAX_DAY_HOURS:
        raise ValidationError(
            {
                "hours": _("%(day)s已登记%(logged)s小时，再加%(hours)s小时将超过一天24小时。")
                % {"day": served_on, "logged": logged, "hours": hours}
            }
        )


def community_of(organization: Organization) -> Organization:
    community = organization.community()
    if community is None:
        raise ValidationError({"community": _("服务地点不在任何社区。")})
    return community


@transaction.atomic
def session_record(
    *,
    actor: User,
    member: PartyMember,
    community: Organization,
    source: str,
    served_on: date,
    hours: Any,
    content: str,
    task: Any = None,
    visit: Any = None,
    activity: Any = None,
    reference: str = "",
    photo: UploadedFile | None = None,
) -> ServiceSession:
    """Store one session. Self-reported ones wait for the community's confirmation and need a
    photo; those from a task, an order, a team activity or a visit are confirmed by the record
    they come from. Refused: over 24 hours in a day, a day in the future, a community where the
    member does not act."""
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()
    errors: dict[str, list[str]] = {}
    if source not in SessionSource.values:
        errors.setdefault("source", []).append(_("请选择服务来源。"))
    content = (content or "").strip()
    if not content:
        errors.setdefault("content", []).append(_("请填写服务内容。"))
    if not member.acts_in(community):
        errors.setdefault("community", []).append(_("您没有在该社区报到，不能登记在该社区的服务。"))
    stored_photo = None
    if source == SessionSource.SELF:
        if photo is None:
            errors.setdefault("photo", []).append(_("自行申报的服务时长请上传一张现场照片。"))
        else:
            try:
                stored_photo, _kind = clean_photo(photo, "photo")
            except ValidationError as exc:
                errors.setdefault("photo", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    hours = parse_hours(hours)
    _check_day(member, served_on, hours)
    session = ServiceSession(
        member=member,
        organization=community,
        branch=member.branch,
        source=source,
        task=task,
        visit=visit,
        activity=activity,
        reference=(reference or "").strip()[:64],
        served_on=served_on,
        hours=hours,
        content=content[:200],
        state=SessionState.PENDING if source == SessionSource.SELF else SessionState.CONFIRMED,
        recorded_by=actor,
    )
    if stored_photo is not None:
        session.photo.save(stored_photo.name, stored_photo, save=False)
    save_with_history(instance=session, actor=actor, reason=_("登记服务时长"))
    # Recorded against the community served and, for a member from elsewhere, their branch.
    write_ledger(session, "service.log", actor=actor, note=content, location=community.name)
    if not member.branch.path.startswith(community.path):
        write_ledger(
            session,
            "service.log",
            actor=actor,
            organization=member.branch,
            note=content,
            location=community.name,
        )
    return session


def session_log(
    *,
    actor: User,
    served_on: date,
    hours: Any,
    content: str = "",
    source: str = SessionSource.SELF,
    community: Organization | None = None,
    task: Any = None,
    visit: Any = None,
    photo: UploadedFile | None = None,
) -> ServiceSession:
    """A member logs their own hours: self-reported (with a photo) in a community where they
    act, or from a task they carry or a visit they made there."""
    member = field_member(actor)
    if source == SessionSource.TASK:
        if task is None or task.assignee_id != member.pk:
            raise ValidationError({"task": _("只能登记自己承担的任务的服务时长。")})
        community = community_of(task.organization)
        content = content or task.title
    elif source == SessionSource.VISIT:
        if visit is None or visit.member_id != member.pk:
            raise ValidationError({"visit": _("只能登记自己的走访的服务时长。")})
        community = community_of(visit.organization)
        content = content or _("走访%(place)s") % {"place": visit.household or visit.building}
    elif source == SessionSource.SELF:
        if community is None:
            places = member.acting_paths()[1:]
            community = (
                Organization.objects.filter(path=places[0]).first()
                if places
                else member.branch.community()
            )
        if community is None:
            raise ValidationError({"community": _("请选择服务的社区。")})
    else:
        raise ValidationError({"source": _("队伍活动和群众点单的时长由队伍或订单登记。")})
    for field, obj in (("task", task), ("visit", visit)):
        if (
            obj is not None
            and ServiceSession.objects.filter(**{field: obj}, member=member)
            .exclude(state=SessionState.REJECTED)
            .exists()
        ):
            raise ValidationError({field: _("这项服务的时长已经登记过了。")})
    return session_record(
        actor=actor,
        member=member,
        community=community,
        source=source,
        served_on=served_on,
        hours=hours,
        content=content,
        task=task,
        visit=visit,
        photo=photo,
    )


def session_confirm(*, actor: User, session: ServiceSession, note: str = "") -> ServiceSession:
    return take(session, "confirm", actor=actor, note=note)


def session_reject(*, actor: User, session: ServiceSession, note: str) -> ServiceSession:
    return take(session, "reject", actor=actor, note=note)


# --- reads --------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def sessions(
    user: Any,
    *,
    member: PartyMember | None = None,
    state: str = "",
    year: int | None = None,
    community: Organization | None = None,
) -> QuerySet:
    """Service sessions the user sees, newest first (the page and the API)."""
    qs = ServiceSession.objects.restrict(user).select_related(
        "member__person", "organization", "branch"
    )
    if member is not None:
        qs = qs.filter(member=member)
    if state in SessionState.values:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(served_on__range=year_bounds(year))
    if community is not None:
        qs = qs.filter(organization=community)
    return qs.order_by("-served_on", "-id")


def member_year_hours(member: PartyMember, year: int) -> dict[str, Any]:
    """The year's confirmed hours and sessions of a member, and what still waits."""
    qs = ServiceSession.objects.filter(member=member, served_on__range=year_bounds(year))
    done = qs.filter(state__in=COUNTED).aggregate(hours=Sum("hours"), sessions=Count("id"))
    pending = qs.filter(state=SessionState.PENDING).aggregate(hours=Sum("hours"))
    return {
        "year": year,
        "hours": done["hours"] or Decimal("0"),
        "sessions": done["sessions"],
        "pending_hours": pending["hours"] or Decimal("0"),
    }


def pending_to_confirm(user: Any) -> QuerySet:
    """Self-reported sessions waiting for the user's confirmation: pending, in a community the
    user may confirm in, not the user's own (the home page's to-do)."""
    communities = Organization.objects.restrict(user, Action.CHANGE, rules_of=ServiceSession)
    qs = ServiceSession.objects.restrict(user).filter(
        state=SessionState.PENDING, organization__in=communities
    )
    if getattr(user, "person_id", None):
        qs = qs.exclude(member__person_id=user.person_id)
    return qs


def branch_year_hours(user: Any, branch: Organization, year: int) -> QuerySet:
    """Per member of the branch's subtree: the year's confirmed hours (the user's scope)."""
    return (
        ServiceSession.objects.restrict(user)
        .filter(
            branch__path__startswith=branch.path,
            state__in=COUNTED,
            served_on__range=year_bounds(year),
        )
        .values("member_id", "member__person__name")
        .annotate(hours=Sum("hours"), sessions=Count("id"))
        .order_by("-hours", "member_id")
    )


def year_hours_by_member(user: Any, year: int, limit: int = 20) -> list[dict[str, Any]]:
    """The year's confirmed hours per member in the user's scope (a branch sees its members'
    hours in every community, a community those served there), most first."""
    rows = (
        ServiceSession.objects.restrict(user)
        .filter(state__in=COUNTED, served_on__range=year_bounds(year))
        .values("member_id", "member__person__name", "branch__name")
        .annotate(hours=Sum("hours"), sessions=Count("id"))
        .order_by("-hours", "member_id")[:limit]
    )
    return list(rows)
