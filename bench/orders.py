"""Benchmark: the dispatch queue (社区下单) of a community with 1,000,000 orders in PostgreSQL.

    PGPORT=54403 XIANFENG_PG_DIR=/tmp/xf-pg-h3 scripts/pg.sh start
    PGPORT=54403 .venv/bin/python bench/orders.py [--orders 1000000] [--runs 30]

It drops and recreates its own database ``xianfeng_bench_orders`` on the cluster at
127.0.0.1:$PGPORT, migrates it, builds the small demo district, then writes the orders in one
``INSERT … SELECT … FROM generate_series`` spread over the district's communities (0.5% waiting
in the queue, 2% dispatched or accepted, the rest done, rated or rejected; the phone is one
real ciphertext), runs ANALYZE and times, for the community admin ``shequ``:

* the queue selector (``selectors.queue``: COUNT and the first page of 50), in process;
* ``GET /api/v1/orders/queue`` and ``GET /services/orders/queue/`` through Django's test
  client (the whole request: session, scope, the query, JSON or the template);
* and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the page query. The database stays for
  ``EXPLAIN``; the next run drops it.
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
DB = "xianfeng_bench_orders"
ADMIN_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/postgres"
DB_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/{DB}"


def recreate() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def manage(*args: str) -> None:
    env = dict(os.environ, DATABASE_URL=DB_URL, DJANGO_DEBUG="0")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


GENERATE = """
INSERT INTO services_order (
    code, community_id, organization_id, service_id, source, content, name, phone,
    phone_index, address, state, deadline, created_at, assignee_id, dispatched_at,
    accepted_at, decline_reason, done_note, done_photo, done_at, rating, rating_comment,
    rated_at, reminded_at, escalated_to_id, escalated_at, building_id, household_id,
    visit_id, created_by_id, dispatched_by_id
)
SELECT
    'B' || lpad(upper(to_hex(g)), 7, '0'),
    c.ids[1 + g %% %(communities)s], c.ids[1 + g %% %(communities)s], NULL, 'own_words',
    '楼道灯坏了，请帮忙修理（基准数据）', '群众' || (g %% 1000),
    %(phone)s, %(phone_index)s, '基准路' || (g %% 500) || '号',
    CASE WHEN g %% 200 = 0 THEN 'new'
         WHEN g %% 200 < 3 THEN 'dispatched'
         WHEN g %% 200 < 5 THEN 'accepted'
         WHEN g %% 200 < 60 THEN 'done'
         WHEN g %% 200 < 190 THEN 'rated'
         ELSE 'rejected' END,
    now() - make_interval(mins => g %% 525600) + interval '72 hours',
    now() - make_interval(mins => g %% 525600),
    CASE WHEN g %% 200 BETWEEN 1 AND 189 THEN %(member)s END,
    NULL, NULL, '', '', '', NULL,
    CASE WHEN g %% 200 BETWEEN 60 AND 189 THEN 1 + g %% 5 END, '', NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL
FROM generate_series(1, %(n)s) AS g
CROSS JOIN (
    SELECT ARRAY(SELECT id FROM orgs_organization WHERE kind = 'community' ORDER BY id) AS ids
) AS c
"""


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
    parser.add_argument("--orders", type=int, default=1_000_000)
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
    from django.db import connection
    from django.test import Client

    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.demo.base import persona_member
    from xianfeng.orgs.choices import OrgKind
    from xianfeng.orgs.models import Organization
    from xianfeng.services import selectors
    from xianfeng.services.models import Order

    shequ = User.objects.get(username="shequ")
    community = role_org(shequ)
    communities = Organization.objects.filter(kind=OrgKind.COMMUNITY).count()
    if not args.keep:
        from xianfeng.services.services import create_public_order

        sample = create_public_order(
            community=community.community(),
            name="基准",
            phone="13900000000",
            address="基准路1号",
            content="基准数据的样本点单",
            client_ip="192.0.2.200",
        )
        with connection.cursor() as cur:
            cur.execute("SELECT phone, phone_index FROM services_order WHERE id = %s", [sample.pk])
            phone, phone_index = cur.fetchone()
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                GENERATE,
                {
                    "phone": phone,
                    "phone_index": phone_index,
                    "member": persona_member("dangyuan").pk,
                    "n": args.orders,
                    "communities": communities,
                },
            )
            cur.execute("ANALYZE services_order")
        print(f"wrote {args.orders:,} orders in {time.perf_counter() - start:.1f} s")
    total = Order.objects.count()
    in_queue = selectors.queue(shequ, community=community.pk).count()
    print(f"orders: {total:,}; communities: {communities}; {community.name}'s queue: {in_queue:,}")

    def queue_page() -> None:
        qs = selectors.queue(shequ, community=community.pk)
        qs.count()
        list(qs[:50])

    # The production settings (DJANGO_DEBUG=0): a host it serves, over https as behind nginx.
    client = Client(HTTP_HOST="localhost")
    client.force_login(shequ)

    def api() -> None:
        assert client.get("/api/v1/orders/queue?page_size=50", secure=True).status_code == 200

    def page() -> None:
        assert client.get("/services/orders/queue/", secure=True).status_code == 200

    rows = [
        ("selector: COUNT + first 50", *timed(queue_page, args.runs)),
        ("GET /api/v1/orders/queue", *timed(api, args.runs)),
        ("GET /services/orders/queue/", *timed(page, args.runs)),
    ]
    print()
    print("| dispatch queue of a community | p50 ms | p95 ms |")
    print("| --- | ---: | ---: |")
    for name, p50, p95 in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} |")
    qs = selectors.queue(shequ, community=community.pk)[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print()
        print("\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()
