"""Duty-record kinds written by meetings (see ``xianfeng.core.ledger``): every meeting held,
every attendance, minutes published and revised, activity-day items, publicity events,
selections."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "meetings",
    {
        "meeting.plan": _("计划召开会议"),
        "meeting.hold": _("召开会议"),
        "meeting.publish": _("公开会议纪要和决议"),
        "meeting.revise": _("公开后修订会议纪要"),
        "meeting.cancel": _("取消会议"),
        "meeting.attend": _("参加会议（签到）"),
    },
)

ledger.declare(
    "meetings",
    {
        "activity_item.post": _("发布固定活动日项目"),
        "publicity.record": _("开展宣传活动"),
        "selection.create": _("发起评选"),
        "selection.open": _("评选开始投票"),
        "selection.publish": _("公布评选结果"),
    },
)
