"""The record for the work unit (进社区现实表现鉴定): the community writes it for an in-service
member each year or on demand from what the member did there (hours, tasks, visits) with a
rating and the positive and negative items (正负面清单); the work unit's liaison reads it and
downloads it as a PDF. The work unit also sees its in-service members who reported nowhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.community.choices import Rating
from xianfeng.community.hours import COUNTED
from xianfeng.community.models import PerformanceRecord, ServiceSession
from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import CaseKind, CaseState, MemberKind
from xianfeng.people.models import MemberCase, PartyMember, ServicePlace
from xianfeng.visits.models import Visit
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

if TYPE_CHECKING:
    from xianfeng.core.models import User


#: Apps above this one that count more of what a member did in the community (the services
#: app: orders served and the residents' ratings of them), each a function
#: ``(member, community, start, end) -> {field: value}`` naming PerformanceRecord fields. The
#: layers forbid reading them from here; they register in their ``AppConfig.ready()``.
FIGURE_SOURCES: list[Callable[[PartyMember, Organization, date, date], dict]] = []


def register_figures(source: Callable[[PartyMember, Organization, date, date], dict]) -> None:
    if source not in FIGURE_SOURCES:
        FIGURE_SOURCES.append(source)


def period_figures(member: PartyMember, community: Organization, start: date, end: date) -> dict:
    """What the member did in the community between two dates (from the records themselves,
    and from the apps above that registered their figures)."""
    sessions = ServiceSession.objects.filter(
        member=member, organization=community, state__in=COUNTED, served_on__range=(start, end)
    )
    hours = sessions.aggregate(total=Sum("hours"))["total"] or 0
    tasks = Task.objects.filter(
        assignee=member,
        organization__path__startswith=community.path,
        state__in=[TaskState.VERIFIED, TaskState.DONE],
        claimed_at__date__range=(start, end),
    ).count()
    visits = Visit.objects.filter(
        member=member,
        organization__path__startswith=community.path,
        visited_at__date__range=(start, end),
    ).count()
    figures = {"hours": hours, "sessions": sessions.count(), "tasks_done": tasks, "visits": visits}
    for source in FIGURE_SOURCES:
        figures.update(source(member, community, start, end))
    return figures


@transaction.atomic
def record_write(
    *,
    actor: User,
    member: PartyMember,
    community: Organization,
    rating: str,
    opinion: str,
    positives: str = "",
    negatives: str = "",
    year: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> PerformanceRecord:
    """The community writes the record, yearly (``year``) or for a period on demand; the
    figures are counted from the sessions, tasks and visits, not typed in."""
    if not org_in_scope(user=actor, org=community, model=PerformanceRecord, action=Action.ADD):
        raise PermissionDenied(_("只有党员报到社区的管理人员可以填写现实表现鉴定。"))
    errors: dict[str, list[str]] = {}
    if not ServicePlace.objects.filter(member=member, community=community).exists():
        errors.setdefault("member", []).append(_("该党员没有在本社区报到，不能鉴定。"))
    if rating not in Rating.values:
        errors.setdefault("rating", []).append(_("请选择鉴定等次。"))
    if not (opinion or "").strip():
        errors.setdefault("opinion", []).append(_("请填写社区鉴定意见。"))
    yearly = year is not None
    if yearly:
        period_start, period_end = date(year, 1, 1), date(year, 12, 31)
    if period_start is None or period_end is None:
        errors.setdefault("period_start", []).append(_("请填写鉴定的年度或起止日期。"))
    elif period_end < period_start:
        errors.setdefault("period_end", []).append(_("截止日期不能早于起始日期。"))
    elif period_start > timezone.localdate():
        errors.setdefault("period_start", []).append(_("起始日期不能晚于今天。"))
    if errors:
        raise ValidationError(errors)
    if (
        yearly
        and PerformanceRecord.objects.filter(
            member=member, organization=community, yearly=True, period_start=period_start
        ).exists()
    ):
        message = _("%(year)d年度的鉴定已经填写过了。") % {"year": year}
        raise ValidationError({"year": ValidationError(message, code="unique")})
    figures = period_figures(member, community, period_start, period_end)
    record = PerformanceRecord(
        member=member,
        organization=community,
        period_start=period_start,
        period_end=period_end,
        yearly=yearly,
        rating=rating,
        opinion=opinion.strip(),
        positives=(positives or "").strip(),
        negatives=(negatives or "").strip(),
        written_by=actor,
        **figures,
    )
    save_with_history(instance=record, actor=actor, reason=_("填写进社区现实表现鉴定"))
    write_ledger(
        record, "record.write", actor=actor, member=member, note=record.get_rating_display()
    )
    if record.negatives:
        # Its own ledger kind: the point rules may deduct for it and scoring's 不合格党员
        # procedure opens a case from it (``scoring.conduct``), without reading this app.
        write_ledger(record, "record.negative", actor=actor, member=member, note=record.negatives)
    return record


def records(user: Any, *, member: PartyMember | None = None) -> QuerySet:
    """The records the user sees (the community that wrote them, the member's branch and the
    work unit above it), newest first."""
    qs = PerformanceRecord.objects.restrict(user).select_related(
        "member__person", "member__branch", "organization"
    )
    if member is not None:
        qs = qs.filter(member=member)
    return qs.order_by("-period_end", "-id")


def unreported_members(user: Any) -> QuerySet:
    """In-service members in the user's scope who have no open or accepted 报到 anywhere."""
    open_report = MemberCase.objects.filter(
        member=OuterRef("pk"),
        kind=CaseKind.REPORT,
        state__in=[CaseState.REGISTERED, CaseState.ACCEPTED],
    )
    return (
        PartyMember.objects.restrict(user)
        .filter(kind=MemberKind.IN_SERVICE)
        .exclude(Exists(open_report))
        .select_related("person", "branch")
        .order_by("branch__path", "id")
    )


