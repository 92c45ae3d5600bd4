"""Several users at once on the database (issue 9, item 3), as scenarios shared by
``test_concurrency.py``: in-process on PostgreSQL (a transactional test), and on SQLite in a
subprocess with a real database file (``python -m xianfeng.tests.concurrency``), because the
test database of SQLite lives in memory, shared by the threads of one process with table
locks no timeout helps with, not the file that ``make demo`` serves.

Each request goes through the whole stack (middleware, django-ninja, the workflow engine) in
its own thread with its own database connection, as under runserver's or gunicorn's threads.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from typing import Any

CLAIMERS = 20
PREVIEW_ROWS = 2000


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _members(n: int) -> tuple[list[Any], Any]:
    """``n`` member accounts (role 党员 at their branch), one per party member of the grid
    branch's subtree and beyond it in the demo district."""
    from xianfeng.core.choices import RoleKind
    from xianfeng.core.models import Role, User
    from xianfeng.demo.base import WANGGE_BRANCH
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember

    branch = Organization.objects.get(code=WANGGE_BRANCH)
    street = Organization.objects.get(pk=int(branch.path.split(".")[1]))  # district.street.
    taken = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    members = (
        PartyMember.objects.filter(branch__path__startswith=street.path)
        .exclude(person_id__in=taken)
        .select_related("branch", "person")
        .order_by("pk")[:n]
    )
    users = []
    start = User.objects.filter(username__startswith="load-member-").count()
    for i, member in enumerate(members, start=start):
        user = User.objects.create_user(
            f"load-member-{i}", password=None, person=member.person, display_name=f"党员{i}"
        )
        Role.objects.create(user=user, kind=RoleKind.MEMBER, organization=member.branch)
        users.append(user)
    assert len(users) == n, f"the demo district has only {len(users)} free members"
    return users, street


def _run_threads(count: int, target: Any) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def main(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # counted as an error by the caller
            results[i] = ("exception", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=main, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def parallel_claims(n: int = CLAIMERS) -> dict[str, Any]:
    """``n`` members claim one open task at the same moment through the API."""
    from xianfeng.work.tests.factories import chain

    users, street = _members(n)
    task = chain(street)
    clients = [_client(u) for u in users]

    def claim(i: int) -> tuple[int, str]:
        response = clients[i].post(f"/api/v1/tasks/{task.pk}/claim", {}, "application/json")
        detail = ""
        if response.headers.get("Content-Type", "").startswith("application/json"):
            detail = str(response.json().get("detail", ""))
        return response.status_code, detail

    results = _run_threads(n, claim)
    task.refresh_from_db()
    return {
        "codes": dict(Counter(str(r[0]) for r in results)),
        "details": sorted({r[1] for r in results if r[0] != 200}),
        "assignee_user": next(
            (u.username for u in users if u.person_id == getattr(task.assignee, "person_id", -1)),
            None,
        ),
        "winner": [users[i].username for i, r in enumerate(results) if r[0] == 200],
        "state": task.state,
    }


def _members_csv(rows: int) -> bytes:
    from xianfeng.core.validators import id_check_digit
    from xianfeng.demo.base import WANGGE_BRANCH

    lines = ["姓名,身份证号,所在党组织代码,手机号,党员类型,党员类别,入党日期"]
    for i in range(rows):
        first17 = f"530102{19700101 + (i // 900) * 10000}{i % 900 + 100:03d}"
        lines.append(f"导入{i},{first17 + id_check_digit(first17)},{WANGGE_BRANCH},,,,")
    return ("\r\n".join(lines)).encode()


def preview_under_load(rows: int = PREVIEW_ROWS, workers: int = 6) -> dict[str, Any]:
    """An import preview runs (thread backend) while others read pages and the run itself
    and write (each writer claims its own task)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.core.models import User
    from xianfeng.exchange.models import ImportRun
    from xianfeng.work.tests.factories import chain

    users, street = _members(workers)
    tasks = [chain(street) for _ in range(workers * 3)]
    shequ = _client(User.objects.get(username="shequ"))
    clients = [_client(u) for u in users]
    upload = SimpleUploadedFile("党员.csv", _members_csv(rows), content_type="text/csv")
    started = time.monotonic()
    answer = shequ.post("/api/v1/imports", {"kind": "members", "file": upload})
    assert answer.status_code == 202, answer.content
    run_id = answer.json()["id"]
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def busy() -> bool:
        return ImportRun.objects.filter(
            pk=run_id, status__in=(ImportRun.Status.PREVIEWING, ImportRun.Status.APPLYING)
        ).exists()

    def work(i: int) -> list[tuple[str, int]]:
        client, done = clients[i], []
        own = iter(tasks[i::workers])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            still_busy = busy()
            run = client.get("/api/v1/imports") if i else shequ.get(f"/api/v1/imports/{run_id}")
            done.append(("read run", run.status_code))
            if i == 0 and run.status_code == 200:
                with lock:
                    seen[run.json()["status"]] += 1
            done.append(("read page", client.get("/work/campaigns/").status_code))
            task = next(own, None)
            if task is not None:
                wrote = client.post(f"/api/v1/tasks/{task.pk}/claim", {}, "application/json")
                done.append(("write", wrote.status_code))
            if not still_busy:
                break
        return done

    results = _run_threads(workers, work)
    while busy() and time.monotonic() < started + 120:
        time.sleep(0.2)
    run = ImportRun.objects.get(pk=run_id)
    codes: Counter[str] = Counter()
    for result in results:
        if isinstance(result, tuple):  # an exception in the thread
            codes["exception " + result[1]] += 1
            continue
        for what, code in result:
            codes[f"{what} {code}"] += 1
    return {
        "codes": dict(codes),
        "run_status": run.status,
        "run_message": run.message,
        "run_total": run.total,
        "seen_while_reading": dict(seen),
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    """Subprocess entry: migrate the database file of DATABASE_URL, build the small demo
    district, run both scenarios and print their outcome as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from xianfeng.demo.district import build_demo_district

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = os.environ["XIANFENG_TEST_MEDIA"]
    call_command("migrate", verbosity=0)
    build_demo_district("small")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    out = {"journal_mode": journal, "claims": parallel_claims(), "preview": preview_under_load()}
    sys.stdout.write("RESULT " + json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
