"""Reads of scoring: a member's points and breakdown, the vanguard index (先锋指数) within like
groups, leaderboards of members and organizations within scope, and the auditor's anomalies.

The index compares a member with the members of the same kind (社区党员, 在职党员, ...) in the
same community over a month, quarter or year: the share of the group whose points are below
theirs (ties count half), as 0–100. It is computed from the point entries when read, so it
follows the ledger as soon as the points do (within a minute of a new record).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ledger
from xianfeng.core.models import DutyRecord
from xianfeng.core.scope import active_roles
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import MemberKind, MemberStatus
from xianfeng.people.models import PartyMember
from xianfeng.scoring.choices import AdjustmentState, AppealState, EntryKind
from xianfeng.scoring.models import (
    Adjustment,
    Appeal,
    MemberMonthPoints,
    PointEntry,
    PointRule,
    PublicBoard,
)
from xianfeng.scoring.periods import Period
from xianfeng.scoring.sums import PointsSum

if TYPE_CHECKING:
    from xianfeng.core.models import User

GONE = (MemberStatus.TRANSFERRED_OUT, MemberStatus.DECEASED)
ZERO = Decimal("0.00")


# --- rules ----------


def rule_rows() -> list[dict[str, Any]]:
    """Every declared ledger kind with its rule versions (newest first): the rules page."""
    by_kind: dict[str, list[PointRule]] = defaultdict(list)
    for rule in PointRule.objects.select_related("created_by").order_by("kind", "-version"):
        by_kind[rule.kind].append(rule)
    return [
        {"kind": k.code, "label": str(k.label), "app": k.app, "versions": by_kind.get(k.code, [])}
        for k in ledger.all_kinds()
    ]


# --- organizations and groups ----------


def community_of(org: Organization) -> Organization:
    """The community an organization lies in (itself when it is one, or above none)."""
    if org.kind == OrgKind.COMMUNITY:
        return org
    ids = [int(seg) for seg in org.path.split(".") if seg]
    found = Organization.objects.filter(pk__in=ids, kind=OrgKind.COMMUNITY).first()
    return found or org


def orgs_in_scope(user: User) -> Any:
    return Organization.objects.restrict(user)


def scope_root(user: User) -> Organization | None:
    """The highest organization the user sees (the default of leaderboards)."""
    if user.is_superuser:
        return Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    roles = active_roles(user)
    if not roles:
        return None
    return Organization.objects.filter(pk=roles[0].organization_id).first()


def org_for(user: User, raw: Any) -> Organization:
    """The organization a leaderboard is asked for, within the user's scope: outside it (or
    missing) is a Chinese validation error on ``org``, never another scope's figures."""
    if raw in (None, ""):
        root = scope_root(user)
        if root is None:
            raise ValidationError({"org": _("您没有可查看的组织。")})
        return root
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        pk = None
    found = orgs_in_scope(user).filter(pk=pk).first() if pk and pk < 2**62 else None
    if found is None:
        raise ValidationError({"org": _("所选组织不存在或不在您的管辖范围内。")})
    return found


def _members_under(org: Organization) -> Any:
    return PartyMember.objects.filter(branch__path__startswith=org.path).exclude(status__in=GONE)


def _percentiles(totals: dict[int, Decimal]) -> dict[int, int]:
    """member -> 0–100: the share of the group below them, ties counted half; no points (or
    fewer than none) is 0 whatever the group did, so an idle group does not rate itself 50."""
    values = sorted(totals.values())
    n = len(values)
    out = {}
    if n == 1:
        return {m: (100 if v > 0 else 0) for m, v in totals.items()}
    import bisect

    for member, value in totals.items():
        if value <= 0:
            out[member] = 0
            continue
        below = bisect.bisect_left(values, value)
        equal = bisect.bisect_right(values, value) - below
        out[member] = round(100 * (below + (equal - 1) / 2) / (n - 1))
    return out


@dataclass
class GroupFigures:
    """Points and index of every member of the like groups of a community (or of an
    organization outside communities), for one period."""

    totals: dict[int, Decimal] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)
    group_of: dict[int, tuple[str, int]] = field(default_factory=dict)
    group_size: dict[tuple[str, int], int] = field(default_factory=dict)
    z: dict[int, float] = field(default_factory=dict)


