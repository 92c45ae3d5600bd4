"""Duty-record kinds written by scoring (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "scoring",
    {
        "point_rule.publish": _("发布积分规则"),
        "points.recompute": _("重算积分"),
        "adjustment.request": _("申请积分调整"),
        "adjustment.approve": _("批准积分调整"),
        "adjustment.reject": _("驳回积分调整"),
        "appeal.submit": _("党员提出积分申诉"),
        "appeal.answer": _("答复积分申诉"),
    },
)

ledger.declare(
    "scoring",
    {
        "star.rate": _("按先锋指数评定星级党员"),
        "star.review": _("记录民主评议，调整星级"),
    },
)
