from django.contrib import admin

from xianfeng.public.models import PublicSettings


@admin.register(PublicSettings)
class PublicSettingsAdmin(admin.ModelAdmin):
    """The district's public settings (anonymous Open311 POST), kept by the superuser."""

    list_display = ("organization", "open311_anonymous_post")
