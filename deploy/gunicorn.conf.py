"""gunicorn settings for ``make serve`` (production, behind nginx): ``gunicorn -c
deploy/gunicorn.conf.py xianfeng.wsgi``. Values come from the environment like the settings:
``XIANFENG_BIND`` (127.0.0.1:8000), ``XIANFENG_WORKERS`` (2), ``XIANFENG_THREADS`` (4),
``XIANFENG_TIMEOUT`` (120 seconds: an export or import upload can take a while),
``XIANFENG_CONN_MAX_AGE`` (60 seconds)."""

import os

# Keep database connections between requests (a new PostgreSQL backend per request cost about
# 4 ms of 5 in the ceiling benchmark); each one is health-checked before reuse. The threads of
# the workers hold at most workers x threads connections.
os.environ.setdefault("XIANFENG_CONN_MAX_AGE", "60")

bind = os.environ.get("XIANFENG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("XIANFENG_WORKERS", "2"))
threads = int(os.environ.get("XIANFENG_THREADS", "4"))
timeout = int(os.environ.get("XIANFENG_TIMEOUT", "120"))
# nginx in front: believe its X-Forwarded-* only from this machine.
forwarded_allow_ips = os.environ.get("XIANFENG_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"


def on_starting(server):
    """Before any worker starts: refuse a development secret key, and fail the jobs of the
    server that ran before (with the thread backend they lived in its workers)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    import django
    from django.db import connections

    django.setup()
    from xianfeng.core.checks import require_secret_key
    from xianfeng.core.jobs import recover_at_start

    require_secret_key()
    recover_at_start()
    connections.close_all()  # the workers fork from here: no shared connection
