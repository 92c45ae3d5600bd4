from django.http import HttpRequest

from xianfeng.core.scope import active_roles, may_export


def roles(request: HttpRequest) -> dict:
    """The user's roles, and whether the 数据 menu and the export buttons are theirs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"xf_roles": [], "xf_can_export": False}
    active = active_roles(user)
    return {"xf_roles": active, "xf_can_export": may_export(user, active)}
