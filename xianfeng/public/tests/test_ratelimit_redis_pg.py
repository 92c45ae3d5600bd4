"""The report limits hold across server processes: two Python processes (as two gunicorn
workers would be), both with the cache in a real Redis (``XIANFENG_CACHE_URL``), report from
one address and one phone at the same time; together they get exactly the limit. Runs in the
PostgreSQL pass (``make test-pg``, which starts Redis on ``XIANFENG_REDIS_PORT``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from xianfeng.public.services import REPORT_LIMITS

ROOT = Path(__file__).resolve().parents[3]
REDIS_PORT = int(os.environ.get("XIANFENG_REDIS_PORT", "63799"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the shared-cache test runs in the PostgreSQL pass (make test-pg starts Redis)",
)

WORKER = """
import json, os, sys, time
import django
django.setup()
from xianfeng.public.services import report_allowed
address, phone, hits, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
while time.time() < start:
    time.sleep(0.005)
print(json.dumps([report_allowed(address=address, phone=phone) for _ in range(hits)]))
"""


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_url():
    started = False
    if not _redis_up():
        if not shutil.which("redis-server"):
            pytest.fail("redis-server is missing: run `make system-deps` (Debian redis-server)")
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "start"], check=True)
        started = True
    yield REDIS_URL
    if started:
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "stop"], check=False)


def _run_two(redis_url: str, args: list[tuple[str, str]], hits: int) -> list[list[bool]]:
    import time

    env = dict(
        os.environ,
        XIANFENG_CACHE_URL=redis_url,
        DJANGO_SETTINGS_MODULE="xianfeng.settings",
        PYTHONPATH=str(ROOT),
    )
    start = str(time.time() + 3)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, address, phone, str(hits), start],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for address, phone in args
    ]
    out = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def test_the_address_limit_holds_across_two_processes(redis_url):
    address = f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:8]}"
    limit = REPORT_LIMITS["address"][0]
    first, second = _run_two(redis_url, [(address, ""), (address, "")], hits=limit)
    assert sum(first) + sum(second) == limit  # each alone would have allowed all its hits


def test_the_phone_limit_holds_across_two_processes_and_addresses(redis_url):
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    limit = REPORT_LIMITS["phone"][0]
    first, second = _run_two(
        redis_url, [(f"a-{uuid.uuid4().hex}", phone), (f"b-{uuid.uuid4().hex}", phone)], limit
    )
    assert sum(first) + sum(second) == limit
