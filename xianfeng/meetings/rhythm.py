"""Meeting rhythms as rules (``MeetingRule``): the periods, what an organization has held in
them, what is still due in the current period and what was missed in the last one ended; the
assessment figures per organization over a span. Read by the secretary's home panel, the
rhythm page, the API and the reminder job alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone

from xianfeng.meetings.choices import HELD_STATES, Period
from xianfeng.meetings.models import Meeting, MeetingRule

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization


#: The longest span the figures are computed over (a page or the API asking for centuries
#: would count every month of them).
MAX_SPAN_DAYS = 3660


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period_of(period: str, day: date) -> tuple[date, date] | None:
    """The period holding ``day`` (first and last day); ``None`` for 每年初 outside its window
    (the first quarter)."""
    y, m = day.year, day.month
    if period == Period.MONTHLY:
        return date(y, m, 1), _month_end(y, m)
    if period == Period.QUARTERLY:
        first = 3 * ((m - 1) // 3) + 1
        return date(y, first, 1), _month_end(y, first + 2)
    if period == Period.HALF_YEARLY:
        return (date(y, 1, 1), date(y, 6, 30)) if m <= 6 else (date(y, 7, 1), date(y, 12, 31))
    if period == Period.YEARLY:
        return date(y, 1, 1), date(y, 12, 31)
    if period == Period.YEAR_START:
        return (date(y, 1, 1), date(y, 3, 31)) if m <= 3 else None
    raise ValueError(period)


def last_ended(period: str, day: date) -> tuple[date, date]:
    """The most recent period that has ended by ``day``."""
    if period == Period.YEAR_START:
        y = day.year if day > date(day.year, 3, 31) else day.year - 1
        return date(y, 1, 1), date(y, 3, 31)
    start, _end = period_of(period, day)
    return period_of(period, start - timedelta(days=1))


def periods_between(period: str, start: date, end: date) -> int:
    """How many of the rule's periods end within [start, end] (what an assessment counts)."""
    n, day = 0, start
    while day <= end:
        span = period_of(period, day)
        if span is None:  # 每年初 outside its window: jump to next January
            if day.year >= end.year:
                break
            day = date(day.year + 1, 1, 1)
            continue
        if span[1] <= end:
            n += 1
        if span[1] >= end:
            break
        day = span[1] + timedelta(days=1)
    return n


@dataclass(frozen=True)
class RhythmRow:
    organization: Any
    rule: MeetingRule
    current: tuple[date, date] | None
    held_now: int
    due: int  # still to hold in the current period
    previous: tuple[date, date]
    held_before: int
    missed: int  # short in the last period ended

    @property
    def days_left(self) -> int | None:
        return (self.current[1] - timezone.localdate()).days if self.current else None


def active_rules() -> dict[str, list[MeetingRule]]:
    rules: dict[str, list[MeetingRule]] = {}
    for rule in MeetingRule.objects.filter(is_active=True):
        rules.setdefault(rule.org_kind, []).append(rule)
    return rules


def rhythm_rows(
    organizations: Iterable[Organization], today: date | None = None
) -> list[RhythmRow]:
    """Each rule of each organization's kind: held, due and missed. One query for the
    meetings of all of them (from the earliest period looked at)."""
    today = today or timezone.localdate()
    orgs = list(organizations)
    rules = active_rules()
    wanted = [(o, r) for o in orgs for r in rules.get(o.kind, [])]
    if not wanted:
        return []
    since = min(last_ended(r.period, today)[0] for _o, r in wanted)
    held = list(
        Meeting.objects.filter(
            organization__in=[o.pk for o in orgs],
            state__in=HELD_STATES,
            starts_at__date__gte=since,
        ).values_list("organization_id", "kind", "starts_at")
    )
    days = [(org_id, kind, timezone.localtime(at).date()) for org_id, kind, at in held]
    rows = []
    for org, rule in wanted:
        mine = [d for o, k, d in days if o == org.pk and k == rule.meeting_kind]
        current = period_of(rule.period, today)
        previous = last_ended(rule.period, today)
        now = sum(1 for d in mine if current and current[0] <= d <= current[1])
        before = sum(1 for d in mine if previous[0] <= d <= previous[1])
        rows.append(
            RhythmRow(
                organization=org,
                rule=rule,
                current=current,
                held_now=now,
                due=max(0, rule.times - now) if current else 0,
                previous=previous,
                held_before=before,
                missed=max(0, rule.times - before),
            )
        )
    return rows


def secretary_rows(user: User, today: date | None = None) -> list[RhythmRow]:
    """The rhythm of the organizations where the user is secretary or admin (the home panel):
    only the rules with something due or missed."""
    from xianfeng.core.roles import GRID_WRITERS
    from xianfeng.core.scope import active_roles
    from xianfeng.orgs.models import Organization

    ids = [r.organization_id for r in active_roles(user) if r.kind in GRID_WRITERS]
    if not ids:
        return []
    rows = rhythm_rows(Organization.objects.filter(pk__in=ids), today)
    return [r for r in rows if r.due or r.missed]


def figures(organizations: Iterable[Organization], start: date, end: date) -> list[dict[str, Any]]:
    """Assessment figures (考核): for each organization and rule, the meetings required over
    [start, end] (periods ending in it × times) and those held, in one grouped query."""
    orgs = list(organizations)
    rules = active_rules()
    counts = Counter(
        {
            (row["organization_id"], row["kind"]): row["n"]
            for row in Meeting.objects.filter(
                organization__in=[o.pk for o in orgs],
                state__in=HELD_STATES,
                starts_at__date__gte=start,
                starts_at__date__lte=end,
            )
            .values("organization_id", "kind")
            .annotate(n=Count("id"))
        }
    )
    out = []
    for org in orgs:
        items = []
        for rule in rules.get(org.kind, []):
            required = periods_between(rule.period, start, end) * rule.times
            held = counts[(org.pk, rule.meeting_kind)]
            items.append(
                {
                    "meeting_kind": rule.meeting_kind,
                    "required": required,
                    "held": held,
                    "short": max(0, required - held),
                }
            )
        out.append(
            {
                "organization": org,
                "required": sum(i["required"] for i in items),
                "held": sum(min(i["held"], i["required"]) for i in items),
                "short": sum(i["short"] for i in items),
                "items": items,
            }
        )
    return out
