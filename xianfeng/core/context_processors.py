from django.http import HttpRequest

from xianfeng.core.scope import active_roles


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"xf_roles": []}
    return {"xf_roles": active_roles(user)}
