"""Parallel wrong passwords each count: the failure counter is one atomic UPDATE, so N
simultaneous attempts leave N failures and lock the account at the limit (issue 9: fifteen at
once used to leave a count of 1). Threads, each with its own database connection, against the
token endpoint and the login page; on SQLite and PostgreSQL alike.

SQLite's test database lives in memory with a shared cache, where a second writer fails at
once ("database table is locked") instead of waiting; a real deployment uses a file. So on
SQLite each test here runs on a file copy of the test database (``file_database``), as the
embedded default does, and the in-memory one is put back afterwards.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from xianfeng.core.models import LoginFailure, User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]


@pytest.fixture
def file_database(personas, tmp_path):
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = str(tmp_path / "threads.sqlite3")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    memory_name = connection.settings_dict["NAME"]
    memory = connection.connection
    connection.connection = None  # kept open: closing it would drop the in-memory database
    dicts = {id(d): d for d in (connection.settings_dict, connections.settings["default"])}
    for d in dicts.values():
        d["NAME"] = path
    try:
        yield
    finally:
        connection.close()
        for d in dicts.values():
            d["NAME"] = memory_name
        connection.connection = memory


def _parallel(n: int, attempt) -> list[int]:
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            statuses.append(attempt(i))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(statuses) == n
    return statuses


def _token(username: str, password: str, address: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    return response.status_code


def test_parallel_wrong_passwords_at_the_token_endpoint_each_count_and_lock(personas):
    n = settings.LOGIN_MAX_FAILURES
    statuses = _parallel(n, lambda i: _token("shequ", f"wrong-{i}", f"10.0.0.{i + 1}"))
    user = User.objects.get(username="shequ")
    assert user.failed_logins == n
    assert user.is_locked
    assert sorted(statuses) == [401] * (n - 1) + [429]
    assert LoginFailure.objects.filter(username="shequ").count() == n
    # Locked: even the right password is refused now.
    assert _token("shequ", "xianfeng-demo", "10.0.1.1") == 429


def test_many_more_parallel_attempts_than_the_limit_still_lock(personas):
    n = 3 * settings.LOGIN_MAX_FAILURES
    statuses = _parallel(n, lambda i: _token("wangge", f"wrong-{i}", f"10.0.2.{i + 1}"))
    user = User.objects.get(username="wangge")
    assert user.is_locked
    assert user.failed_logins >= settings.LOGIN_MAX_FAILURES
    assert set(statuses) <= {401, 429}
    assert 429 in statuses


def test_parallel_wrong_passwords_on_the_login_page_lock_too(personas):
    n = settings.LOGIN_MAX_FAILURES

    def page(i: int) -> int:
        client = Client(REMOTE_ADDR=f"10.0.3.{i + 1}")
        return client.post("/login/", {"username": "dangyuan", "password": f"x-{i}"}).status_code

    assert _parallel(n, page) == [400] * n
    user = User.objects.get(username="dangyuan")
    assert user.failed_logins == n
    assert user.is_locked


def test_parallel_failures_from_one_address_each_count(personas, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 6
    names = ["shequ", "shequ2", "wangge", "dangyuan", "danwei", "jiancha"]
    _parallel(len(names), lambda i: _token(names[i], "wrong-password", "10.9.9.9"))
    assert LoginFailure.objects.filter(address="10.9.9.9").count() == len(names)
    # The address is over its limit: a right password from it waits too.
    assert _token("shequ", "xianfeng-demo", "10.9.9.9") == 429
    assert _token("shequ", "xianfeng-demo", "10.9.9.10") == 200
