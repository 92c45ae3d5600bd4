"""Duty-record kinds written by safety (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "safety",
    {
        "checklist.revise": _("修订安全检查表"),
        "inspection.submit": _("完成安全检查"),
        "building.colour_review": _("复核楼栋安全等级"),
        "hazard.report": _("报告安全隐患"),
        "hazard.confirm": _("确认隐患立案"),
        "hazard.dismiss": _("隐患不予立案"),
        "hazard.assign": _("交办隐患整改"),
        "hazard.start": _("开始隐患整改"),
        "hazard.submit": _("提交隐患整改"),
        "hazard.verify": _("核验隐患整改（整改督查）"),
        "hazard.return": _("退回隐患整改"),
        "hazard.close": _("隐患销号"),
        "hazard.merge": _("合并重复隐患"),
        "hazard.escalate": _("隐患逾期升级"),
        "hazard.refer": _("隐患移交执法检查"),
        "hazard.enforce": _("登记隐患执法检查结果"),
        "hazard.recheck": _("复查合格，隐患销号"),
        "hazard.reopen": _("复查不合格，隐患重新整改"),
        "patrol.escalate": _("楼栋巡查逾期升级"),
        "incident.record": _("登记安全事故"),
        "landlord.violation": _("党员房东出租屋违规（隐患立案）"),
        "works.file": _("零星工程报备"),
        "works.accept": _("受理零星工程报备"),
        "works.decline": _("零星工程报备不予受理"),
        "works.inspect": _("零星工程施工检查"),
        "works.finish": _("零星工程完工"),
        "focus.schedule": _("安排安全隐患集中整治日"),
        "focus.pick": _("选定集中整治的隐患"),
        "focus.record": _("登记集中整治日情况"),
        "focus.attend": _("参加安全隐患集中整治日"),
    },
)
