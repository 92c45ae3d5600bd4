"""Reads of party members: the one place the member list is filtered.

The member page, ``GET /members`` and the member export all call ``member_list`` (see
``xianfeng/core/selectors.py``), so a search finds the same members in all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from xianfeng.core.choices import Action
from xianfeng.core.selectors import ListFilters
from xianfeng.orgs.selectors import in_subtree_of
from xianfeng.people.choices import MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import PartyMember

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


def name_search(q: str, prefix: str = "") -> Q:
    """A person's name containing ``q``; for a Latin query also the full pinyin or the
    initials starting with it (王小明 is found by 王, 小明, wang, wangxiao and wxm)."""
    cond = Q(**{f"{prefix}name__contains": q})
    low = q.lower()
    if low.isascii() and low.isalpha():
        cond |= Q(**{f"{prefix}name_initials__startswith": low}) | Q(
            **{f"{prefix}name_pinyin__startswith": low}
        )
    return cond


def member_list(*, user: User, filters: MemberFilters) -> QuerySet[PartyMember]:
    """Members in the user's scope, by branch in tree order, with person and branch."""
    qs = (
        PartyMember.objects.restrict(user, Action.VIEW)
        .select_related("person", "branch")
        .order_by("branch__path", "id")
    )
    if filters.q:
        qs = qs.filter(name_search(filters.q, "person__"))
    for key in ("kind", "category", "status"):
        value = getattr(filters, key)
        if value:
            qs = qs.filter(**{key: value})
    if filters.branch is not None:
        qs = qs.filter(in_subtree_of(user, filters.branch, "branch__"))
    if filters.due:
        qs = qs.probation_due()
    return qs
