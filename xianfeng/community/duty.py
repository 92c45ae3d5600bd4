"""Duty-record kinds written by members in the community (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "community",
    {
        "townsman.add": _("结对老乡"),
        "townsman.contact": _("联系结对老乡"),
        "townsman.end": _("结束老乡结对"),
        "team.create": _("组建队伍"),
        "team.join": _("加入队伍"),
        "team.leave": _("离开队伍"),
    },
)
