"""Login that holds: one check for the login page, the admin and the API token endpoint.

* Failures are counted in the database with one atomic ``UPDATE ... SET failed_logins =
  failed_logins + 1``, so parallel wrong passwords each count and the account locks at
  ``LOGIN_MAX_FAILURES`` for ``LOGIN_LOCK_MINUTES``.
* Every failure is also a ``LoginFailure`` row: more than ``LOGIN_ADDRESS_MAX_FAILURES`` from
  one client address within the lock window and that address must wait; an unknown username
  locks after as many failures as a real one, so the answers cannot tell them apart.
* ``LockoutBackend`` refuses a locked account to any ``authenticate()`` call.
* A correct password does not reset the counter by itself: ``login_succeeded`` does, once the
  second factor (``xianfeng.core.twofactor``) has passed too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.models import LoginFailure, User


class LoginError(Exception):
    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


class LockoutBackend(ModelBackend):
    """The model backend, refusing inactive and locked accounts."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_locked", False)


BACKEND = "xianfeng.core.auth.LockoutBackend"


def client_ip(request: HttpRequest | None) -> str:
    """The peer address. X-Forwarded-For is trusted only when a proxy is declared in
    ``XIANFENG_TRUSTED_PROXY_HOPS`` (how many proxies append to it), else it could be forged."""
    if request is None:
        return "unknown"
    hops = settings.XIANFENG_TRUSTED_PROXY_HOPS
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops][:64]
    return (request.META.get("REMOTE_ADDR", "") or "unknown")[:64]


def bad_credentials() -> LoginError:
    return LoginError(_("用户名或密码不正确。"))


def _account_locked() -> LoginError:
    return LoginError(
        _("连续登录失败次数过多，账号已锁定，请%(minutes)d分钟后再试或联系管理员。")
        % {"minutes": settings.LOGIN_LOCK_MINUTES},
        locked=True,
    )


def _address_locked() -> LoginError:
    return LoginError(
        _("该地址登录失败次数过多，请%(minutes)d分钟后再试。")
        % {"minutes": settings.LOGIN_LOCK_MINUTES},
        locked=True,
    )


def _window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def refuse_if_locked(*, request: HttpRequest | None, username: str, user: User | None) -> None:
    """Raise the lock message when the address, the account or the typed username is locked.
    An expired account lock is lifted here (with its counter), atomically."""
    since = _window_start()
    address = client_ip(request)
    if (
        LoginFailure.objects.filter(address=address, at__gte=since).count()
        >= settings.LOGIN_ADDRESS_MAX_FAILURES
    ):
        raise _address_locked()
    if user is None:
        if (
            LoginFailure.objects.filter(username=username, at__gte=since).count()
            >= settings.LOGIN_MAX_FAILURES
        ):
            raise _account_locked()
        return
    now = timezone.now()
    if user.locked_until is not None and user.locked_until <= now:
        User.objects.filter(pk=user.pk, locked_until__lte=now).update(
            failed_logins=0, locked_until=None
        )
        user.failed_logins, user.locked_until = 0, None
    if user.is_locked:
        raise _account_locked()


def record_failure(*, request: HttpRequest | None, username: str, user: User | None) -> bool:
    """Count one failure (atomically); True when it locked the account or the username."""
    now = timezone.now()
    LoginFailure.objects.create(username=username, address=client_ip(request), at=now)
    if user is None:
        count = LoginFailure.objects.filter(username=username, at__gte=_window_start())
        return count.count() >= settings.LOGIN_MAX_FAILURES
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    locked = (
        User.objects.filter(pk=user.pk, failed_logins__gte=settings.LOGIN_MAX_FAILURES)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(locked_until=now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES))
    )
    return bool(locked)


def fail(*, request: HttpRequest | None, username: str, user: User | None) -> LoginError:
    """Record a failure and return the error to answer with (the lock message when this one
    locked, else the same sentence for an unknown user as for a wrong password)."""
    if record_failure(request=request, username=username, user=user):
        return LoginError(
            _("连续登录失败次数过多，账号已锁定%(minutes)d分钟。")
            % {"minutes": settings.LOGIN_LOCK_MINUTES},
            locked=True,
        )
    return bad_credentials()


def login_check(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Return the user for good credentials; count failures and lock after too many.

    The same message answers an unknown user, an inactive one and a wrong password, so
    usernames cannot be probed; a locked account says so (the user must know to wait or call
    an admin). The counter is not reset here: call ``login_succeeded`` once every factor
    passed.
    """
    username = (username or "").strip()[:150]
    if not username or not password:
        raise LoginError(_("请输入用户名和密码。"))
    user = User.objects.filter(username=username).first()
    refuse_if_locked(request=request, username=username, user=user)
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        raise fail(request=request, username=username, user=user)
    return authed


def login_succeeded(user: User) -> None:
    """Every factor passed: the failure counter starts again."""
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None


def purge_login_failures(*, now: datetime | None = None) -> int:
    """Delete ``LoginFailure`` rows older than ``LOGIN_FAILURE_KEEP_DAYS``; the lock windows
    read only the last minutes, so nothing older matters to a login. Returns how many went."""
    limit = (now or timezone.now()) - timedelta(days=settings.LOGIN_FAILURE_KEEP_DAYS)
    deleted, _per_model = LoginFailure.objects.filter(at__lt=limit).delete()
    return deleted
