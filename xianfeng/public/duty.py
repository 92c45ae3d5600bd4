"""Duty-record kinds written by the public app (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "public",
    {
        "problem.report": _("登记群众反映的问题"),
        "problem.approve": _("审核问题上墙"),
        "problem.reject": _("审核问题不予公开"),
        "problem.plan": _("明确问题责任与措施"),
        "problem.solve": _("办结问题"),
        "problem.verify": _("核实问题办理结果并在回音壁公开"),
        "problem.send_back": _("退回问题重新办理"),
        "problem.close": _("关闭问题（不属本辖区或已转交）"),
        "problem.merge": _("合并重复问题"),
        "problem.edit": _("编辑问题或办理结果的公开内容"),
        "problem.rate": _("居民评议问题办理结果"),
        "problem.reopen": _("居民不满意，问题重新办理"),
    },
)
