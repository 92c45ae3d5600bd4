"""Safety in figures, per scope and period: buildings by colour and inspected, hazards found and
removed, by category, status and overdue, month by month, and the same per organization one
level down. Everything is counted in the database through ``restrict`` (conditional aggregates,
a fixed number of queries whatever the number of rows); the page and the API read these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import labels
from xianfeng.core.choices import Action
from xianfeng.core.scope import scope_paths
from xianfeng.orgs.models import PATH_STEP, Organization
from xianfeng.places.choices import SafetyColour
from xianfeng.places.models import Building
from xianfeng.safety.choices import (
    OPEN_STATES,
    OVERDUE_FROM,
    HazardCategory,
    HazardState,
    InspectionState,
)
from xianfeng.safety.models import Hazard, HazardDay, HazardDue, Inspection

if TYPE_CHECKING:
    from xianfeng.core.models import User

#: The longest period one request may count (a longer one is refused with a message).
MAX_DAYS = 366 * 5
#: At most this many organizations one level down are counted one by one.
MAX_CHILDREN = 60
COLOURS = (SafetyColour.RED, SafetyColour.YELLOW, SafetyColour.GREEN, SafetyColour.UNRATED)


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive

    @classmethod
    def parse(cls, since: str | date | None, until: str | date | None, today: date) -> Period:
        """From the page's or the API's text (YYYY-MM-DD); by default the last twelve months
        (the first day of the month eleven months ago to today). Bad dates, a start after the
        end and more than five years are refused in Chinese."""
        errors: dict[str, str] = {}

        def read(name: str, value: str | date | None) -> date | None:
            if value in (None, ""):
                return None
            if isinstance(value, date):
                return value
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                errors[name] = _("日期格式应为年-月-日，例如2026-01-31。")
                return None

        start, end = read("since", since), read("until", until)
        if errors:
            raise ValidationError(errors)
        end = end or today
        if start is None:
            month = end.month - 11
            year = end.year + (month - 1) // 12
            start = date(year, (month - 1) % 12 + 1, 1)
        if start > end:
            raise ValidationError({"since": _("开始日期不能晚于结束日期。")})
        if (end - start).days > MAX_DAYS:
            raise ValidationError({"since": _("统计时段最长五年，请缩短时段。")})
        return cls(start, end)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the site's time zone (index-friendly)."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.since, time.min, tzinfo=tz)
        end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=tz)
        return start, end


def default_scope(user: User) -> Organization | None:
    """The widest organization the user sees (the district for its staff), None for none."""
    return Organization.objects.restrict(user).order_by("path").first()


def _under(path: str, prefix: str = "organization") -> Q:
    return Q(**{f"{prefix}__path__startswith": path})


def figures(
    user: User,
    *,
    scope: Organization,
    period: Period,
    today: date | None = None,
    direct: bool | None = None,
) -> dict[str, Any]:
    """The figures of ``scope``'s subtree within the user's reach for ``period``. Hazards
    "found" were reported in the period, "removed" closed (销号) in it; "open" and "overdue"
    are as of ``today``; ``by_state`` counts the hazards found in the period by where they
    stand now. Each table is read once: the buildings grouped by child organization and colour,
    then the hazards — from the per-day summary tables when they cover the user's view of the
    scope (``_summary_covers``), else from the hazards themselves (``direct=True`` forces it; the
    tests compare the two) — and every total, category, state and child row is summed in Python
    from a few hundred grouped rows, not counted by a pass of its own."""
    today = today or timezone.localdate()
    start, end = period.bounds()
    buildings = Building.objects.restrict(user).filter(_under(scope.path))
    # A child's path is the scope's plus one fixed-width segment: the first ``width`` characters
    # of a row's organization path name the child it falls under (or the scope itself).
    width = len(scope.path) + PATH_STEP + 1
    branch = Substr("organization__path", 1, width)

    colour_rows = list(
        buildings.values("safety_colour", branch=branch).annotate(n=Count("pk")).order_by()
    )
    by_colour = {c.value: 0 for c in COLOURS}
    for row in colour_rows:
        by_colour[row["safety_colour"]] = by_colour.get(row["safety_colour"], 0) + row["n"]
    inspected = (
        Inspection.objects.restrict(user)
        .filter(
            _under(scope.path),
            state=InspectionState.SUBMITTED,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .aggregate(inspections=Count("pk"), buildings=Count("building", distinct=True))
    )
    if direct is None:
        direct = not _summary_covers(user, scope)
    counts = (_hazards_direct if direct else _hazards_summary)(user, scope, period, today, width)
    totals, by_category, by_state = counts.totals, counts.by_category, counts.by_state
    by_branch, found_months, removed_months = counts.by_branch, counts.found, counts.removed
    category_labels = labels.labels(HazardCategory)
    state_labels = labels.labels(HazardState)
    return {
        "scope": {"id": scope.pk, "name": scope.display_name, "kind": scope.kind},
        "since": period.since,
        "until": period.until,
        "today": today,
        "buildings": {
            "total": sum(row["n"] for row in colour_rows),
            "by_colour": [
                {"colour": c.value, "label": str(c.label), "count": by_colour[c.value]}
                for c in COLOURS
            ],
            "inspected": inspected["buildings"],
            "inspections": inspected["inspections"],
        },
        "hazards": {
            **totals,
            "by_category": [
                {
                    "category": value,
                    "label": category_labels[value],
                    **by_category.get(value, dict.fromkeys(KEYS, 0)),
                }
                for value in HazardCategory.values
            ],
            "by_state": [
                {"state": value, "label": state_labels[value], "count": by_state.get(value, 0)}
                for value in HazardState.values
            ],
        },
        "months": [
            {
                "month": month.strftime("%Y-%m"),
                "found": _month_count(found_months, month),
                "removed": _month_count(removed_months, month),
            }
            for month in _months(period)
        ],
        "children": _children(user, scope, colour_rows, by_branch),
    }


KEYS = ("found", "removed", "open", "overdue")


@dataclass
class HazardCounts:
    """The hazard figures of a scope, before labelling: totals, per category, per state (found in
    the period), per child's path, and found / removed per month (keyed by (year, month))."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_branch: dict[str, dict[str, int]] = field(default_factory=dict)
    found: dict[tuple[int, int], int] = field(default_factory=dict)
    removed: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, category: str, branch: str, **counts: int) -> None:
        for target in (
            self.totals,
            self.by_category.setdefault(category, dict.fromkeys(KEYS, 0)),
            self.by_branch.setdefault(branch, dict.fromkeys(KEYS, 0)),
        ):
            for k, n in counts.items():
                target[k] += n


