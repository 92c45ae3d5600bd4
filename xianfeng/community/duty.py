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
        "team.claim": _("队伍认领任务"),
        "team.activity": _("队伍活动"),
        "service.log": _("登记服务时长"),
        "service.confirm": _("确认服务时长"),
        "service.reject": _("不予确认服务时长"),
        "record.write": _("填写进社区现实表现鉴定"),
        "record.negative": _("进社区现实表现列入负面清单"),
        "mobile.service": _("流动党员之家服务"),
    },
)
