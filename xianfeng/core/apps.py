from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xianfeng.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        # Each app declares the duty-record kinds it writes in its own ``duty`` module.
        autodiscover_modules("duty")
        # The secret-key check, and the login's first session touch (core/middleware.py).
        from xianfeng.core import checks, middleware  # noqa: F401
