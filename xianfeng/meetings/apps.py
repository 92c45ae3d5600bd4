from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "xianfeng.meetings"
    label = "meetings"
    verbose_name = _("组织生活：会议、固定活动日、宣传活动与评选")
    # Migration 0002 writes the seeds' meeting rules: a restore into a freshly migrated
    # database overwrites them without calling it data loss (core/backup.py).
    seeded_by_migrations = ("meetings.meetingrule",)

    def ready(self) -> None:
        # The home page's lines and the secretary's panel of due and missed meetings.
        from xianfeng.meetings import publiccache, registrations

        registrations.register()
        # The public JSON's cache versions, replaced on every change it shows.
        publiccache.connect_public_signals()
