"""Reads for visits and coverage (走村不漏户，户户见干部), computed in the database. Every list
that a page and the API show comes from one function here (``visits``, ``not_visited``,
``paired_visits``), with one set of filters.

* ``visits(user, mine=, household=, task=)``: visits the user sees, newest first.

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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from xianfeng.core.kept_sql import KeptList, rows_by_ids, scope_key
from xianfeng.orgs.models import Organization
from xianfeng.places.models import Household, ResponsibilityZone, household_label
from xianfeng.visits.models import Visit


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


# --- paired safety checks reported upward (安全结对检查) -----------------------------------------


@dataclass(frozen=True)
class PairedRow:
    """One pairing seen from ``ours`` (in the reading organization's subtree): the visits its
    members made in the paired organization ``partner`` during the period."""

    pairing: Any
    ours: Organization
    partner: Organization
    visits: int
    households_visited: int
    members: int
    hazards: int
    last_visit: datetime | None
    households: int

    @property
    def percent(self) -> int:
        return round(100 * self.households_visited / self.households) if self.households else 0


def paired_check_visits(*, user: Any, org: Organization, start: datetime, end: datetime) -> Any:
    """Visits reported to ``org``'s subtree (``Visit.reported_to``) in the period, as ``user``
    may see them (``restrict``)."""
    return Visit.objects.restrict(user).filter(
        reported_to__path__startswith=org.path, visited_at__gte=start, visited_at__lt=end
    )


def paired_checks(
    *, user: Any, org: Organization, start: datetime, end: datetime
) -> list[PairedRow]:
    """Per pairing of an organization of ``org``'s subtree with an organization outside it: the
    visits its members made there in the period. Three queries whatever the number of
    pairings (pairings; visits grouped by pairing with CASE; households grouped likewise)."""
    from django.db.models import Case, IntegerField, Max, Value, When

    from xianfeng.orgs.models import Pairing

    inside = Q(org_a__path__startswith=org.path)
    other_inside = Q(org_b__path__startswith=org.path)
    pairings = list(
        Pairing.objects.restrict(user)
        .filter(inside ^ other_inside)
        .filter(starts_on__lt=end.date() + timedelta(days=1))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start.date()))
        .select_related("org_a", "org_b")
        .order_by("org_a__path", "org_b__path", "pk")
    )
    sides = []
    for p in pairings:
        ours, partner = (
            (p.org_a, p.org_b) if p.org_a.path.startswith(org.path) else (p.org_b, p.org_a)
        )
        sides.append((p, ours, partner))
    if not sides:
        return []
    key = Case(
        *[
            When(
                Q(reported_to__path__startswith=ours.path)
                & Q(organization__path__startswith=partner.path),
                then=Value(p.pk),
            )
            for p, ours, partner in sides
        ],
        default=Value(None),
        output_field=IntegerField(),
    )
    stats = {
        row["pairing_key"]: row
        for row in paired_check_visits(user=user, org=org, start=start, end=end)
        .annotate(pairing_key=key)
        .exclude(pairing_key=None)
        .values("pairing_key")
        .annotate(
            visits=Count("id"),
            households_visited=Count("household", distinct=True),
            members=Count("member", distinct=True),
            hazards=Count("id", filter=Q(raises_hazard=True)),
            last_visit=Max("visited_at"),
        )
        .order_by()
    }
    partner_key = Case(
        *[
            When(organization__path__startswith=partner.path, then=Value(partner.pk))
            for _p, _ours, partner in sides
        ],
        default=Value(None),
        output_field=IntegerField(),
    )
    within = Q()
    for _p, _ours, partner in sides:
        within |= Q(organization__path__startswith=partner.path)
    totals = {
        row["partner_key"]: row["n"]
        for row in Household.objects.filter(within)
        .annotate(partner_key=partner_key)
        .exclude(partner_key=None)
        .values("partner_key")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for p, ours, partner in sides:
        s = stats.get(p.pk, {})
        rows.append(
            PairedRow(
                pairing=p,
                ours=ours,
                partner=partner,
                visits=s.get("visits", 0),
                households_visited=s.get("households_visited", 0),
                members=s.get("members", 0),
                hazards=s.get("hazards", 0),
                last_visit=s.get("last_visit"),
                households=totals.get(partner.pk, 0),
            )
        )
    return rows


def date_period(start: date | None, end: date | None) -> tuple[date, date, datetime, datetime]:
    """A period of whole days, ``end`` included; by default this month up to today. Answers
    the two dates and the half-open datetime range ``[start, end + 1 day)``."""
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(day=1)
    if end < start:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if (end - start).days > 3660:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"start": _("统计期间不能超过十年。")})
    tz = timezone.get_current_timezone()
    low = datetime.combine(start, time.min, tzinfo=tz)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end, low, high


def paired_partner(*, user: Any, org: Organization, pk: Any) -> Organization:
    """An organization paired with ``org``'s subtree, through a pairing the user sees; a
    paired community lies outside an agency's scope but is named by the pairing."""
    from xianfeng.core.services import NotFound
    from xianfeng.orgs.models import Pairing

    pairing = (
        Pairing.objects.restrict(user)
        .filter(
            Q(org_a_id=pk, org_b__path__startswith=org.path)
            | Q(org_b_id=pk, org_a__path__startswith=org.path)
        )
        .select_related("org_a", "org_b")
        .first()
        if str(pk).isdigit()
        else None
    )
    if pairing is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    return pairing.org_a if pairing.org_a_id == int(pk) else pairing.org_b


def paired_visits(
    *, user: Any, org: Organization, start: datetime, end: datetime, partner: Any = None
) -> QuerySet:
    """The visits of ``paired_check_visits``, only those in the paired organization
    ``partner`` (an id, checked with ``paired_partner``) if given; newest first."""
    qs = paired_check_visits(user=user, org=org, start=start, end=end)
    if partner is not None and partner != "":
        found = paired_partner(user=user, org=org, pk=partner)
        qs = qs.filter(organization__path__startswith=found.path)
    return qs.select_related("member__person", "household__building", "building").order_by(
        "-visited_at", "-id"
    )


# --- lists ---------------------------------------------------------------------------------


def visits(
    user: Any,
    *,
    mine: bool = False,
    household: Any = None,
    task: Any = None,
    since: date | None = None,
) -> QuerySet:
    """Visits the user sees: ``mine`` (the user's member made them), of one ``household``
    (an id), linked to one ``task``, made on or after ``since`` (a local day); newest first."""
    from xianfeng.work.services import member_of

    # The households by a second query: with them joined too, PostgreSQL spent 18 ms planning
    # a query it ran in 3 (eight tables with the scope's two organizations).
    qs = (
        Visit.objects.restrict(user)
        .select_related("member__person", "building")
        .prefetch_related("household__building")
    )
    if mine:
        member = member_of(user)
        qs = qs.filter(member=member) if member else qs.none()
    if household is not None:
        qs = qs.filter(household_id=household)
    if task is not None:
        qs = qs.filter(task=task)
    if since is not None:
        start = timezone.make_aware(datetime.combine(since, time.min))
        qs = qs.filter(visited_at__gte=start)
    return qs.order_by("-visited_at", "-id")


def visit_list(
    user: Any,
    fields: tuple[str, ...],
    *,
    mine: bool = False,
    household: int | None = None,
    task: Any = None,
    since: date | None = None,
) -> KeptList:
    """``visits(...)`` for a page of a list: its COUNT and its rows (``fields`` tuples), each
    compiled once per scope and filters (``core/kept_sql.py``): building the queryset and
    compiling its two queries, with the scope's two organization subqueries, were a fifth of
    a request's CPU (issue 11)."""
    from xianfeng.work.services import member_of

    member = member_of(user) if mine else None
    key = (
        "visits",
        scope_key(user, Visit),
        mine,
        member.pk if member else None,
        household,
        getattr(task, "pk", task),
        since,
        timezone.get_current_timezone_name() if since is not None else None,
    )
    return KeptList(
        key,
        Visit,
        lambda: visits(user, mine=mine, household=household, task=task, since=since),
        fields,
    )


def household_labels(ids: Iterable[int]) -> dict[int, str]:
    """``{id: 幸福里3栋2单元301}`` of the households of a page of visits (already in scope
    through the visits), by one query compiled once per number of households."""
    rows = rows_by_ids(
        "visit_households",
        Household,
        lambda pks: Household.objects.filter(pk__in=pks).order_by(),  # no sort: a dict
        ids,
        ("id", "building__name", "unit", "room"),
    )
    return {pk: household_label(building, unit, room) for pk, building, unit, room in rows}


def coverage_target(user: Any, org_id: int | None, zone_id: int | None) -> Any:
    """``(org, zone)``: the organization or zone asked for, within scope; by default the
    user's first role's organization."""
    from django.http import Http404
    from django.utils.translation import gettext as _

    from xianfeng.core.scope import active_roles
    from xianfeng.core.services import get_object_for

    if zone_id is not None:
        return None, get_object_for(user=user, model=ResponsibilityZone, pk=zone_id)
    if org_id is None:
        roles = active_roles(user)
        if roles:
            org_id = roles[0].organization_id
        else:
            # Only a superuser has no role and still a scope: the whole tree.
            org = (
                Organization.objects.restrict(user)
                .filter(parent__isnull=True)
                .order_by("path")
                .first()
            )
            if org is None:
                raise Http404(_("对象不存在或不在您的管辖范围内。"))
            return org, None
    return get_object_for(user=user, model=Organization, pk=org_id), None


def paired_target(user: Any, org_id: int | None, start: Any, end: Any) -> Any:
    """(org, start date, end date, low, high) for the paired-checks page and endpoints."""
    org, _zone = coverage_target(user, org_id, None)
    return (org, *date_period(start, end))


def moved_household_visits(user: Any, *, state: str = "pending") -> QuerySet:
    """Visits that found their household moved (待社区更新住户信息), as ``user`` sees them:
    waiting for the community (``pending``) or already dealt with (``done``); newest first."""
    from xianfeng.visits.choices import HouseholdUpdate

    if state not in (HouseholdUpdate.PENDING, HouseholdUpdate.DONE):
        state = HouseholdUpdate.PENDING
    return (
        Visit.objects.restrict(user)
        .filter(household_update=state)
        .select_related("member__person", "building", "organization")
        .order_by("-visited_at", "-id")
    )


def moved_household_count(user: Any, org: Organization) -> int:
    """How many visits under ``org`` wait for the community to update a moved household."""
    return moved_household_visits(user).filter(organization__path__startswith=org.path).count()
