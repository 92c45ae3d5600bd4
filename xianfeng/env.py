"""Typed helpers that read settings from the environment and fail loudly on a bad value."""

import os
from urllib.parse import unquote, urlparse


class EnvError(RuntimeError):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A rate limit as ``requests/seconds`` ("10/600": ten requests in ten minutes)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    count, sep, seconds = raw.partition("/")
    try:
        if not sep:
            raise ValueError
        rate = (int(count), int(seconds))
    except ValueError as exc:
        raise EnvError(f"{name}={raw!r} is not a rate (use requests/seconds, e.g. 10/600)") from exc
    if rate[0] < 1 or rate[1] < 1:
        raise EnvError(f"{name}={raw!r}: both numbers must be at least 1")
    return rate


def sqlite_options() -> dict:
    """SQLite for several users at once: a WAL journal (readers never wait for the writer), a
    busy timeout (a writer waits for the one before it instead of answering "database is
    locked"), and write transactions that take the write lock when they begin (BEGIN
    IMMEDIATE: a transaction that read first cannot fail to upgrade later, which no timeout
    helps with). ``synchronous=NORMAL`` is safe under WAL (a power cut may lose the last
    commits, never corrupt the file)."""
    busy_ms = env_int("XIANFENG_SQLITE_BUSY_MS", 20_000)
    if busy_ms < 0:
        raise EnvError(f"XIANFENG_SQLITE_BUSY_MS={busy_ms}: must be 0 or more")
    return {
        "timeout": busy_ms / 1000,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={busy_ms}; PRAGMA synchronous=NORMAL"
        ),
    }


def database_from_url(url: str) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into Django's dict."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if path.startswith("//"):
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or ":memory:",
            "OPTIONS": sqlite_options(),
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            # 0 (a connection per request) is right for runserver's thread per request; the
            # production server (deploy/gunicorn.conf.py) keeps them for 60 s. A kept
            # connection is checked before each request reuses it (a restarted PostgreSQL).
            "CONN_MAX_AGE": env_int("XIANFENG_CONN_MAX_AGE", 0),
            "CONN_HEALTH_CHECKS": True,
        }
    raise EnvError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (sqlite or postgres)")
