"""What orgs puts on core's pages: the home page's organization tile and the liaison's
pairings, the search box's organizations and the resources of ``GET /me``. Called from
``OrgsConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xianfeng.core import home, resources, search
from xianfeng.core.choices import RoleKind
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.orgs.selectors import delivery_progress

if TYPE_CHECKING:
    from xianfeng.core.models import User


def _find(user: User, q: str) -> list[Organization]:
    condition = Q(name__contains=q) | Q(code__iexact=q) | Q(short_name__contains=q)
    return list(Organization.objects.restrict(user).filter(condition)[: search.LIMIT])


def _liaison_pairings(user: User, kinds: frozenset[str], context: dict[str, Any]) -> dict:
    if RoleKind.UNIT_LIAISON not in kinds:
        return {"pairings": []}
    pairings = list(Pairing.objects.restrict(user).select_related("org_a", "org_b")[:20])
    progress = delivery_progress(user=user, pairings=pairings)
    none = {"n": 0, "last": None}
    for p in pairings:
        p.progress_a = progress.get((p.pk, p.org_a_id), none)
        p.progress_b = progress.get((p.pk, p.org_b_id), none)
    return {"pairings": pairings}


def register() -> None:
    home.register_stat(
        "orgs",
        order=10,
        label=_("个组织"),
        url_name="orgs:tree",
        count=home.count_in_scope(Organization),
    )
    home.register_context("pairings", order=30, build=_liaison_pairings)
    search.register_source(
        "orgs", order=20, title=_("组织"), row_template="orgs/_search_row.html", find=_find
    )
    resources.register_resource("organizations", order=10, model=Organization)
    resources.register_resource("pairings", order=20, model=Pairing)
