"""Duty-record kinds written by 双领 (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "work",
    {
        "task.claim": _("党员认领任务"),
        "task.submit": _("提交任务完成情况"),
        "task.verify": _("核验任务"),
        "task.complete": _("任务办结"),
        "visit": _("走访登记"),
        "townsman.contact": _("联系结对老乡"),
    },
)
