"""CPU per request of every scoped list, in one process: the figure a shared machine's load
does not move much (issue 11).

    PGPORT=54511 .venv/bin/python bench/list_cpu.py               # 200 requests per endpoint
    PGPORT=54511 .venv/bin/python bench/list_cpu.py -n 50 --profile /members/

It reads the ceiling benchmark's database (``xianfeng_bench``, built by ``bench/ceiling.py``;
run that once first) with the production settings the ceiling's server gets (``DJANGO_DEBUG=0``,
kept connections). Each persona (``shequ``, community admin; ``qu``, district admin) signs in
through the login form and the code step and takes an API token, as a browser and a client
would; then, per endpoint and persona, after 5 warm-up requests, ``-n`` GETs go through
Django's test client (the whole middleware stack, the view, the template or the renderer; no
network and no server). Printed per endpoint: CPU ms per request (``time.process_time`` of this
process: Python, the driver's work, not PostgreSQL's), wall ms per request and queries per
request. ``--profile PATH`` prints a cProfile of that path's requests, in CPU time (the top
``--top`` by cumulative and by own time) instead. The client's own share (building the
request, reading the answer) is in the figures; ``/bench/session`` and ``/bench/token``,
the ceiling's bare views, show how much.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import foundation as fb

ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("/bench/session", "session"),
    ("/bench/token", "token"),
    ("/members/", "session"),
    ("/members/?page=5", "session"),
    ("/places/buildings/", "session"),
    ("/work/visits/", "session"),
    ("/work/tasks/", "session"),
    ("/members/?q=wang", "session"),
    ("/api/v1/members", "token"),
    ("/api/v1/members?q=wang", "token"),
    ("/api/v1/buildings", "token"),
    ("/api/v1/households", "token"),
    ("/api/v1/visits", "token"),
    ("/api/v1/tasks", "token"),
)
PERSONAS = ("shequ", "qu")
HOST = "127.0.0.1"


def setup() -> None:
    os.environ.update(fb.django_env(fb.db_url(fb.BENCH_DB)))
    # kept connections, as the production server (deploy/gunicorn.conf.py) runs
    os.environ.setdefault("XIANFENG_CONN_MAX_AGE", "60")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.ceiling_settings"
    import django

    django.setup()


def sign_in(username: str):  # -> (Client, token)
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    answer = client.post("/login/", {"username": username, "password": fb.PASSWORD})
    if answer.status_code == 302 and answer["Location"].endswith("/login/verify/"):
        for _ in range(3):  # a code is taken once: the run before may have used this step's
            answer = client.post("/login/verify/", {"otp": fb.demo_otp()})
            if answer.status_code != 400:
                break
            time.sleep(30)
    if answer.status_code != 302 or "/login" in answer["Location"]:
        raise SystemExit(f"login as {username} failed ({answer.status_code})")
    body = {"username": username, "password": fb.PASSWORD}
    token = client.post("/api/v1/auth/token", body, content_type="application/json")
    for _ in range(3):
        if token.status_code != 401:
            break
        body["otp"] = fb.demo_otp()
        token = client.post("/api/v1/auth/token", body, content_type="application/json")
        if token.status_code == 401:
            time.sleep(30)
    if token.status_code != 200:
        raise SystemExit(f"token for {username}: {token.status_code}")
    return client, token.json()["token"]


def run(client, path: str, headers: dict[str, str], n: int) -> tuple[float, float, float]:
    """(CPU ms, wall ms, queries) per request over ``n`` requests."""
    from django.db import connection

    for _ in range(5):
        answer = client.get(path, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code}")
    count = [0]

    def counted(execute, sql, params, many, context):  # not queries_log: reset per request
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            client.get(path, headers=headers)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu * 1000 / n, wall * 1000 / n, count[0] / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per endpoint and persona")
    parser.add_argument("--profile", help="profile this path (as --persona) instead")
    parser.add_argument("--persona", default="shequ", choices=PERSONAS, help="for --profile")
    parser.add_argument(
        "--only", default="", help="measure only the endpoints whose path contains this"
    )
    parser.add_argument("--top", type=int, default=25, help="rows of the profile")
    args = parser.parse_args()
    setup()
    if args.profile:
        client, token = sign_in(args.persona)
        auth = "token" if args.profile.startswith("/api/") else "session"
        headers = {"Authorization": f"Bearer {token}"} if auth == "token" else {}
        run(client, args.profile, headers, 5)
        # CPU time, not wall: waiting for PostgreSQL (and for the CPU, on a loaded machine)
        # is not this process's work
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.n):
            client.get(args.profile, headers=headers)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
        return 0
    people = {name: sign_in(name) for name in PERSONAS}
    print(f"load average {os.getloadavg()[0]:.1f}; {args.n} requests per row\n")
    print("| persona | endpoint | CPU ms/req | wall ms/req | queries/req |")
    print("| ------- | -------- | ---------- | ----------- | ----------- |")
    for name, (client, token) in people.items():
        for path, auth in ENDPOINTS:
            if args.only not in path and not path.startswith("/bench/"):
                continue
            headers = {"Authorization": f"Bearer {token}"} if auth == "token" else {}
            cpu, wall, queries = run(client, path, headers, args.n)
            print(f"| {name} | `{path}` | {cpu:.2f} | {wall:.2f} | {queries:.1f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
