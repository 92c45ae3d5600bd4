"""Several users at once (issue 9, item 3): 20 members claim one task at the same moment →
exactly one wins, 19 are told clearly (409), none sees an error; an import preview runs while
pages are read and written → every request answers, the preview finishes.

On SQLite the scenarios (xianfeng/tests/concurrency.py) run in a subprocess against a real
database file with the project's settings (WAL, busy timeout, BEGIN IMMEDIATE): pytest's
SQLite test database lives in memory. On PostgreSQL they run in this process, in a
transactional test, each request in its own thread and connection.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from xianfeng.tests import concurrency

ROOT = Path(__file__).resolve().parents[2]


def _check_claims(claims: dict) -> None:
    assert claims["codes"] == {"200": 1, "409": concurrency.CLAIMERS - 1}, claims
    assert len(claims["details"]) == 1 and "已被" in claims["details"][0], claims
    assert claims["state"] == "claimed" and claims["assignee_user"] == claims["winner"][0]


def _check_preview(preview: dict) -> None:
    codes = preview["codes"]
    errors = {k: v for k, v in codes.items() if not k.endswith((" 200", " 409"))}
    assert not errors, preview
    assert codes.get("write 200", 0) >= 1 and codes.get("read page 200", 0) >= 1, preview
    assert preview["seen_while_reading"].get("previewing", 0) >= 1, preview  # overlapped
    assert preview["run_status"] == "previewed", preview
    assert preview["run_total"] == concurrency.PREVIEW_ROWS, preview


@pytest.fixture(scope="module")
def sqlite_outcome(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("sqlite-load")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "XIANFENG_JOBS_BACKEND": "thread",
        "XIANFENG_TEST_MEDIA": str(folder / "media"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "XIANFENG_FIELD_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "XIANFENG_INDEX_KEY": secrets.token_urlsafe(40),
        "XIANFENG_HTTPS": "0",
        "DJANGO_DEBUG": "0",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "xianfeng.tests.concurrency"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-5000:]
    return json.loads(lines[-1].removeprefix("RESULT "))


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's journal and locking (the PostgreSQL pass runs the same scenarios in process)",
)
pg_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="in-process threads need a server database; on SQLite the subprocess tests run them",
)


@sqlite_only
def test_sqlite_runs_in_wal_mode(sqlite_outcome):
    assert sqlite_outcome["journal_mode"] == "wal"


@sqlite_only
def test_sqlite_20_parallel_claims_one_wins_19_are_told(sqlite_outcome):
    _check_claims(sqlite_outcome["claims"])


@sqlite_only
def test_sqlite_import_preview_while_pages_are_read_and_written(sqlite_outcome):
    _check_preview(sqlite_outcome["preview"])


@pg_only
@pytest.mark.django_db(transaction=True)
def test_pg_20_parallel_claims_one_wins_19_are_told(personas):
    _check_claims(concurrency.parallel_claims())


@pg_only
@pytest.mark.django_db(transaction=True)
def test_pg_import_preview_while_pages_are_read_and_written(personas, settings, tmp_path):
    settings.XIANFENG_JOBS_BACKEND = "thread"
    settings.MEDIA_ROOT = str(tmp_path)
    _check_preview(concurrency.preview_under_load())
