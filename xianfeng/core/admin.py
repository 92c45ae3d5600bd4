"""Django admin is for setting up accounts and roles; daily work happens in the pages."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xianfeng.core.models import ApiToken, DutyRecord, LoginFailure, Role, SensitiveAccess, User


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin has no login form of its own: it sends to the site's login page, so the
    lock-out, the per-address limit and the second factor hold there too."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


admin.site.login = admin_login
_admin_has_permission = admin.site.has_permission


def admin_has_permission(request: HttpRequest) -> bool:
    """Staff who must use a second factor (or chose one) reach the admin only from a session
    that passed it: a session opened before a role made the factor compulsory, or opened by
    other means than the login page, is sent to log in again."""
    from xianfeng.core import twofactor

    if not _admin_has_permission(request):
        return False
    user = request.user
    return user.is_verified() or not twofactor.otp_needed(user)


admin.site.has_permission = admin_has_permission


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class XianfengUserAdmin(UserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "display_name", "is_active", "is_superuser", "locked_until"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("先锋"), {"fields": ("display_name", "person", "failed_logins", "locked_until")}),
    )
    raw_id_fields = ["person"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["key_hash", "created_at", "last_used_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutyRecord)
class DutyRecordAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "action", "member", "organization", "verified"]
    list_filter = ["action", "verified"]


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "person", "fields", "channel"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "address"]
    search_fields = ["username", "address"]
    readonly_fields = ["at", "username", "address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
