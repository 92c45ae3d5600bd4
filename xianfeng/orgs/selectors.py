"""Reads of the organization tree and pairings: the one place their lists are filtered.

The tree page, ``GET /organizations``, the organization export, the detail page's pairings and
``GET /pairings`` all call these functions (see ``xianfeng/core/selectors.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet, Subquery

from xianfeng.core.choices import Action
from xianfeng.core.scope import active_roles
from xianfeng.core.selectors import ListFilters
from xianfeng.orgs.choices import OrgKind, PairingKind
from xianfeng.orgs.models import Organization, Pairing, PairingDelivery

if TYPE_CHECKING:
    from xianfeng.core.models import User


def visible_org(user: User, pk: int | None) -> Organization | None:
    """The organization with this id if the user sees it (a page names the one it filters by)."""
    if pk is None:
        return None
    return Organization.objects.restrict(user, Action.VIEW).filter(pk=pk).first()


def in_subtree_of(user: User, pk: int, lookup: str = "") -> Q:
    """Rows whose ``<lookup>path`` lies in the subtree of organization ``pk`` as the user sees
    it. The organization's path comes from a subquery, so filtering by an organization costs
    no query of its own; one the user does not see gives no path, and ``LIKE NULL`` matches
    nothing, as an out-of-scope filter should."""
    paths = Organization.objects.restrict(user, Action.VIEW).filter(pk=pk).values("path")
    return Q(**{f"{lookup}path__startswith": Subquery(paths[:1])})


# --- organizations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationFilters(ListFilters):
    root: int | None = None  # the organization and its whole subtree
    kind: str = field(default="", metadata={"choices": OrgKind.values})
    parent: int | None = None  # direct children only
    q: str = ""


def organization_list(*, user: User, filters: OrganizationFilters) -> QuerySet[Organization]:
    """Organizations in the user's scope, in tree order (path)."""
    qs = Organization.objects.restrict(user, Action.VIEW).order_by("path")
    if filters.root is not None:
        qs = qs.filter(in_subtree_of(user, filters.root))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
    return qs


def organization_roots(*, user: User) -> QuerySet[Organization]:
    """The tops of the user's scope: the tree's roots for a superuser, else the organizations
    of the user's roles that no other role of theirs lies above."""
    scoped = Organization.objects.restrict(user, Action.VIEW)
    if user.is_superuser:
        return scoped.filter(parent__isnull=True)
    paths = [r.path for r in active_roles(user)]
    top = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    return scoped.filter(path__in=top)


# --- pairings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairingFilters(ListFilters):
    kind: str = field(default="", metadata={"choices": PairingKind.values})
    organization: int | None = None  # either side is this organization


def pairing_list(*, user: User, filters: PairingFilters) -> QuerySet[Pairing]:
    """Pairings the user sees, newest first (the model's order, with the id to break ties)."""
    qs = (
        Pairing.objects.restrict(user, Action.VIEW)
        .select_related("org_a", "org_b")
        .order_by("-starts_on", "id")
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.organization is not None:
        qs = qs.filter(Q(org_a_id=filters.organization) | Q(org_b_id=filters.organization))
    return qs


def delivery_list(*, user: User, pairing: Pairing) -> QuerySet[PairingDelivery]:
    """What each side of a pairing has done, newest first."""
    return (
        PairingDelivery.objects.restrict(user, Action.VIEW)
        .filter(pairing=pairing)
        .select_related("organization")
        .order_by("-done_on", "-id")
    )


def delivery_progress(*, user: User, pairings: list[Pairing]) -> dict[tuple[int, int], dict]:
    """Per (pairing, side): how many deliveries and the latest date, in one query."""
    rows = (
        PairingDelivery.objects.restrict(user, Action.VIEW)
        .filter(pairing__in=[p.pk for p in pairings])
        .values("pairing_id", "organization_id")
        .annotate(n=Count("id"), last=Max("done_on"))
    )
    return {(r["pairing_id"], r["organization_id"]): r for r in rows}


def public_community(pk: Any = None, *, code: str | None = None) -> Organization | None:
    """A community of the district for the public pages (no login, so no ``restrict``: which
    community a resident looks at is public), by its id or its code. ``None`` for anything
    else: an empty or malformed id, another kind of organization, an unknown code."""
    if code is not None:
        code = str(code).strip()
        if not code or len(code) > 64:
            return None
        return Organization.objects.filter(code=code, kind=OrgKind.COMMUNITY).first()
    raw = str(pk if pk is not None else "").strip()
    # A database integer (at most 18 digits: larger ids overflow a bigint and are no one's).
    if not raw.isdigit() or len(raw) > 18:
        return None
    return Organization.objects.filter(pk=int(raw), kind=OrgKind.COMMUNITY).first()
