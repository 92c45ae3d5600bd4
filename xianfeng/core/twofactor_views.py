"""The second step of login (code or recovery code), enrolment at first login for those who
must use two-factor, and each user's own two-factor page."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from xianfeng.core import twofactor
from xianfeng.core.auth import BACKEND, LoginError, fail, login_succeeded, refuse_if_locked
from xianfeng.core.models import User

PENDING = "xf_2fa_pending"
PENDING_SECONDS = 5 * 60


def begin(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and a second factor is needed: remember who, not logged in."""
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "at": int(time.time()), "next": next_url}
    if twofactor.otp_enrolled(user):
        return redirect("login_verify")
    return redirect("login_setup")


def _pending(request: HttpRequest) -> tuple[User | None, str]:
    data = request.session.get(PENDING) or {}
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    return user, data.get("next") or ""


def finish(request: HttpRequest, user: User, device: Any, next_url: str) -> str:
    """Both factors passed: log in (with the device on the session); the URL to go on to."""
    request.session.pop(PENDING, None)
    login_succeeded(user)
    login(request, user, backend=BACKEND)
    otp_login(request, device)
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return "/"


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("登录已超时，请重新输入用户名和密码。"))
    return redirect("login")


@never_cache
def verify_view(request: HttpRequest) -> HttpResponse:
    """登录第二步：验证器上的动态验证码，或一个恢复码。"""
    user, next_url = _pending(request)
    if user is None:
        return _expired(request)
    if not twofactor.otp_enrolled(user):
        return redirect("login_setup")
    error = ""
    if request.method == "POST":
        try:
            refuse_if_locked(request=request, username=user.username, user=user)
            device = twofactor.match(user, request.POST.get("otp", ""))
            if device is None:
                # The password passed already: say what was wrong, the code (a lock says so).
                exc = fail(request=request, username=user.username, user=user)
                raise exc if exc.locked else LoginError(_("动态验证码或恢复码不正确。"))
        except LoginError as exc:
            error = exc.message
            if exc.locked:
                request.session.pop(PENDING, None)
        else:
            return redirect(finish(request, user, device, next_url))
    return render(
        request,
        "core/login_verify.html",
        {"error": error, "pending_user": user},
        status=400 if error else 200,
    )


def _setup_context(user: User, **extra: Any) -> dict[str, Any]:
    device = twofactor.start_totp(user)
    return {
        "qr_svg": twofactor.qr_svg(device),
        "secret": twofactor.secret_base32(device),
        **extra,
    }


@never_cache
def setup_view(request: HttpRequest) -> HttpResponse:
    """Enrolment at first login, for a user who must use two-factor and has none yet."""
    user, next_url = _pending(request)
    if user is None:
        return _expired(request)
    if twofactor.otp_enrolled(user):
        return redirect("login_verify")
    error = ""
    if request.method == "POST":
        try:
            refuse_if_locked(request=request, username=user.username, user=user)
            codes = twofactor.confirm_totp(user, request.POST.get("otp", ""))
            if codes is None:
                exc = fail(request=request, username=user.username, user=user)
                raise exc if exc.locked else LoginError(_("动态验证码不正确。"))
        except LoginError as exc:
            error = exc.message
            if exc.locked:
                request.session.pop(PENDING, None)
                return render(request, "core/login_verify.html", {"error": error}, status=400)
        else:
            go_on = finish(request, user, twofactor.totp_device(user), next_url)
            return render(request, "core/twofactor_codes.html", {"codes": codes, "go_on": go_on})
    return render(
        request,
        "core/twofactor_setup.html",
        _setup_context(user, error=error, at_login=True),
        status=400 if error else 200,
    )


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, View):
    """我的两步验证: set up or replace the authenticator, new recovery codes, turn it off (only
    for those who need not use it)."""

    def context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        user = request.user
        return {
            "enrolled": twofactor.otp_enrolled(user),
            "required": twofactor.otp_required(user),
            "codes_left": twofactor.recovery_codes_left(user),
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "core/twofactor.html", self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        action = request.POST.get("action", "")
        if action == "start":
            return render(request, "core/twofactor_setup.html", _setup_context(user))
        if action == "confirm":
            if twofactor.pending_totp(user) is None:
                return self.refuse(request, _("请先点击“设置验证器”。"))
            codes = twofactor.confirm_totp(user, request.POST.get("otp", ""))
            if codes is None:
                return render(
                    request,
                    "core/twofactor_setup.html",
                    _setup_context(user, error=_("动态验证码不正确，请核对手机时间后重试。")),
                    status=400,
                )
            otp_login(request, twofactor.totp_device(user))
            return render(request, "core/twofactor_codes.html", {"codes": codes, "go_on": "/"})
        if action in ("codes", "disable"):
            if not twofactor.otp_enrolled(user):
                return self.refuse(request, _("尚未设置验证器。"))
            if twofactor.match(user, request.POST.get("otp", "")) is None:
                return self.refuse(request, _("动态验证码不正确。"))
            if action == "codes":
                codes = twofactor.new_recovery_codes(user)
                return render(
                    request, "core/twofactor_codes.html", {"codes": codes, "go_on": "/account/2fa/"}
                )
            if twofactor.otp_required(user):
                return self.refuse(request, _("您的角色必须使用两步验证，不能停用。"))
            twofactor.disable(user)
            messages.success(request, _("已停用两步验证。"))
            return redirect("twofactor")
        return self.refuse(request, _("未知的操作。"))

    def refuse(self, request: HttpRequest, error: str) -> HttpResponse:
        return render(
            request, "core/twofactor.html", self.context(request, error=error), status=400
        )
