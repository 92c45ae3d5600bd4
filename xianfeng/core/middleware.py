"""Project middleware: idle sessions without a write per request, no caching of pages with
personal data, and the CSRF cookie sent only when it changes."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

TOUCH_KEY = "_touched"


class SessionTouchMiddleware:
    """Idle expiry with few writes. ``SESSION_SAVE_EVERY_REQUEST`` would write the session row
    on every request (on SQLite, every page view a write transaction); instead the session is
    saved, and its expiry moved ``SESSION_COOKIE_AGE`` ahead, only when its last touch is older
    than ``XIANFENG_SESSION_TOUCH_SECONDS`` (a minute by default). A session thus ends after
    ``SESSION_COOKIE_AGE`` idle seconds, give or take that interval.

    Placed after ``SessionMiddleware``, which saves a modified session on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.session_key:
            return response
        now = int(time.time())
        touched = session.get(TOUCH_KEY) or 0
        if now - touched >= settings.XIANFENG_SESSION_TOUCH_SECONDS:
            session[TOUCH_KEY] = now  # modified: SessionMiddleware saves and re-sends it
        return response


@receiver(user_logged_in, dispatch_uid="xianfeng.session_touch_at_login")
def _touched_at_login(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """A login saves the session anyway: it counts as its first touch."""
    session = getattr(request, "session", None)
    if session is not None:
        session[TOUCH_KEY] = int(time.time())


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user (pages, API, exports:
    all of them may carry personal data) and on every API response, so neither a browser on a
    shared office PC nor a proxy keeps a copy. Static files are served before this runs
    (WhiteNoise) and keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (
            (user is not None and user.is_authenticated)
            or request.path.startswith("/api/")
            or request.path.startswith("/declare/")
            or request.headers.get("Authorization")
        )
        if personal:
            patch_cache_control(response, no_store=True)
            # no-store binds the browser's HTTP cache, not the service worker's Cache Storage,
            # which keeps field pages for offline use (static/js/sw.js): an account with no
            # person behind it (office staff, a shared PC) does no field work, and its pages
            # are marked not to be kept there either.
            if user is not None and user.is_authenticated and not getattr(user, "person_id", None):
                response["X-Xianfeng-No-Keep"] = "1"
        return response


class CsrfCookieOnChangeMiddleware:
    """Send the CSRF cookie only when its value changes (a first visit, the rotation at
    login), not again with every page that renders a token.

    Django re-sends the cookie with every such page to renew its expiry. A response to a
    request sent before the login (the service worker's precache, a page still loading)
    then carries the old secret and can land after the login's new one: the browser goes
    back to the old secret, and the next form posted from a page rendered with the new one
    fails with "CSRF token from POST incorrect" (seen in the browser tests under load). A
    re-send of the value the request already carried changes nothing but that expiry (a
    year), so it is dropped. Listed above CsrfViewMiddleware to see the cookie it sets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = settings.CSRF_COOKIE_NAME
        sent = request.COOKIES.get(name)
        response = self.get_response(request)
        cookie = response.cookies.get(name)
        if sent and cookie is not None and cookie.value == sent:
            del response.cookies[name]
        return response
