from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitPurpose(models.TextChoices):
    SAFETY = "safety", _("安全检查")
    POLICY = "policy", _("政策宣传（不租违建房、不住有安全隐患住所）")
    INFO = "info", _("信息报送")
    TALK = "talk", _("民情恳谈")
    CARE = "care", _("关爱帮扶")


class HouseholdUpdate(models.TextChoices):
    """A visit whose household had moved asks the community to update the household."""

    NONE = "none", _("无需更新")
    PENDING = "pending", _("待社区更新住户信息")
    DONE = "done", _("住户信息已处理")
