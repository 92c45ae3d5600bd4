from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "xianfeng.scoring"
    label = "scoring"
    verbose_name = _("积分、先锋指数、星级与考核")

    def ready(self) -> None:
        # The member's points panel and the managers' lines on the home page.
        from xianfeng.scoring import registrations

        registrations.register()
