from django.http import HttpRequest

from xianfeng.core.roles import NEIGHBOURHOOD_ROLES
from xianfeng.core.scope import active_roles, may_export


def roles(request: HttpRequest) -> dict:
    """The user's roles, whether the 数据 menu and the export buttons are theirs, and whether
    the grids, zones and 双领 menu items lead anywhere for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"xf_roles": [], "xf_can_export": False, "xf_neighbourhood": False}
    active = active_roles(user)
    return {
        "xf_roles": active,
        "xf_can_export": may_export(user, active),
        "xf_neighbourhood": user.is_superuser or any(r.kind in NEIGHBOURHOOD_ROLES for r in active),
    }
