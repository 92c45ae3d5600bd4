"""Login with lock-out after repeated failures; shared by the login page and the API."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.models import User


class LoginError(Exception):
    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.locked = locked


def login_check(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Return the user for good credentials; count failures and lock after too many.

    The same message answers an unknown user and a wrong password, so usernames cannot be
    probed; a locked account says so (the user must know to wait or call an admin).
    """
    username = (username or "").strip()
    bad = LoginError(_("用户名或密码不正确。"))
    if not username or not password:
        raise LoginError(_("请输入用户名和密码。"))
    user = User.objects.filter(username=username).first()
    if user is not None and user.is_locked:
        raise LoginError(
            _("连续登录失败次数过多，账号已锁定，请%(minutes)d分钟后再试或联系管理员。")
            % {"minutes": settings.LOGIN_LOCK_MINUTES},
            locked=True,
        )
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user is not None:
            user.failed_logins += 1
            fields = ["failed_logins"]
            if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
                user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                user.failed_logins = 0
                fields.append("locked_until")
                user.save(update_fields=fields)
                raise LoginError(
                    _("连续登录失败次数过多，账号已锁定%(minutes)d分钟。")
                    % {"minutes": settings.LOGIN_LOCK_MINUTES},
                    locked=True,
                )
            user.save(update_fields=fields)
        raise bad
    if authed.failed_logins or authed.locked_until:
        authed.failed_logins = 0
        authed.locked_until = None
        authed.save(update_fields=["failed_logins", "locked_until"])
    return authed
