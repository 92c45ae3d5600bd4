"""Scoring benchmark: 100,000 members and 10 million duty records in PostgreSQL.

    PGPORT=54408 XIANFENG_PG_DIR=/tmp/xf-pg-h8 scripts/pg.sh start
    PGPORT=54408 .venv/bin/python bench/scoring.py                       # 100,000 / 10,000,000
    PGPORT=54408 .venv/bin/python bench/scoring.py --members 20000 --records 1000000

On the cluster at ``127.0.0.1:$PGPORT`` it drops and creates its own database
``xf_scoring_bench``, migrates it and builds the ``small`` demo district (its organization tree,
personas and the demo's point rules, ``xianfeng/demo/scoring.py``). It then writes, in
PostgreSQL alone (``INSERT … SELECT … FROM generate_series``), ``--members`` party members
spread over the grid branches and ``--records`` duty records of the kinds the demo's rules
score, spread over the last three years, a third of them verified, each naming one of 100,000
targets, and runs ``ANALYZE``.

Then it measures, and prints:

* **one new record**: the high-water mark set to the last record, one record written as the
  apps write it (``core.services.duty_record``) and ``scoring.services.award_pending()`` timed
  (median of 20, with its number of queries), before the bulk records and after them: the cost
  must not grow with the ledger;
* **recompute a quarter for the district**: ``points_recompute`` over the last full quarter
  (every record of it scored afresh: no point entries exist yet), then again (nothing to
  change);
* **a community's leaderboard** (members with their index) and **a member's summary**
  (points by kind and index), for the quarter, as the district admin reads them (median of 5);
* **the district's and that community's dashboards**, **the member's annual file** and **the
  district's points in the quarter** (an assessment's quantitative item), all read from the
  monthly totals (median of 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = os.environ.get("PGPORT", "54329")
DB = "xf_scoring_bench"
URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/{DB}"


def _django() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> None:
    import psycopg

    with psycopg.connect(
        f"postgresql://xianfeng:xianfeng@127.0.0.1:{PORT}/postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xianfeng.demo.district import build_demo_district

    build_demo_district("small")


def communities(wanted: int) -> None:
    """Communities (each with one grid branch) added under the streets until the district has
    ``wanted``: 100,000 members in the small demo's 4 communities would put 25,000-40,000 in
    one, where a real district of that size has about 100 communities of ~1,000 members."""
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.orgs.services import organization_create

    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    streets = list(Organization.objects.filter(kind="street").order_by("pk"))
    have = Organization.objects.filter(kind="community").count()
    for n in range(have, wanted):
        street = streets[n % len(streets)]
        community = organization_create(
            actor=admin, parent=street, kind="community", name=f"测试社区{n}", code=f"B-C{n}"
        )
        organization_create(
            actor=admin,
            parent=community,
            kind="grid_branch",
            name=f"测试社区{n}网格党支部",
            code=f"B-C{n}-G",
        )


def generate(members: int, records: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from xianfeng.orgs.models import Organization
    from xianfeng.places.models import Household
    from xianfeng.scoring.models import PointRule

    branches = list(Organization.objects.filter(kind="grid_branch").values_list("pk", flat=True))
    kinds = sorted(set(PointRule.objects.values_list("kind", flat=True)))
    ct = ContentType.objects.get_for_model(Household).pk
    with connection.cursor() as cur:
        # A run cut short leaves its persons without members: start from none.
        cur.execute(
            "DELETE FROM people_person p WHERE p.note = 'bench' AND NOT EXISTS"
            " (SELECT 1 FROM people_partymember m WHERE m.person_id = p.id)"
        )
        cur.execute("SELECT count(*) FROM people_person WHERE note = 'bench'")
        have = cur.fetchone()[0]
    with connection.cursor() as cur:
        if have < members:
            _members(cur, branches, members)
        cur.execute(
            "CREATE TEMP TABLE bench_members AS SELECT row_number() OVER (ORDER BY id) AS idx,"
            " id, branch_id FROM people_partymember"
        )
        cur.execute("CREATE UNIQUE INDEX ON bench_members (idx)")
        cur.execute("SELECT count(*) FROM bench_members")
        total = cur.fetchone()[0]
        # Records of a run before (``--reuse``) count: this run goes on from where it stopped.
        cur.execute("SELECT count(*) FROM core_dutyrecord WHERE actor_id IS NULL AND note = ''")
        done = cur.fetchone()[0]
        step = 1_000_000
        for first in range(done + 1, done + records + 1, step):
            last = min(done + records, first + step - 1)
            cur.execute(
                """
                INSERT INTO core_dutyrecord (actor_id, member_id, organization_id, action,
                    content_type_id, object_id, occurred_at, recorded_at, location, note,
                    verified, verifies_id)
                SELECT NULL, m.id, m.branch_id,
                       (%(kinds)s::text[])[1 + g %% cardinality(%(kinds)s::text[])],
                       %(ct)s, (g %% 100000)::text,
                       now() - (g %% (3 * 365 * 24 * 60)) * interval '1 minute',
                       now() - interval '1 minute', '', '', g %% 3 = 0, NULL
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
                JOIN bench_members m ON m.idx = 1 + (g * 7919) %% %(total)s
                """,
                {"kinds": kinds, "ct": ct, "first": first, "last": last, "total": total},
            )
            print(f"  {last:,} records", flush=True)
        cur.execute("ANALYZE")


def _members(cur, branches: list[int], members: int) -> None:
    cur.execute(
        """
        INSERT INTO people_person (organization_id, name, name_pinyin, name_initials, gender,
            id_number, id_number_index, mobile, mobile_index, address, note, created_at,
            updated_at)
        SELECT (%(branches)s::bigint[])[1 + i %% cardinality(%(branches)s::bigint[])],
               '党员' || i, '', '', 'male', NULL, NULL, '', '', '', 'bench', now(), now()
        FROM generate_series(1, %(n)s) AS i
        """,
        {"branches": branches, "n": members},
    )
    cur.execute(
        """
        INSERT INTO people_partymember (person_id, branch_id, kind, category, status,
            work_unit, origin, current_place, created_at, updated_at)
        SELECT p.id, p.organization_id,
               (ARRAY['community','in_service','mobile','two_new'])[1 + p.id % 4],
               'full', 'normal', '', '', '', now(), now()
        FROM people_person p WHERE p.note = 'bench'
        """
    )


#: CPU seconds of this process in the last ``_time`` (median run): on a machine shared with
#: other work the wall time mostly measures the wait for a core; this is the part that is ours.
LAST_CPU = [0.0]


def _time(fn, repeat: int = 1) -> tuple[float, object]:
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    LAST_CPU[0] = statistics.median(cpu)
    return statistics.median(times), result


def one_record(label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xianfeng.core.models import DutyRecord
    from xianfeng.core.services import duty_record
    from xianfeng.people.models import PartyMember
    from xianfeng.scoring import services
    from xianfeng.scoring.models import ScoringMark

    mark, _ = ScoringMark.objects.get_or_create(name=services.MARK)
    last = DutyRecord.objects.order_by("-id").values_list("id", flat=True).first()
    ScoringMark.objects.filter(pk=mark.pk).update(last_record_id=last)
    member = PartyMember.objects.select_related("branch").order_by("-pk").first()
    times, queries = [], []
    for _ in range(20):
        duty_record(actor=None, action="visit.log", organization=member.branch, member=member)
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            services.award_pending(lag=timedelta(0))
            times.append(time.perf_counter() - started)
        queries.append(len(ctx.captured_queries))
    print(
        f"one new record ({label}, {last:,} records in the ledger): "
        f"{statistics.median(times) * 1000:.1f} ms median, {max(queries)} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument(
        "--communities", type=int, default=100, help="communities in the district (default 100)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="the database is prepared already (a run before)"
    )
    parser.add_argument(
        "--fresh-points",
        action="store_true",
        help="with --reuse: empty the point entries and totals first, so the recomputation "
        "scores every record of the quarter again (as on the first run)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.reuse:
        _django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.fresh_points:
            from django.db import connection

            with connection.cursor() as cur:
                cur.execute(
                    "TRUNCATE scoring_pointentry, scoring_membermonthpoints,"
                    " scoring_orgmonthpoints, scoring_recomputation CASCADE"
                )
    else:
        prepare()
    print(f"database ready (small demo district) in {time.perf_counter() - started:.0f} s")
    one_record("demo ledger only")
    started = time.perf_counter()
    communities(args.communities)
    generate(args.members, args.records)
    print(
        f"generated {args.members:,} members and {args.records:,} records in "
        f"{time.perf_counter() - started:.0f} s"
    )
    one_record("after the bulk records")

    from django.utils import timezone

    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember
    from xianfeng.scoring import selectors, services
    from xianfeng.scoring.periods import period_of

    today = timezone.localdate()
    quarter = period_of("quarter", period_of("quarter", today).start - timedelta(days=1))
    qu = User.objects.get(username="qu")
    seconds, run = _time(
        lambda: services.points_recompute(
            actor=qu, start=quarter.start, end=quarter.end, reason="benchmark"
        )
    )
    print(
        f"recompute {quarter.name} for the district: {seconds:.1f} s, {LAST_CPU[0]:.1f} s CPU "
        f"in Python ({run.records:,} records, {run.entries:,} entries written)"
    )
    seconds, run = _time(
        lambda: services.points_recompute(
            actor=qu, start=quarter.start, end=quarter.end, reason="benchmark again"
        )
    )
    print(
        f"recompute {quarter.name} again (nothing to change): {seconds:.1f} s, "
        f"{LAST_CPU[0]:.1f} s CPU in Python ({run.entries})"
    )
    # The largest community: the worst case of a community's leaderboard.
    sizes = {
        c.pk: PartyMember.objects.filter(branch__path__startswith=c.path).count()
        for c in Organization.objects.filter(kind="community")
    }
    community = Organization.objects.get(pk=max(sizes, key=sizes.get))
    seconds, board = _time(lambda: selectors.leaderboard(qu, community, quarter), repeat=5)
    print(
        f"community leaderboard (the largest of {len(sizes)} communities, {len(board):,} "
        f"members): {seconds * 1000:.0f} ms median"
    )
    from xianfeng.scoring import dashboards

    district = Organization.objects.get(parent__isnull=True)
    seconds, _ = _time(lambda: dashboards.dashboard(qu, district, quarter), repeat=5)
    print(f"the district's dashboard for {quarter.name}: {seconds * 1000:.0f} ms median")
    seconds, _ = _time(lambda: dashboards.dashboard(qu, community, quarter), repeat=5)
    print(f"that community's dashboard for {quarter.name}: {seconds * 1000:.0f} ms median")
    member = PartyMember.objects.filter(branch__path__startswith=community.path).first()
    seconds, _ = _time(lambda: selectors.member_summary(member, quarter), repeat=5)
    print(f"a member's summary (points by kind, index): {seconds * 1000:.0f} ms median")
    from xianfeng.scoring import memberfile, totals

    seconds, _ = _time(lambda: memberfile.member_file(member, quarter.start.year), repeat=5)
    print(f"that member's annual file ({quarter.start.year}): {seconds * 1000:.0f} ms median")
    seconds, _ = _time(
        lambda: totals.points_between(
            quarter.start, quarter.end, branch__path__startswith=district.path
        ),
        repeat=5,
    )
    print(
        f"the district's points in {quarter.name} (an assessment's quantitative item): "
        f"{seconds * 1000:.0f} ms median"
    )


if __name__ == "__main__":
    main()
