"""Reads for members in the community: every list that a page and the API show comes from
one function here, with one set of filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, QuerySet

from xianfeng.community.choices import PairingState
from xianfeng.community.models import Townsman, TownsmanContact
from xianfeng.work.services import member_of


def townsmen(user: Any, *, mine: bool = False, ended: bool = False) -> QuerySet:
    """Fellow townsmen the user sees, with their contact count and last contact: ``mine``
    (paired with the user's member), ``ended`` (include pairings that ended)."""
    qs = (
        Townsman.objects.restrict(user)
        .select_related("member__person")
        .annotate(contact_count=Count("contacts"), last_contact=Max("contacts__contacted_at"))
    )
    if mine:
        member = member_of(user)
        qs = qs.filter(member=member) if member else qs.none()
    if not ended:
        qs = qs.filter(state=PairingState.ACTIVE)
    return qs.order_by("state", "name", "id")


def townsman_contacts(user: Any, townsman: Townsman) -> QuerySet:
    """A townsman's contacts as the user sees them, newest first."""
    return (
        TownsmanContact.objects.restrict(user)
        .filter(townsman=townsman)
        .select_related("member__person", "visit")
        .order_by("-contacted_at", "-id")
    )
