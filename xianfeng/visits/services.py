"""Writes for visits (走访登记) and household responsibility (负责到户); who answers for which
household. ``task_visit_progress`` answers 双领's hook (``xianfeng.work.hooks``): how far a
task done by visits has got.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.offline import backdate_limit
from xianfeng.core.services import duty_record, org_in_scope, save_with_history
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Household, household_label
from xianfeng.visits.choices import HouseholdUpdate, VisitPurpose
from xianfeng.visits.models import HouseholdResponsibility, Photo, Visit
from xianfeng.work.hooks import NO_VISITS_NEEDED, VisitProgress
from xianfeng.work.models import Task
from xianfeng.work.photos import clean_photos
from xianfeng.work.services import FUTURE_TOLERANCE, field_member, member_of

if TYPE_CHECKING:
    from xianfeng.core.models import User

LEDGER_VISIT = "visit.log"


# --- households: who answers for which ------------------------------------------------------


def paired_org_paths(member: PartyMember) -> list[str]:
    """Paths of the organizations paired (结对共建, 部门包居, 安全结对检查, …) with the member's
    branch or an organization above it: an agency's members check their paired community."""
    from django.db.models import Q

    from xianfeng.orgs.models import Pairing

    above = [int(s) for s in member.branch.path.split(".") if s]
    today = timezone.localdate()
    pairs = (
        Pairing.objects.filter(Q(org_a_id__in=above) | Q(org_b_id__in=above))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("org_a", "org_b")
    )
    return [(p.org_b if p.org_a_id in above else p.org_a).path for p in pairs]


def member_households(member: PartyMember) -> Any:
    """Households a member answers for: their zones (households and buildings), those
    assigned to them by hand, every household of their own branch's subtree, of the
    communities where they serve (报到), and of the organizations their own is paired with
    (安全结对检查)."""
    from django.db.models import Q

    condition = (
        Q(zones__members=member)
        | Q(building__zones__members=member)
        | Q(responsibilities__member=member)
        | Q(organization__path__startswith=member.branch.path)
    )
    # The communities where the member serves (an accepted 报到 gives a service place).
    for path in [*member.acting_paths()[1:], *paired_org_paths(member)]:
        condition |= Q(organization__path__startswith=path)
    return Household.objects.filter(condition).distinct()


def household_for_visit(*, user: User, pk: Any) -> Household:
    """The household a visit is for: one the user sees, or one the user's member answers for
    (a paired community's household). Otherwise the same 404 as a missing one."""
    from xianfeng.core.services import NotFound

    base = Household.objects.select_related("building", "organization")
    found = base.restrict(user).filter(pk=pk).first() if str(pk).isdigit() else None
    member = member_of(user)
    if found is None and member is not None and str(pk).isdigit():
        found = base.filter(pk__in=member_households(member).filter(pk=pk).values("pk")).first()
    if found is None:
        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    return found


def household_as_it_was(*, user: User, pk: Any, at: datetime) -> tuple[Building, str] | None:
    """A household the user no longer reaches (moved to a building out of reach, or removed
    since the phone kept its form): the building where it was at ``at`` and its name then,
    from the household's history, when the user sees that building. None otherwise (never
    reached: the caller's usual 404)."""
    if not str(pk).isdigit():
        return None
    history = Household.history.filter(id=pk)
    past = (
        history.filter(history_date__lte=at).order_by("-history_date").first()
        or history.order_by("history_date").first()
    )
    if past is None:
        return None
    building = Building.objects.restrict(user).filter(pk=past.building_id).first()
    if building is None:
        return None
    return building, household_label(building.name, past.unit, past.room)


def visit_notices(visit: Visit, asked_task: Task | None) -> list[str]:
    """What the server decided otherwise than the phone asked, for the member to see (the
    outbox shows it beside the sent item): a household that moved, a task someone else holds."""
    notices = []
    if visit.moved_household:
        notices.append(
            _("住户“%(household)s”已迁走或已注销：走访已按原楼栋保存，并已提请社区更新住户信息。")
            % {"household": visit.moved_household}
        )
    if asked_task is not None and visit.task_id != asked_task.pk:
        notices.append(
            _("任务“%(task)s”不由您承担（可能已被其他党员认领）：走访已保存，没有关联到该任务。")
            % {"task": asked_task.title}
        )
    return notices


def responsible_members(household: Household) -> Any:
    """Members who answer for a household: by zone (the household or its building) or by hand."""
    from django.db.models import Q

    return (
        PartyMember.objects.filter(
            Q(zones__households=household)
            | Q(zones__buildings=household.building_id)
            | Q(household_responsibilities__household=household)
        )
        .select_related("person")
        .distinct()
    )


@transaction.atomic
def household_responsibility_assign(
    *, actor: User, households: Sequence[Household], member: PartyMember, note: str = ""
) -> int:
    """社区党员干部负责到户: put households in a member's charge. Answers how many were new."""
    created = 0
    for household in households:
        if not org_in_scope(
            user=actor,
            org=household.organization,
            model=HouseholdResponsibility,
            action=Action.ADD,
        ):
            raise ValidationError({"households": _("所选住户不在您的管辖范围内。")})
        if HouseholdResponsibility.objects.filter(household=household, member=member).exists():
            continue
        link = HouseholdResponsibility(
            household=household, member=member, note=note, assigned_by=actor
        )
        save_with_history(instance=link, actor=actor, reason=_("分派到户"))
        created += 1
    return created


# --- visits (走访登记) --------------------------------------------------------------------------


