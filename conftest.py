"""Test setup shared by every app: the small demo district, built once per session.

After the migrations, the ``small`` demo district (``xianfeng.demo``) is built once into the
test database, so every test sees the same tree and the personas (``admin``, ``qu``, ``jiedao``,
``shequ``, ``shequ2``, ``wangge``, ``dangyuan``, ``danwei``, ``jiancha``); each test's own changes
are rolled back. Transactional tests (``transaction=True``, ``live_server``) run last and empty
the tables when they finish; the ``personas`` fixture builds the district again when it finds it
gone.

Fixtures: ``personas`` (username -> User) and ``client_for(username)`` (a logged-in Client).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from pytest_django import DjangoDbBlocker

# Playwright's sync API runs an event loop in the test thread; Django would refuse the database
# calls that the live server's tests make from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # PBKDF2 takes a quarter of a second a hash; tests that log in by password need not wait.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Jobs run in the test's own thread when its transaction commits (see core/jobs.py).
    settings.XIANFENG_JOBS_BACKEND = "immediate"
    # Production settings assume https behind nginx; the test client and the live server
    # speak plain http (test_deploy.py checks the production values in a subprocess).
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """Migrate (pytest-django's own fixture), then build the small demo district once."""
    from xianfeng.demo.district import build_demo_district

    with django_db_blocker.unblock():
        build_demo_district("small")


@pytest.fixture
def personas(db: None) -> dict:
    """username -> User for every demo persona."""
    from xianfeng.core.models import User
    from xianfeng.demo.base import demo_personas
    from xianfeng.demo.district import build_demo_district

    names = list(demo_personas())
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):  # emptied by a transactional test before this one
        build_demo_district("small")
        users = {u.username: u for u in User.objects.filter(username__in=names)}
    return users


@pytest.fixture
def client_for(personas: dict) -> Callable:
    """``client_for("shequ")``: a django test Client logged in as that persona."""
    from django.test import Client

    def make(username: str) -> Client:
        client = Client()
        client.force_login(personas[username])
        return client

    return make


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: cached public pages (public/wallcache.py) and
    rate-limit counters must not outlive the rows that the last test's rollback removed."""
    from django.core.cache import cache

    cache.clear()
