from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "xianfeng.work"
    label = "work"
    verbose_name = _("双领：项目、任务与走访")
