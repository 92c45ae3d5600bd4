"""Members of the organizations outside the grids, and pairings."""

from __future__ import annotations

from datetime import date

from xianfeng.demo.base import COMMUNITY_COMMITMENTS, ROADS, TEN_ONES, UNIT_COMMITMENTS
from xianfeng.demo.context import Context, Pending, _bulk_create, _member, _random_date
from xianfeng.demo.orgs import _address
from xianfeng.demo.places import _flush
from xianfeng.demo.plan import Plan
from xianfeng.orgs.choices import OrgKind, PairingKind
from xianfeng.orgs.models import Pairing
from xianfeng.people.choices import (
    MemberKind,
)


def build_org_members(ctx: Context, plan: Plan) -> None:
    """Members of the organizations outside the grids: agencies, units, two-new, mobile."""
    ctx.rng.seed(f"{ctx.seed}:members")
    pending = Pending()
    rng = ctx.rng
    communities = [ctx.orgs[c] for c in plan.community_codes]
    kinds = {
        OrgKind.AGENCY: MemberKind.IN_SERVICE,
        OrgKind.RESIDENT_UNIT: MemberKind.IN_SERVICE,
        OrgKind.NON_PUBLIC: MemberKind.TWO_NEW,
        OrgKind.SOCIAL: MemberKind.TWO_NEW,
        OrgKind.MOBILE: MemberKind.MOBILE,
        OrgKind.MOBILE_HOME: MemberKind.MOBILE,
    }
    for p in plan.orgs:
        if p.kind not in kinds:
            continue
        org = ctx.orgs[p.code]
        for _n in range(p.members):
            member = _member(
                ctx,
                pending,
                org=org,
                kind=kinds[p.kind],
                address=_address(rng.choice(ROADS), rng.randint(1, 400)),
                community=rng.choice(communities),
            )
            ctx.first_member.setdefault(org.code, member)
    _flush(ctx, pending)


def build_pairings(ctx: Context, plan: Plan) -> None:
    """Resident units pair with communities (结对共建, 十个一); agencies live in (部门包居)."""
    ctx.rng.seed(f"{ctx.seed}:pairings")
    rng = ctx.rng
    communities = plan.community_codes
    # A pairing is unique per kind and pair, whichever side each organization is on.
    existing = {
        (kind, min(a, b), max(a, b))
        for kind, a, b in Pairing.objects.values_list("kind", "org_a_id", "org_b_id")
    }
    wanted: list[tuple[str, str, str]] = []
    units = [p.code for p in plan.orgs if p.kind == OrgKind.RESIDENT_UNIT]
    agencies = [p.code for p in plan.orgs if p.kind == OrgKind.AGENCY]
    for i, unit in enumerate(units):
        # A unit pairs with the first community of its own street, or the next ones along.
        street = unit.rsplit("-", 1)[0]
        own = [c for c in communities if c.startswith(street + "-")]
        wanted.append((PairingKind.CO_BUILDING, unit, own[i % len(own)] if own else communities[0]))
        if i % 2 == 0:
            wanted.append((PairingKind.TEN_ONES, unit, communities[(i * 5 + 3) % len(communities)]))
    for i, agency in enumerate(agencies):
        for k in range(2):
            target = communities[(i * 2 + k * 7 + 1) % len(communities)]
            wanted.append((PairingKind.DEPARTMENT_RESIDENCE, agency, target))
    new = []
    for kind, a, b in dict.fromkeys(wanted):
        org_a, org_b = ctx.orgs[a], ctx.orgs[b]
        starts = _random_date(rng, date(2016, 1, 1), date(2024, 12, 31))
        key = (kind, min(org_a.pk, org_b.pk), max(org_a.pk, org_b.pk))
        if key in existing or org_a.pk == org_b.pk:
            continue
        new.append(
            Pairing(
                kind=kind,
                org_a=org_a,
                org_b=org_b,
                starts_on=starts,
                commitments_a=UNIT_COMMITMENTS,
                commitments_b=COMMUNITY_COMMITMENTS,
                note=TEN_ONES if kind == PairingKind.TEN_ONES else "",
            )
        )
    _bulk_create(ctx, Pairing, new)
