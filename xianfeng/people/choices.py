from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class MemberKind(models.TextChoices):
    COMMUNITY = "community", _("社区党员")
    IN_SERVICE = "in_service", _("在职党员")
    MOBILE = "mobile", _("流动党员")
    TWO_NEW = "two_new", _("两新组织党员")
    RETIRED = "retired", _("离退休党员")
    LAID_OFF = "laid_off", _("下岗失业党员")


class MemberCategory(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    MOBILE = "mobile", _("流动")
    LOST_CONTACT = "lost_contact", _("失联")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    DECEASED = "deceased", _("已故")


class ResidentRelation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class CaseKind(models.TextChoices):
    REPORT = "report", _("在职党员进社区报到")
    FLOW_OUT = "flow_out", _("流动党员流出")
    FLOW_IN = "flow_in", _("流动党员流入")
    TRANSFER = "transfer", _("组织关系转接")
    LOST = "lost", _("失联党员查找")
    HANDOVER = "handover", _("离退休、下岗党员对接社区")


class CaseState(models.TextChoices):
    REGISTERED = "registered", _("已报到，待社区确认")
    ACCEPTED = "accepted", _("社区已接收")
    DECLINED = "declined", _("社区未接收")
    REVOKED = "revoked", _("已撤销")
    ACTIVE = "active", _("进行中")
    ENDED = "ended", _("已结束")
    REQUESTED = "requested", _("待转出方审批")
    OUT_APPROVED = "out_approved", _("转出方已同意，待接收方审批")
    COMPLETED = "completed", _("已完成")
    REJECTED = "rejected", _("已退回")
    FOUND = "found", _("已取得联系")


class LostReason(models.TextChoices):
    MIGRANT_WORK = "migrant_work", _("外出务工经商，去向不明")
    MOVED = "moved", _("住址变更，未告知组织")
    CONTACT_INVALID = "contact_invalid", _("联系方式失效")
    ABSENT = "absent", _("长期不参加组织生活且无法联系")
    OTHER = "other", _("其他原因")


class PlaceEnd(models.TextChoices):
    """How a member's service place in a community (服务地) ended."""

    REVOKED = "revoked", _("撤销报到")
    TRANSFERRED = "transferred", _("组织关系转出")


#: Member kinds who report to (报到) or are handed over to (对接) a residence community.
REPORTING_KINDS = (MemberKind.IN_SERVICE,)
HANDOVER_KINDS = (MemberKind.RETIRED, MemberKind.LAID_OFF)
