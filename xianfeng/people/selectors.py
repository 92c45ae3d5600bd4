"""Reads of party members: the one place the member list is filtered.

The member page, ``GET /members`` and the member export all call ``member_list`` (see
``xianfeng/core/selectors.py``), so a search finds the same members in all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from xianfeng.core.choices import Action
from xianfeng.core.crypto import blind_index
from xianfeng.core.selectors import ListFilters
from xianfeng.orgs.models import Organization
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
    initials starting with it (王小明 is found by 王, 小明, wang, wangxiao and wxm); a whole ID
    number or mobile number finds its person through the blind index (they are encrypted, so
    only the whole number matches, never a part)."""
    cond = Q(**{f"{prefix}name__contains": q})
    low = q.lower()
    if low.isascii() and low.isalpha():
        cond |= Q(**{f"{prefix}name_initials__startswith": low}) | Q(
            **{f"{prefix}name_pinyin__startswith": low}
        )
    digits = "".join(q.split())
    if len(digits) in (15, 18) and digits[:-1].isdigit():
        cond |= Q(**{f"{prefix}id_number_index": blind_index("id_number", digits)})
    elif len(digits) == 11 and digits.isdigit():
        cond |= Q(**{f"{prefix}mobile_index": blind_index("phone", digits)})
    return cond


def member_list(
    *, user: User, filters: MemberFilters, serving: bool = False
) -> QuerySet[PartyMember]:
    """Members in the user's scope, by branch in tree order, with person and branch
    (``serving``: and those in service in a community of the scope, for the pickers)."""
    qs = (
        PartyMember.objects.restrict(user, Action.VIEW, serving=serving)
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
    more = qs.count() - PICKER_ROWS if len(rows) > PICKER_ROWS else 0
    return {"members": rows[:PICKER_ROWS], "more": more, "q": q}
