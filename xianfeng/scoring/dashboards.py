"""Dashboards (大屏): one per scope (district, street, community, grid branch) with the figures
that matter for a period: visit coverage, buildings by colour and hazards by status, orders and
their ratings, meetings against the rhythm, points and stars, and the same per organization
one level down. Every figure is an aggregate in the database over the user's ``restrict()``
(a fixed number of queries whatever the rows), and each carries the address of the list
behind it, so a number on the wall clicks through."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ledger
from xianfeng.core.roles import AUDIT_READERS
from xianfeng.core.scope import active_roles
from xianfeng.meetings import rhythm
from xianfeng.meetings.choices import HELD_STATES
from xianfeng.meetings.models import Meeting
from xianfeng.orgs.models import Organization
from xianfeng.places.choices import SafetyColour
from xianfeng.places.models import Building, Household
from xianfeng.safety.choices import OPEN_STATES as HAZARD_OPEN
from xianfeng.safety.choices import OVERDUE_FROM, HazardState
from xianfeng.safety.models import Hazard
from xianfeng.scoring.models import MemberMonthPoints, OrgMonthPoints, StarRating
from xianfeng.scoring.periods import Period
from xianfeng.scoring.sums import PointsSum
from xianfeng.services.choices import OPEN_STATES as ORDER_OPEN
from xianfeng.services.choices import OrderState
from xianfeng.services.models import Order
from xianfeng.visits.models import Visit

if TYPE_CHECKING:
    from xianfeng.core.models import User

#: Organizations one level down counted one by one (more are summed in the scope's totals).
MAX_CHILDREN = 60
#: Seconds between two refreshes of a wall display.
REFRESH_SECONDS = 60
COLOURS = (SafetyColour.RED, SafetyColour.YELLOW, SafetyColour.GREEN, SafetyColour.UNRATED)
INDEX_BANDS = ((0, 14), (15, 39), (40, 69), (70, 89), (90, 100))


def may_see(user: User) -> bool:
    """Administrators of every level and the auditor read dashboards (of their scope)."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or any(r.kind in AUDIT_READERS for r in active_roles(user))
    )


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(period.start, time.min, tzinfo=tz),
        datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def dashboard(user: User, scope: Organization, period: Period) -> dict[str, Any]:
    """The figures of ``scope``'s subtree within the user's reach for ``period``; "open" and
    "overdue" are as of now. Fifteen queries at most, none per row."""
    today = timezone.localdate()
    start, end = _bounds(period)
    under = Q(organization__path__startswith=scope.path)
    org_param = {"org": scope.pk}

    # Coverage: households under the scope with at least one visit in the period.
    households = Household.objects.restrict(user).filter(under).count()
    visits = (
        Visit.objects.restrict(user)
        .filter(under, visited_at__gte=start, visited_at__lt=end)
        .aggregate(n=Count("pk"), visited=Count("household_id", distinct=True))
    )
    days = max(1, (min(period.end, today) - period.start).days + 1)
    coverage = {
        "households": households,
        "visited": visits["visited"],
        "visits": visits["n"],
        "share": _share(visits["visited"], households),
        "url": _url("work:coverage", org=scope.pk, days=days),
        "visits_url": _url("work:visit_list", since=period.start.isoformat()),
    }

    # Buildings by colour, hazards by status (now) and found / removed in the period.
    colours = (
        Building.objects.restrict(user)
        .filter(under)
        .aggregate(
            total=Count("pk"), **{c.value: Count("pk", filter=Q(safety_colour=c)) for c in COLOURS}
        )
    )
    hazard_qs = Hazard.objects.restrict(user).filter(under)
    by_state = {
        row["state"]: row["n"]
        for row in hazard_qs.filter(state__in=HAZARD_OPEN)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    hazard_totals = hazard_qs.aggregate(
        found=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
        removed=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end)),
        overdue=Count("pk", filter=Q(state__in=OVERDUE_FROM, deadline__lt=today)),
    )
    figures_url = _url("safety:figures", org=scope.pk)
    safety = {
        "buildings": colours["total"],
        "by_colour": [
            {
                "colour": c.value,
                "label": str(c.label),
                "count": colours[c.value],
                "url": figures_url,
            }
            for c in COLOURS
        ],
        "by_state": [
            {
                "state": s.value,
                "label": str(s.label),
                "count": by_state.get(s.value, 0),
                "url": _url("safety:hazard_list", state=s.value),
            }
            for s in HazardState
            if s in HAZARD_OPEN
        ],
        "open": sum(by_state.values()),
        "open_url": _url("safety:hazard_list", open=1),
        "overdue": hazard_totals["overdue"],
        "overdue_url": _url("safety:hazard_list", open=1, overdue=1),
        "found": hazard_totals["found"],
        "removed": hazard_totals["removed"],
        "url": figures_url,
    }

    # Orders: placed in the period by where they stand now, and the ratings given in it.
    community = scope.pk if scope.kind == "community" else None
    order_qs = Order.objects.restrict(user).filter(under)
    order_states = {
        row["state"]: row["n"]
        for row in order_qs.filter(created_at__gte=start, created_at__lt=end)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rated = order_qs.filter(rated_at__gte=start, rated_at__lt=end, rating__isnull=False).aggregate(
        n=Count("pk"), average=Avg("rating"), good=Count("pk", filter=Q(rating__gte=4))
    )
    open_orders = order_qs.filter(state__in=ORDER_OPEN).count()
    orders = {
        "placed": sum(order_states.values()),
        "by_state": [
            {
                "state": s.value,
                "label": str(s.label),
                "count": order_states.get(s.value, 0),
                "url": _url("services:order_list", state=s.value, community=community),
            }
            for s in OrderState
        ],
        "open": open_orders,
        "open_url": _url("services:order_list", open=1, community=community),
        "rated": rated["n"],
        "rating": round(float(rated["average"]), 2) if rated["average"] is not None else None,
        "satisfied": _share(rated["good"], rated["n"]),
        "rated_url": _url("services:order_list", state=OrderState.RATED, community=community),
    }

    # Meetings against the rhythm: the organizations under the scope that a rule covers.
    rules = rhythm.active_rules()
    ruled = Organization.objects.restrict(user).filter(
        path__startswith=scope.path, kind__in=list(rules)
    )
    rows = rhythm.figures(ruled, period.start, min(period.end, today)) if rules else []
    required = sum(r["required"] for r in rows)
    held = sum(r["held"] for r in rows)
    by_kind = {
        row["kind"]: row["n"]
        for row in Meeting.objects.restrict(user)
        .filter(under, state__in=HELD_STATES, starts_at__gte=start, starts_at__lt=end)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    from xianfeng.meetings.choices import MeetingKind

    meetings = {
        "required": required,
        "held": held,
        "short": sum(r["short"] for r in rows),
        "organizations": len(rows),
        "behind": sum(1 for r in rows if r["short"]),
        "share": _share(held, required),
        "by_kind": [
            {
                "kind": k,
                "label": str(MeetingKind(k).label) if k in MeetingKind.values else k,
                "count": n,
            }
            for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1])
        ],
        "url": _url("meetings:rhythm", start=period.start.isoformat(), end=period.end.isoformat()),
    }

    # Points in the period: earned in the scope (where the acts were recorded), by kind, and
    # the members under it with any; both from the monthly totals kept with the entries.
    months = (period.start, period.end)
    point_rows = list(
        OrgMonthPoints.objects.restrict(user)
        .filter(under, month__range=months)
        .values("kind")
        .annotate(total=PointsSum("points"), n=Sum("entries"))
        .order_by("-total", "kind")
    )
    # The scope is within the user's reach (``org_for``), and so are the members under it.
    members_scored = (
        MemberMonthPoints.objects.filter(
            member__branch__path__startswith=scope.path, month__range=months
        )
        .exclude(points=0)
        .values("member_id")
        .distinct()
        .count()
    )
    board_url = _url("scoring:leaderboard", period=period.name, **org_param)
    total_points = sum((r["total"] or Decimal(0) for r in point_rows), Decimal(0))
    year = period.start.year
    stars_qs = StarRating.objects.restrict(user).filter(under, year=year)
    star_counts = stars_qs.aggregate(
        **{f"s{n}": Count("pk", filter=Q(stars=n)) for n in range(1, 6)},
        **{
            f"b{i}": Count("pk", filter=Q(index__gte=lo, index__lte=hi))
            for i, (lo, hi) in enumerate(INDEX_BANDS)
        },
    )
    stars_url = _url("scoring:stars", year=year, **org_param)
    points = {
        "total": total_points,
        "members": members_scored,
        "by_kind": [
            {
                "kind": r["kind"],
                "label": str(_("人工调整"))
                if r["kind"] == "adjustment"
                else ledger.label(r["kind"]),
                "points": r["total"] or Decimal(0),
                "count": r["n"],
            }
            for r in point_rows[:12]
        ],
        "url": board_url,
        "year": year,
        # Stars as rated (after any democratic review) beside the stars the index alone gives.
        "stars": [
            {
                "stars": n,
                "count": star_counts[f"s{n}"],
                "band": "{}–{}".format(*INDEX_BANDS[n - 1]),
                "band_count": star_counts[f"b{n - 1}"],
                "url": stars_url,
            }
            for n in range(5, 0, -1)
        ],
        "stars_url": stars_url,
    }

    return {
        "scope": {
            "id": scope.pk,
            "name": scope.name,
            "kind": scope.kind,
            "kind_label": str(scope.get_kind_display()),
        },
        "period": period.name,
        "period_label": str(period.label),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "refresh_seconds": REFRESH_SECONDS,
        "coverage": coverage,
        "safety": safety,
        "orders": orders,
        "meetings": meetings,
        "points": points,
        "children": children(user, scope, period),
    }


