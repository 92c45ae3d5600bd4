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


def require_secret_key() -> None:
    """Refuse to serve on the development secret key or the development personal-data keys."""
    problem = secret_key_problem() or personal_data_keys_problem()
    if problem:
        raise ImproperlyConfigured(problem)
