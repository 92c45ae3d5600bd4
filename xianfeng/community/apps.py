from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "xianfeng.community"
    label = "community"
    verbose_name = _("党员在社区：流动党员结对老乡")

    def ready(self) -> None:
        from xianfeng.community import registrations

        registrations.register()
