"""Reads for coverage (走村不漏户，户户见干部), computed in the database.

* ``coverage(org, start, end)``: households under an organization, and how many of them had at
  least one visit in the period. The visited count reads the index
  ``visit_org_time_hh (organization, visited_at, household)`` only, one range per
  organization of the subtree.
* ``not_visited(org, days)``: households under an organization with no visit since the cutoff;
  one probe of ``visit_household_time (household, visited_at)`` per household, paginated.
* ``coverage_by_child(org, ...)``: the same figures for each child organization in two grouped
  queries (organization paths are fixed-width, so a child's subtree is a path prefix of a
  known length).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from xianfeng.orgs.models import Organization
from xianfeng.places.models import Household, ResponsibilityZone
from xianfeng.work.models import Visit


@dataclass(frozen=True)
class Coverage:
    households: int
    visited: int

    @property
    def share(self) -> float:
        return self.visited / self.households if self.households else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def period(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now - timedelta(days=days), now


def _org_ids(org: Organization) -> QuerySet:
    return Organization.objects.filter(path__startswith=org.path).values("pk")


def households_of(*, org: Organization | None = None, zone: ResponsibilityZone | None = None):
    if zone is not None:
        return Household.objects.filter(
            Q(pk__in=zone.households.values("pk")) | Q(building_id__in=zone.buildings.values("pk"))
        )
    assert org is not None
    return Household.objects.filter(organization_id__in=_org_ids(org))


def coverage(
    *,
    start: datetime,
    end: datetime,
    org: Organization | None = None,
    zone: ResponsibilityZone | None = None,
) -> Coverage:
    """Share of households with at least one visit in ``[start, end)``."""
    households = households_of(org=org, zone=zone)
    visits = Visit.objects.filter(
        visited_at__gte=start, visited_at__lt=end, household_id__isnull=False
    )
    if zone is not None:
        visits = visits.filter(household_id__in=households.values("pk"))
    else:
        visits = visits.filter(organization_id__in=_org_ids(org))
    visited = visits.order_by().values("household_id").distinct().count()
    return Coverage(households=households.count(), visited=visited)


def recent_coverage(*, org: Organization, days: int, nv_days: int) -> tuple[Coverage, int]:
    """For the home page, in two queries: the coverage of the last ``days`` and how many
    households nobody visited in the last ``nv_days`` (households minus those visited)."""
    now = timezone.now()
    households = households_of(org=org).count()
    counts = Visit.objects.filter(
        organization_id__in=_org_ids(org),
        visited_at__gte=now - timedelta(days=max(days, nv_days)),
        household_id__isnull=False,
    ).aggregate(
        recent=Count(
            "household_id", distinct=True, filter=Q(visited_at__gte=now - timedelta(days=days))
        ),
        seen=Count(
            "household_id", distinct=True, filter=Q(visited_at__gte=now - timedelta(days=nv_days))
        ),
    )
    return Coverage(households=households, visited=counts["recent"]), households - counts["seen"]


def coverage_by_child(*, org: Organization, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """One row per child organization with its households, visited households and share."""
    children = list(Organization.objects.filter(parent=org).order_by("sort_order", "path"))
    if not children:
        return []
    length = len(children[0].path)
    by_path = {c.path: c for c in children}
    totals = dict(
        Household.objects.filter(organization__path__startswith=org.path)
        .exclude(organization_id=org.pk)
        .annotate(prefix=Substr("organization__path", 1, length))
        .values("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    )
    visited = dict(
        Visit.objects.filter(
            organization__path__startswith=org.path,
            visited_at__gte=start,
            visited_at__lt=end,
            household_id__isnull=False,
        )
        .exclude(organization_id=org.pk)
        .annotate(prefix=Substr("organization__path", 1, length))
        .values("prefix")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("prefix", "n")
    )
    rows = []
    for path, child in by_path.items():
        cov = Coverage(households=totals.get(path, 0), visited=visited.get(path, 0))
        if cov.households:
            rows.append({"org": child, "coverage": cov})
    return rows


def not_visited(
    *,
    days: int,
    org: Organization | None = None,
    zone: ResponsibilityZone | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """Households nobody has visited in ``days`` days, with their last visit (or none)."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    recent = Visit.objects.filter(household_id=OuterRef("pk"), visited_at__gte=cutoff)
    last = (
        Visit.objects.filter(household_id=OuterRef("pk"))
        .order_by("-visited_at")
        .values("visited_at")
    )
    return (
        households_of(org=org, zone=zone)
        .filter(~Exists(recent))
        .annotate(last_visited_at=Subquery(last[:1]))
        .select_related("building")
        .order_by("building_id", "unit", "room", "pk")
    )
