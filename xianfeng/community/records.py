"""The record for the work unit (进社区现实表现鉴定): the community writes it for an in-service
member each year or on demand from what the member did there (hours, tasks, visits) with a
rating and the positive and negative items (正负面清单); the work unit's liaison reads it and
downloads it as a PDF. The work unit also sees its in-service members who reported nowhere."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
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


def period_figures(member: PartyMember, community: Organization, start: date, end: date) -> dict:
    """What the member did in the community between two dates (from the records themselves)."""
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
    return {"hours": hours, "sessions": sessions.count(), "tasks_done": tasks, "visits": visits}


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


def record_pdf(record: PerformanceRecord) -> bytes:
    """The record as a PDF (WeasyPrint), Noto Sans CJK SC embedded."""
    from weasyprint import HTML

    html = render_to_string("community/pdf/record.html", {"record": record})
    return HTML(string=html, base_url="/").write_pdf()
