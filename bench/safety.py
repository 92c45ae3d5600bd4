"""Safety benchmark: 100,000 buildings and 1,000,000 hazards on PostgreSQL, then the three reads
issue 12 names, each through the code the pages and the API run.

    .venv/bin/python bench/safety.py                 # against the cluster at 127.0.0.1:$PGPORT
    make bench-safety                                # starts/stops the project's PostgreSQL
    PGPORT=54402 XIANFENG_PG_DIR=/tmp/xf-pg-x make bench-safety   # a cluster of one's own

What it does, all on this machine:

1. Drops and creates the database ``xianfeng_bench_safety`` on the cluster (``PGPORT``, default
   54329), migrates it and builds the small demo district in it (organizations, personas,
   grids with boundaries; ``demo_district --scale small``).
2. Adds 100,000 buildings spread over the demo grids (each inside its grid's boundary, a safety
   colour each) and 1,000,000 hazards on them (60 % closed, the rest spread over the open
   states, deadlines from 60 days ago to 60 days ahead, reported over the past year), in two
   ``INSERT … SELECT … FROM generate_series`` statements; then ``ANALYZE``.
3. Times, in this process (Django, ``DEBUG`` off), after two warm-up runs, ``--runs`` times each:
   * the open-and-overdue hazard list for a street (``jiedao``): the selector the page and the
     API use, first page of 50 and its count, and the whole API answer
     ``GET /api/v1/hazards?open=true&overdue=true``;
   * the colour counts for the district (``qu``), the aggregate ``xianfeng/safety/figures.py``
     runs, and the whole figures of the district (``GET /api/v1/safety/figures``);
   * the map data for a community (``shequ``): ``places.selectors.map_data`` and
     ``GET /api/v1/map?community=…`` (at most ``XIANFENG_MAP_MAX_BUILDINGS`` buildings).
4. Prints Markdown tables (rows, p50/p95/max in ms) and the plans of the three main queries
   (``--explain``). The database stays for ``EXPLAIN ANALYZE``; the next run drops it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PGPORT = os.environ.get("PGPORT", "54329")
ADMIN_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PGPORT}/xianfeng"
BENCH_DB = "xianfeng_bench_safety"


def db_url(name: str) -> str:
    parts = urllib.parse.urlsplit(ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def _filler(conn: Any, table: str, given: set[str]) -> tuple[list[str], list[str]]:
    """The NOT NULL columns without a default that the INSERT does not name (the model may
    have grown since this was written): an empty value of their type each."""
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    ).fetchall()
    empty = {
        "text": "''",
        "character varying": "''",
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "jsonb": "'[]'::jsonb",
        "date": "current_date",
        "timestamp with time zone": "now()",
        "uuid": "gen_random_uuid()",
    }
    names, values = [], []
    for name, kind in rows:
        if name in given or name == "id":
            continue
        if kind not in empty:
            raise SystemExit(f"bench/safety.py: cannot fill {table}.{name} ({kind})")
        names.append(name)
        values.append(empty[kind])
    return names, values


BUILDING_COLUMNS = {
    "code": "'BB-' || g",
    "name": "'基准楼' || g || '号'",
    "address": "'基准路' || g || '号'",
    "address_normalized": "'基准路' || g || '号'",
    "grid_id": "gr.id",
    "organization_id": "gr.organization_id",
    "kind": "(ARRAY['rental','residential','small_venue','rental'])[1 + g % 4]",
    "floors": "1 + g % 20",
    "owner_name": "''",
    "latitude": "round((gr.lat0 + gr.size * ((g * 7919) % 997) / 997.0)::numeric, 6)",
    "longitude": "round((gr.lon0 + gr.size * ((g * 104729) % 991) / 991.0)::numeric, 6)",
    "safety_colour": "CASE WHEN (g * 31) % 100 < 3 THEN 'red' WHEN (g * 31) % 100 < 12 THEN"
    " 'yellow' WHEN (g * 31) % 100 < 45 THEN 'green' ELSE 'unrated' END",
    "note": "''",
    "created_at": "now()",
    "updated_at": "now()",
}

STATES = (
    ["closed"] * 12
    + ["reported", "confirmed", "assigned", "rectifying", "submitted", "returned", "verified"]
    + ["dismissed"]
)
CATEGORIES = ["escape", "ebike", "electric", "extinguisher", "three_in_one", "gas", "structure",
              "management", "works", "other"]  # fmt: skip


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


HAZARD_COLUMNS = {
    "building_id": "b.id",
    "organization_id": "b.organization_id",
    "title": "'基准隐患' || g",
    "description": "''",
    "category": f"({_array(CATEGORIES)})[1 + g % 10]",
    "severity": "(ARRAY['minor','general','major'])[1 + (g / 10) % 3]",
    "responsible_party": "'landlord'",
    "responsible_name": "''",
    "standard": "''",
    "source": "'report'",
    "deadline": "current_date + ((g * 17) % 121 - 60)",
    "reported_by_id": "%(user)s",
    "reported_at": "now() - make_interval(days => (g * 11) % 365)",
    "state": f"({_array(STATES)})[1 + (g * 13) % 20]",
    "closed_at": "CASE WHEN (g * 13) % 20 < 12 THEN now() - make_interval(days => (g * 7) % 300)"
    " END",
    "rectification": "''",
    "return_reason": "''",
    "client_key": "''",
}


def generated() -> tuple[int, int]:
    """The benchmark's own buildings and hazards already in the database (``--reuse``)."""
    with psycopg.connect(db_url(BENCH_DB), autocommit=True) as conn:
        buildings = conn.execute(
            "SELECT count(*) FROM places_building WHERE code LIKE 'BB-%'"
        ).fetchone()[0]
        hazards = conn.execute(
            "SELECT count(*) FROM safety_hazard WHERE title LIKE '基准隐患%'"
        ).fetchone()[0]
    return buildings, hazards


