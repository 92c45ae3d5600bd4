from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "xianfeng.orgs"
    label = "orgs"
    verbose_name = _("组织")

    def ready(self) -> None:
        from xianfeng.orgs import registrations

        registrations.register()