def _summary_covers(user: User, scope: Organization) -> bool:
    """Whether the summary tables give the same figures as the hazards for this user and scope:
    when the whole of the scope's subtree is within the user's reach (district and street staff
    on their own scope). A hazard outside the user's organizations but seen through its
    ``lead_branch`` (责任领办) is not in the summary, so a narrower reach counts the rows."""
    paths = scope_paths(user, Hazard, Action.VIEW)
    return paths is None or any(scope.path.startswith(p) for p in paths)


def _hazards_direct(
    user: User, scope: Organization, period: Period, today: date, width: int
) -> HazardCounts:
    """Count the hazards themselves (one pass grouped by child, category and state, and two by
    month): exact for any reach, about 3 s for a district at a million hazards."""
    start, end = period.bounds()
    in_period = Q(reported_at__gte=start, reported_at__lt=end)
    closed_in_period = Q(closed_at__gte=start, closed_at__lt=end)
    overdue_now = Q(state__in=OVERDUE_FROM, deadline__lt=today)
    hazards = Hazard.objects.restrict(user).filter(_under(scope.path))
    branch = Substr("organization__path", 1, width)
    counts = HazardCounts()
    open_states = set(OPEN_STATES)
    # Hazards closed before the period and found before it count nowhere: left out of the pass.
    hazard_rows = (
        hazards.filter(in_period | closed_in_period | Q(state__in=OPEN_STATES))
        .values("category", "state", branch=branch)
        .annotate(
            n=Count("pk"),
            found=Count("pk", filter=in_period),
            removed=Count("pk", filter=closed_in_period),
            overdue=Count("pk", filter=overdue_now),
        )
        .order_by()
    )
    for row in hazard_rows:
        counts.add(
            row["category"],
            row["branch"],
            found=row["found"],
            removed=row["removed"],
            open=row["n"] if row["state"] in open_states else 0,
            overdue=row["overdue"],
        )
        counts.by_state[row["state"]] = counts.by_state.get(row["state"], 0) + row["found"]
    # Two passes by month: one grouped by both months is slower (two time zone truncations of
    # every row, measured with bench/safety.py).
    for target, condition, column in (
        (counts.found, in_period, "reported_at"),
        (counts.removed, closed_in_period, "closed_at"),
    ):
        for row in (
            hazards.filter(condition)
            .annotate(month=TruncMonth(column))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            key = (row["month"].year, row["month"].month)
            target[key] = target.get(key, 0) + row["n"]
    return counts


def _hazards_summary(
    user: User, scope: Organization, period: Period, today: date, width: int
) -> HazardCounts:
    """The same figures from the per-day summary (``xianfeng/safety/summary.py``): the period's
    days grouped by child, category and state, and the open hazards grouped by child, category
    and whether they are overdue today — a few thousand rows instead of a million."""
    branch = Substr("organization__path", 1, width)
    days = (
        HazardDay.objects.restrict(user, rules_of=Hazard)
        .filter(_under(scope.path), day__gte=period.since, day__lte=period.until)
        .annotate(month=TruncMonth("day"))
        .values("category", "state", "month", branch=branch)
        .annotate(found=Sum("found"), removed=Sum("removed"))
        .order_by()
    )
    counts = HazardCounts()
    for row in days:
        counts.add(row["category"], row["branch"], found=row["found"], removed=row["removed"])
        counts.by_state[row["state"]] = counts.by_state.get(row["state"], 0) + row["found"]
        key = (row["month"].year, row["month"].month)
        for target, n in ((counts.found, row["found"]), (counts.removed, row["removed"])):
            if n:
                target[key] = target.get(key, 0) + n
    due = (
        HazardDue.objects.restrict(user, rules_of=Hazard)
        .filter(_under(scope.path))
        .values("category", branch=branch)
        .annotate(
            open=Sum("count"),
            overdue=Sum("count", filter=Q(state__in=OVERDUE_FROM, deadline__lt=today), default=0),
        )
        .order_by()
    )
    for row in due:
        counts.add(row["category"], row["branch"], open=row["open"], overdue=row["overdue"])
    return counts


def empty(period: Period, today: date) -> dict[str, Any]:
    """The figures of a user who sees no organization: zeros, in the same shape."""
    return {
        "scope": None,
        "since": period.since,
        "until": period.until,
        "today": today,
        "buildings": {
            "total": 0,
            "by_colour": [{"colour": c.value, "label": str(c.label), "count": 0} for c in COLOURS],
            "inspected": 0,
            "inspections": 0,
        },
        "hazards": {
            "found": 0,
            "removed": 0,
            "open": 0,
            "overdue": 0,
            "by_category": [],
            "by_state": [],
        },
        "months": [],
        "children": [],
    }


def _months(period: Period) -> list[date]:
    months = []
    current = period.since.replace(day=1)
    while current <= period.until:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _month_count(counts: dict[tuple[int, int], int], month: date) -> int:
    return counts.get((month.year, month.month), 0)


def _children(
    user: User,
    scope: Organization,
    colour_rows: list[dict[str, Any]],
    by_branch: dict[str, dict[str, int]],
) -> list[dict]:
    """The organizations one level down (at most ``MAX_CHILDREN``), each with its subtree's
    figures, read from the grouped rows ``figures`` already counted (keyed by the child's
    path): one query for the children's names."""
    children = list(
        Organization.objects.restrict(user)
        .filter(parent=scope)
        .order_by("sort_order", "path")
        .only("id", "name", "short_name", "path", "kind")[:MAX_CHILDREN]
    )
    buildings: dict[str, dict[str, int]] = {}
    for row in colour_rows:
        counts = buildings.setdefault(row["branch"], {"total": 0, "red": 0, "yellow": 0})
        counts["total"] += row["n"]
        if row["safety_colour"] in ("red", "yellow"):
            counts[row["safety_colour"]] += row["n"]
    rows = []
    for child in children:
        mine = buildings.get(child.path, {})
        hazards = by_branch.get(child.path, {})
        rows.append(
            {
                "id": child.pk,
                "name": child.display_name,
                "buildings": mine.get("total", 0),
                "red": mine.get("red", 0),
                "yellow": mine.get("yellow", 0),
                **{k: hazards.get(k, 0) for k in ("found", "removed", "open", "overdue")},
            }
        )
    return rows