def group_figures(base: Organization, period: Period, *, kind: str = "") -> GroupFigures:
    """Two queries: the members under ``base`` (kind, branch path) and their points in the
    period, summed in the database; groups are (member kind, community). ``kind`` keeps one
    kind of member (a member's own summary needs only their group)."""
    under = _members_under(base)
    if kind:
        under = under.filter(kind=kind)
    members = list(under.values_list("pk", "kind", "branch__path"))
    communities = list(
        Organization.objects.filter(kind=OrgKind.COMMUNITY)
        .filter(Q(path__startswith=base.path) | Q(pk__in=_ancestor_ids(base)))
        .values_list("pk", "path")
    )
    # The monthly totals (one row per member and month, kept with the entries): a period
    # is whole months, so its sum never reads the entries themselves.
    sums = dict(
        MemberMonthPoints.objects.filter(
            month__range=(period.start, period.end),
            member__branch__path__startswith=base.path,
            **({"member__kind": kind} if kind else {}),
        )
        .values_list("member_id")
        .annotate(total=PointsSum("points"))
        .values_list("member_id", "total")
    )
    figures = GroupFigures()
    groups: dict[tuple[str, int], dict[int, Decimal]] = defaultdict(dict)
    for pk, kind, path in members:
        community = next((c for c, p in communities if path.startswith(p)), base.pk)
        key = (kind, community)
        total = sums.get(pk) or ZERO  # exact cents on SQLite too (PointsSum)
        figures.totals[pk] = total
        figures.group_of[pk] = key
        groups[key][pk] = total
    for key, totals in groups.items():
        figures.group_size[key] = len(totals)
        figures.index.update(_percentiles(totals))
        values = [float(v) for v in totals.values()]
        mean = statistics.fmean(values)
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        for pk, v in totals.items():
            figures.z[pk] = (float(v) - mean) / spread if spread else 0.0
    return figures


def _ancestor_ids(org: Organization) -> list[int]:
    return [int(seg) for seg in org.path.split(".") if seg]


# --- a member ----------


def member_summary(member: PartyMember, period: Period) -> dict[str, Any]:
    """A member's points in a period, by kind (what earned them), and their vanguard index
    within their group (same kind, same community)."""
    community = community_of(member.branch)
    entries = PointEntry.objects.filter(
        member=member, occurred_on__range=(period.start, period.end)
    )
    breakdown = [
        {
            "kind": row["kind"],
            "label": entry_label(row["kind"]),
            "points": row["total"],
            "count": row["n"],
        }
        for row in entries.values("kind")
        .annotate(total=PointsSum("points"), n=Count("id", filter=Q(entry_kind=EntryKind.AWARD)))
        .order_by("-total", "kind")
        if row["total"]
    ]
    figures = group_figures(community, period, kind=member.kind)
    key = figures.group_of.get(member.pk)
    return {
        "period": period,
        "total": figures.totals.get(member.pk, ZERO),
        "index": figures.index.get(member.pk, 0),
        "group_label": _("%(community)s的%(kind)s")
        % {"community": community.name, "kind": MemberKind(member.kind).label},
        "group_size": figures.group_size.get(key, 1),
        "rank": 1
        + sum(1 for v in _group_values(figures, key) if v > figures.totals.get(member.pk, ZERO)),
        "breakdown": breakdown,
    }


def entry_label(kind: str) -> str:
    """The Chinese name of an entry's ledger kind (or of a manual adjustment)."""
    return str(_("人工调整")) if kind == "adjustment" else ledger.label(kind)


def _group_values(figures: GroupFigures, key: Any) -> list[Decimal]:
    return [figures.totals[m] for m, g in figures.group_of.items() if g == key]


def member_entries(member: PartyMember, period: Period) -> Any:
    """A member's own entries, newest first (their own record: the member reads it as
    themselves, whichever organization the acts were recorded in)."""
    return (
        PointEntry.objects.filter(member=member, occurred_on__range=(period.start, period.end))
        .select_related("rule")
        .order_by("-occurred_on", "-id")
    )


# --- leaderboards ----------


def leaderboard(user: User | None, org: Organization, period: Period) -> list[dict[str, Any]]:
    """The members under ``org`` by points in the period, with their index in their group.
    ``user`` None is the public page (the caller checked the organization opted in)."""
    base = community_of(org)
    figures = group_figures(base, period)
    members = _members_under(org)
    if user is not None:
        members = members & PartyMember.objects.restrict(user)
    rows = list(members.values("pk", "kind", "person__name", "branch__name").order_by("pk"))
    board = [
        {
            "member_id": r["pk"],
            "name": r["person__name"],
            "branch": r["branch__name"],
            "kind": r["kind"],
            "kind_label": MemberKind(r["kind"]).label,
            "points": figures.totals.get(r["pk"], ZERO),
            "index": figures.index.get(r["pk"], 0),
        }
        for r in rows
    ]
    board.sort(key=lambda r: (-r["points"], -r["index"], r["member_id"]))
    for i, row in enumerate(board, 1):
        row["rank"] = i
    return board


