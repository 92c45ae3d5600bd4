"""Duty-record kinds written by the member life-cycle (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "people",
    {
        "member.report_register": _("在职党员进社区报到"),
        "member.report_accept": _("社区接收报到"),
        "member.report_decline": _("社区未接收报到"),
        "member.report_revoke": _("撤销社区报到"),
        "member.handover_register": _("离退休、下岗党员对接社区"),
        "member.flow_out": _("流动党员流出登记"),
        "member.flow_in": _("流动党员流入登记"),
        "member.flow_end": _("结束流动登记"),
        "member.transfer_request": _("申请组织关系转接"),
        "member.transfer_approve_out": _("转出方同意组织关系转接"),
        "member.transfer_approve_in": _("转入方接收组织关系"),
        "member.transfer_reject": _("退回组织关系转接"),
        "member.lost_mark": _("登记失联党员"),
        "member.lost_search": _("查找失联党员"),
        "member.lost_found": _("失联党员取得联系"),
        "member.make_full": _("预备党员转为正式党员"),
    },
)
