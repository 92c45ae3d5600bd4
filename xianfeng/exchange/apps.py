from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "xianfeng.exchange"
    label = "exchange"
    verbose_name = _("数据交换")

    def ready(self) -> None:
        from xianfeng.exchange import registrations

        registrations.register()
