from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "xianfeng.safety"
    label = "safety"
    verbose_name = _("安全：检查、红黄绿与隐患整改")
    # Migration 0002 writes the default checklists: a restore into a freshly migrated database
    # overwrites them without calling it data loss (core/backup.py).
    seeded_by_migrations = ("safety.checklisttemplate", "safety.checklistitem")

    def ready(self) -> None:
        # A visit's "发现安全隐患，需立案" opens a hazard; the home page's lines and panels.
        from xianfeng.safety import registrations

        registrations.register()
