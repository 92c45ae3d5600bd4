from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactWay(models.TextChoices):
    """How a mobile member reached a fellow townsman (老乡)."""

    VISIT = "visit", _("上门走访")
    PHONE = "phone", _("电话")
    MESSAGE = "message", _("微信/短信")
    GATHERING = "gathering", _("集中活动")


class PairingState(models.TextChoices):
    """A townsman pairing: active until the member ends it (the townsman moved home, say)."""

    ACTIVE = "active", _("结对中")
    ENDED = "ended", _("已结束结对")


class TeamKind(models.TextChoices):
    """A community's team (队伍) of community and in-service members."""

    PATROL = "patrol", _("安全巡查队")
    PUBLICITY = "publicity", _("宣传队")
    SUPERVISION = "supervision", _("督查队")
    VOLUNTEER = "volunteer", _("志愿服务队")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class SessionSource(models.TextChoices):
    """Where a service session (8小时外) comes from."""

    TASK = "task", _("认领任务")
    ORDER = "order", _("群众点单")
    PATROL = "patrol", _("队伍活动")
    VISIT = "visit", _("走访")
    SELF = "self", _("自行申报")


class SessionState(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未确认")


class ActivityKind(models.TextChoices):
    PATROL = "patrol", _("安全巡查")
    PUBLICITY = "publicity", _("宣传活动")
    SUPERVISION = "supervision", _("督查")
    VOLUNTEER = "volunteer", _("志愿服务")


class Rating(models.TextChoices):
    """The community's rating in the 进社区现实表现鉴定."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class MobileServiceKind(models.TextChoices):
    """What a 流动党员之家 does for a mobile member."""

    JOB = "job", _("就业介绍")
    RIGHTS = "rights", _("维权服务")
    TRAINING = "training", _("技能培训")
    OTHER = "other", _("其他服务")
