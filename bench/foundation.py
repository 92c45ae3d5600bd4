"""Foundation benchmark: build the demo district on PostgreSQL and time the scoped lists.

    .venv/bin/python bench/foundation.py              # full district, 300 requests per row
    .venv/bin/python bench/foundation.py --quick      # --scale small, 50 requests: a smoke check
    make bench                                        # starts/stops the project's PostgreSQL

What it does, all on this machine and all bounded:

1. On the project's PostgreSQL cluster (``scripts/pg.sh``, 127.0.0.1, ``PGPORT`` or 54329) it
   drops and creates the database ``xianfeng_bench``, migrates it, and times
   ``manage.py demo_district --scale district`` twice (the second run should find everything
   and create nothing; the report says whether it did). Then ``ANALYZE``, as autovacuum would
   do shortly after a bulk load.
2. It starts the real server on a free port of 127.0.0.1 against that database: gunicorn
   (sync workers, one per core), installed at bench time into a throwaway folder outside the
   project (``--server runserver`` uses ``manage.py runserver --noreload --nothreading``
   instead, and so does ``auto`` when gunicorn cannot be installed). ``DJANGO_DEBUG=0``.
3. For each persona (``shequ``, community admin; ``qu``, district admin) it logs in through
   the login form (session cookie, CSRF token from the form) and takes an API token, then
   sends a fixed number of sequential GET requests to each of ``/members/``,
   ``/places/buildings/``, ``/api/v1/members`` and ``/api/v1/buildings``, cycling through
   pages 1-5 and a few filters; every answer must be 200. A few warm-up requests per
   endpoint are not counted.
4. It prints Markdown tables: machine, row counts, build times, and p50/p95/max/mean (ms)
   per endpoint and persona, then per query variant. The server is always stopped.

The database is left in place after the run (for ``EXPLAIN ANALYZE``); the next run drops it.
Only the standard library and psycopg (a project dependency) are used on the client side.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import django
import psycopg

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
PYTHON = sys.executable
HOST = "127.0.0.1"
PGPORT = os.environ.get("PGPORT", "54329")
ADMIN_URL = os.environ.get(
    "XIANFENG_BENCH_ADMIN_URL", f"postgres://xianfeng:xianfeng@{HOST}:{PGPORT}/xianfeng"
)
BENCH_DB = os.environ.get("XIANFENG_BENCH_DB", "xianfeng_bench")  # a copy per engineer
BENCH_FIELD_KEY = (
    "eGlhbmZlbmctYmVuY2htYXJrLW9ubHkta2V5LTAwMzI="  # b"xianfeng-benchmark-only-key-0032"
)
PASSWORD = "xianfeng-demo"
# The demo administrators' two-factor secret (xianfeng/demo/base.py, DEMO_TOTP_SECRET).
DEMO_TOTP_SECRET = "XIANFENGDEMOTOTPXIANFENGDEMOTOTP"
_otp_last = {"step": 0}


def demo_otp() -> str:
    """A TOTP code (RFC 6238, as the demo authenticator shows it). Each code is accepted
    once, so a second use within 30 seconds takes the next step (the server allows one ahead;
    the bench uses at most two a persona: the login and the token)."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(DEMO_TOTP_SECRET + "=" * (-len(DEMO_TOTP_SECRET) % 8))
    step = max(int(time.time()) // 30, _otp_last["step"] + 1)
    _otp_last["step"] = step
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


PERSONAS = (("shequ", "社区管理员 community admin"), ("qu", "区管理员 district admin"))
GUNICORN_VERSION = "23.0.0"
WARMUP = 5
HTTP_TIMEOUT = 30.0
SERVER_START_TIMEOUT = 60.0

# Query variants cycled through for each endpoint: pages 1-5 and a few filters.
ENDPOINTS: dict[str, tuple[str, ...]] = {
    "/members/": ("", "?page=2", "?page=3", "?page=4", "?page=5", "?q=z", "?q=wang"),
    "/places/buildings/": (
        "",
        "?page=2",
        "?page=3",
        "?page=4",
        "?page=5",
        "?kind=rental",
        "?kind=rental&page=3",
    ),
    "/api/v1/members": (
        "",
        "?page=2",
        "?page=3",
        "?page=4",
        "?page=5",
        "?q=z",
        "?kind=in_service",
    ),
    "/api/v1/buildings": (
        "",
        "?page=2",
        "?page=3",
        "?page=4",
        "?page=5",
        "?kind=rental",
        "?kind=rental&page=3",
    ),
}

COUNT_TABLES = (
    ("organizations", "orgs_organization"),
    ("grids", "places_grid"),
    ("party members", "people_partymember"),
    ("persons", "people_person"),
    ("buildings", "places_building"),
    ("rental buildings", "places_building WHERE kind = 'rental'"),
    ("households", "places_household"),
    ("residents", "people_resident"),
    ("responsibility zones", "places_responsibilityzone"),
)


class BenchError(RuntimeError):
    pass


# --- helpers ---------------------------------------------------------------------------------


def db_url(name: str) -> str:
    parts = urllib.parse.urlsplit(ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def django_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        # Production mode refuses the development key; plain http on 127.0.0.1 (no nginx).
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        XIANFENG_HTTPS="0",
        XIANFENG_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    # Production mode refuses the development personal-data keys too: the benchmark's own,
    # fixed so that a kept database (--reuse-db) still decrypts. Never use them elsewhere.
    env.setdefault("XIANFENG_FIELD_KEYS", BENCH_FIELD_KEY)
    env.setdefault("XIANFENG_INDEX_KEY", "xianfeng-benchmark-only-index-key-not-a-secret")
    return env


def manage(args: Sequence[str], env: dict[str, str], timeout: float) -> tuple[float, str]:
    """Run ``manage.py args``; answer (wall seconds, output). Fails loudly on a non-zero exit."""
    started = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, str(MANAGE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    return elapsed, proc.stdout + proc.stderr


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


# --- database --------------------------------------------------------------------------------


def recreate_database() -> str:
    """Drop and create the bench database; answer the server's version."""
    try:
        conn = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"cannot reach PostgreSQL at {ADMIN_URL} ({exc}); start it with scripts/pg.sh start"
        ) from exc
    with conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return version


def analyze_and_count() -> dict[str, int]:
    with psycopg.connect(db_url(BENCH_DB), autocommit=True) as conn:
        conn.execute("ANALYZE")
        return {
            label: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for label, table in COUNT_TABLES
        }


def database_size() -> str:
    with psycopg.connect(db_url(BENCH_DB), autocommit=True) as conn:
        row = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return str(row.fetchone()[0])


# --- server ----------------------------------------------------------------------------------


def gunicorn_path() -> Path | None:
    """A folder holding gunicorn (installed there once, outside the project), or None."""
    target = Path(tempfile.gettempdir()) / f"xianfeng-bench-gunicorn-{GUNICORN_VERSION}"
    if (target / "gunicorn" / "__init__.py").exists():
        return target
    print(f"  installing gunicorn=={GUNICORN_VERSION} into {target} (not into .venv) ...")
    proc = subprocess.run(
        [
            PYTHON,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--target",
            str(target),
            f"gunicorn=={GUNICORN_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  could not install gunicorn: {proc.stderr.strip()[-500:]}")
        shutil.rmtree(target, ignore_errors=True)
        return None
    return target


@dataclass
class Server:
    kind: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def running_server(kind: str, env: dict[str, str], workers: int) -> Iterator[Server]:
    """Start the server, wait until it answers, and always stop it afterwards."""
    port = free_port()
    env = dict(env)
    if kind in {"auto", "gunicorn"}:
        path = gunicorn_path()
        if path is None and kind == "gunicorn":
            raise BenchError("gunicorn is not available")
        kind = "gunicorn" if path is not None else "runserver"
    if kind == "gunicorn":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
        cmd = [
            PYTHON,
            "-m",
            "gunicorn",
            "xianfeng.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        label = f"gunicorn {GUNICORN_VERSION}, {workers} sync workers"
    else:
        # One thread: threaded runserver opens a connection per request thread and, with
        # CONN_MAX_AGE=60, keeps them until PostgreSQL refuses more ("too many clients").
        cmd = [PYTHON, str(MANAGE), "runserver", f"{HOST}:{port}", "--noreload", "--nothreading"]
        label = "manage.py runserver --noreload --nothreading"
    log_file = tempfile.NamedTemporaryFile(
        prefix="xianfeng-bench-server-", suffix=".log", delete=False
    )
    log_path = Path(log_file.name)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(label, port, proc, log_path)
    try:
        wait_until_up(server)
        yield server
    except BaseException:
        print(f"--- last lines of the server's log ---\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        stop_process(proc)
        log_file.close()
        log_path.unlink(missing_ok=True)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise BenchError(f"the server exited ({server.proc.returncode}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base}/login/", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"the server did not answer in {SERVER_START_TIMEOUT:.0f} s")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


# --- client ----------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to look at (the login's 302, or a lost session), not to follow."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(
        self,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=HTTP_TIMEOUT) as resp:
                return Response(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, exc.read(), dict(exc.headers))

    def login(self, username: str) -> None:
        page = self.request("/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or not match:
            raise BenchError(f"no login form ({page.status})")
        body = urllib.parse.urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": match.group(1).decode(),
            }
        ).encode()
        resp = self.request(
            "/login/",
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + "/login/",
            },
        )
        location = resp.headers.get("Location", "")
        if resp.status == 302 and location.endswith("/login/verify/"):
            resp = self.second_factor()
            location = resp.headers.get("Location", "")
        if resp.status != 302 or "/login" in location:
            raise BenchError(f"login as {username} failed ({resp.status} {location!r})")

    def second_factor(self) -> Response:
        """District and street admins pass the code step with the demo authenticator."""
        page = self.request("/login/verify/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or not match:
            raise BenchError(f"no two-factor form ({page.status})")
        body = urllib.parse.urlencode(
            {"otp": demo_otp(), "csrfmiddlewaretoken": match.group(1).decode()}
        ).encode()
        return self.request(
            "/login/verify/",
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + "/login/verify/",
            },
        )

    def token(self, username: str) -> str:
        body = {"username": username, "password": PASSWORD}
        resp = self.request(
            "/api/v1/auth/token",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        if resp.status == 401 and b"otp" in resp.body:  # two-factor: send the code too
            resp = self.request(
                "/api/v1/auth/token",
                data=json.dumps({**body, "otp": demo_otp()}).encode(),
                headers={"Content-Type": "application/json"},
            )
        if resp.status != 200:
            raise BenchError(f"token for {username}: {resp.status} {resp.body[:200]!r}")
        return str(json.loads(resp.body)["token"])


@dataclass
class Series:
    persona: str
    endpoint: str
    times_ms: list[float] = field(default_factory=list)
    by_variant: dict[str, list[float]] = field(default_factory=dict)
    in_scope: int | None = None
    bytes_total: int = 0

    def summary(self) -> dict[str, float]:
        t = self.times_ms
        return {
            "p50": percentile(t, 50),
            "p95": percentile(t, 95),
            "max": max(t),
            "mean": statistics.fmean(t),
        }


def measure(
    client: Client, persona: str, endpoint: str, count: int, headers: dict[str, str]
) -> Series:
    variants = ENDPOINTS[endpoint]
    series = Series(persona, endpoint)
    for n in range(WARMUP + count):
        variant = variants[n % len(variants)]
        started = time.perf_counter()
        resp = client.request(endpoint + variant, headers=headers)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if resp.status != 200:
            raise BenchError(
                f"{persona} GET {endpoint}{variant}: {resp.status} "
                f"{resp.headers.get('Location', '')} {resp.body[:200]!r}"
            )
        if n < WARMUP:
            if n == 0 and endpoint.startswith("/api/"):
                series.in_scope = int(json.loads(resp.body)["count"])
            continue
        series.times_ms.append(elapsed_ms)
        series.by_variant.setdefault(variant or "(none)", []).append(elapsed_ms)
        series.bytes_total += len(resp.body)
    return series


def run_traffic(server: Server, count: int) -> list[Series]:
    results = []
    for persona, _label in PERSONAS:
        browser = Client(server.base)
        browser.login(persona)
        api = Client(server.base)
        bearer = {"Authorization": f"Bearer {api.token(persona)}"}
        for endpoint in ENDPOINTS:
            is_api = endpoint.startswith("/api/")
            client, headers = (api, bearer) if is_api else (browser, {})
            started = time.perf_counter()
            series = measure(client, persona, endpoint, count, headers)
            s = series.summary()
            print(
                f"  {persona:6} {endpoint:20} n={count} p50={s['p50']:.1f} ms "
                f"p95={s['p95']:.1f} ms ({time.perf_counter() - started:.1f} s)"
            )
            results.append(series)
    return results


# --- report ----------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, with "+ local changes" when tracked files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit} + local changes" if dirty else commit


def machine_info(pg_version: str, server: str) -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return [
        ("date", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("code", code_version()),
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("cpu", cpu),
        ("memory", mem),
        ("os", platform.platform()),
        ("python", platform.python_version()),
        ("django", django.get_version()),
        ("postgresql", pg_version),
        ("server", server),
    ]


def report(
    *,
    info: list[tuple[str, str]],
    scale: str,
    counts: dict[str, int],
    timings: dict[str, float],
    second_run: str,
    db_size: str,
    results: list[Series],
    count: int,
) -> str:
    out = [f"## Foundation benchmark ({scale} scale, {count} requests per row)", ""]
    out += [markdown_table(("machine", ""), info), ""]
    out += [markdown_table(("rows", "count"), [(k, f"{v:,}") for k, v in counts.items()]), ""]
    out += [
        markdown_table(
            ("step", "wall time"),
            [
                ("migrate (empty database)", f"{timings['migrate']:.1f} s"),
                (f"demo_district --scale {scale}, first run", f"{timings['build']:.1f} s"),
                (f"demo_district, second run ({second_run})", f"{timings['rebuild']:.1f} s"),
                ("database size after build", db_size),
            ],
        ),
        "",
    ]
    # The HTML lists show the same rows as their API lists: take the count from there.
    api_counts = {
        (s.persona, s.endpoint.rstrip("/").rsplit("/", 1)[-1]): s.in_scope for s in results
    }
    rows = []
    for s in results:
        m = s.summary()
        if s.in_scope is None:
            s.in_scope = api_counts.get((s.persona, s.endpoint.rstrip("/").rsplit("/", 1)[-1]))
        rows.append(
            (
                s.endpoint,
                s.persona,
                f"{s.in_scope:,}" if s.in_scope is not None else "",
                f"{m['p50']:.1f}",
                f"{m['p95']:.1f}",
                f"{m['max']:.1f}",
                f"{m['mean']:.1f}",
                f"{s.bytes_total / len(s.times_ms) / 1024:.0f}",
            )
        )
    out += [
        markdown_table(
            (
                "endpoint",
                "persona",
                "rows in scope",
                "p50 ms",
                "p95 ms",
                "max ms",
                "mean ms",
                "KiB/answer",
            ),
            rows,
        ),
        "",
        "Per query variant (p50 / p95 ms):",
        "",
    ]
    variant_rows = []
    for s in results:
        for variant, times in s.by_variant.items():
            variant_rows.append(
                (
                    s.endpoint,
                    variant,
                    s.persona,
                    f"{percentile(times, 50):.1f}",
                    f"{percentile(times, 95):.1f}",
                )
            )
    out.append(markdown_table(("endpoint", "query", "persona", "p50", "p95"), variant_rows))
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="--scale small and 50 requests: a smoke check"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="timed requests per endpoint and persona (default 300; 50 with --quick)",
    )
    parser.add_argument(
        "--server",
        choices=("auto", "gunicorn", "runserver"),
        default="auto",
        help="auto: gunicorn when it can be installed into a throwaway folder, else runserver",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="gunicorn workers (default: one per core)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.requests is None:
        args.requests = 50 if args.quick else 300
    if not 1 <= args.requests <= 10_000:
        parser.error("--requests must be between 1 and 10000")
    if not 1 <= args.workers <= 32:
        parser.error("--workers must be between 1 and 32")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scale = "small" if args.quick else "district"
    env = django_env(db_url(BENCH_DB))

    print(f"database {BENCH_DB} on {HOST}:{PGPORT}: drop and create")
    pg_version = recreate_database()
    timings: dict[str, float] = {}
    timings["migrate"], _ = manage(["migrate", "--noinput"], env, timeout=600)
    print(f"  migrate: {timings['migrate']:.1f} s")
    timings["build"], output = manage(["demo_district", "--scale", scale], env, timeout=3600)
    print(f"  demo_district --scale {scale}: {timings['build']:.1f} s")
    timings["rebuild"], output = manage(["demo_district", "--scale", scale], env, timeout=3600)
    # The command says 无需新增 when it finds everything; otherwise it lists "label: +N".
    second_run = "creates nothing" if "无需新增" in output else "CREATED ROWS"
    print(f"  second run: {timings['rebuild']:.1f} s ({second_run})")
    if second_run != "creates nothing":
        print(f"  warning: the second run was not a no-op:\n{output}", file=sys.stderr)
    counts = analyze_and_count()
    db_size = database_size()

    print(f"server ({args.server}) ...")
    with running_server(args.server, env, args.workers) as server:
        print(f"  {server.kind} on {server.base}")
        results = run_traffic(server, args.requests)
        server_label = server.kind

    text = report(
        info=machine_info(pg_version, server_label),
        scale=scale,
        counts=counts,
        timings=timings,
        second_run=second_run,
        db_size=db_size,
        results=results,
        count=args.requests,
    )
    print()
    print(text)
    if args.json:
        data = {
            "scale": scale,
            "requests": args.requests,
            "machine": dict(machine_info(pg_version, server_label)),
            "counts": counts,
            "timings_s": timings,
            "second_run": second_run,
            "database_size": db_size,
            "results": [
                {
                    "endpoint": s.endpoint,
                    "persona": s.persona,
                    "rows_in_scope": s.in_scope,
                    **s.summary(),
                    "by_variant": {
                        v: {"p50": percentile(t, 50), "p95": percentile(t, 95)}
                        for v, t in s.by_variant.items()
                    },
                }
                for s in results
            ],
        }
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(1)
