"""Duty-record kinds written by 双领 (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "work",
    {
        "project.claim": _("组织认领项目"),
        "project.assign": _("上级交办项目"),
        "task.claim": _("党员认领任务"),
        "task.assign": _("组织指派任务"),
        "task.start": _("开始办理任务"),
        "task.submit": _("提交任务完成情况"),
        "task.verify": _("核验任务"),
        "task.return": _("退回任务重办"),
        "task.complete": _("任务办结"),
        "task.overdue": _("任务逾期"),
        "supervision.issue": _("发出督办"),
        "supervision.answer": _("答复督办"),
        "supervision.overdue": _("督办逾期未答复"),
    },
)
