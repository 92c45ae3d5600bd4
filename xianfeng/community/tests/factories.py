"""Builders for the tests of members in the community: an in-service member of the demo work
unit (``danwei``'s) with an account of their own, reported to ``shequ``'s community."""

from __future__ import annotations

from typing import Any

from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.demo.base import DANWEI_UNIT, SHEQU_COMMUNITY
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.models import MemberCase, PartyMember


def community() -> Organization:
    return Organization.objects.get(code=SHEQU_COMMUNITY)


def unit() -> Organization:
    return Organization.objects.get(code=DANWEI_UNIT)


def in_service_member(index: int = 0, kind: str = "in_service") -> PartyMember:
    """A member of the work unit's branches (not yet reported anywhere)."""
    members = (
        PartyMember.objects.filter(branch__path__startswith=unit().path)
        .exclude(cases__kind__in=["report", "handover"])
        .select_related("person", "branch")
        .order_by("pk")
    )
    member = members[index]
    if member.kind != kind:
        member.kind = kind
        member.save()
    return member


def account_for(member: PartyMember, username: str = "") -> User:
    """The member's own account with the member role at their branch (a fresh object)."""
    user = User.objects.filter(person=member.person).first()
    if user is None:
        user = User.objects.create_user(
            username=username or f"m{member.pk}", person=member.person, password="x"
        )
        Role.objects.create(user=user, kind=RoleKind.MEMBER, organization=member.branch)
    return User.objects.get(pk=user.pk)


def reported(member: PartyMember, accepted_by: User, **note: Any) -> MemberCase:
    """The member reports to ``shequ``'s community, and the community accepts."""
    case = lifecycle.member_report_register(
        actor=account_for(member), member=member, community=community()
    )
    return lifecycle.member_report_accept(actor=accepted_by, case=case, **note)
