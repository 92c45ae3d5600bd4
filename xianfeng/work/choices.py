from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("进行中")
    SUBMITTED = "submitted", _("已提交待核验")
    RETURNED = "returned", _("已退回")
    VERIFIED = "verified", _("已核验")
    DONE = "done", _("已办结")
    OVERDUE = "overdue", _("已逾期")


# States in which a task is still being worked on (it can become overdue, it can be reassigned).
ACTIVE_STATES = (
    TaskState.OPEN,
    TaskState.CLAIMED,
    TaskState.IN_PROGRESS,
    TaskState.RETURNED,
    TaskState.OVERDUE,
)


class ProjectOrigin(models.TextChoices):
    CLAIMED = "claimed", _("组织领项目")
    ASSIGNED = "assigned", _("上级交办")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    OVERDUE = "overdue", _("逾期未答复")


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("到期提醒")
    OVERDUE = "overdue", _("逾期")
    ESCALATION = "escalation", _("逾期升级")
    DIGEST = "digest", _("每日简报")
    SUPERVISION = "supervision", _("督办")