def org_leaderboard(user: User, org: Organization, period: Period) -> list[dict[str, Any]]:
    """The organizations directly under ``org`` by points per member in the period; the
    index is their standing among the siblings of the same kind (0–100)."""
    children = list(
        Organization.objects.restrict(user).filter(parent=org).values("pk", "name", "kind", "path")
    )
    per_branch = defaultdict(lambda: [ZERO, 0])
    for path, total in (
        MemberMonthPoints.objects.filter(
            month__range=(period.start, period.end),
            member__branch__path__startswith=org.path,
        )
        .values_list("member__branch__path")
        .annotate(total=PointsSum("points"))
    ):
        per_branch[path][0] += total or ZERO
    for path, n in (
        _members_under(org).values_list("branch__path").annotate(n=Count("pk")).order_by()
    ):
        per_branch[path][1] += n
    rows = []
    for child in children:
        points, members = ZERO, 0
        for path, (p, n) in per_branch.items():
            if path.startswith(child["path"]):
                points += p
                members += n
        average = (points / members).quantize(Decimal("0.01")) if members else ZERO
        rows.append({**child, "points": points, "members": members, "average": average})
    by_kind: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for row in rows:
        by_kind[row["kind"]][row["pk"]] = row["average"]
    index: dict[int, int] = {}
    for values in by_kind.values():
        index.update(_percentiles(values))
    for row in rows:
        row["index"] = index.get(row["pk"], 0)
        row["kind_label"] = OrgKind(row["kind"]).label
    rows.sort(key=lambda r: (-r["average"], r["name"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def public_board(org_pk: Any) -> Organization | None:
    """The organization whose public leaderboard is open (it opted in), or None."""
    try:
        pk = int(org_pk)
    except (TypeError, ValueError):
        return None
    board = (
        PublicBoard.objects.filter(organization_id=pk, enabled=True)
        .select_related("organization")
        .first()
    )
    return board.organization if board else None


# --- workflows ----------


def adjustments(user: User, *, state: str = "") -> Any:
    qs = Adjustment.objects.restrict(user).select_related(
        "member__person", "requested_by", "decided_by"
    )
    if state in AdjustmentState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def appeals(user: User, *, state: str = "") -> Any:
    qs = Appeal.objects.restrict(user).select_related("member__person", "submitted_by")
    if state in AppealState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


# --- anomalies ----------


def anomalies(
    user: User,
    *,
    org: Organization,
    period: Period,
    days: int = 30,
    burst: int = 50,
    pair: int = 10,
    z: float = 3.0,
) -> dict[str, list[dict[str, Any]]]:
    """What the auditor looks at, read from the ledger in the user's scope: many acts in one
    hour, points far above the group, one verifier approving one member again and again."""
    since = timezone.now() - timedelta(days=days)
    records = DutyRecord.objects.restrict(user).filter(
        organization__path__startswith=org.path, occurred_at__gte=since
    )
    bursts = [
        {**row, "label": ledger.label(row["action"])}
        for row in records.exclude(member__isnull=True)
        .annotate(hour=TruncHour("occurred_at"))
        .values("member_id", "member__person__name", "action", "hour")
        .annotate(n=Count("id"))
        .filter(n__gte=burst)
        .order_by("-n")[:50]
    ]
    pairs = list(
        records.filter(verifies__isnull=False, verifies__member__isnull=False)
        .values(
            "actor_id", "actor__display_name", "actor__username", "verifies__member__person__name"
        )
        .annotate(n=Count("id"))
        .filter(n__gte=pair)
        .order_by("-n")[:50]
    )
    figures = group_figures(community_of(org) if org.kind != OrgKind.DISTRICT else org, period)
    visible = set(
        (_members_under(org) & PartyMember.objects.restrict(user)).values_list("pk", flat=True)
    )
    high_ids = [m for m, score in figures.z.items() if score >= z and m in visible]
    names = dict(PartyMember.objects.filter(pk__in=high_ids).values_list("pk", "person__name"))
    high = sorted(
        (
            {
                "member_id": m,
                "name": names.get(m, ""),
                "points": figures.totals[m],
                "z": round(figures.z[m], 1),
                "group_size": figures.group_size[figures.group_of[m]],
            }
            for m in high_ids
        ),
        key=lambda r: -r["z"],
    )[:50]
    return {"bursts": bursts, "pairs": pairs, "high": high}
