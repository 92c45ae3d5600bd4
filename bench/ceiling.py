"""Ceiling benchmark: how far each scoped list is from what the framework itself costs.

    .venv/bin/python bench/ceiling.py                 # district demo, 8 clients, ~3 min
    .venv/bin/python bench/ceiling.py --quick         # --scale small, short slices: a smoke check
    .venv/bin/python bench/ceiling.py --reuse-db      # keep xianfeng_bench from the last run
    make bench-ceiling                                # starts/stops the project's PostgreSQL

1. The database ``xianfeng_bench`` on the project's PostgreSQL (``scripts/pg.sh``) is rebuilt
   with ``demo_district --scale district`` (``--reuse-db`` keeps one that is there), then
   ``ANALYZE``.
2. The production server as README documents it: gunicorn with ``deploy/gunicorn.conf.py``
   (2 workers x 4 threads, kept database connections), ``DJANGO_DEBUG=0``, with the settings
   ``bench.ceiling_settings``: the project's URLs plus three bare JSON views that exist only
   there: no authentication, behind the session, behind a token.
3. ``--clients`` threads (8) as ``shequ`` (community admin) and ``qu`` (district admin), each
   persona with a session and a token, measure every endpoint: the bare views, every scoped
   list (members, buildings, visits, tasks as pages; members, buildings, households, visits,
   tasks through the API; page 1 and page 5) and member search (``q=wang``). The run is
   ``--rounds`` rounds (3); in each, every endpoint in a new random order gets all the clients
   for ``--slice`` seconds (1.0), so the endpoints are interleaved over one run and each one's
   req/s is what the server gave it alone. Every answer must be 200.
4. It prints, per endpoint and persona: requests, p50/p95 (ms), req/s and the ratio to the
   bare view with the same authentication (session for pages, token for the API), and whether
   the list meets issue 11's goal (>= 40 % of the bare rate; p95 <= 25 ms for ``shequ``).
   ``--readme`` writes the table into bench/README.md between the ceiling markers, with the
   date and commit. The client is Python threads on the same two cores as the server, which
   caps the bare views' rate (said beside the figures).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The sibling script's database, server and client helpers.
import foundation as fb

ROOT = fb.ROOT
README = ROOT / "bench" / "README.md"
MARK_START = "<!-- ceiling:start -->"
MARK_END = "<!-- ceiling:end -->"
PERSONAS = ("shequ", "qu")
# (label, path, authentication): "session" pages and "token" API calls; "none" the bare view.
LISTS: tuple[tuple[str, str, str], ...] = (
    ("bare", "/bench/bare", "none"),
    ("bare+session", "/bench/session", "session"),
    ("bare+token", "/bench/token", "token"),
    ("members", "/members/", "session"),
    ("members p5", "/members/?page=5", "session"),
    ("members q=wang", "/members/?q=wang", "session"),
    ("buildings", "/places/buildings/", "session"),
    ("buildings p5", "/places/buildings/?page=5", "session"),
    ("visits", "/work/visits/", "session"),
    ("visits p5", "/work/visits/?page=5", "session"),
    ("tasks", "/work/tasks/", "session"),
    ("tasks p5", "/work/tasks/?page=5", "session"),
    ("api members", "/api/v1/members", "token"),
    ("api members p5", "/api/v1/members?page=5", "token"),
    ("api members q=wang", "/api/v1/members?q=wang", "token"),
    ("api buildings", "/api/v1/buildings", "token"),
    ("api buildings p5", "/api/v1/buildings?page=5", "token"),
    ("api households", "/api/v1/households", "token"),
    ("api households p5", "/api/v1/households?page=5", "token"),
    ("api visits", "/api/v1/visits", "token"),
    ("api visits p5", "/api/v1/visits?page=5", "token"),
    ("api tasks", "/api/v1/tasks", "token"),
    ("api tasks p5", "/api/v1/tasks?page=5", "token"),
)
BARE_FOR = {"session": "bare+session", "token": "bare+token", "none": "bare"}
# Goals of issue 11: a list at >= 40 % of the bare view's rate, p95 <= 25 ms for shequ.
RATIO_GOAL = 0.40
P95_GOAL_MS = 25.0


@dataclass
class Endpoint:
    label: str
    path: str
    auth: str
    persona: str
    times_ms: list[float] = field(default_factory=list)
    busy_s: float = 0.0  # the time its slices took

    @property
    def key(self) -> tuple[str, str]:
        return (self.persona, self.label)


@dataclass
class Persona:
    name: str
    session: fb.Client
    token: str


def _gunicorn_available() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


@contextmanager
def production_server(env: dict[str, str]) -> Iterator[fb.Server]:
    """gunicorn as ``make serve`` starts it (deploy/gunicorn.conf.py), on a free port."""
    port = fb.free_port()
    env = dict(env)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.ceiling_settings",
        XIANFENG_BIND=f"{fb.HOST}:{port}",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    if not _gunicorn_available():
        path = fb.gunicorn_path()
        if path is None:
            raise fb.BenchError('gunicorn is missing: pip install -e ".[prod]"')
        env["PYTHONPATH"] = os.pathsep.join([str(path), env["PYTHONPATH"]])
    cmd = [fb.PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "xianfeng.wsgi"]
    log_path = Path(f"/tmp/xianfeng-ceiling-server-{port}.log")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        server = fb.Server("gunicorn, deploy/gunicorn.conf.py", port, proc, log_path)
        try:
            fb.wait_until_up(server)
            yield server
        except BaseException:
            print(f"--- last lines of the server's log ---\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            fb.stop_process(proc)
    log_path.unlink(missing_ok=True)


def sign_in(base: str) -> dict[str, Persona]:
    people = {}
    for name in PERSONAS:
        session = fb.Client(base)
        session.login(name)
        people[name] = Persona(name, session, fb.Client(base).token(name))
    return people


def run_mix(
    base: str, people: dict[str, Persona], clients: int, rounds: int, slice_s: float
) -> tuple[list[Endpoint], float]:
    """Rounds of slices: in each round every endpoint, in a new random order, gets all the
    clients for ``slice_s`` seconds. An endpoint's figures are the sum of its slices, spread
    over the whole run, so a drift of the machine touches every endpoint alike, and its req/s
    is what the server gave that endpoint alone (not its share of a queue of others)."""
    endpoints = [
        Endpoint(label, path, auth, persona)
        for persona in PERSONAS
        for label, path, auth in LISTS
        if not (auth == "none" and persona != PERSONAS[0])
    ]
    lock = threading.Lock()
    errors: list[str] = []
    anonymous = fb.Client(base)

    def hammer(ep: Endpoint, stop_at: float) -> None:
        # The clients are shared: a request touches only the cookie jar, which locks itself.
        person = people[ep.persona]
        client = anonymous if ep.auth == "none" else person.session
        headers = {"Authorization": f"Bearer {person.token}"} if ep.auth == "token" else {}
        while time.monotonic() < stop_at and not errors:
            started = time.perf_counter()
            resp = client.request(ep.path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if resp.status != 200:
                with lock:
                    errors.append(f"{ep.persona} {ep.path}: {resp.status} {resp.body[:120]!r}")
                return
            with lock:
                ep.times_ms.append(elapsed)

    # Warm every endpoint once (first-request imports and caches are not the steady state).
    for ep in endpoints:
        hammer(ep, time.monotonic() + 0.001)
        ep.times_ms.clear()
    if errors:
        raise fb.BenchError("; ".join(errors[:5]))
    rng = random.Random(11)
    started = time.monotonic()
    for _round in range(rounds):
        for ep in rng.sample(endpoints, len(endpoints)):
            slice_start = time.monotonic()
            threads = [
                threading.Thread(target=hammer, args=(ep, slice_start + slice_s))
                for _ in range(clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            ep.busy_s += time.monotonic() - slice_start
            if errors:
                raise fb.BenchError("; ".join(errors[:5]))
    return endpoints, time.monotonic() - started


def table(endpoints: list[Endpoint]) -> tuple[str, list[dict]]:
    rate = {}
    rows = []
    for ep in endpoints:
        if not ep.times_ms:
            continue
        rate[ep.key] = len(ep.times_ms) / ep.busy_s

    def bare_rate(persona: str, auth: str) -> float | None:
        label = BARE_FOR[auth]
        return rate.get((persona, label)) or rate.get((PERSONAS[0], label))

    for ep in endpoints:
        if not ep.times_ms:
            continue
        p50, p95 = fb.percentile(ep.times_ms, 50), fb.percentile(ep.times_ms, 95)
        base = bare_rate(ep.persona, ep.auth)
        ratio = rate[ep.key] / base if base else None
        meets = (
            ratio is not None
            and ratio >= RATIO_GOAL
            and (ep.persona != "shequ" or p95 <= P95_GOAL_MS)
        )
        rows.append(
            {
                "persona": ep.persona,
                "endpoint": ep.label,
                "path": ep.path,
                "n": len(ep.times_ms),
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "req_s": round(rate[ep.key]),
                "ratio": None if ratio is None else round(ratio, 2),
                "goal": "—" if ep.label.startswith("bare") else ("yes" if meets else "no"),
            }
        )
    text = fb.markdown_table(
        ["persona", "endpoint", "n", "p50 ms", "p95 ms", "req/s", "÷ bare", "goal"],
        [
            [
                r["persona"],
                f"`{r['path']}`",
                r["n"],
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                r["req_s"],
                "—" if r["ratio"] is None else f"{r['ratio']:.0%}",
                r["goal"],
            ]
            for r in rows
        ],
    )
    return text, rows


def write_readme(text: str) -> None:
    content = README.read_text()
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    if MARK_START in content and MARK_END in content:
        head, rest = content.split(MARK_START, 1)
        _old, tail = rest.split(MARK_END, 1)
        content = head + block + tail
    else:
        content = content.rstrip() + "\n\n## Ceiling (bench/ceiling.py)\n\n" + block + "\n"
    README.write_text(content)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="--scale small and 10 s")
    parser.add_argument("--scale", choices=("small", "district"), default=None)
    parser.add_argument("--rounds", type=int, default=None, help="rounds over all endpoints (3)")
    parser.add_argument(
        "--slice", type=float, default=None, help="seconds per endpoint and round (1.0)"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reuse-db", action="store_true", help="keep xianfeng_bench if built")
    parser.add_argument("--readme", action="store_true", help="write the table to the README")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.scale = args.scale or ("small" if args.quick else "district")
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.slice = args.slice or (0.3 if args.quick else 1.0)
    return args


def prepare_database(env: dict[str, str], scale: str, reuse: bool) -> dict[str, int]:
    if reuse:
        try:
            fb.manage(["migrate", "--noinput"], env, timeout=3600)  # new indexes, if any
            counts = fb.analyze_and_count()
            if counts.get("party members"):
                print(f"database {fb.BENCH_DB}: kept ({counts['party members']} members)")
                return counts
        except Exception as exc:  # any failure means: build it
            print(f"database {fb.BENCH_DB}: not usable ({exc}); building it")
    print(f"database {fb.BENCH_DB} on {fb.HOST}:{fb.PGPORT}: drop and create")
    fb.recreate_database()
    # an hour: at load 10 on the shared machine migrating an empty database passed 10 minutes
    fb.manage(["migrate", "--noinput"], env, timeout=3600)
    seconds, _ = fb.manage(["demo_district", "--scale", scale], env, timeout=3600)
    print(f"  demo_district --scale {scale}: {seconds:.0f} s")
    return fb.analyze_and_count()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    env = fb.django_env(fb.db_url(fb.BENCH_DB))
    counts = prepare_database(env, args.scale, args.reuse_db)
    with production_server(env) as server:
        print(
            f"  {server.kind} on {server.base}; {args.clients} clients, {args.rounds} rounds "
            f"of {args.slice:.1f} s per endpoint"
        )
        people = sign_in(server.base)
        endpoints, elapsed = run_mix(server.base, people, args.clients, args.rounds, args.slice)
    total = sum(len(ep.times_ms) for ep in endpoints)
    text, rows = table(endpoints)
    head = (
        f"Measured {date.today():%Y-%m-%d} at commit {fb.code_version()}, scale {args.scale} "
        f"({counts.get('party members', 0)} members, {counts.get('buildings', 0)} buildings), "
        f"{args.clients} clients, {args.rounds} rounds of {args.slice:.1f} s per endpoint "
        f"({elapsed:.0f} s, {total} requests). req/s: what the endpoint alone got; ÷ bare: that "
        f"against the bare view with the same authentication (pages: session, API: token)."
    )
    print()
    print(head)
    print()
    print(text)
    if args.readme:
        write_readme(head + "\n\n" + text)
    if args.json:
        args.json.write_text(
            json.dumps({"summary": head, "rows": rows}, ensure_ascii=False, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except fb.BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(1)
