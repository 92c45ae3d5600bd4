"""Builders for the tests of members in the community: an in-service member of the demo work
unit (``danwei``'s) with an account of their own, reported to ``shequ``'s community."""

from __future__ import annotations

from itertools import count
from typing import Any

from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.demo.base import DANWEI_UNIT, SHEQU_COMMUNITY
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.models import MemberCase, PartyMember, Person

_numbers = count(1)


def community() -> Organization:
    return Organization.objects.get(code=SHEQU_COMMUNITY)


def unit() -> Organization:
    return Organization.objects.get(code=DANWEI_UNIT)


def in_service_member(index: int = 0, kind: str = "in_service") -> PartyMember:
    """A new member of the work unit's branch (``index`` names them apart), reported nowhere."""
    branch = (
        PartyMember.objects.filter(branch__path__startswith=unit().path)
        .order_by("pk")
        .values_list("branch", flat=True)
        .first()
    )
    person = Person.objects.create(organization_id=branch, name=f"在职党员{index}{next(_numbers)}")
    return PartyMember.objects.select_related("person", "branch").get(
        pk=PartyMember.objects.create(person=person, branch_id=branch, kind=kind).pk
    )


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
