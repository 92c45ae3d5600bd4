"""Who a user account is as a party member: what "my tasks", "my zones", claims and visits
are computed from. Used by every app that lets a member act in the field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xianfeng.core.roles import FIELD_ROLES
from xianfeng.core.scope import active_roles

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.people.models import PartyMember


def member_of(user: User) -> PartyMember | None:
    """The party member a user account is (``User.person``), if any; once per user object."""
    from xianfeng.people.models import PartyMember

    if not getattr(user, "person_id", None):
        return None
    cached = getattr(user, "_xf_member", None)
    if cached is None:
        cached = (
            PartyMember.objects.select_related("branch").filter(person_id=user.person_id).first()
        )
        user._xf_member = cached
    return cached


def field_refusal(user: User) -> str | None:
    """Why the user may not act in the field as a member (claim, visit), or ``None``."""
    if member_of(user) is None:
        return _("您的账号没有关联党员身份，不能认领任务或登记走访。")
    if not user.is_superuser and not ({r.kind for r in active_roles(user)} & FIELD_ROLES):
        return _("您的角色无权进行此操作。")
    return None


def field_member(user: User) -> PartyMember:
    """The member acting in the field; the auditor and accounts without a member may not."""
    refusal = field_refusal(user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return member_of(user)
