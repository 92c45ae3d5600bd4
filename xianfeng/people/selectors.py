"""Reads of party members: the one place the member list is filtered.

The member page, ``GET /members`` and the member export all call ``member_list`` (see
``xianfeng/core/selectors.py``), so a search finds the same members in all three.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from xianfeng.core.choices import Action
from xianfeng.core.crypto import blind_index
from xianfeng.core.scope import scope_paths
from xianfeng.core.selectors import ListFilters
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import in_subtree_of
from xianfeng.people.choices import MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import PartyMember, Person

if TYPE_CHECKING:
    from xianfeng.core.models import User


@dataclass(frozen=True)
class MemberFilters(ListFilters):
    q: str = ""
    kind: str = field(default="", metadata={"choices": MemberKind.values})
    category: str = field(default="", metadata={"choices": MemberCategory.values})
    status: str = field(default="", metadata={"choices": MemberStatus.values})
    branch: int | None = None  # the branch and its whole subtree
    due: bool = False  # probationary members due for full membership


def name_search(q: str, prefix: str = "", *, hashed: bool = False) -> Q:
    """A person's name containing ``q``; for a Latin query also the full pinyin or the
    initials starting with it (王小明 is found by 王, 小明, wang, wangxiao and wxm); a whole ID
    number or mobile number finds its person through the blind index (they are encrypted, so
    only the whole number matches, never a part).

    ``hashed`` (through a relation, ``prefix`` like ``"person__"``): each alternative becomes
    its own ``IN (SELECT id FROM people_person WHERE ...)``, which PostgreSQL hashes once, the
    pinyin's from its index alone (``people`` 0012). For a wide scope: the same conditions
    OR-ed over the join made it fetch every matching person's row from the table (the
    district admin's ``?q=wang``: 6,853 persons on 4,034 of 5,481 pages for 882 members,
    11 ms a COUNT; hashed, 3 ms). For a community's few hundred members the join is cheaper
    (each member's person looked up by key: 1.8 ms, hashed 3 ms)."""
    conds = [Q(name__contains=q)]
    low = q.lower()
    if low.isascii() and low.isalpha():
        conds += [Q(name_initials__startswith=low), Q(name_pinyin__startswith=low)]
    digits = "".join(q.split())
    if len(digits) in (15, 18) and digits[:-1].isdigit():
        conds.append(Q(id_number_index=blind_index("id_number", digits)))
    elif len(digits) == 11 and digits.isdigit():
        conds.append(Q(mobile_index=blind_index("phone", digits)))
    if hashed and prefix:
        key = f"{prefix.removesuffix('__')}__in"
        conds = [Q(**{key: Person.objects.filter(c).values("pk")}) for c in conds]
    elif prefix:
        conds = [Q(**{f"{prefix}{k}": v for k, v in c.children}) for c in conds]
    return reduce(operator.or_, conds)


# A scope whose every path has at least this many segments is a community's or narrower (the
# district's path is "00000001.", a street's two segments, a community's three).
NARROW_SEGMENTS = 3


def _wide(user: User) -> bool:
    """Whether the user's scope is wider than a community (a street, the district, everything):
    then a search hashes the matching persons (``name_search(hashed=True)``). Only the plan
    depends on it, never the rows. From the scope's paths, worked out once per request."""
    paths = scope_paths(user, PartyMember, Action.VIEW)
    return paths is None or any(p.count(".") < NARROW_SEGMENTS for p in paths)


def member_list(
    *, user: User, filters: MemberFilters, serving: bool = False, counting: bool = False
) -> QuerySet[PartyMember]:
    """Members in the user's scope, by branch in tree order, with person and branch
    (``serving``: and those in service in a community of the scope, for the pickers).

    ``counting``: the same rows for a COUNT. A search in a scope wider than a community then
    hashes the matching persons (``name_search(hashed=True)``): a COUNT needs all of them
    anyway. A page, ordered and cut at 50, keeps the join, which stops at the page's last row
    (the district's ``?q=w``: 0.9 ms joined, 46 ms hashed; ``?q=wang`` 6.9 and 3.8 ms)."""
    qs = (
        PartyMember.objects.restrict(user, Action.VIEW, serving=serving)
        .select_related("person", "branch")
        .order_by("branch__path", "id")
    )
    if filters.q:
        hashed = counting and _wide(user)
        qs = qs.filter(name_search(filters.q, "person__", hashed=hashed))
    for key in ("kind", "category", "status"):
        value = getattr(filters, key)
        if value:
            qs = qs.filter(**{key: value})
    if filters.branch is not None:
        qs = qs.filter(in_subtree_of(user, filters.branch, "branch__"))
    if filters.due:
        qs = qs.probation_due()
    return qs


def member_count_rows(
    *, user: User, filters: MemberFilters, members: QuerySet[PartyMember], serving: bool = False
) -> QuerySet[PartyMember]:
    """What to COUNT for ``members`` (``member_list`` with these filters): the same queryset,
    unless a search in a wide scope is cheaper to count hashed (``member_list(counting=True)``);
    building a second queryset costs every other list some 500 Python calls for nothing."""
    if filters.q and _wide(user):
        return member_list(user=user, filters=filters, serving=serving, counting=True)
    return members


PICKER_ROWS = 20


def member_choices(user: User, q: str, under: int | None) -> dict[str, Any]:
    """The member picker's rows: members in scope (under one organization's subtree), found by
    name, pinyin, initials or a whole ID or mobile number; at most ``PICKER_ROWS``, and how many
    more a longer search would narrow down. Members in service (报到, 对接) in a community
    under or above ``under`` are offered too: the community gives them its households."""
    qs = member_list(user=user, filters=MemberFilters(q=q), serving=True)
    if under is not None:
        org = Organization.objects.restrict(user).filter(pk=under).only("path").first()
        qs = qs.acting_under(org) if org is not None else qs.none()
    rows = list(qs[: PICKER_ROWS + 1])
    if len(rows) > PICKER_ROWS and q and _wide(user):
        qs = member_list(user=user, filters=MemberFilters(q=q), serving=True, counting=True)
        if under is not None:
            qs = qs.acting_under(org) if org is not None else qs.none()
    more = qs.count() - PICKER_ROWS if len(rows) > PICKER_ROWS else 0
    return {"members": rows[:PICKER_ROWS], "more": more, "q": q}
