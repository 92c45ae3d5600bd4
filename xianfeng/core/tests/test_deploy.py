"""Production mode is safe by default (issue 9, item 5): no start on the development key,
``check --deploy`` clean with the production environment, public links that expire and can be
voided. The commands run in subprocesses with the environment a deployment has."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIANFENG_"))}
    env.setdefault("DATABASE_URL", os.environ.get("DATABASE_URL", "sqlite:////tmp/xf-deploy.db"))
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SETTINGS = "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'xianfeng.settings'; "
SETTINGS += "from django.conf import settings as s; "
KEYS = {
    "XIANFENG_FIELD_KEYS": "vR1kqM8yS3f0b9gXjv0m7p2mGq5K0uVbA1c2d3e4f5g=",
    "XIANFENG_INDEX_KEY": secrets.token_urlsafe(40),
}
PRODUCTION = {
    "DJANGO_ALLOWED_HOSTS": "xianfeng.example.gov.cn",
    "XIANFENG_PUBLIC_BASE_URL": "https://xianfeng.example.gov.cn",
    "XIANFENG_CACHE_URL": "redis://127.0.0.1:6379/1",
    **KEYS,
}


@pytest.mark.parametrize("key", ["", "insecure-dev-key-change-me-in-production-xianfeng"])
def test_production_refuses_to_start_on_a_missing_or_development_key(key):
    env = _env(**PRODUCTION, DJANGO_SECRET_KEY=key)
    served = _run(["-c", "import xianfeng.wsgi"], env)  # what gunicorn imports
    assert served.returncode != 0 and "DJANGO_SECRET_KEY" in served.stderr
    runserver = _run(["manage.py", "runserver", "127.0.0.1:0", "--noreload"], env)
    assert runserver.returncode != 0 and "Refusing to start" in runserver.stderr
    check = _run(["manage.py", "check", "--deploy"], env)
    assert check.returncode != 0 and "xianfeng.E001" in check.stderr


@pytest.mark.parametrize(
    "keys",
    [
        {},
        {"XIANFENG_FIELD_KEYS": KEYS["XIANFENG_FIELD_KEYS"]},
        {**KEYS, "XIANFENG_FIELD_KEYS": "x"},
    ],
)
def test_production_refuses_to_start_on_development_or_bad_personal_data_keys(keys):
    env = _env(
        DJANGO_ALLOWED_HOSTS="xianfeng.example.gov.cn",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **keys,
    )
    served = _run(["-c", "import xianfeng.wsgi"], env)
    assert served.returncode != 0 and "XIANFENG_FIELD_KEYS" in served.stderr
    check = _run(["manage.py", "check", "--deploy"], env)
    assert check.returncode != 0 and "xianfeng.E002" in check.stderr


def test_debug_mode_starts_on_the_development_key():
    env = _env(DJANGO_DEBUG="1")
    assert _run(["-c", "import xianfeng.wsgi"], env).returncode == 0


def test_check_deploy_warns_of_a_per_process_cache_and_a_local_public_address():
    env = _env(**PRODUCTION, DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    del env["XIANFENG_CACHE_URL"]
    del env["XIANFENG_PUBLIC_BASE_URL"]
    check = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert check.returncode != 0
    assert "xianfeng.W003" in check.stderr and "xianfeng.W004" in check.stderr
    env["XIANFENG_PUBLIC_BASE_URL"] = "xianfeng.example.gov.cn"
    check = _run(["manage.py", "check", "--deploy"], env)
    assert check.returncode != 0 and "xianfeng.E004" in check.stderr


def test_check_deploy_is_clean_in_production_settings():
    env = _env(**PRODUCTION, DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    check = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout
    shown = _run(
        [
            "-c",
            SETTINGS + "print(s.SECURE_SSL_REDIRECT,"
            " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
            " s.SECURE_PROXY_SSL_HEADER, s.DEBUG)",
        ],
        env,
    )
    assert shown.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "False",
    ], shown.stderr


def test_plain_http_is_one_switch():
    env = _env(**PRODUCTION, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), XIANFENG_HTTPS="0")
    shown = _run(
        [
            "-c",
            SETTINGS + "print(s.SECURE_SSL_REDIRECT,"
            " s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        ],
        env,
    )
    assert shown.stdout.split() == ["False", "False", "0"], shown.stderr


@pytest.mark.django_db
def test_declaration_links_expire_and_can_be_voided(client, settings):
    from django.core import signing

    from xianfeng.exchange.declarations import building_pk, public_url, token_for
    from xianfeng.places.models import Building

    building = Building.objects.order_by("pk").first()
    url = public_url(building)
    assert client.get(url).status_code == 200
    forged = signing.Signer(salt="xianfeng.landlord-declaration").sign(str(building.pk))
    assert client.get(f"/declare/{forged}/").status_code == 404  # the old, unexpiring form
    settings.XIANFENG_DECLARE_LINK_VERSION += 1  # rotate: every printed link is void
    assert client.get(url).status_code == 404
    assert client.get(public_url(building)).status_code == 200
    token = token_for(building)
    settings.XIANFENG_DECLARE_LINK_DAYS = 1
    later = time.time() + 2 * 86400
    with mock.patch("time.time", return_value=later), pytest.raises(signing.SignatureExpired):
        building_pk(token)
    with mock.patch("time.time", return_value=later):
        assert client.get(f"/declare/{token}/").status_code == 404
    settings.XIANFENG_DECLARE_LINK_DAYS = 0  # never
    assert building_pk(token) == str(building.pk)


def test_the_production_server_keeps_health_checked_connections(monkeypatch):
    """deploy/gunicorn.conf.py keeps connections 60 s unless told otherwise; runserver's 0
    stays the default elsewhere; every kept connection is checked before reuse."""
    import runpy
    from pathlib import Path

    from xianfeng.env import database_from_url

    # setenv first: the undo then removes what the config file sets.
    monkeypatch.setenv("XIANFENG_CONN_MAX_AGE", "0")
    monkeypatch.delenv("XIANFENG_CONN_MAX_AGE")
    url = "postgres://u:p@127.0.0.1:5432/x"
    assert database_from_url(url)["CONN_MAX_AGE"] == 0
    runpy.run_path(str(Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"))
    settings = database_from_url(url)
    assert settings["CONN_MAX_AGE"] == 60 and settings["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setenv("XIANFENG_CONN_MAX_AGE", "5")
    assert database_from_url(url)["CONN_MAX_AGE"] == 5
