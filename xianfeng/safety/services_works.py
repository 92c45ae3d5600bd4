"""Writes of small works (零星工程: 预动工、先报备) and focus days (集中整治日).

Small works are filed on a public page with no account (``works_file``, rate-limited like the
residents' forms) and then move through ``WorksFlow``; works found unfiled on patrol become a
hazard (``works_unfiled``). A focus day is scheduled by a street's leadership
(``focus_schedule``); picking its hazards and recording it are steps of ``FocusFlow`` that
call ``focus_pick`` and ``focus_record`` under the workflow's lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ratelimit
from xianfeng.core.choices import Action
from xianfeng.core.services import duty_record, org_in_scope, save_with_history
from xianfeng.core.validators import normalize_text, validate_phone
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.members import member_of
from xianfeng.places.models import Building, normalize_address
from xianfeng.safety.choices import (
    OPEN_STATES,
    HazardCategory,
    HazardSource,
    ResponsibleParty,
    Severity,
    WorksKind,
)
from xianfeng.safety.models import FocusDay, FocusHazard, Hazard, SmallWork

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.people.models import PartyMember

#: Public filing: per client address, per phone (count, seconds).
WORKS_LIMITS = {"ip": (10, 3600), "phone": (5, 86400)}
#: How far ahead works may be filed, and how long they may last.
WORKS_AHEAD_DAYS = 180
WORKS_LONGEST_DAYS = 365
MAX_SITE = 200
MAX_TEXT = 2000
TOKEN_SALT = "xianfeng.safety.works"
TOKEN_DAYS = 400
#: Hazards a focus day may take on.
FOCUS_MAX_HAZARDS = 30


class WorksThrottled(Exception):
    """Too many filings from one address or phone: 429 with this Chinese message."""


class WorksLinkInvalid(Exception):
    """A filing's status link that is forged or expired."""


# --- small works -------------------------------------------------------------------------------


def _text(errors: dict[str, list[str]], field: str, value: Any, limit: int, required: str) -> str:
    text = normalize_text(str(value or "")).strip()
    if required and not text:
        errors[field] = [required]
    elif len(text) > limit:
        errors[field] = [
            _("最多%(limit)d个字符（现在有%(n)d个）。") % {"limit": limit, "n": len(text)}
        ]
    return text


def _date(errors: dict[str, list[str]], field: str, value: Any, label: str) -> date | None:
    if isinstance(value, date):
        return value
    raw = str(value or "").strip()
    if not raw:
        errors[field] = [_("请填写%(label)s。") % {"label": label}]
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = [_("日期格式应为2021-03-05。")]
        return None


def match_building(community: Organization, address: str) -> Building | None:
    """The community's building whose address begins the given site (the longest such), so
    that 幸福里3栋2单元301 finds 幸福里3栋. (The residents' orders match addresses the same way;
    services sits above safety, so the few lines are repeated here.)"""
    norm = normalize_address(address)
    if not norm:
        return None
    return (
        Building.objects.filter(organization__path__startswith=community.path)
        .exclude(address_normalized="")
        .annotate(given=Value(norm))
        .filter(given__startswith=F("address_normalized"))
        .order_by(Length("address_normalized").desc(), "pk")
        .first()
    )


def _community(raw: Any) -> Organization | None:
    if isinstance(raw, Organization):
        return raw if raw.kind == OrgKind.COMMUNITY else None
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 17:
        return None
    # A public form names a community of the district by id: reference data, not scoped.
    return Organization.objects.filter(pk=int(text), kind=OrgKind.COMMUNITY).first()


