from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "xianfeng.places"
    label = "places"
    verbose_name = _("网格与楼栋")

    def ready(self) -> None:
        from xianfeng.places import registrations

        registrations.register()
