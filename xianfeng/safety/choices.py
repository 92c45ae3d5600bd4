from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    """What a checklist is for: the building kinds (``places.BuildingKind``) and small works."""

    RESIDENTIAL = "residential", _("住宅楼")
    RENTAL = "rental", _("出租屋")
    SMALL_VENUE = "small_venue", _("三小场所")
    CROWDED = "crowded", _("人员密集场所")
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    SMALL_WORKS = "small_works", _("零星工程")


class HazardCategory(models.TextChoices):
    ESCAPE = "escape", _("疏散通道与安全出口")
    EBIKE = "ebike", _("电动自行车停放充电")
    ELECTRIC = "electric", _("电气线路")
    EXTINGUISHER = "extinguisher", _("消防设施器材")
    THREE_IN_ONE = "three_in_one", _("“三合一”场所")
    GAS = "gas", _("燃气使用")
    STRUCTURE = "structure", _("建筑结构")
    MANAGEMENT = "management", _("安全管理制度")
    WORKS = "works", _("施工安全")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般隐患（轻微）")
    GENERAL = "general", _("较大隐患")
    MAJOR = "major", _("重大隐患")


class ResponsibleParty(models.TextChoices):
    """主体责任: who must fix it."""

    LANDLORD = "landlord", _("房东（出租人）")
    TENANT = "tenant", _("承租人")
    OPERATOR = "operator", _("经营者")
    ENTERPRISE = "enterprise", _("企业")
    UNIT = "unit", _("单位")
    PROPERTY = "property", _("物业服务企业")
    CONTRACTOR = "contractor", _("施工单位")


class Outcome(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class InspectionState(models.TextChoices):
    DRAFT = "draft", _("检查中")
    SUBMITTED = "submitted", _("已提交")


class ColourSource(models.TextChoices):
    INSPECTION = "inspection", _("检查")
    REVIEW = "review", _("复核")


class HazardSource(models.TextChoices):
    INSPECTION = "inspection", _("检查发现")
    VISIT = "visit", _("走访发现")
    REPORT = "report", _("报告")
    PATROL = "patrol", _("巡查发现")


class HazardState(models.TextChoices):
    REPORTED = "reported", _("已报告")
    CONFIRMED = "confirmed", _("已确认")
    ASSIGNED = "assigned", _("已交办")
    RECTIFYING = "rectifying", _("整改中")
    SUBMITTED = "submitted", _("已提交整改")
    RETURNED = "returned", _("退回整改")
    REFERRED = "referred", _("已移交执法")
    VERIFIED = "verified", _("已核验")
    CLOSED = "closed", _("已销号")
    DISMISSED = "dismissed", _("不予立案")
    MERGED = "merged", _("已合并")


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")


#: States of a hazard still to be fixed (open): the lists, the home page and escalation.
OPEN_STATES = (
    HazardState.REPORTED,
    HazardState.CONFIRMED,
    HazardState.ASSIGNED,
    HazardState.RECTIFYING,
    HazardState.SUBMITTED,
    HazardState.RETURNED,
    HazardState.REFERRED,
    HazardState.VERIFIED,
)
#: States in which a deadline can still be missed (the work is not yet handed in).
OVERDUE_FROM = (
    HazardState.CONFIRMED,
    HazardState.ASSIGNED,
    HazardState.RECTIFYING,
    HazardState.RETURNED,
)


class IncidentSeverity(models.TextChoices):
    """安全事故等级 (生产安全事故报告和调查处理条例)."""

    GENERAL = "general", _("一般事故")
    LARGER = "larger", _("较大事故")
    MAJOR = "major", _("重大事故")
    GRAVEST = "gravest", _("特别重大事故")


#: Incidents serious enough for the assessment's veto (较大及以上): no 五好服务型街道,
#: 五星级党组织 or the year's awards for the organizations responsible.
SERIOUS_INCIDENTS = (IncidentSeverity.LARGER, IncidentSeverity.MAJOR, IncidentSeverity.GRAVEST)


class WorksKind(models.TextChoices):
    """零星工程的类别 (small works a resident or shop files before starting)."""

    RENOVATION = "renovation", _("室内装修")
    PIPEWORK = "pipework", _("水电燃气管线改造")
    FACADE = "facade", _("外墙、防水、屋面")
    SIGNBOARD = "signboard", _("招牌、广告牌安装")
    DEMOLITION = "demolition", _("拆除")
    HOT_WORK = "hot_work", _("电焊等动火作业")
    OTHER = "other", _("其他")


class WorksState(models.TextChoices):
    FILED = "filed", _("已报备")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    FINISHED = "finished", _("已完工")


class FocusState(models.TextChoices):
    PLANNED = "planned", _("已安排")
    HELD = "held", _("已开展")
