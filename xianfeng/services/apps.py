from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "xianfeng.services"
    label = "services"
    verbose_name = _("服务：三张清单与群众点单")
