"""Safety in figures, per scope and period: buildings by colour and inspected, hazards found and
removed, by category, status and overdue, month by month, and the same per organization one
level down. Everything is counted in the database through ``restrict`` (conditional aggregates,
a fixed number of queries whatever the number of rows); the page and the API read these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import labels
from xianfeng.orgs.models import Organization
from xianfeng.places.choices import SafetyColour
from xianfeng.places.models import Building
from xianfeng.safety.choices import (
    OPEN_STATES,
    OVERDUE_FROM,
    HazardCategory,
    HazardState,
    InspectionState,
)
from xianfeng.safety.models import Hazard, Inspection

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
    user: User, *, scope: Organization, period: Period, today: date | None = None
) -> dict[str, Any]:
    """The figures of ``scope``'s subtree within the user's reach for ``period``: eight
    queries, each an aggregate. Hazards "found" were reported in the period, "removed" closed
    (销号) in it; "open" and "overdue" are as of ``today``; ``by_state`` counts the hazards
    found in the period by where they stand now."""
    today = today or timezone.localdate()
    start, end = period.bounds()
    in_period = Q(reported_at__gte=start, reported_at__lt=end)
    closed_in_period = Q(closed_at__gte=start, closed_at__lt=end)
    open_now = Q(state__in=OPEN_STATES)
    overdue_now = Q(state__in=OVERDUE_FROM, deadline__lt=today)
    hazards = Hazard.objects.restrict(user).filter(_under(scope.path))
    buildings = Building.objects.restrict(user).filter(_under(scope.path))

    colour_counts = buildings.aggregate(
        total=Count("pk"),
        **{c.value: Count("pk", filter=Q(safety_colour=c)) for c in COLOURS},
    )
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
    totals = hazards.aggregate(
        found=Count("pk", filter=in_period),
        removed=Count("pk", filter=closed_in_period),
        open=Count("pk", filter=open_now),
        overdue=Count("pk", filter=overdue_now),
    )
    category_labels = labels.labels(HazardCategory)
    by_category = {
        row["category"]: row
        for row in hazards.values("category")
        .annotate(
            found=Count("pk", filter=in_period),
            removed=Count("pk", filter=closed_in_period),
            open=Count("pk", filter=open_now),
            overdue=Count("pk", filter=overdue_now),
        )
        .order_by()
    }
    state_labels = labels.labels(HazardState)
    by_state = {
        row["state"]: row["n"]
        for row in hazards.filter(in_period).values("state").annotate(n=Count("pk")).order_by()
    }
    found_months = {
        row["month"]: row["n"]
        for row in hazards.filter(in_period)
        .annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    removed_months = {
        row["month"]: row["n"]
        for row in hazards.filter(closed_in_period)
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return {
        "scope": {"id": scope.pk, "name": scope.display_name, "kind": scope.kind},
        "since": period.since,
        "until": period.until,
        "today": today,
        "buildings": {
            "total": colour_counts["total"],
            "by_colour": [
                {"colour": c.value, "label": str(c.label), "count": colour_counts[c.value]}
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
                    **{
                        k: by_category.get(value, {}).get(k, 0)
                        for k in ("found", "removed", "open", "overdue")
                    },
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
        "children": _children(user, scope, period, today),
    }


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


def _month_count(counts: dict[Any, int], month: date) -> int:
    """TruncMonth answers an aware datetime (PostgreSQL, SQLite) or a date: keyed by month."""
    return sum(
        n for key, n in counts.items() if key and (key.year, key.month) == (month.year, month.month)
    )


def _children(user: User, scope: Organization, period: Period, today: date) -> list[dict]:
    """The organizations one level down, each with its subtree's figures: two queries with a
    filtered count per child (at most ``MAX_CHILDREN`` of them)."""
    children = list(
        Organization.objects.restrict(user)
        .filter(parent=scope)
        .order_by("sort_order", "path")
        .only("id", "name", "short_name", "path", "kind")[:MAX_CHILDREN]
    )
    if not children:
        return []
    start, end = period.bounds()
    hazard_aggs: dict[str, Any] = {}
    building_aggs: dict[str, Any] = {}
    for child in children:
        under = _under(child.path)
        key = f"c{child.pk}"
        hazard_aggs[f"{key}_found"] = Count(
            "pk", filter=under & Q(reported_at__gte=start, reported_at__lt=end)
        )
        hazard_aggs[f"{key}_removed"] = Count(
            "pk", filter=under & Q(closed_at__gte=start, closed_at__lt=end)
        )
        hazard_aggs[f"{key}_open"] = Count("pk", filter=under & Q(state__in=OPEN_STATES))
        hazard_aggs[f"{key}_overdue"] = Count(
            "pk", filter=under & Q(state__in=OVERDUE_FROM, deadline__lt=today)
        )
        building_aggs[f"{key}_red"] = Count("pk", filter=under & Q(safety_colour="red"))
        building_aggs[f"{key}_yellow"] = Count("pk", filter=under & Q(safety_colour="yellow"))
        building_aggs[f"{key}_total"] = Count("pk", filter=under)
    hazard_counts = (
        Hazard.objects.restrict(user).filter(_under(scope.path)).aggregate(**hazard_aggs)
    )
    building_counts = (
        Building.objects.restrict(user).filter(_under(scope.path)).aggregate(**building_aggs)
    )
    rows = []
    for child in children:
        key = f"c{child.pk}"
        rows.append(
            {
                "id": child.pk,
                "name": child.display_name,
                "buildings": building_counts[f"{key}_total"],
                "red": building_counts[f"{key}_red"],
                "yellow": building_counts[f"{key}_yellow"],
                **{k: hazard_counts[f"{key}_{k}"] for k in ("found", "removed", "open", "overdue")},
            }
        )
    return rows
