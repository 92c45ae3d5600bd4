"""What people puts on core's pages: the home page's member lines and tile and a member's
own record, the search box's members and the resources of ``GET /me``. Called from
``PeopleConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from xianfeng.core import home, related, resources, scope, search
from xianfeng.core.choices import RoleKind
from xianfeng.people.models import PartyMember, Person, ServicePlace
from xianfeng.people.selectors import name_search

if TYPE_CHECKING:
    from xianfeng.core.models import User


def _find(user: User, q: str) -> list[PartyMember]:
    members = PartyMember.objects.restrict(user).filter(name_search(q, "person__"))
    return list(members.select_related("person", "branch")[: search.LIMIT])


def _my_member(user: User, kinds: frozenset[str], context: dict[str, Any]) -> dict:
    """The member record of a user with the member role (``None`` without one)."""
    member = None
    if RoleKind.MEMBER in kinds and user.person_id:
        member = (
            PartyMember.objects.restrict(user)
            .select_related("person", "branch")
            .filter(person_id=user.person_id)
            .first()
        )
    return {"my_member": member}


def _org_member_counts(user: User, org: Any) -> dict[str, int]:
    members = PartyMember.objects.restrict(user)
    return {
        "member_count": members.filter(branch=org).count(),
        "subtree_members": members.filter(branch__path__startswith=org.path).count(),
    }


def _service_places(user: User) -> list[str]:
    """The communities where the user's member holds a current service place (报到)."""
    return list(
        ServicePlace.objects.filter(
            member__person_id=user.person_id, ended_on__isnull=True
        ).values_list("community__path", flat=True)
    )


def register() -> None:
    scope.register_service_places(_service_places)
    related.register_detail_context("orgs.Organization", "members", _org_member_counts)
    related.register_delete_blocker(
        "orgs.Organization",
        "members",
        order=20,
        text=_("%(n)d名党员"),
        count=lambda org: PartyMember.objects.filter(branch=org).count(),
    )
    related.register_delete_blocker(
        "orgs.Organization",
        "persons",
        order=30,
        text=_("%(n)d名登记人员"),
        count=lambda org: Person.objects.filter(organization=org).count(),
    )
    # 预备期满一年应讨论转正: joined a year ago (within the next 30 days or overdue).
    home.register_todo(
        "members.probation_due",
        order=10,
        label=_("名预备党员预备期将满或已满一年，需讨论转正"),
        url="/members/?category=probationary&due=1",
        count=lambda user, today: PartyMember.objects.restrict(user).probation_due(today).count(),
    )
    home.register_todo(
        "members.lost_contact",
        order=20,
        label=_("名党员处于失联状态，需要查找联系"),
        url="/members/?status=lost_contact",
        count=lambda user, today: PartyMember.objects.restrict(user).lost_contact().count(),
    )
    home.register_stat(
        "members",
        order=20,
        label=_("名党员"),
        url_name="people:member_list",
        count=home.count_in_scope(PartyMember),
    )
    home.register_context("my_member", order=10, build=_my_member)
    search.register_source(
        "members", order=10, title=_("党员"), row_template="people/_search_row.html", find=_find
    )
    resources.register_resource("members", order=30, model=PartyMember, actions=resources.SENSITIVE)
    resources.register_resource("persons", order=40, model=Person, actions=resources.SENSITIVE)
