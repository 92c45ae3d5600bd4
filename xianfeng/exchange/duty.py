"""Duty-record kinds written by data exchange (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare(
    "exchange",
    {
        "declaration.accept": _("接收房东自主申报"),
        "declaration.reject": _("退回房东自主申报"),
        "import.apply": _("确认导入数据"),
        "import.preview": _("导入文件预检完成"),
        "import.applied": _("数据导入完成"),
        "import.refuse": _("导入文件被拒绝"),
        "import.fail": _("数据导入失败"),
        "import.retry": _("重新预检导入文件"),
    },
)
