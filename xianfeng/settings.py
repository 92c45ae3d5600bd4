"""Settings for Xianfeng. Everything that differs between machines comes from the environment."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from xianfeng.env import (
    EnvError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
# Development only (DJANGO_DEBUG=1). Without DEBUG, gunicorn, runserver and the Celery worker
# refuse to start on this key or none, and check --deploy fails (xianfeng/core/checks.py).
DEV_SECRET_KEY = "insecure-dev-key-change-me-in-production-xianfeng"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or DEV_SECRET_KEY
# ID numbers and phones at rest (xianfeng/core/crypto.py): Fernet keys, the first encrypts and
# every one decrypts; the HMAC key of the blind indexes. Development keys when unset; production
# mode refuses to start on them (xianfeng/core/checks.py).
FIELD_ENCRYPTION_KEYS = env_list("XIANFENG_FIELD_KEYS", [])
BLIND_INDEX_KEY = env_str("XIANFENG_INDEX_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "xianfeng.core",
    "xianfeng.orgs",
    "xianfeng.people",
    "xianfeng.places",
    "xianfeng.work",
    "xianfeng.visits",
    "xianfeng.community",
    "xianfeng.safety",
    "xianfeng.services",
    "xianfeng.public",
    "xianfeng.meetings",
    "xianfeng.scoring",
    "xianfeng.exchange",
    "xianfeng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xianfeng.core.middleware.SessionTouchMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xianfeng.core.middleware.CsrfCookieOnChangeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xianfeng.core.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "xianfeng.core.errorpages.ErrorPagesMiddleware",
]

ROOT_URLCONF = "xianfeng.urls"
WSGI_APPLICATION = "xianfeng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xianfeng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xianfeng.core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# Every authenticate() (our login page, the token endpoint, anything else) refuses a locked account.
AUTHENTICATION_BACKENDS = ["xianfeng.core.auth.LockoutBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xianfeng.core.passwords.UsernameInPasswordValidator"},
]

# Lock-out: after this many failed logins in a row the account is locked for a while.
LOGIN_MAX_FAILURES = env_int("XIANFENG_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("XIANFENG_LOGIN_LOCK_MINUTES", 15)
# Failed logins from one client address within LOGIN_LOCK_MINUTES before it must wait.
LOGIN_ADDRESS_MAX_FAILURES = env_int("XIANFENG_LOGIN_ADDRESS_MAX_FAILURES", 30)
# Failed-login rows are kept this many days for the audit, then the job core.purge_login_failures
# removes them (they hold typed usernames and client addresses).
LOGIN_FAILURE_KEEP_DAYS = env_int("XIANFENG_LOGIN_FAILURE_KEEP_DAYS", 180)
# Two-factor (TOTP): the issuer name authenticator apps show.
OTP_TOTP_ISSUER = "先锋"
API_TOKEN_DAYS = env_int("XIANFENG_API_TOKEN_DAYS", 30)

# Sessions expire after two idle hours and when the browser closes (shared office PCs). Not
# SESSION_SAVE_EVERY_REQUEST (a database write per page view): SessionTouchMiddleware moves
# the expiry on at most every XIANFENG_SESSION_TOUCH_SECONDS (once a minute, as issue 11 asks:
# one session write a minute per active user, and the idle expiry off by at most a minute).
SESSION_COOKIE_AGE = env_int("XIANFENG_SESSION_SECONDS", 2 * 60 * 60)
XIANFENG_SESSION_TOUCH_SECONDS = env_int("XIANFENG_SESSION_TOUCH_SECONDS", 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# --- HTTPS (production sits behind nginx, which terminates TLS) -------------------------------
# XIANFENG_HTTPS (default: on unless DEBUG): secure cookies, HSTS, redirect to https, and the
# scheme taken from nginx's X-Forwarded-Proto. XIANFENG_HTTPS=0 for a plain-http trial.
XIANFENG_HTTPS = env_bool("XIANFENG_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("XIANFENG_SECURE_COOKIES", XIANFENG_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("XIANFENG_SSL_REDIRECT", XIANFENG_HTTPS)
if env_bool("XIANFENG_PROXY_SSL_HEADER", XIANFENG_HTTPS):
    # Only behind a proxy that sets the header itself (nginx: proxy_set_header
    # X-Forwarded-Proto $scheme), never when clients reach gunicorn directly.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("XIANFENG_HSTS_SECONDS", 31_536_000 if XIANFENG_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XIANFENG_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("XIANFENG_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# An intranet host name cannot be on the browsers' public HSTS preload list, so preload is off
# by default and Django's reminder about it is silenced (XIANFENG_HSTS_PRELOAD=1 turns it on).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Content-Security-Policy (django-csp): no inline script or style, nothing from outside ----
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "xianfeng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "xianfeng" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / env_str("XIANFENG_MEDIA_DIR", "media")

PAGE_SIZE = env_int("XIANFENG_PAGE_SIZE", 50)

# Limits. Code reads them as settings.X (tests override them there), never with a default.
XIANFENG_IMPORT_MAX_BYTES = env_int("XIANFENG_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# An .xlsx is a zip: refused before it is read when its members inflate to more than this many
# bytes, when a large member inflates more than this many times its compressed size (a zip
# bomb), or when its sheet declares (or turns out to have) more rows than this.
XIANFENG_IMPORT_MAX_INFLATED_BYTES = env_int(
    "XIANFENG_IMPORT_MAX_INFLATED_BYTES", 200 * 1024 * 1024
)
XIANFENG_IMPORT_MAX_RATIO = env_int("XIANFENG_IMPORT_MAX_RATIO", 200)
XIANFENG_IMPORT_MAX_ROWS = env_int("XIANFENG_IMPORT_MAX_ROWS", 500_000)
XIANFENG_EXPORT_BACKGROUND_ROWS = env_int("XIANFENG_EXPORT_BACKGROUND_ROWS", 5000)
XIANFENG_PHOTO_MAX_MB = env_int("XIANFENG_PHOTO_MAX_MB", 10)
# Photos are decoded and re-encoded by Pillow; more pixels than this is refused (a
# decompression bomb). 50 million is a 8,000 x 6,000 photo with room to spare.
XIANFENG_PHOTO_MAX_PIXELS = env_int("XIANFENG_PHOTO_MAX_PIXELS", 50_000_000)
# Field work offline (core/offline.py): pages a phone kept for use with no signal are thrown
# away after this many hours; a visit sent from the outbox may say it happened at most this
# many days ago (and not later than now).
XIANFENG_OFFLINE_CACHE_HOURS = env_int("XIANFENG_OFFLINE_CACHE_HOURS", 72)
XIANFENG_FIELD_BACKDATE_DAYS = env_int("XIANFENG_FIELD_BACKDATE_DAYS", 30)
# A running job whose heartbeat is older than this many minutes is taken for dead.
XIANFENG_JOB_STALE_MINUTES = env_int("XIANFENG_JOB_STALE_MINUTES", 15)
# Public landlord declaration page: (requests, seconds) per client IP and per building.
XIANFENG_DECLARE_IP_LIMIT = env_rate("XIANFENG_DECLARE_IP_LIMIT", (10, 600))
XIANFENG_DECLARE_BUILDING_LIMIT = env_rate("XIANFENG_DECLARE_BUILDING_LIMIT", (30, 3600))
# Its links (the QR codes on the buildings) expire after this many days (0: never); raising the
# version voids every link printed before (print the QR codes again).
XIANFENG_DECLARE_LINK_DAYS = env_int("XIANFENG_DECLARE_LINK_DAYS", 365)
XIANFENG_DECLARE_LINK_VERSION = env_int("XIANFENG_DECLARE_LINK_VERSION", 1)
# X-Forwarded-For is believed only behind this many declared proxies (0: never).
XIANFENG_TRUSTED_PROXY_HOPS = env_int("XIANFENG_TRUSTED_PROXY_HOPS", 0)
# The site's public address as residents reach it: every QR code and printed link (zone boards,
# landlord declarations, small works) is built on it, never on the host an admin happened to use.
XIANFENG_PUBLIC_BASE_URL = env_str("XIANFENG_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The safety map's background tiles: a URL template such as
# https://tiles.example.cn/{z}/{x}/{y}.png (its origin is added to the CSP's img-src). Empty (the
# default): grid boundaries and buildings on a blank background, which needs no internet.
XIANFENG_MAP_TILES = env_str("XIANFENG_MAP_TILES", "")
XIANFENG_MAP_ATTRIBUTION = env_str("XIANFENG_MAP_ATTRIBUTION", "")
# At most this many buildings in one answer of the map data (the rest are counted, not drawn).
XIANFENG_MAP_MAX_BUILDINGS = env_int("XIANFENG_MAP_MAX_BUILDINGS", 5000)
if XIANFENG_MAP_TILES:
    # https://{s}.tiles.example.cn/... → https://*.tiles.example.cn (any of its subdomains)
    _scheme, _rest = XIANFENG_MAP_TILES.split("://", 1)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"{_scheme}://{_rest.split('/')[0].replace('{s}', '*')}"
    )
# Each mobile member pairs with this many townsmen (一名流动党员结对20名老乡): a goal shown on
# their pages, not a cap (a twenty-first is counted beyond it).
XIANFENG_TOWNSMEN_GOAL = env_int("XIANFENG_TOWNSMEN_GOAL", 20)
# The cache that rate limits count in (core/ratelimit.py). One process: local memory. Several
# server processes (production): a shared Redis, e.g. redis://127.0.0.1:6379/1, so that a limit
# holds across them; `manage.py check --deploy` warns when it is missing.
XIANFENG_CACHE_URL = env_str("XIANFENG_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": XIANFENG_CACHE_URL}
        if XIANFENG_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("XIANFENG_LOG_LEVEL", "WARNING")},
}

# Background jobs (xianfeng/core/jobs.py): thread (embedded default, no extra server),
# immediate (tests), or celery (production: Redis as broker, workers on any machine).
XIANFENG_JOBS_BACKEND = env_str("XIANFENG_JOBS_BACKEND", "thread")
if XIANFENG_JOBS_BACKEND not in {"thread", "immediate", "celery"}:
    raise EnvError(
        f"XIANFENG_JOBS_BACKEND={XIANFENG_JOBS_BACKEND!r}: use thread, immediate or celery"
    )
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = False
