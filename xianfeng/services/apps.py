from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "xianfeng.services"
    label = "services"
    verbose_name = _("服务：三张清单与群众点单")

    def ready(self) -> None:
        # A visit's "群众有诉求，需办理" opens an order; the home page's lines and panels.
        from xianfeng.services import menucache, registrations

        registrations.register()
        menucache.connect_menu_signals()
