from django.db import models
from django.utils.translation import gettext_lazy as _


class BuildingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅楼")
    RENTAL = "rental", _("出租屋")
    SMALL_VENUE = "small_venue", _("三小场所")
    CROWDED = "crowded", _("人员密集场所")
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")


class SafetyColour(models.TextChoices):
    UNRATED = "unrated", _("未评定")
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


class ZoneKind(models.TextChoices):
    COMMUNITY = "community", _("社区（村）责任区")
    SCHOOL = "school", _("学校责任区（年级组）")
    HOSPITAL = "hospital", _("医院责任区（科室/病区）")
    OTHER = "other", _("机关、企事业单位责任区")


class CareTagCode(models.TextChoices):
    EXTREME_POVERTY = "extreme_poverty", _("特困户")
    DISABLED = "disabled", _("残疾人")
    LONELY_ELDER = "lonely_elder", _("孤老")
    MILITARY_FAMILY = "military_family", _("军烈属")
    LAID_OFF = "laid_off", _("下岗职工")
