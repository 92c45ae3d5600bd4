"""The annual member file (党员年度档案): one member's year, read from the duty ledger and
what scoring computed from it — points by kind and month with the acts behind every entry,
the vanguard index in the member's group, the acts of the year by kind (visits, tasks,
hazards, orders, meetings attended), hours after work, the democratic evaluation and the
star rating. The member reads their own file; the secretaries and administrators over the
member's branch (and the auditor) read those of their scope. As a page and a PDF."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ledger
from xianfeng.core.choices import RoleKind
from xianfeng.core.models import DutyRecord
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring import awards, totals
from xianfeng.scoring.choices import EntryKind
from xianfeng.scoring.models import EvaluationResult, PointEntry, StarRating
from xianfeng.scoring.periods import period_of
from xianfeng.scoring.selectors import entry_label, member_summary

if TYPE_CHECKING:
    from xianfeng.core.models import User

#: The acts of the year the file counts, in the order it shows them.
ACTS = (
    "visit.log",
    "task.complete",
    "hazard.report",
    "hazard.verify",
    "order.served",
    "meeting.attend",
    "service.log",
    "publicity.record",
    "evaluation.vote",
)
#: Entries listed in the PDF (the page pages through all of them).
PDF_ENTRIES = 300
READERS = GRID_WRITERS | {RoleKind.AUDITOR}


def may_read(user: User, member: PartyMember) -> bool:
    """Their own file, or a member of a branch under the user's secretary, admin or auditor
    role. (The member was fetched through ``restrict`` first: outside scope is 404.)"""
    if user.is_superuser:
        return True
    own = member_of(user)
    if own is not None and own.pk == member.pk:
        return True
    path = member.branch.path
    return any(r.kind in READERS and path.startswith(r.path) for r in active_roles(user))


def check_read(user: User, member: PartyMember) -> None:
    if not may_read(user, member):
        raise PermissionDenied(_("党员年度档案只有本人和所在组织的书记、管理员可以查看。"))


def parse_year(raw: Any, *, today: date | None = None) -> int:
    today = today or timezone.localdate()
    text = str(raw or "").strip()
    if not text:
        return today.year
    if text.isdigit() and 2000 <= int(text) <= today.year:
        return int(text)
    raise ValidationError({"year": _("年度应为2000年至今年之间的四位数字。")})


def _bounds(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(year, 1, 1))
    return start, timezone.make_aware(datetime(year, 12, 31)) + timedelta(days=1)


def year_entries(member: PartyMember, year: int) -> QuerySet[PointEntry]:
    """The year's point entries, newest first, each with the duty record that earned it."""
    return (
        PointEntry.objects.filter(member=member, occurred_on__year=year)
        .select_related("record", "rule", "adjustment")
        .order_by("-occurred_on", "-id")
    )


def label_entries(entries: Any) -> Any:
    for entry in entries:
        entry.label = entry_label(entry.kind)
        entry.kind_label = EntryKind(entry.entry_kind).label
    return entries


def member_file(member: PartyMember, year: int) -> dict[str, Any]:
    """Everything on the file but the list of entries (a handful of grouped queries)."""
    from xianfeng.community.hours import member_year_hours

    period = period_of("year", date(year, 1, 1))
    summary = member_summary(member, period)
    # The monthly totals kept with the entries: one row per month, whatever the ledger holds.
    by_month = totals.member_months(member.pk, year)
    months = [{"month": m, "points": by_month.get(m, (Decimal(0), 0))[0]} for m in range(1, 13)]
    start, end = _bounds(year)
    mine = DutyRecord.objects.filter(
        Q(member=member) | Q(member__isnull=True, actor__person_id=member.person_id),
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    counts = dict(
        mine.filter(action__in=ACTS).values_list("action").annotate(n=Count("id")).order_by()
    )
    acts = [{"kind": k, "label": ledger.label(k), "count": counts.get(k, 0)} for k in ACTS]
    meetings = list(
        mine.filter(action="meeting.attend")
        .order_by("occurred_at")
        .values("occurred_at", "note")[:60]
    )
    evaluation = (
        EvaluationResult.objects.filter(member=member, round__year=year)
        .select_related("round")
        .order_by("-round__closed_at")
        .first()
    )
    return {
        "member": member,
        "year": year,
        "summary": summary,
        "months": months,
        "acts": acts,
        "meetings": meetings,
        "hours": member_year_hours(member, year),
        "rating": StarRating.objects.filter(member=member, year=year).first(),
        "evaluation": evaluation,
        "award_opinions": awards.member_opinions(member, year),
        "entry_count": sum(n for _p, n in by_month.values()),
        "generated_at": timezone.localtime(),
    }


def member_file_pdf(member: PartyMember, year: int) -> bytes:
    """The file as a PDF (WeasyPrint, Noto Sans CJK SC embedded), with the first entries."""
    from weasyprint import HTML

    context = member_file(member, year)
    context["entries"] = label_entries(list(year_entries(member, year)[:PDF_ENTRIES]))
    context["pdf_limit"] = PDF_ENTRIES
    html = render_to_string("scoring/pdf/member_file.html", context)
    return HTML(string=html, base_url="/").write_pdf()


def file_members(user: User, *, org: Any = None) -> QuerySet[PartyMember]:
    """The members whose files the user may open (a member: only themselves)."""
    if user.is_superuser or any(r.kind in READERS for r in active_roles(user)):
        paths = [r.path for r in active_roles(user) if r.kind in READERS]
        qs = PartyMember.objects.restrict(user)
        if not user.is_superuser:
            cond = Q()
            for p in paths:
                cond |= Q(branch__path__startswith=p)
            qs = qs.filter(cond)
        if org is not None:
            qs = qs.filter(branch__path__startswith=org.path)
        return qs.select_related("person", "branch").order_by("branch__path", "pk")
    own = member_of(user)
    return PartyMember.objects.filter(pk=own.pk if own else -1).select_related("person", "branch")