def visit_create(
    *,
    actor: User,
    visited_at: datetime,
    purposes: Sequence[str],
    household: Household | None = None,
    building: Building | None = None,
    findings: str = "",
    suggestions: str = "",
    raises_hazard: bool = False,
    raises_request: bool = False,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    outside_reason: str = "",
    client_key: str = "",
    task: Task | None = None,
    photos: Sequence[UploadedFile] = (),
    moved_household: str = "",
) -> tuple[Visit, bool]:
    """Log one visit; answers ``(visit, created)``. The same ``client_key`` from the same
    account answers the visit already stored (a resubmit from a flaky phone connection).

    A household the member does not answer for (zones, assignments, own grid) is accepted only
    with ``outside_reason``; one the account cannot see at all never gets here (404/400 at the
    caller). ``moved_household``: the household had moved (``household_as_it_was``); the visit
    is kept at ``building`` with that name. A ``task`` the member does not hold (someone else
    claimed it first, while the phone was offline) is not linked: the visit is kept without
    it. ``visit.notices`` says what was decided otherwise than asked (``visit_notices``)."""
    client_key = (client_key or "").strip()[:64]
    asked_task = task
    if client_key:
        existing = Visit.objects.filter(recorded_by=actor, client_key=client_key).first()
        if existing is not None:
            existing.notices = visit_notices(existing, asked_task)
            return existing, False
    member = field_member(actor)
    if task is not None and task.assignee_id != member.pk:
        task = None  # the server's answer wins; the visit is still the member's record
    errors: dict[str, list[str]] = {}
    if household is None and building is None:
        errors.setdefault("household", []).append(_("请选择走访的住户或楼栋。"))
    if household is not None:
        building = household.building
    if visited_at > timezone.now() + FUTURE_TOLERANCE:
        errors.setdefault("visited_at", []).append(_("走访时间不能晚于现在。"))
    elif visited_at < backdate_limit():  # sent late from a phone's outbox: not too late
        errors.setdefault("visited_at", []).append(
            _("走访时间早于%(days)s天前，不能再补登；请联系网格书记。")
            % {"days": settings.XIANFENG_FIELD_BACKDATE_DAYS}
        )
    wrong = [p for p in purposes if p not in VisitPurpose.values]
    if not purposes or wrong:
        errors.setdefault("purposes", []).append(_("请至少选择一项走访事项。"))
    if (latitude is None) != (longitude is None):
        errors.setdefault("latitude", []).append(_("定位需要同时有纬度和经度。"))
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors.setdefault("latitude", []).append(_("定位坐标不正确。"))
    if household is not None and not errors:
        mine = member_households(member).filter(pk=household.pk).exists()
        if not mine and not outside_reason.strip():
            errors.setdefault("outside_reason", []).append(
                _("该住户不在您的责任范围内；如确需走访，请写明理由。")
            )
    if errors:
        raise ValidationError(errors)
    # re-encoded by Pillow, without EXIF, under generated names (work/photos.py)
    photos, kinds = clean_photos(list(photos))
    organization = household.organization if household is not None else building.organization
    # A visitor from outside (agency, mobile members' home, in-service member) reports to
    # their own organization as well.
    reported_to = None if organization.is_descendant_of(member.branch) else member.branch
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                member=member,
                recorded_by=actor,
                household=household,
                building=building,
                organization=organization,
                reported_to=reported_to,
                task=task,
                visited_at=visited_at,
                purposes=list(dict.fromkeys(purposes)),
                findings=findings.strip(),
                suggestions=suggestions.strip(),
                raises_hazard=raises_hazard,
                raises_request=raises_request,
                latitude=latitude,
                longitude=longitude,
                outside_reason=outside_reason.strip(),
                client_key=client_key,
                moved_household=moved_household[:120],
                household_update=(
                    HouseholdUpdate.PENDING if moved_household else HouseholdUpdate.NONE
                ),
            )
            for upload, kind in zip(photos, kinds, strict=True):
                Photo.objects.create(
                    organization=organization,
                    visit=visit,
                    image=upload,
                    content_type=kind,
                    size=upload.size or 0,
                    uploaded_by=actor,
                )
            duty_record(
                actor=actor,
                action=LEDGER_VISIT,
                organization=organization,
                target=visit,
                member=member,
                occurred_at=visited_at,
                location=str(household or building),
                note=findings.strip()[:500],
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it.
        existing = Visit.objects.filter(recorded_by=actor, client_key=client_key).first()
        if client_key and existing is not None:
            existing.notices = visit_notices(existing, asked_task)
            return existing, False
        raise
    visit.notices = visit_notices(visit, asked_task)
    return visit, True


# --- tasks done by visits ---------------------------------------------------------------------


def task_visit_progress(task: Task) -> VisitProgress:
    """Target households visited by visits linked to the task, else linked visits counted
    against ``target_visits``. Two or three queries whatever the size."""
    targets = list(
        Household.objects.filter(target_of_tasks=task)
        .select_related("building")
        .order_by("building__code", "unit", "room", "pk")
    )
    if targets:
        seen = set(
            Visit.objects.filter(task=task, household__in=[h.pk for h in targets])
            .values_list("household_id", flat=True)
            .distinct()
        )
        missing = [h for h in targets if h.pk not in seen]
        return VisitProgress(
            target=len(targets),
            visited=len(targets) - len(missing),
            by_household=True,
            missing=missing,
        )
    if task.target_visits:
        done = Visit.objects.filter(task=task).count()
        return VisitProgress(target=task.target_visits, visited=done, by_household=False)
    return NO_VISITS_NEEDED


def store_task_photos(*, actor: User, task: Task, uploads: list[Any], kinds: list[str]) -> None:
    """A submitted task's evidence photos (the hook ``task_submit`` calls)."""
    for upload, kind in zip(uploads, kinds, strict=True):
        Photo.objects.create(
            organization=task.organization,
            task=task,
            image=upload,
            content_type=kind,
            size=upload.size or 0,
            uploaded_by=actor,
        )