@transaction.atomic
def works_file(
    *,
    community: Any,
    applicant: str,
    phone: str,
    site: str,
    kind: str,
    start_on: Any,
    end_on: Any,
    measures: str,
    contractor: str = "",
    description: str = "",
    client_ip: str = "",
    throttle: bool = True,
) -> SmallWork:
    """零星工程报备 from the public page, no account: who, where, what kind, when, and the
    safety measures. Raises ``ValidationError`` (field → Chinese messages) on bad input and
    :class:`WorksThrottled` past the limits per client address and phone (``throttle=False``
    is for the demo district only). Writes one duty record (``works.file``, no actor)."""
    errors: dict[str, list[str]] = {}
    found = _community(community)
    if found is None:
        errors["community"] = [_("请选择施工地点所在的社区。")]
    who = _text(errors, "applicant", applicant, 40, _("请填写报备人姓名。"))
    number = normalize_text(str(phone or "")).strip().replace(" ", "")
    try:
        validate_phone(number)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    where = _text(errors, "site", site, MAX_SITE, _("请填写施工地点（小区、楼栋、门牌）。"))
    if kind not in WorksKind.values:
        errors["kind"] = [_("请选择工程类别。")]
    safety = _text(
        errors,
        "measures",
        measures,
        MAX_TEXT,
        _("请写明施工期间的安全措施（如动火审批、灭火器配备、材料堆放、防坠落）。"),
    )
    who_builds = _text(errors, "contractor", contractor, 100, "")
    what = _text(errors, "description", description, MAX_TEXT, "")
    start = _date(errors, "start_on", start_on, _("开工日期"))
    end = _date(errors, "end_on", end_on, _("完工日期"))
    today = timezone.localdate()
    if start is not None and "start_on" not in errors:
        if start < today:
            errors["start_on"] = [_("零星工程须在开工前报备，开工日期不能早于今天。")]
        elif start > today + timedelta(days=WORKS_AHEAD_DAYS):
            errors["start_on"] = [_("只能报备%(n)d天内开工的工程。") % {"n": WORKS_AHEAD_DAYS}]
    if start is not None and end is not None and "end_on" not in errors:
        if end < start:
            errors["end_on"] = [_("完工日期不能早于开工日期。")]
        elif end > start + timedelta(days=WORKS_LONGEST_DAYS):
            errors["end_on"] = [_("工期超过一年的工程不属于零星工程，请向住建部门报建。")]
    if errors:
        raise ValidationError(errors)
    assert found is not None and start is not None and end is not None
    if throttle and not ratelimit.allow(
        "safety.works",
        {
            f"ip:{client_ip or 'unknown'}": WORKS_LIMITS["ip"],
            f"phone:{number}": WORKS_LIMITS["phone"],
        },
    ):
        raise WorksThrottled(
            _("提交太频繁了：同一手机号或网络在短时间内的报备已达上限，请稍后再试或联系社区。")
        )
    building = match_building(found, where)
    works = SmallWork(
        community=found,
        organization=building.organization if building else found,
        building=building,
        applicant=who,
        phone=number,
        contractor=who_builds,
        site=where,
        kind=kind,
        description=what,
        start_on=start,
        end_on=end,
        measures=safety,
    )
    save_with_history(instance=works, actor=None, reason=_("群众报备零星工程"))
    duty_record(
        actor=None,
        action="works.file",
        organization=works.organization,
        target=works,
        location=where,
        note=f"{WorksKind(kind).label} {where}"[:500],
    )
    return works


def works_token(works: SmallWork) -> str:
    """The signed part of the status link given to the applicant."""
    return signing.dumps({"w": works.pk}, salt=TOKEN_SALT)


def works_for_token(token: str) -> SmallWork:
    """The filing a status link names; :class:`WorksLinkInvalid` when forged or expired."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=TOKEN_DAYS))
    except signing.BadSignature:
        raise WorksLinkInvalid(_("链接无效或已过期，请联系社区查询报备情况。")) from None
    # The applicant's own filing, named by the signed link: no account to scope by.
    found = SmallWork.objects.select_related("community", "building").filter(pk=data.get("w"))
    works = found.first()
    if works is None:
        raise WorksLinkInvalid(_("链接无效或已过期，请联系社区查询报备情况。"))
    return works


def works_building(*, actor: User, works: SmallWork, code: Any) -> Building | None:
    """The building a staff member names (by its code) on accepting works: one they see, in
    the works' community. Nothing named: the building matched on filing stays."""
    text = str(code or "").strip()
    if not text:
        return None
    found = (
        Building.objects.restrict(actor)
        .filter(code=text, organization__path__startswith=works.community.path)
        .select_related("organization")
        .first()
    )
    if found is None:
        raise ValidationError({"building": _("楼栋编码不存在，或不在该社区、您的管辖范围内。")})
    return found