def record_year(today: date | None = None) -> int:
    """The year whose yearly records are being written: the current one, except in January,
    when the community still writes the year just ended."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month == 1 else today.year


def record_season(today: date | None = None) -> bool:
    """December and January: when the home page reminds the community of the yearly records
    still to write (the rest of the year the list is there, without a reminder)."""
    today = today or timezone.localdate()
    return today.month in (12, 1)


def _places_in_year(user: Any, year: int) -> QuerySet:
    """Service places open during ``year`` in the communities where the user writes records,
    each marked ``written`` when its yearly record exists."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    communities = Organization.objects.restrict(user, Action.ADD, rules_of=PerformanceRecord)
    written = PerformanceRecord.objects.filter(
        member=OuterRef("member"),
        organization=OuterRef("community"),
        yearly=True,
        period_start=start,
    )
    return (
        ServicePlace.objects.restrict(user)
        .filter(community__in=communities, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .annotate(written=Exists(written))
    )


def places_due(user: Any, year: int) -> QuerySet:
    """The community's list for the yearly records: the places open during ``year`` with the
    year's confirmed hours there and whether the record is written, those to write first."""
    year_hours = (
        ServiceSession.objects.filter(
            member=OuterRef("member"),
            organization=OuterRef("community"),
            state__in=COUNTED,
            served_on__range=(date(year, 1, 1), date(year, 12, 31)),
        )
        .order_by()
        .values("member")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return (
        _places_in_year(user, year)
        .annotate(
            year_hours=Coalesce(
                Subquery(year_hours),
                Value(0),
                output_field=DecimalField(max_digits=9, decimal_places=1),
            )
        )
        .select_related("member__person", "member__branch", "community")
        .order_by("written", "community__path", "member_id")
    )


def unwritten_count(user: Any, year: int) -> int:
    return _places_in_year(user, year).filter(written=False).count()


def records_to_write(user: Any, today: date) -> int:
    """The home page's reminder in the record season: yearly records not yet written."""
    if not record_season(today):
        return 0
    return unwritten_count(user, record_year(today))


def record_pdf(record: PerformanceRecord) -> bytes:
    """The record as a PDF (WeasyPrint), Noto Sans CJK SC embedded."""
    from weasyprint import HTML

    html = render_to_string("community/pdf/record.html", {"record": record})
    return HTML(string=html, base_url="/").write_pdf()
