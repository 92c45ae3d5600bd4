"""Coverage benchmark (issue 4): 1 million households, 10 million visits on PostgreSQL.

    scripts/pg.sh start
    .venv/bin/python bench/coverage.py                 # 1M households, 10M visits
    .venv/bin/python bench/coverage.py --households 100000 --visits 1000000   # a quicker look

1. On the project's cluster (127.0.0.1, ``PGPORT`` or 54329) it drops and creates the database
   ``xf_bench_work`` and migrates it (so the indexes are exactly the migration's).
2. It generates the rows with ``generate_series`` in SQL: 1 district, 10 streets, 100
   communities, 2,000 grid branches each with its grid and one member, 50 buildings a grid
   (100,000), 10 households a building (1,000,000), and the visits spread at random over
   households and the last three years (10,000,000). Foreign-key triggers are off during the
   load (``session_replication_role = replica``; the rows are consistent by construction) and
   the visit indexes are built after it, as a bulk import would; then ``VACUUM ANALYZE``.
3. It times, through the same selectors the pages and the API use
   (``xianfeng.visits.selectors``), each several times after one warm-up:
   * the coverage figure of a street (≈100,000 households) for the last 30, 90 and 365 days;
   * the first page (50 rows) and the count of a community's (≈10,000 households) list of
     households not visited in 90 and 365 days, and a later page;
   * the coverage of every community of a street at once (the coverage page's table).
   and prints a Markdown table (median, max, in ms) plus the query plans of the two main
   queries. The database is left in place for ``EXPLAIN ANALYZE``; the next run drops it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("PGPORT", "54329"))
DB = "xf_bench_work"
URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/{DB}"
STREETS, COMMUNITIES_PER_STREET, GRIDS_PER_COMMUNITY, BUILDINGS_PER_GRID = 10, 10, 20, 50


def admin_sql(statement: str) -> None:
    with psycopg.connect(
        f"postgresql://xianfeng:xianfeng@127.0.0.1:{PORT}/postgres", autocommit=True
    ) as conn:
        conn.execute(statement)


def fill_defaults(cur: Any, table: str, given: dict[str, str]) -> tuple[str, str]:
    """Columns and SQL expressions for an INSERT … SELECT: ``given`` plus a plain value for
    every other NOT NULL column without a default (empty text, 0, now())."""
    cur.execute(
        """select column_name, data_type from information_schema.columns
           where table_name = %s and is_nullable = 'NO' and column_default is null""",
        (table,),
    )
    values = dict(given)
    for name, kind in cur.fetchall():
        if name in values or name == "id":
            continue
        if "timestamp" in kind or kind == "date":
            values[name] = "now()"
        elif kind in ("integer", "bigint", "smallint", "numeric"):
            values[name] = "0"
        elif kind == "boolean":
            values[name] = "false"
        elif kind in ("json", "jsonb"):
            values[name] = "'[]'::jsonb"
        elif kind == "uuid":
            values[name] = "gen_random_uuid()"
        else:
            values[name] = "''"
    return ", ".join(values), ", ".join(values.values())


def insert(cur: Any, table: str, given: dict[str, str], source: str) -> None:
    cols, exprs = fill_defaults(cur, table, given)
    cur.execute(f"insert into {table} ({cols}) select {exprs} from {source}")


def generate(households: int, visits: int) -> dict[str, float]:
    grids = STREETS * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY
    buildings = grids * BUILDINGS_PER_GRID
    per_building = max(1, households // buildings)
    households = buildings * per_building
    first_street, first_community = 2, 2 + STREETS
    first_branch = first_community + STREETS * COMMUNITIES_PER_STREET
    timings: dict[str, float] = {}
    with psycopg.connect(URL, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("set session_replication_role = replica")

        def step(name: str, fn: Callable[[], None]) -> None:
            started = time.perf_counter()
            fn()
            timings[name] = time.perf_counter() - started
            print(f"  {name}: {timings[name]:.1f}s", flush=True)

        def orgs() -> None:
            insert(
                cur,
                "orgs_organization",
                {
                    "id": "1",
                    "kind": "'district'",
                    "name": "'基准区委'",
                    "code": "'BX'",
                    "path": "'00000001.'",
                    "depth": "0",
                },
                "(select 1) s",
            )
            levels = [
                ("street", first_street, STREETS, 1, "1"),
                (
                    "community",
                    first_community,
                    STREETS * COMMUNITIES_PER_STREET,
                    2,
                    f"{first_street} + (g - {first_community}) / {COMMUNITIES_PER_STREET}",
                ),
                (
                    "grid_branch",
                    first_branch,
                    grids,
                    3,
                    f"{first_community} + (g - {first_branch}) / {GRIDS_PER_COMMUNITY}",
                ),
            ]
            for kind, first, count, depth, parent in levels:
                insert(
                    cur,
                    "orgs_organization",
                    {
                        "id": "g",
                        "parent_id": parent,
                        "kind": f"'{kind}'",
                        "name": f"'{kind} ' || g",
                        "code": "'BX-' || g",
                        "path": "''",
                        "depth": str(depth),
                    },
                    f"generate_series({first}, {first + count - 1}) g",
                )
                cur.execute(
                    "update orgs_organization o "
                    "set path = p.path || lpad(o.id::text, 8, '0') || '.' "
                    f"from orgs_organization p where o.parent_id = p.id and o.depth = {depth}"
                )
            cur.execute(
                "select setval(pg_get_serial_sequence('orgs_organization', 'id'), "
                "(select max(id) from orgs_organization))"
            )

        def places() -> None:
            insert(
                cur,
                "places_grid",
                {
                    "id": "g",
                    "code": "'G' || g",
                    "name": "'网格' || g",
                    "community_id": f"{first_community} + (g - 1) / {GRIDS_PER_COMMUNITY}",
                    "branch_id": f"{first_branch} + g - 1",
                    "organization_id": f"{first_branch} + g - 1",
                },
                f"generate_series(1, {grids}) g",
            )
            insert(
                cur,
                "places_building",
                {
                    "id": "b",
                    "code": "'B' || b",
                    "name": "'楼' || b",
                    "address": "'路' || b || '号'",
                    "address_normalized": "'路' || b || '号'",
                    "grid_id": f"1 + (b - 1) / {BUILDINGS_PER_GRID}",
                    "organization_id": f"{first_branch} + (b - 1) / {BUILDINGS_PER_GRID}",
                    "kind": "'residential'",
                    "safety_colour": "'unrated'",
                },
                f"generate_series(1, {buildings}) b",
            )
            insert(
                cur,
                "places_household",
                {
                    "id": "h",
                    "building_id": f"1 + (h - 1) / {per_building}",
                    "organization_id": (
                        f"{first_branch} + (h - 1) / {per_building * BUILDINGS_PER_GRID}"
                    ),
                    "unit": "'1'",
                    "room": f"(1 + (h - 1) % {per_building})::text",
                },
                f"generate_series(1, {households}) h",
            )
            insert(
                cur,
                "people_person",
                {"id": "g", "organization_id": f"{first_branch} + g - 1", "name": "'党员' || g"},
                f"generate_series(1, {grids}) g",
            )
            insert(
                cur,
                "people_partymember",
                {
                    "id": "g",
                    "person_id": "g",
                    "branch_id": f"{first_branch} + g - 1",
                    "kind": "'community'",
                    "category": "'full'",
                    "status": "'normal'",
                },
                f"generate_series(1, {grids}) g",
            )

        def drop_visit_indexes() -> list[str]:
            cur.execute(
                "select indexname, indexdef from pg_indexes where tablename = 'work_visit' "
                "and indexname not like '%%pkey'"
            )
            found = cur.fetchall()
            for name, _ in found:
                cur.execute(f'drop index "{name}"')
            return [d for _, d in found]

        def load_visits() -> None:
            # household h (random), its building and branch by construction, its member.
            per_grid = per_building * BUILDINGS_PER_GRID
            insert(
                cur,
                "work_visit",
                {
                    "household_id": "h",
                    "building_id": f"1 + (h - 1) / {per_building}",
                    "organization_id": f"{first_branch} + (h - 1) / {per_grid}",
                    "member_id": f"1 + (h - 1) / {per_grid}",
                    "visited_at": "now() - random() * interval '1095 days'",
                    "purposes": """'["safety"]'::jsonb""",
                },
                f"(select 1 + floor(random() * {households})::bigint as h "
                f"from generate_series(1, {visits})) s",
            )

        step("organizations", orgs)
        step("grids, buildings, households, members", places)
        definitions: list[str] = []
        step("drop visit indexes", lambda: definitions.extend(drop_visit_indexes()))
        step(f"{visits:,} visits", load_visits)

        def build_indexes() -> None:
            cur.execute("set maintenance_work_mem = '1GB'")
            for definition in definitions:
                cur.execute(definition)

        step("visit indexes", build_indexes)
        step("vacuum analyze", lambda: cur.execute("vacuum analyze"))
    return timings


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    fn()  # warm-up
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), result


def measure(repeat: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from xianfeng.orgs.models import Organization
    from xianfeng.visits import selectors
    from xianfeng.visits.models import Visit

    street = Organization.objects.filter(kind="street").order_by("pk").first()
    community = Organization.objects.filter(kind="community").order_by("pk").first()
    last = Organization.objects.filter(kind="community").order_by("pk").last()
    counts = {
        "households": selectors.households_of(org=Organization.objects.get(depth=0)).count(),
        "visits": Visit.objects.count(),
        "street households": selectors.households_of(org=street).count(),
        "community households": selectors.households_of(org=community).count(),
    }
    rows = []

    def page(qs: Any, number: int = 1, size: int = 50) -> int:
        start = (number - 1) * size
        total = qs.count()
        list(qs[start : start + size])
        return total

    for days in (30, 90, 365):
        start, end = selectors.period(days)
        med, worst, cov = timed(
            lambda s=start, e=end: selectors.coverage(org=street, start=s, end=e), repeat
        )
        rows.append(
            (
                f"street coverage, last {days} days",
                med,
                worst,
                f"{cov.visited:,}/{cov.households:,} = {cov.percent}%",
            )
        )
    for days in (90, 365):
        med, worst, total = timed(
            lambda d=days: page(selectors.not_visited(org=community, days=d)), repeat
        )
        rows.append(
            (
                f"community not visited in {days} days: count + page 1 (50)",
                med,
                worst,
                f"{total:,} rows",
            )
        )
    med, worst, total = timed(
        lambda: page(selectors.not_visited(org=community, days=90), 40), repeat
    )
    rows.append(
        ("community not visited in 90 days: count + page 40", med, worst, f"{total:,} rows")
    )
    med, worst, total = timed(lambda: page(selectors.not_visited(org=last, days=90)), repeat)
    rows.append(
        ("last community not visited in 90 days: count + page 1", med, worst, f"{total:,} rows")
    )
    start, end = selectors.period(90)
    med, worst, by_child = timed(
        lambda: selectors.coverage_by_child(org=street, start=start, end=end), repeat
    )
    rows.append(
        ("coverage of every community of a street (90 days)", med, worst, f"{len(by_child)} rows")
    )

    print()
    print(
        f"Machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    print()
    print("| rows | count |\n| --- | ---: |")
    for k, v in counts.items():
        print(f"| {k} | {v:,} |")
    print()
    print("| query | median ms | max ms | answer |\n| --- | ---: | ---: | --- |")
    for name, med, worst, answer in rows:
        print(f"| {name} | {med:.1f} | {worst:.1f} | {answer} |")
    print()
    with connection.cursor() as cur:
        start, end = selectors.period(90)
        qs = (
            Visit.objects.filter(
                visited_at__gte=start, visited_at__lt=end, household_id__isnull=False
            )
            .filter(
                organization_id__in=Organization.objects.filter(
                    path__startswith=street.path
                ).values("pk")
            )
            .order_by()
            .values("household_id")
            .distinct()
        )
        sql, params = qs.query.sql_with_params()
        cur.execute(f"explain (analyze, buffers off) select count(*) from ({sql}) x", params)
        print("Plan, street coverage (90 days):\n\n```")
        print("\n".join(r[0] for r in cur.fetchall()))
        print("```\n")
        qs = selectors.not_visited(org=community, days=90)[:50]
        sql, params = qs.query.sql_with_params()
        cur.execute(f"explain (analyze, buffers off) {sql}", params)
        print("Plan, community not visited in 90 days, page 1:\n\n```")
        print("\n".join(r[0] for r in cur.fetchall()))
        print("```")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="measure the existing database again")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    if not args.reuse:
        print(f"database {DB}: drop, create, migrate", flush=True)
        admin_sql(f"drop database if exists {DB}")
        admin_sql(f"create database {DB}")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.db import connections

        connections.close_all()
        print("generating:", flush=True)
        started = time.perf_counter()
        generate(args.households, args.visits)
        print(f"  total: {time.perf_counter() - started:.1f}s", flush=True)
    measure(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