def works_hazard(*, actor: User, works: SmallWork, finding: str) -> Hazard:
    """A problem found checking works on site: a hazard of the works' building, the contractor
    answering for it."""
    from xianfeng.safety.services import hazard_report

    return hazard_report(
        actor=actor,
        building=works.building,
        title=_("零星工程施工安全问题：%(s)s") % {"s": works.site[:40]},
        description=finding,
        category=HazardCategory.WORKS,
        severity=Severity.GENERAL,
        source=HazardSource.PATROL,
        responsible_party=ResponsibleParty.CONTRACTOR,
        responsible_name=works.contractor or works.applicant,
    )


def works_unfiled(
    *,
    actor: User,
    building: Building,
    description: str,
    contractor: str = "",
    severity: str = Severity.GENERAL,
    photos: Sequence[UploadedFile] = (),
    client_key: str = "",
) -> Hazard:
    """Works found on patrol that nobody filed (未报备擅自施工): a hazard of the building
    (one the caller fetched through ``restrict``), the contractor answering for it. Refused
    when the building has filed works going on today (those are checked through their own
    filing, not reported)."""
    from xianfeng.safety.services import hazard_report

    if not org_in_scope(user=actor, org=building.organization, model=Hazard, action=Action.ADD):
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    text = (description or "").strip()
    if not text:
        raise ValidationError({"description": _("请写明施工内容和现场情况。")})
    today = timezone.localdate()
    filed = (
        SmallWork.objects.restrict(actor)
        .filter(building=building, state="accepted", start_on__lte=today + timedelta(days=3))
        .filter(end_on__gte=today)
        .first()
    )
    if filed is not None:
        raise ValidationError(
            {
                "description": _(
                    "该楼栋有已受理的零星工程报备（%(site)s，%(a)s至%(b)s），"
                    "请在该报备中登记施工检查。"
                )
                % {"site": filed.site, "a": filed.start_on, "b": filed.end_on}
            }
        )
    return hazard_report(
        actor=actor,
        building=building,
        title=_("未报备擅自施工（零星工程）"),
        description=text,
        category=HazardCategory.WORKS,
        severity=severity,
        source=HazardSource.PATROL,
        responsible_party=ResponsibleParty.CONTRACTOR,
        responsible_name=(contractor or "").strip()[:120],
        standard=_("停工补办零星工程报备，落实动火审批、灭火器配备等安全措施后方可复工。"),
        photos=photos,
        client_key=client_key,
    )


# --- focus days --------------------------------------------------------------------------------


def next_tuesday(today: date | None = None) -> date:
    """每周二: the coming Tuesday (today, when today is one)."""
    today = today or timezone.localdate()
    return today + timedelta(days=(1 - today.weekday()) % 7)


@transaction.atomic
def focus_schedule(
    *, actor: User, organization: Organization, day: date | None, theme: str
) -> FocusDay:
    """A street's leadership schedules the week's focus day (by default the coming Tuesday).
    The street must be one the actor administers; one focus day per street and date."""
    errors: dict[str, list[str]] = {}
    if organization is None or organization.kind != OrgKind.STREET:
        errors["organization"] = [_("集中整治日由街道党工委安排，请选择一个街道。")]
    elif not org_in_scope(user=actor, org=organization, model=FocusDay, action=Action.ADD):
        raise PermissionDenied(_("只有街道党工委或区委组织部的管理员可以安排和登记集中整治日。"))
    day = day or next_tuesday()
    if day < timezone.localdate():
        errors["day"] = [_("整治日不能早于今天。")]
    text = (theme or "").strip()
    if not text:
        errors["theme"] = [_("请写明本次整治的重点（如电动车入户充电、出租屋消防通道）。")]
    if errors:
        raise ValidationError(errors)
    focus = FocusDay(organization=organization, day=day, theme=text[:120], scheduled_by=actor)
    try:
        with transaction.atomic():
            save_with_history(instance=focus, actor=actor, reason=_("安排集中整治日"))
    except IntegrityError:
        raise ValidationError(
            {"day": _("该街道这一天已经安排了集中整治日。")}, code="unique"
        ) from None
    duty_record(
        actor=actor,
        action="focus.schedule",
        organization=organization,
        target=focus,
        member=member_of(actor),
        note=f"{day:%Y-%m-%d} {focus.theme}"[:500],
    )
    return focus


