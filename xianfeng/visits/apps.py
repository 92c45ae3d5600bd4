from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "xianfeng.visits"
    label = "visits"
    verbose_name = _("走访：登记、负责到户与覆盖率")

    def ready(self) -> None:
        # 双领 asks this app, through its hooks, how far a task done by visits has got and
        # where a task's evidence photos go (work imports nothing of this app).
        from xianfeng.visits import hooks

        hooks.register()