def generate(buildings: int, hazards: int) -> dict[str, float]:
    took = {}
    with psycopg.connect(db_url(BENCH_DB), autocommit=True) as conn:
        conn.execute("DELETE FROM safety_hazard WHERE title LIKE '基准隐患%'")
        conn.execute("DELETE FROM places_building WHERE code LIKE 'BB-%'")
        user = conn.execute("SELECT id FROM core_user WHERE username = 'admin'").fetchone()[0]
        names, values = _filler(conn, "places_building", set(BUILDING_COLUMNS))
        columns = list(BUILDING_COLUMNS) + names
        select = list(BUILDING_COLUMNS.values()) + values
        start = time.perf_counter()
        conn.execute(
            f"""
            WITH gr AS (
                SELECT id, organization_id, row_number() OVER (ORDER BY id) - 1 AS i,
                       (boundary->'coordinates'->0->0->>0)::float AS lon0,
                       (boundary->'coordinates'->0->0->>1)::float AS lat0,
                       (boundary->'coordinates'->0->2->>0)::float
                         - (boundary->'coordinates'->0->0->>0)::float AS size
                FROM places_grid WHERE boundary IS NOT NULL
            ), n AS (SELECT count(*) AS c FROM gr)
            INSERT INTO places_building ({", ".join(columns)})
            SELECT {", ".join(select)}
            FROM generate_series(1::bigint, {buildings}) AS g CROSS JOIN n JOIN gr ON gr.i = g % n.c
            """
        )
        took["buildings"] = time.perf_counter() - start
        names, values = _filler(conn, "safety_hazard", set(HAZARD_COLUMNS))
        columns = list(HAZARD_COLUMNS) + names
        select = [v % {"user": user} if "%(" in v else v for v in HAZARD_COLUMNS.values()]
        select += values
        start = time.perf_counter()
        conn.execute(
            f"""
            WITH b AS (
                SELECT id, organization_id, row_number() OVER (ORDER BY id) - 1 AS i
                FROM places_building WHERE code LIKE 'BB-%%'
            ), n AS (SELECT count(*) AS c FROM b)
            INSERT INTO safety_hazard ({", ".join(columns)})
            SELECT {", ".join(select)}
            FROM generate_series(1, {hazards}) AS g CROSS JOIN n JOIN b ON b.i = (g * 7) % n.c
            """.replace("%%", "%")
        )
        took["hazards"] = time.perf_counter() - start
        start = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        took["analyze"] = time.perf_counter() - start
    return took


def timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    for _ in range(2):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"p50": statistics.median(samples), "p95": p95, "max": samples[-1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of the last run (its rows are made again if the sizes differ)",
    )
    parser.add_argument("--explain", action="store_true", help="print the three plans")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = db_url(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    os.environ["DJANGO_DEBUG"] = "1"  # the development keys; DEBUG itself is turned off below
    sys.path.insert(0, str(ROOT))
    import django

    if not args.reuse:
        recreate_database()
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    setup = {}
    if not args.reuse:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("demo_district", scale="small", verbosity=0)
        setup["migrate and small demo district"] = time.perf_counter() - start
    if generated() != (args.buildings, args.hazards):
        setup.update({f"insert {k}": v for k, v in generate(args.buildings, args.hazards).items()})
        # The rows were inserted in SQL, past Hazard.save: the per-day summary is rebuilt once.
        from xianfeng.safety import summary

        start = time.perf_counter()
        written = summary.rebuild()
        setup[f"rebuild the per-day summary ({written['days']:,} + {written['due']:,} rows)"] = (
            time.perf_counter() - start
        )
    settings.DEBUG = False

    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.places.models import Building
    from xianfeng.places.selectors import map_data
    from xianfeng.safety import figures, selectors
    from xianfeng.safety.models import Hazard

    setup_test_environment()
    users = {u.username: u for u in User.objects.filter(username__in=["jiedao", "qu", "shequ"])}
    community = role_org(users["shequ"])
    limit = settings.XIANFENG_MAP_MAX_BUILDINGS

    def client(name: str) -> Client:
        c = Client()
        c.force_login(users[name])
        return c

    street, district, comm = client("jiedao"), client("qu"), client("shequ")

    def overdue_page() -> None:
        qs = selectors.hazards(users["jiedao"], open_only=True, overdue=True)
        list(qs[:50])
        selectors.capped_count(qs)  # the lists count up to COUNT_CAP, not every match

    today = timezone.localdate()
    twelve_months = figures.Period.parse("", "", today)
    district_scope = figures.default_scope(users["qu"])

    def district_figures(direct: bool) -> Callable[[], None]:
        return lambda: figures.figures(
            users["qu"], scope=district_scope, period=twelve_months, today=today, direct=direct
        )

    def colours() -> None:
        Building.objects.restrict(users["qu"]).aggregate(
            **{c: Count("pk", filter=Q(safety_colour=c)) for c in figures.COLOURS}
        )

    def get(c: Client, url: str) -> Callable[[], None]:
        def run() -> None:
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    rows = [
        ("open and overdue, street (jiedao): page of 50 + count", overdue_page),
        ("  GET /api/v1/hazards?open=true&overdue=true",
         get(street, "/api/v1/hazards?open=true&overdue=true")),
        ("colour counts, district (qu)", colours),
        ("  GET /api/v1/safety/figures (all figures, 12 months)",
         get(district, "/api/v1/safety/figures")),
        ("  figures, district: from the per-day summary", district_figures(False)),
        ("  figures, district: counting the hazards (before)", district_figures(True)),
        ("map data, community (shequ)",
         lambda: map_data(user=users["shequ"], community=community.pk, limit=limit)),
        ("  GET /api/v1/map?community=…", get(comm, f"/api/v1/map?community={community.pk}")),
    ]  # fmt: skip
    results = [(name, timed(fn, args.runs)) for name, fn in rows]

    counts = {
        "buildings": Building.objects.count(),
        "hazards": Hazard.objects.count(),
        "open and overdue in jiedao's street": selectors.hazards(
            users["jiedao"], open_only=True, overdue=True
        ).count(),
        f"buildings on shequ's map (at most {limit})": sum(
            1
            for f in map_data(user=users["shequ"], community=community.pk, limit=limit)["features"]
            if f["properties"]["kind"] == "building"
        ),
        "buildings in shequ's community": Building.objects.filter(
            grid__community=community
        ).count(),
    }
    print(f"\n## Safety benchmark ({os.cpu_count()} cores, load average {os.getloadavg()})\n")
    print("| rows | count |\n| --- | ---: |")
    for name, n in counts.items():
        print(f"| {name} | {n:,} |")
    if setup:
        print("\n| setup | seconds |\n| --- | ---: |")
        for name, seconds in setup.items():
            print(f"| {name} | {seconds:.1f} |")
    print(f"\n| read ({args.runs} runs after 2 warm-ups) | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, r in results:
        print(f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |")
    if args.explain:
        qs = selectors.hazards(users["jiedao"], open_only=True, overdue=True)[:50]
        for title, sql_qs in (("open and overdue, street", qs),):
            sql, params = sql_qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
                print(f"\n### {title}\n\n```\n" + "\n".join(r[0] for r in cursor) + "\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
