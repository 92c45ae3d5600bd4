"""Duty-record kinds written by visits (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "visits",
    {
        "visit.log": _("走访登记"),
        "visit.household_updated": _("处理走访发现的迁走住户"),
    },
)
