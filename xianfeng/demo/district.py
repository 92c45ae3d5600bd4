"""A demo district shaped like the one in ``seeds/``: ``manage.py demo_district --scale ...``.

Two scales share one shape and one set of codes:

* ``district``: 1 district committee, 5 streets, 31 communities, 63 grid branches (each with its
  grid), 113 building groups, 6 agencies, 10 non-public and 5 social organizations, a mobile
  members' committee with a home in every street, 20 resident units, ~11,000 party members,
  8,145 rental buildings among ~9,000 buildings, ~35,000 households with ~70,000 residents,
  ~2,100 responsibility zones, ~40 pairings. Under a minute on SQLite.
* ``small``: the same tree in miniature (2 streets, 4 communities, 5 grid branches, 3 building
  groups, ~60 members, 32 buildings, ~80 households); what the test suite builds once a session.

Everything comes from one fixed seed (each grid from its own stream of it), so two builds of the
same scale are identical, and a build only creates what its natural key does not find yet
(organization/grid/building ``code``,
household ``(building, unit, room)``, person ``id_number``, member ``person``, zone
``(organization, name)``, pairing ``(kind, org_a, org_b)``, ``username``, role
``(user, kind, organization)``): running it twice changes nothing, and rows edited in the demo
are left as they are. A grid whose last building exists is skipped whole (a grid is written in
one go), so a second run takes a second. Build one scale per database: ``small`` and
``district`` share codes but not contents. Rows are bulk-created, with their history rows
bulk-created beside them (change reason "演示数据"); many-to-many links get no history.

Codes (``NN`` two digits, from 01)::

    XF                       区委 (district)
    XF-A{NN}                 机关党组织 under the district
    XF-M01                   流动党员党委 under the district
    XF-S{NN}                 街道党工委 (street)
    XF-S{NN}-C{NN}           社区党委/党总支 (community)
    XF-S{NN}-C{NN}-G{NN}     网格党支部 (grid branch)
    XF-S{NN}-C{NN}-G{NN}-B{NN}  楼栋党小组 (building group)
    XF-S{NN}-U{NN}           驻区单位 under a street
    XF-S{NN}-N{NN}           非公企业党组织 under a street
    XF-S{NN}-O{NN}           社会组织党组织 under a street
    XF-S{NN}-H01             流动党员之家 under a street
    G-S{NN}-C{NN}-G{NN}      the grid of grid branch XF-S{NN}-C{NN}-G{NN}
    B-S{NN}-C{NN}-G{NN}-{NNNN}  a building in that grid

Personas (password ``DEMO_PASSWORD``; see ``demo_personas()``)::

    admin     superuser, no role
    qu        district_admin   XF
    jiedao    street_admin     XF-S01
    shequ     community_admin  XF-S01-C01
    shequ2    community_admin  XF-S02-C01   (outside shequ's scope)
    wangge    grid_secretary   XF-S01-C01-G01
    dangyuan  member           XF-S01-C01-G01
    danwei    unit_liaison     XF-S01-U01   (paired with XF-S01-C01)
    jiancha   auditor          XF

``wangge`` and ``dangyuan`` are also party members of XF-S01-C01-G01: their accounts are linked
to their Person (``User.person``), whose name is the user's ``display_name`` and whose ID number is
in ``PERSONA_ID_NUMBERS``; ``persona_member()`` finds the member. ``wangge``'s member is the
secretary of that grid branch; the two share the zone ``PERSONA_ZONE_NAME``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import transaction
from faker import Faker

from xianfeng.demo.accounts import build_persona_zone, build_personas, set_secretaries
from xianfeng.demo.base import PERSONA_ID_NUMBERS, SCALES, SEED
from xianfeng.demo.community import build_community_demo
from xianfeng.demo.context import Context, _load_existing, _setup_names
from xianfeng.demo.meetings import build_meetings_demo
from xianfeng.demo.orgs import build_grids, build_orgs, grid_is_built, special_zone_numbers
from xianfeng.demo.people import build_org_members, build_pairings
from xianfeng.demo.places import build_grid
from xianfeng.demo.plan import make_plan
from xianfeng.demo.public import build_public_demo
from xianfeng.demo.review import build_review_demo
from xianfeng.demo.safety import build_safety_demo
from xianfeng.demo.scoring import build_scoring_demo
from xianfeng.demo.services import build_services_demo
from xianfeng.demo.work import build_work_demo


def build_demo_district(
    scale: str = "district",
    *,
    seed: int = SEED,
    history: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build (or complete) the demo district; answers how many rows of each kind it created."""
    spec = SCALES[scale]
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    ctx = Context(scale=spec, seed=seed, rng=random.Random(seed), faker=faker, history=history)
    _setup_names(ctx)
    plan = make_plan(spec, faker)
    ctx.org_members = {p.code: p.members for p in plan.orgs}
    started = time.monotonic()

    def say(message: str) -> None:
        if progress:
            progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    with transaction.atomic():
        _load_existing(ctx)
        ctx.used_ids.update(PERSONA_ID_NUMBERS.values())
        build_orgs(ctx, plan)
        grids = build_grids(ctx, plan)
        say(f"{len(ctx.orgs)} organizations, {len(grids)} grids")
        build_personas(ctx)
        ctx.special_zones = special_zone_numbers(spec, plan)
        for grid_plan in plan.grids:
            if not grid_is_built(ctx, grid_plan):
                build_grid(ctx, grid_plan, grids[grid_plan.code])
            if grid_plan.index % 10 == 9:
                say(f"{grid_plan.index + 1}/{len(plan.grids)} grids filled")
        build_org_members(ctx, plan)
        build_pairings(ctx, plan)
        set_secretaries(ctx)
        build_persona_zone(ctx)
        build_work_demo(ctx)
        build_safety_demo(ctx)
        build_services_demo(ctx)
        build_public_demo(ctx)
        build_meetings_demo(ctx)
        build_community_demo(ctx)
        # Last: it scores the ledger every app above wrote.
        build_scoring_demo(ctx)
        # After scoring: the evaluation reads the year's index, the assessment the points.
        build_review_demo(ctx)
    say("done")
    return ctx.created
