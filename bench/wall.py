"""Benchmark: the public problem wall (问题墙) of a community with 1,000,000 problems in
PostgreSQL.

    PGPORT=54404 XIANFENG_PG_DIR=/tmp/xf-pg-h4 scripts/pg.sh start
    PGPORT=54404 .venv/bin/python bench/wall.py [--problems 1000000] [--runs 30] [--keep]

It drops and recreates its own database ``xianfeng_bench_wall`` on the cluster at
127.0.0.1:$PGPORT, migrates it, builds the small demo district, then writes the problems in one
``INSERT … SELECT … FROM generate_series`` spread over the district's communities (2% waiting
for moderation, 1% rejected or merged — off the wall —, the rest accepted, in progress, solved,
published or closed), runs ANALYZE and times, for the persona community (``shequ``'s):

* the wall selector (``selectors.wall``: COUNT and the first page), in process;
* ``GET /public/c/<code>/`` (the whole page an anonymous phone gets) and the same filtered by
  state, and ``GET /open311/v2/requests.json`` (the last 90 days, at most 1000), through
  Django's test client;
* and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the wall's page query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = os.environ.get("PGPORT", "54329")
DB = "xianfeng_bench_wall"
ADMIN_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/postgres"
DB_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/{DB}"

GENERATE = """
INSERT INTO public_problem (
    code, organization_id, community_id, zone_id, visit_id, source, source_note, category,
    title, description, address, latitude, longitude, reporter_name, reporter_phone,
    reporter_secret, token, raised_by_id, state, on_wall, moderation_note, responsible,
    measures, deadline, result, solved_by_id, solved_at, close_reason, referred_to,
    merged_into_id, supporters, reopened, reopen_reason, created_at, updated_at
)
SELECT
    'B' || lpad(upper(to_hex(g)), 7, '0'),
    c.ids[1 + g %% %(communities)s], c.ids[1 + g %% %(communities)s], NULL, NULL,
    'resident', '',
    (ARRAY['environment', 'facilities', 'safety', 'traffic', 'neighbours', 'service',
           'other'])[1 + g %% 7],
    '楼道灯坏了（基准数据）' || (g %% 1000), '基准数据的描述', '基准路' || (g %% 500) || '号',
    NULL, NULL, '', %(phone)s, md5(g::text), gen_random_uuid(), NULL, s.state,
    s.state NOT IN ('pending', 'rejected', 'merged'), '',
    CASE WHEN s.state IN ('pending', 'accepted') THEN '' ELSE '小区物业服务中心' END,
    CASE WHEN s.state IN ('pending', 'accepted') THEN '' ELSE '限期整改' END,
    CASE WHEN s.state IN ('pending', 'accepted') THEN NULL ELSE current_date + 7 END,
    CASE WHEN s.state IN ('solved', 'published') THEN '已整改' ELSE '' END, NULL, NULL,
    CASE WHEN s.state = 'closed_unsolved' THEN '不属本社区' ELSE '' END, '', NULL,
    1 + g %% 5, 0, '',
    now() - make_interval(mins => g %% 1051200), now() - make_interval(mins => g %% 1051200)
FROM generate_series(1, %(n)s) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% 100 < 2 THEN 'pending'
                WHEN g %% 100 = 2 THEN 'rejected'
                WHEN g %% 100 < 10 THEN 'accepted'
                WHEN g %% 100 < 20 THEN 'in_progress'
                WHEN g %% 100 < 23 THEN 'solved'
                WHEN g %% 100 < 90 THEN 'published'
                ELSE 'closed_unsolved' END AS state
) AS s
CROSS JOIN (
    SELECT ARRAY(SELECT id FROM orgs_organization WHERE kind = 'community' ORDER BY id) AS ids
) AS c
"""


def recreate() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def manage(*args: str) -> None:
    env = dict(os.environ, DATABASE_URL=DB_URL, DJANGO_DEBUG="0")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered)) - 1))]


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm up
    samples = []
    for _i in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    if not args.keep:
        print(f"database {DB} on 127.0.0.1:{PORT}: recreate, migrate, small demo district")
        recreate()
        manage("migrate", "--verbosity", "0")
        manage("demo_district", "--scale", "small", "--verbosity", "0")

    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.orgs.choices import OrgKind
    from xianfeng.orgs.models import Organization
    from xianfeng.public import selectors
    from xianfeng.public.models import Problem

    # The test client speaks plain http to the production settings (no https redirect here).
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    community = role_org(User.objects.get(username="shequ"))
    communities = Organization.objects.filter(kind=OrgKind.COMMUNITY).count()
    if not args.keep:
        sample = Problem.objects.exclude(reporter_phone="").first()
        with connection.cursor() as cur:
            cur.execute("SELECT reporter_phone FROM public_problem WHERE id = %s", [sample.pk])
            (phone,) = cur.fetchone()
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(GENERATE, {"phone": phone, "n": args.problems, "communities": communities})
            cur.execute("ANALYZE public_problem")
        print(f"wrote {args.problems:,} problems in {time.perf_counter() - start:.1f} s")
    total = Problem.objects.count()
    on_wall = selectors.wall(community.pk).count()
    print(f"problems: {total:,}; communities: {communities}; {community.name}'s wall: {on_wall:,}")

    def wall_page() -> None:
        qs = selectors.wall(community.pk)
        qs.count()
        list(qs[: settings.PAGE_SIZE])

    client = Client()

    def page() -> None:
        assert client.get(f"/public/c/{community.code}/").status_code == 200

    def page_state() -> None:
        assert client.get(f"/public/c/{community.code}/?state=in_progress").status_code == 200

    def open311() -> None:
        assert client.get("/open311/v2/requests.json").status_code == 200

    rows = [
        ("selector: COUNT + first page", *timed(wall_page, args.runs)),
        (f"GET /public/c/{community.code}/", *timed(page, args.runs)),
        (f"GET /public/c/{community.code}/?state=in_progress", *timed(page_state, args.runs)),
        ("GET /open311/v2/requests.json (≤1000)", *timed(open311, max(5, args.runs // 3))),
    ]
    print()
    print("| public wall of a community | p50 ms | p95 ms |")
    print("| --- | ---: | ---: |")
    for name, p50, p95 in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} |")
    qs = selectors.wall(community.pk)[: settings.PAGE_SIZE]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print()
        print("\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()
