"""Duty-record kinds written by services (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "services",
    {
        "service.publish": _("发布服务清单"),
        "resource.publish": _("发布资源清单"),
        "coproject.publish": _("发布共建项目"),
        "order.create": _("受理群众点单"),
        "order.proxy": _("代办群众诉求"),
        "order.dispatched": _("社区下单"),
        "order.accepted": _("党员接单"),
        "order.team_claimed": _("队伍接单"),
        "order.declined": _("党员退单"),
        "order.recalled": _("收回重新派单"),
        "order.served": _("办结群众点单"),
        "order.rated": _("群众评价"),
        "order.rejected": _("点单不予受理"),
        "order.reminded": _("点单超时提醒"),
        "order.escalated": _("点单超时升级"),
        "order.released": _("党员不在岗，点单退回待派"),
        "complaint.create": _("受理群众投诉"),
        "complaint.confirmed": _("群众投诉经核实属实"),
        "complaint.dismissed": _("群众投诉经核实不属实"),
    },
)
