"""What places puts on core's pages: the home page's building and grid lines, its tiles and
a member's zones, the search box's buildings and the resources of ``GET /me``. Called from
``PlacesConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home, related, resources, search
from xianfeng.places.choices import SafetyColour
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone

if TYPE_CHECKING:
    from xianfeng.core.models import User


def _find(user: User, q: str) -> list[Building]:
    condition = Q(name__contains=q) | Q(address__contains=q) | Q(code__iexact=q)
    buildings = Building.objects.restrict(user).filter(condition)
    return list(buildings.select_related("grid")[: search.LIMIT])


def _my_zones(user: User, kinds: frozenset[str], context: dict[str, Any]) -> dict:
    """The zones of the user's own member record (``my_member``, from the people app)."""
    member = context.get("my_member")
    if member is None:
        return {"my_zones": []}
    zones = ResponsibilityZone.objects.restrict(user).filter(members=member)
    return {"my_zones": list(zones.prefetch_related("buildings"))}


def _member_zones(user: User, member: Any) -> dict[str, Any]:
    return {"zones": ResponsibilityZone.objects.restrict(user).filter(members=member)}


def register() -> None:
    related.register_detail_context("people.PartyMember", "zones", _member_zones)
    blockers = (
        ("grids", Grid, _("%(n)d个网格")),
        ("buildings", Building, _("%(n)d栋楼")),
        ("zones", ResponsibilityZone, _("%(n)d个责任区")),
    )
    for order, (key, model, text) in enumerate(blockers, start=4):
        related.register_delete_blocker(
            "orgs.Organization",
            key,
            order=order * 10,
            text=text,
            count=lambda org, model=model: model.objects.filter(organization=org).count(),
        )
    home.register_todo(
        "buildings.unrated",
        order=30,
        label=_("栋楼尚未评定安全等级（红黄绿）"),
        url="/places/buildings/?safety_colour=unrated",
        count=lambda user, today: (
            Building.objects.restrict(user).filter(safety_colour=SafetyColour.UNRATED).count()
        ),
    )
    home.register_todo(
        "grids.no_boundary",
        order=40,
        label=_("个网格还没有绘制边界"),
        url="/places/grids/?no_boundary=1",
        count=lambda user, today: Grid.objects.restrict(user).filter(boundary__isnull=True).count(),
    )
    tiles = (
        ("grids", Grid, _("个网格"), "places:grid_list"),
        ("buildings", Building, _("栋楼"), "places:building_list"),
        ("households", Household, _("户住户"), ""),
        ("zones", ResponsibilityZone, _("个党员责任区"), "places:zone_list"),
    )
    for order, (key, model, label, url_name) in enumerate(tiles, start=3):
        home.register_stat(
            key,
            order=order * 10,
            label=label,
            url_name=url_name,
            count=home.count_in_scope(model),
        )
    home.register_context("my_zones", order=20, build=_my_zones)
    search.register_source(
        "buildings",
        order=30,
        title=_("楼栋"),
        row_template="places/_search_row.html",
        find=_find,
    )
    resources.register_resource("grids", order=50, model=Grid)
    resources.register_resource("buildings", order=60, model=Building)
    resources.register_resource("households", order=70, model=Household)
    resources.register_resource("zones", order=80, model=ResponsibilityZone)