def children(user: User, scope: Organization, period: Period) -> list[dict[str, Any]]:
    """One row per organization directly under ``scope`` (at most ``MAX_CHILDREN``): its
    households and those visited, open and overdue hazards, orders placed and points, each
    grouped by the child's path prefix in one query."""
    kids = list(
        Organization.objects.restrict(user)
        .filter(parent=scope)
        .order_by("sort_order", "path")
        .values("pk", "name", "path", "kind")[:MAX_CHILDREN]
    )
    if not kids:
        return []
    length = len(kids[0]["path"])
    start, end = _bounds(period)
    today = timezone.localdate()
    below = Q(organization__path__startswith=scope.path) & ~Q(organization_id=scope.pk)

    def grouped(qs: Any, **aggregates: Any) -> dict[str, dict[str, Any]]:
        return {
            row["prefix"]: row
            for row in qs.filter(below)
            .annotate(prefix=Substr("organization__path", 1, length))
            .values("prefix")
            .annotate(**aggregates)
            .order_by()
        }

    homes = grouped(Household.objects.restrict(user), n=Count("pk"))
    seen = grouped(
        Visit.objects.restrict(user).filter(visited_at__gte=start, visited_at__lt=end),
        n=Count("household_id", distinct=True),
    )
    hazards = grouped(
        Hazard.objects.restrict(user).filter(state__in=HAZARD_OPEN),
        n=Count("pk"),
        overdue=Count("pk", filter=Q(state__in=OVERDUE_FROM, deadline__lt=today)),
    )
    orders = grouped(
        Order.objects.restrict(user).filter(created_at__gte=start, created_at__lt=end),
        n=Count("pk"),
    )
    points = grouped(
        OrgMonthPoints.objects.restrict(user).filter(month__range=(period.start, period.end)),
        total=PointsSum("points"),
    )
    out = []
    for kid in kids:
        p = kid["path"]
        h = homes.get(p, {}).get("n", 0)
        v = seen.get(p, {}).get("n", 0)
        out.append(
            {
                "id": kid["pk"],
                "name": kid["name"],
                "kind": kid["kind"],
                "households": h,
                "visited": v,
                "coverage": _share(v, h),
                "hazards_open": hazards.get(p, {}).get("n", 0),
                "hazards_overdue": hazards.get(p, {}).get("overdue", 0),
                "orders": orders.get(p, {}).get("n", 0),
                "points": points.get(p, {}).get("total") or Decimal(0),
                "url": _url("scoring:dashboard", org=kid["pk"], period=period.name),
            }
        )
    return out
