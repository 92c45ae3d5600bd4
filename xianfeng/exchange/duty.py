"""Duty-record kinds written by data exchange (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "exchange",
    {
        "declaration.accept": _("接收房东自主申报"),
        "declaration.reject": _("退回房东自主申报"),
    },
)
