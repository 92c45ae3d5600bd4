"""Benchmark: requests per second of the residents' public pages through the production server
(issue 13: "the public pages hold 200 requests/s on this machine's production server setup").

    PGPORT=54413 XIANFENG_PG_DIR=/tmp/xf-pg-13 scripts/pg.sh start
    PGPORT=54413 .venv/bin/python bench/public.py [--problems 1000000] [--seconds 5]
                                                  [--clients 8] [--reuse-db]

1. Its own database ``xianfeng_bench_public`` on the cluster at 127.0.0.1:$PGPORT: migrated,
   the small demo district, then ``--problems`` problems written by PostgreSQL alone (the
   statement of ``bench/wall.py``, spread over the district's communities), ``ANALYZE``.
   ``--reuse-db`` keeps the database of the last run.
2. The production server as README documents it (``make serve``): gunicorn with
   ``deploy/gunicorn.conf.py`` (2 workers x 4 threads), ``DJANGO_DEBUG=0``, started and stopped
   by ``bench/ceiling.py``'s helper. The shared cache is the settings' default: Redis when
   ``XIANFENG_CACHE_URL`` is set (production), else each worker's own memory.
3. ``--clients`` threads of anonymous visitors (no cookie kept, as a phone that scans a QR code)
   send GETs to each public page in turn for ``--seconds`` seconds after a warm-up; every answer
   must be 200. The client is Python threads on the same 2 cores as the server, so the figures
   are a lower bound of what the server alone would give.

It prints a Markdown table: requests, req/s, p50/p95 (ms) per page, and whether the page holds
the issue's 200 req/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ceiling
import foundation as fb
from wall import GENERATE

PORT = os.environ.get("PGPORT", "54329")
DB = "xianfeng_bench_public"
ADMIN_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/postgres"
DB_URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/{DB}"
TARGET = 200.0


def build(problems: int, env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    for args in (["migrate", "--noinput"], ["demo_district", "--scale", "small"]):
        seconds, _out = fb.manage(args, env, timeout=3600)
        print(f"manage.py {' '.join(args)}: {seconds:.0f} s", flush=True)
    started = time.perf_counter()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        (communities,) = conn.execute(
            "SELECT count(*) FROM orgs_organization WHERE kind = 'community'"
        ).fetchone()
        # GENERATE is written for Django's cursor (%% for %); psycopg's own takes the same.
        conn.execute(GENERATE, {"phone": "", "n": problems, "communities": communities})
        conn.execute("ANALYZE")
    print(f"wrote {problems:,} problems in {time.perf_counter() - started:.0f} s", flush=True)


def targets() -> dict[str, str]:
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        (community, wall) = conn.execute(
            "SELECT o.code, count(*) FROM public_problem p JOIN orgs_organization o"
            " ON o.id = p.community_id WHERE p.on_wall GROUP BY o.code ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
        (problem,) = conn.execute(
            "SELECT p.code FROM public_problem p JOIN orgs_organization o"
            " ON o.id = p.community_id WHERE o.code = %s AND p.state = 'published'"
            " ORDER BY p.id DESC LIMIT 1",
            [community],
        ).fetchone()
        (zone,) = conn.execute(
            "SELECT public_code FROM places_responsibilityzone WHERE public_code <> ''"
            " ORDER BY id LIMIT 1"
        ).fetchone()
        (total,) = conn.execute("SELECT count(*) FROM public_problem").fetchone()
    print(f"problems: {total:,}; the wall of {community}: {wall:,} problems", flush=True)
    return {"community": community, "problem": problem, "zone": zone}


def hammer(base: str, path: str, clients: int, seconds: float) -> tuple[list[float], float]:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(stop_at: float) -> None:
        client = fb.Client(base)
        while time.monotonic() < stop_at and not errors:
            client.jar.clear()  # a new visitor each time: no session, no CSRF cookie kept
            started = time.perf_counter()
            resp = client.request(path)
            elapsed = (time.perf_counter() - started) * 1000
            if resp.status != 200:
                with lock:
                    errors.append(f"{path}: {resp.status} {resp.body[:200]!r}")
                return
            with lock:
                times.append(elapsed)

    one(time.monotonic() + 0.5)  # warm-up: imports, first queries, the caches
    times.clear()
    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(started + seconds,)) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise fb.BenchError("; ".join(errors[:3]))
    return times, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reuse-db", action="store_true")
    args = parser.parse_args()

    env = fb.django_env(DB_URL)
    if not args.reuse_db:
        build(args.problems, env)
    t = targets()
    pages = [
        ("problem wall", f"/public/c/{t['community']}/"),
        ("problem wall, page 5", f"/public/c/{t['community']}/?page=5"),
        ("problem wall, in progress", f"/public/c/{t['community']}/?state=in_progress"),
        ("echo wall", f"/public/c/{t['community']}/echo/"),
        ("a problem", f"/public/p/{t['problem']}/"),
        ("report form", f"/public/c/{t['community']}/report/"),
        ("zone board", f"/public/zones/{t['zone']}/"),
        ("service menu", f"/services/public/?community={t['community']}"),
        ("Open311 requests, 50", "/open311/v2/requests.json?page_size=50"),
    ]
    rows = []
    with ceiling.production_server(env) as server:
        base = f"http://{fb.HOST}:{server.port}"
        for name, path in pages:
            times, spent = hammer(base, path, args.clients, args.seconds)
            rate = len(times) / spent
            rows.append(
                (
                    name,
                    f"`{path}`",
                    len(times),
                    f"{rate:.0f}",
                    f"{fb.percentile(times, 50):.1f}",
                    f"{fb.percentile(times, 95):.1f}",
                    "yes" if rate >= TARGET else "no",
                )
            )
            print(f"{name}: {rate:.0f} req/s", flush=True)
    print()
    print(
        fb.markdown_table(
            ["page", "path", "requests", "req/s", "p50 ms", "p95 ms", ">= 200 req/s"], rows
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
