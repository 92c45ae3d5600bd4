from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "xianfeng.safety"
    label = "safety"
    verbose_name = _("安全：检查、红黄绿与隐患整改")

    def ready(self) -> None:
        # A visit's "发现安全隐患，需立案" opens a hazard; the home page's lines and panels.
        from xianfeng.safety import registrations

        registrations.register()
