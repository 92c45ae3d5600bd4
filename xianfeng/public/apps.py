from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "xianfeng.public"
    label = "public"
    verbose_name = _("公开：问题墙、回音壁、责任区公示牌与 Open311")

    def ready(self) -> None:
        from xianfeng.public import registrations, wallcache

        registrations.register()
        wallcache.connect_board_signals()
        wallcache.connect_request_signals()
