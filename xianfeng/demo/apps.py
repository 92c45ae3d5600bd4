from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district and its accounts (``manage.py demo_district``, ``demo_accounts``):
    the top floor, importing every app, imported by none."""

    name = "xianfeng.demo"
    label = "demo"
    verbose_name = _("演示数据")
