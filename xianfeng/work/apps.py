from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "xianfeng.work"
    label = "work"
    verbose_name = _("双领：专项行动、项目与任务")