def focus_candidates(user: User, focus: FocusDay) -> Any:
    """The street's hardest open hazards first: escalated, then by severity, then the longest
    overdue — what a focus day should take on. Read through ``restrict``."""
    severity_rank = Case(
        When(severity=Severity.MAJOR, then=Value(0)),
        When(severity=Severity.GENERAL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Hazard.objects.restrict(user)
        .filter(organization__path__startswith=focus.organization.path, state__in=OPEN_STATES)
        .select_related("building", "organization")
        .annotate(
            rank=severity_rank,
            escalated=Case(
                When(escalated_to__isnull=False, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("escalated", "rank", "deadline", "id")
    )


def _ids(values: Iterable[Any]) -> set[int]:
    out: set[int] = set()
    for value in values or ():
        text = str(getattr(value, "pk", value)).strip()
        if not text.isdigit() or len(text) > 17:
            raise ValidationError(_("编号应为数字。"))
        out.add(int(text))
    return out


def focus_pick(*, actor: User, day: FocusDay, hazards: Iterable[Any]) -> list[Hazard]:
    """The hazards a focus day takes on (replacing an earlier pick): open hazards of the
    street the actor sees, at most ``FOCUS_MAX_HAZARDS``. Called by the ``pick`` step."""
    ids = _ids(hazards)
    if not ids:
        raise ValidationError({"hazards": _("请至少选择一处隐患。")})
    if len(ids) > FOCUS_MAX_HAZARDS:
        raise ValidationError(
            {"hazards": _("一次整治日最多选择%(n)d处隐患。") % {"n": FOCUS_MAX_HAZARDS}}
        )
    chosen = list(focus_candidates(actor, day).filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise ValidationError(
            {"hazards": _("所选隐患不存在、已销号，或不在该街道、您的管辖范围内。")}
        )
    day.picks.exclude(hazard_id__in=ids).delete()
    have = set(day.picks.values_list("hazard_id", flat=True))
    FocusHazard.objects.bulk_create(
        [FocusHazard(focus_day=day, hazard=h) for h in chosen if h.pk not in have]
    )
    return sorted(chosen, key=lambda h: h.pk)


def focus_record(
    *,
    actor: User,
    day: FocusDay,
    summary: str,
    attendees: Iterable[Any],
    resolved: Iterable[Any],
) -> dict[str, int]:
    """Who went (members of the street the actor sees; each gets a ``focus.attend`` record)
    and which picked hazards were resolved that day. Called by the ``record`` step."""
    from xianfeng.people.models import PartyMember

    errors: dict[str, list[str]] = {}
    text = (summary or "").strip()
    if not text:
        errors["summary"] = [_("请写明整治情况（去了哪里、解决了什么）。")]
    if day.day > timezone.localdate():
        errors["day"] = [_("整治日还没到，当天或之后才能登记整治情况。")]
    member_ids = _ids(attendees)
    members: list[PartyMember] = list(
        PartyMember.objects.restrict(actor)
        .filter(pk__in=member_ids)
        .filter(Q(branch__path__startswith=day.organization.path))
        .select_related("branch")
    )
    if not member_ids:
        errors["attendees"] = [_("请选择参加整治的党员。")]
    elif len(members) != len(member_ids):
        errors["attendees"] = [_("所选党员不存在，或不在该街道、您的管辖范围内。")]
    resolved_ids = _ids(resolved)
    picked = set(day.picks.values_list("hazard_id", flat=True))
    if resolved_ids - picked:
        errors["resolved"] = [_("只能勾选本次整治日选定的隐患。")]
    if errors:
        raise ValidationError(errors)
    day.summary = text
    day.held_at = timezone.now()
    day.attendees.set(members)
    day.picks.update(resolved=False)
    day.picks.filter(hazard_id__in=resolved_ids).update(resolved=True)
    for member in members:
        duty_record(
            actor=actor,
            action="focus.attend",
            organization=member.branch or day.organization,
            target=day,
            member=member,
            location=str(day.organization),
            note=day.theme,
            verified=True,
        )
    return {"a": len(members), "r": len(resolved_ids)}
