"""Django admin is for setting up accounts and roles; daily work happens in the pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from xianfeng.core.models import ApiToken, DutyRecord, Role, SensitiveAccess, User


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
