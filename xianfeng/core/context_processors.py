from django.http import HttpRequest

from xianfeng.core.roles import NEIGHBOURHOOD_ROLES
from xianfeng.core.scope import active_roles, may_export

# The menu item each address highlights, the first prefix that matches (base.html's menu is
# rendered once per set of items and highlighted item: core/templatetags/fragment_tags.py).
_SECTIONS = (
    ("/orgs/", "orgs"),
    ("/members/", "members"),
    ("/places/", "places"),
    ("/zones/", "zones"),
    ("/work/", "work"),
    ("/safety/figures/", "figures"),
    ("/safety/", "safety"),
    ("/exchange/", "exchange"),
    ("/search/", "search"),
)


def menu_section(path: str) -> str:
    """The menu item highlighted at ``path`` (``""``: none)."""
    if path == "/":
        return "home"
    for prefix, section in _SECTIONS:
        if path.startswith(prefix):
            return section
    return ""


def roles(request: HttpRequest) -> dict:
    """The user's roles, whether the 数据 menu and the export buttons are theirs, whether
    the grids, zones and 双领 menu items lead anywhere for them, and the menu item to
    highlight."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"xf_roles": [], "xf_can_export": False, "xf_neighbourhood": False}
    active = active_roles(user)
    return {
        "xf_section": menu_section(request.path),
        "xf_roles": active,
        "xf_can_export": may_export(user, active),
        "xf_neighbourhood": user.is_superuser or any(r.kind in NEIGHBOURHOOD_ROLES for r in active),
    }
