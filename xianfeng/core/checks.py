"""Startup checks: production mode refuses a missing or development secret key, and the
development keys of personal data at rest (``core/crypto.py``).

The servers call ``require_secret_key()`` before they serve: ``xianfeng/wsgi.py`` (gunicorn,
any WSGI server), ``manage.py runserver`` (manage.py) and the Celery worker
(``xianfeng/celery.py``). It is also an error of ``manage.py check --deploy``
(``xianfeng.E001``), which ``make serve`` runs first. Other commands (makemigrations, shell)
are not refused: they serve nobody."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50


def secret_key_problem() -> str | None:
    """Why the secret key may not be used in production, or None (always None under DEBUG)."""
    if settings.DEBUG:
        return None
    key = settings.SECRET_KEY
    if not key or key == settings.DEV_SECRET_KEY:
        return (
            "DJANGO_SECRET_KEY is not set: without DJANGO_DEBUG=1 the server does not start on "
            "the built-in development key (anyone could forge sessions and signed links). "
            "Set DJANGO_SECRET_KEY to a long random value, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
    if len(key) < MIN_LENGTH or len(set(key)) < 5:
        return f"DJANGO_SECRET_KEY is too weak: use at least {MIN_LENGTH} random characters."
    return None


def personal_data_keys_problem() -> str | None:
    """Why the keys of ID numbers and phones at rest may not be used, or None."""
    from xianfeng.core import crypto

    if settings.DEBUG:
        return None
    if crypto.using_development_keys():
        return (
            "XIANFENG_FIELD_KEYS and XIANFENG_INDEX_KEY are not both set: without DJANGO_DEBUG=1 "
            "ID numbers and phones are not encrypted with the built-in development keys. Set "
            'XIANFENG_FIELD_KEYS to a Fernet key (`python -c "from cryptography.fernet import '
            'Fernet; print(Fernet.generate_key().decode())"`) and XIANFENG_INDEX_KEY to a long '
            "random value; README, 部署, tells how to rotate them."
        )
    if len(crypto.index_key()) < 32:
        return "XIANFENG_INDEX_KEY is too weak: use at least 32 random characters."
    try:
        crypto.fernet()
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = secret_key_problem()
    return [checks.Error(problem, id="xianfeng.E001")] if problem else []


@checks.register(checks.Tags.security, deploy=True)
def check_personal_data_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = personal_data_keys_problem()
    return [checks.Error(problem, id="xianfeng.E002")] if problem else []


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Rate limits count in the cache (core/ratelimit.py): in local memory each server process
    counts alone, so the limits of the public pages multiply by the number of workers."""
    if settings.XIANFENG_CACHE_URL:
        return []
    return [
        checks.Warning(
            "XIANFENG_CACHE_URL is not set: rate limits of the public pages count per server "
            "process. Set it to a Redis shared by every process, e.g. redis://127.0.0.1:6379/1.",
            id="xianfeng.W003",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_public_base_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """QR codes and posters carry XIANFENG_PUBLIC_BASE_URL (core/publicurl.py)."""
    base = settings.XIANFENG_PUBLIC_BASE_URL
    if not base.startswith(("http://", "https://")):
        return [
            checks.Error(
                f"XIANFENG_PUBLIC_BASE_URL={base!r} is not an http(s) address.", id="xianfeng.E004"
            )
        ]
    if "127.0.0.1" in base or "localhost" in base:
        return [
            checks.Warning(
                "XIANFENG_PUBLIC_BASE_URL points at this machine: QR codes and posters would "
                "send residents nowhere. Set it to the site's public address.",
                id="xianfeng.W004",
            )
        ]
    return []


def require_secret_key() -> None:
    """Refuse to serve on the development secret key or the development personal-data keys."""
    problem = secret_key_problem() or personal_data_keys_problem()
    if problem:
        raise ImproperlyConfigured(problem)
