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
