"""Field work with no signal: the installable web app (web app manifest, service worker) and
the outbox page. The service worker (``static/js/sw.js``) keeps the member's field pages that
were opened online (network first) and the static files (cache first); ``static/js/offline.js``
keeps what a member saved offline in an outbox on the phone (IndexedDB) and sends it, keyed,
when the connection returns. Everything is served by the app itself: no CDN.

``backdate_limit()`` is how old a record sent late from the outbox may say it is
(``XIANFENG_FIELD_BACKDATE_DAYS``): the server keeps the time the act happened, within that.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

SW_FILE = Path(__file__).resolve().parents[1] / "static" / "js" / "sw.js"


def cache_seconds() -> int:
    """How long a page kept on the phone stays usable (``XIANFENG_OFFLINE_CACHE_HOURS``)."""
    return int(settings.XIANFENG_OFFLINE_CACHE_HOURS) * 3600


def backdate_limit() -> datetime:
    """The earliest time a field record sent late from a phone's outbox may say it happened:
    ``XIANFENG_FIELD_BACKDATE_DAYS`` days ago. (Not later than now is each service's own check,
    with a few minutes for a phone's clock.)"""
    return timezone.now() - timedelta(days=int(settings.XIANFENG_FIELD_BACKDATE_DAYS))


#: How far ahead of the server's clock a phone's clock may be before its time is refused.
CLOCK_SKEW = timedelta(minutes=5)


def clean_act_time(at: datetime | None, *, field: str) -> datetime:
    """The time a field act happened as the phone sent it (a hazard found, an inspection
    started), checked: not later than now (a few minutes' skew allowed), not earlier than
    ``backdate_limit()``; refused in Chinese under ``field``. None means now (sent online)."""
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):  # "2026-12-07T10:30" from a form: the server's own zone
        at = timezone.make_aware(at)
    if at > timezone.now() + CLOCK_SKEW:
        raise ValidationError(
            {field: [_("时间不能晚于现在；请检查手机的日期和时间。")]}, code="future"
        )
    if at < backdate_limit():
        raise ValidationError(
            {
                field: [
                    _("时间早于%(days)s天前，不能再补登；请核对日期，或联系网格书记。")
                    % {"days": settings.XIANFENG_FIELD_BACKDATE_DAYS}
                ]
            },
            code="too_old",
        )
    return at


@lru_cache(maxsize=1)
def _sw_source(mtime: float) -> bytes:
    return SW_FILE.read_bytes()


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: the service worker from the site root, so that its scope is the whole site
    (``Service-Worker-Allowed: /``). Never cached by the browser's HTTP cache, so a new version
    is found on the next visit."""
    response = HttpResponse(
        _sw_source(SW_FILE.stat().st_mtime), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """``/manifest.webmanifest``: installs the site as an app that opens on the home page."""
    body = {
        "name": _("先锋 党建引领基层治理"),
        "short_name": _("先锋"),
        "description": _("党员走访、安全检查和隐患报告，无网络时也能登记。"),
        "lang": "zh-Hans",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f6f8",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static(f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
            for n in (192, 512)
        ]
        + [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """``/offline/``: what the phone shows for a page it never kept (or one too old to show)
    when there is no connection. Kept by the service worker when it installs; no personal data."""
    return render(request, "offline/offline.html")


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """``/offline/outbox/``: what waits on this phone to be sent. The list lives in the phone's
    IndexedDB; ``offline.js`` draws it, sends it and shows the server's answer for each item."""
    return render(request, "offline/outbox.html")
