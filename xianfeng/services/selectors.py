"""Reads of services: one selector per list, called by the pages, the API and the public page
alike. Staff lists read through ``restrict``; the public lists show only what an organization
published (``is_active``) for one community, and nothing personal."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from xianfeng.core.scope import user_can
from xianfeng.core.workflow import state_allows
from xianfeng.orgs.models import Organization
from xianfeng.people.members import member_of
from xianfeng.services.choices import OPEN_STATES, OrderState
from xianfeng.services.models import (
    READ_CONTACT_LOG,
    ContactAccess,
    CoProject,
    Order,
    Resource,
    Service,
    member_team_ids,
)

if TYPE_CHECKING:
    from xianfeng.core.models import User

LISTS = {"services": Service, "resources": Resource, "projects": CoProject}


def _for_community(qs: QuerySet, community: Organization) -> QuerySet:
    """Lines offered in the community (its organizations) or above it (the street's, the
    district's, which serve every community under them)."""
    above = [int(seg) for seg in community.path.split(".") if seg]
    return qs.filter(
        Q(organization__path__startswith=community.path) | Q(organization_id__in=above)
    )


def public_list(kind: str, community: Organization) -> QuerySet:
    """The public page's list (服务/资源/项目清单) of one community: published lines only."""
    model = LISTS[kind]
    qs = _for_community(model.objects.filter(is_active=True), community)
    related = ["organization"]
    if model is Service:
        related.append("provider_member__person")
    return qs.select_related(*related)


def list_items(user: User, kind: str, *, community: int | None = None) -> QuerySet:
    """A list in the user's scope for the staff pages and the API."""
    model = LISTS[kind]
    qs = model.objects.restrict(user).select_related("organization")
    if model is Service:
        qs = qs.select_related("provider_member__person")
    if community:
        org = Organization.objects.filter(pk=community).first()
        qs = _for_community(qs, org) if org is not None else qs.none()
    return qs


def orders(
    user: User,
    *,
    state: str | None = None,
    open_only: bool = False,
    overdue: bool = False,
    community: int | None = None,
    mine: bool = False,
) -> QuerySet:
    """Orders in scope, newest first, filtered; ``mine`` = dispatched to the user as member."""
    qs = Order.objects.restrict(user).select_related(
        "service", "community", "assignee__person", "organization"
    )
    if state:
        qs = qs.filter(state=state)
    if open_only or overdue:
        qs = qs.filter(state__in=OPEN_STATES)
    if overdue:
        qs = qs.filter(deadline__lt=timezone.now())
    if community:
        qs = qs.filter(community_id=community)
    if mine:
        member = member_of(user)
        # the member's own and their teams' (a team's order is the work of all its members)
        qs = (
            qs.filter(Q(assignee=member) | Q(team_id__in=member_team_ids(user)))
            if member is not None
            else qs.none()
        )
    return qs


def claiming_teams(user: User, order: Order) -> QuerySet:
    """The teams the user's member is on in the order's community: the ones it may claim the
    order for."""
    from xianfeng.community.models import Team

    return Team.objects.filter(
        pk__in=member_team_ids(user, leading=True),
        is_active=True,
        organization__path__startswith=order.community.path,
    ).order_by("name", "pk")


def order_participants(order: Order) -> list[Any]:
    """The team's members who took part in serving a team's order, by name: read from the duty
    ledger, where serving wrote one ``order.served`` record for each (the one who served and
    the members ticked). Empty for a member's own order or one not served yet. ``order`` was
    read through ``restrict``; these are its own records (the ledger's target index)."""
    if order.team_id is None or order.done_at is None:
        return []
    from django.contrib.contenttypes.models import ContentType

    from xianfeng.core.models import DutyRecord
    from xianfeng.people.models import PartyMember

    served = DutyRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Order),
        object_id=str(order.pk),
        action="order.served",
        member__isnull=False,
    ).values("member_id")
    return list(
        PartyMember.objects.filter(pk__in=served)
        .select_related("person")
        .order_by("person__name_pinyin", "pk")
    )


def team_members(order: Order) -> QuerySet:
    """The current members of a team's order's team: who may be named as taking part."""
    from xianfeng.people.models import PartyMember

    return (
        PartyMember.objects.filter(
            team_memberships__team_id=order.team_id, team_memberships__left_on__isnull=True
        )
        .select_related("person")
        .order_by("person__name_pinyin", "pk")
    )


def queue(user: User, *, community: int | None = None) -> QuerySet:
    """社区下单's queue: orders waiting for a member (new), oldest first — declined and
    recalled ones come back here."""
    return (
        orders(user, state=OrderState.NEW, community=community)
        .select_related(None)
        .select_related("service", "community")
        .order_by("created_at", "id")
    )


