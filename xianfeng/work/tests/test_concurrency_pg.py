"""What needs a real server database: two members claiming one task at the same moment
(``select_for_update`` on PostgreSQL, two threads with their own connections), and the Celery
path of the job interface, run by a real ``celery worker`` process against a real Redis.

Both are transactional tests and run in the PostgreSQL pass (``make test-pg``); on SQLite they
are skipped: SQLite has no row locks, and its test database lives in memory, out of reach of a
worker process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.work import services
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Notice, Task
from xianfeng.work.tests import factories as f

ROOT = Path(__file__).resolve().parents[3]
REDIS_PORT = int(os.environ.get("XIANFENG_REDIS_PORT", "63799"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks, and a test database a worker process can open "
        "(runs in the PostgreSQL pass, make test-pg)",
    ),
]


def test_two_members_claiming_at_once_one_wins_and_the_other_is_told(personas):
    task = f.chain(role_org(personas["shequ"]), role_org(personas["wangge"]))
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(username: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.task_claim(actor=personas[username], task=Task.objects.get(pk=task.pk))
            results[username] = "won"
        except services.StateConflict as exc:
            results[username] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in ("dangyuan", "wangge")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()).count("won") == 1, results
    loser = next(v for v in results.values() if v != "won")
    assert "认领" in loser
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED
    winner = next(u for u, v in results.items() if v == "won")
    assert task.assignee == services.member_of(personas[winner])


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_broker():
    started = False
    if not _redis_up():
        if not shutil.which("redis-server"):
            pytest.fail("redis-server is missing: run `make system-deps` (Debian redis-server)")
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "start"], check=True)
        started = True
    yield REDIS_URL
    if started:
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "stop"], check=False)


def test_a_job_runs_on_a_real_celery_worker_through_redis(personas, redis_broker, settings):
    from xianfeng.celery import app
    from xianfeng.core.jobs import enqueue
    from xianfeng.core.models import JobRun

    task = f.chain(role_org(personas["shequ"]), role_org(personas["wangge"]))
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    queue = f"xf-test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker takes the job
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xianfeng.settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "XIANFENG_JOBS_BACKEND": "celery",
        "CELERY_BROKER_URL": redis_broker,
    }
    celery = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen(
        [celery, "-A", "xianfeng", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    old = (app.conf.broker_url, app.conf.task_default_queue)
    app.conf.broker_url = redis_broker
    app.conf.task_default_queue = queue
    settings.XIANFENG_JOBS_BACKEND = "celery"
    try:
        run = enqueue("work.mark_overdue", label="celery test")  # autocommit: queued at once
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (JobRun.Status.DONE, JobRun.Status.FAILED):
                break
            if worker.poll() is not None:
                break
            time.sleep(0.3)
    finally:
        app.conf.broker_url, app.conf.task_default_queue = old
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode(errors="replace")
    assert run.status == JobRun.Status.DONE, f"{run.status} {run.error}\n{output[-3000:]}"
    assert run.result["tasks_overdue"] >= 1
    task.refresh_from_db()
    assert task.state == TaskState.OVERDUE
    assert Notice.objects.filter(task=task).exists()
