from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "xianfeng.people"
    label = "people"
    verbose_name = _("人员")

    def ready(self) -> None:
        from xianfeng.people import registrations

        registrations.register()