def order_counts(user: User) -> dict[str, int]:
    """The home page's lines: the queue, the overdue, mine to accept and mine to serve."""
    cached = getattr(user, "_xf_order_counts", None)
    if cached is not None:
        return cached
    qs = Order.objects.restrict(user).filter(state__in=OPEN_STATES)
    member = member_of(user)
    now = timezone.now()
    counts = qs.aggregate(
        new=Count("pk", filter=Q(state=OrderState.NEW)),
        overdue=Count("pk", filter=Q(deadline__lt=now)),
        mine_new=Count(
            "pk",
            filter=Q(state=OrderState.DISPATCHED, assignee=member) if member else Q(pk=None),
        ),
        mine_open=Count(
            "pk",
            filter=Q(state=OrderState.ACCEPTED, assignee=member) if member else Q(pk=None),
        ),
    )
    user._xf_order_counts = {k: v or 0 for k, v in counts.items()}
    return user._xf_order_counts


def suggestions(user: User, order: Order, limit: int = 8) -> list[dict[str, Any]]:
    """Members to dispatch to, best first: those of the responsibility zones (党员责任区) that
    cover the order's household or building, then the members of the building's branch,
    then of the community — each with why it is suggested. Only members in the user's scope."""
    from xianfeng.people.models import PartyMember
    from xianfeng.places.models import ResponsibilityZone

    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    visible = PartyMember.objects.restrict(user).select_related("person")

    def add(members: Any, reason: str) -> None:
        for m in members:
            if m.pk not in seen and len(found) < limit:
                seen.add(m.pk)
                found.append({"member": m, "reason": reason})

    if order.building_id or order.household_id:
        cover = Q(buildings=order.building_id) if order.building_id else Q(pk=None)
        if order.household_id:
            cover |= Q(households=order.household_id)
        zones = list(
            ResponsibilityZone.objects.restrict(user)
            .filter(cover)
            .distinct()
            .only("id", "name")[:5]
        )
        for zone in zones:
            add(
                visible.filter(zones=zone).order_by("person__name")[:limit],
                str(zone.name),
            )
    from django.utils.translation import gettext as _

    place = order.organization
    if order.building_id and len(found) < limit:
        add(
            visible.filter(branch__path__startswith=place.path).order_by("person__name")[:limit],
            _("楼栋所在党组织"),
        )
    if len(found) < limit:
        add(
            visible.filter(branch__path__startswith=order.community.path).order_by("person__name")[
                :limit
            ],
            _("社区党员"),
        )
    return found


def dispatch_teams(user: User, order: Order) -> QuerySet:
    """The community's teams in service (community.Team) the order may go to."""
    from xianfeng.community.models import Team

    return (
        Team.objects.restrict(user)
        .filter(is_active=True, organization__path__startswith=order.community.path)
        .only("id", "name", "kind")
        .order_by("kind", "name")[:30]
    )


def may_dispatch(user: User, order: Order) -> bool:
    from xianfeng.core.workflow import available_refusal

    return state_allows(order, "dispatch") and available_refusal(order, "dispatch", user) is None


def may_read_contact_log(user: User) -> bool:
    """The community's admins (and those above) and the auditor read the contact log."""
    return user_can(user, READ_CONTACT_LOG, ContactAccess)


def contact_log(*, user: User, order: int | None = None) -> QuerySet[ContactAccess]:
    """Who saw residents' full phone and address on orders in the user's scope (one row per
    person, order, way and day, with the count of looks), newest first
    (only for those who may read the log: an empty list for the others)."""
    qs = ContactAccess.objects.restrict(user, READ_CONTACT_LOG)
    if order is not None:
        qs = qs.filter(order_id=order)
    # Newest look first: a row seen again today comes back to the top.
    return qs.select_related("user", "order", "order__community").order_by("-last_at", "-id")


def record_order_figures(member: Any, community: Organization, start: date, end: date) -> dict:
    """For the record for the work unit (community.records registers this): the orders the
    member served in the community between two dates (done or rated: the member the one who
    took them, alone or for a team, or a member of the team who took part, from the duty
    ledger's ``order.served``) and the residents' ratings of them: how many were rated and
    their average in stars, to one decimal (``None`` when none was rated)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import IntegerField
    from django.db.models.functions import Cast

    from xianfeng.core.models import DutyRecord

    took_part = (
        DutyRecord.objects.filter(
            member_id=member.pk,
            action="order.served",
            content_type=ContentType.objects.get_for_model(Order),
        )
        .annotate(order_id=Cast("object_id", IntegerField()))
        .values("order_id")
    )
    figures = Order.objects.filter(
        Q(assignee_id=member.pk) | Q(pk__in=took_part),
        community_id=community.pk,
        state__in=[OrderState.DONE, OrderState.RATED],
        done_at__date__range=(start, end),
    ).aggregate(served=Count("pk"), rated=Count("rating"), average=Avg("rating"))
    average = figures["average"]
    return {
        "orders_served": figures["served"],
        "orders_rated": figures["rated"],
        "order_rating": (
            Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if average is not None
            else None
        ),
    }


#: How many of a team's orders its page lists (the newest).
TEAM_ORDERS_SHOWN = 20


def team_orders(user: User, team: Any) -> list[Order]:
    """The orders a team took (claimed as one or dispatched to it), newest first, that the user
    sees: for the team's page (community.teams registers this)."""
    return list(
        Order.objects.restrict(user)
        .filter(team=team)
        .select_related("service", "assignee__person")
        .order_by("-created_at", "-id")[:TEAM_ORDERS_SHOWN]
    )
