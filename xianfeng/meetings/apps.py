from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "xianfeng.meetings"
    label = "meetings"
    verbose_name = _("组织生活：会议、固定活动日、宣传活动与评选")
