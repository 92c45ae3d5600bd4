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

ledger.declare(
    "scoring",
    {
        "evaluation.create": _("发起民主评议"),
        "evaluation.open": _("民主评议开始投票"),
        "evaluation.vote": _("党员参加民主评议投票"),
        "evaluation.close": _("民主评议计票，结果计入星级"),
        "evaluation.cancel": _("取消民主评议"),
        "indicator_set.create": _("制定考核指标体系"),
        "assessment.open": _("发起考核"),
        "assessment.refresh": _("按履职记录计算考核定量指标"),
        "assessment.report_text": _("提交述职报告"),
        "assessment.score": _("考核评分（述职评议）"),
        "assessment.close": _("考核定档"),
        "assessment.report": _("考核排名报上级"),
        "assessment.outcome": _("登记考核结果（表彰、批评、限期整改）"),
    },
)

ledger.declare(
    "scoring",
    {
        "self_declared_kind.set": _("设置自行申报事项"),
        "self_declared.submit": _("党员自行申报履职事项"),
        "self_declared.approve": _("认定自行申报的履职事项"),
        "self_declared.reject": _("不予认定自行申报的履职事项"),
    },
)

ledger.declare(
    "scoring",
    {
        "conduct_case.open": _("启动不合格党员处置程序"),
        "conduct_case.talk": _("不合格党员处置：谈话并限期整改"),
        "conduct_case.rectified": _("不合格党员处置：整改合格结案"),
        "conduct_case.dispose": _("不合格党员处置：组织处置结案"),
    },
)

ledger.declare(
    "scoring",
    {
        "award_opinion.request": _("评优评先征求社区党组织意见"),
        "award_opinion.agree": _("社区党组织同意评优评先推荐"),
        "award_opinion.disagree": _("社区党组织不同意评优评先推荐"),
    },
)
