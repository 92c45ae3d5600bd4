"""Choices of scoring: cap periods, kinds of point entries, the states of adjustments and
appeals, index periods."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CapPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class EntryKind(models.TextChoices):
    AWARD = "award", _("履职积分")
    REVERSAL = "reversal", _("冲正")
    CORRECTION = "correction", _("重算更正")
    ADJUSTMENT = "adjustment", _("人工调整")


class AdjustmentState(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("待答复")
    ANSWERED = "answered", _("已答复")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


# --- democratic evaluation (民主评议) and assessment (考核) ----------


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    VOTING = "voting", _("投票中")
    CLOSED = "closed", _("已计票")
    CANCELLED = "cancelled", _("已取消")


class Grade(models.TextChoices):
    """The four grades of 民主评议党员."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("合格")
    BASIC = "basic", _("基本合格")
    POOR = "poor", _("不合格")


class IndicatorKind(models.TextChoices):
    QUANTITATIVE = "quant", _("定量（由履职记录计算）")
    QUALITATIVE = "qual", _("定性（评议人打分）")
    VETO = "veto", _("一票否决")


class CycleKind(models.TextChoices):
    QUARTER = "quarter", _("季度小结")
    HALF = "half", _("半年抽查")
    YEAR = "year", _("年终考核")


class CycleState(models.TextChoices):
    SCORING = "scoring", _("评分中")
    CLOSED = "closed", _("已定档")
    REPORTED = "reported", _("已报上级")


class Outcome(models.TextChoices):
    NONE = "", _("未定")
    COMMEND = "commend", _("表彰")
    CRITICIZE = "criticize", _("批评")
    RECTIFY = "rectify", _("限期整改")


# --- self-declared acts (自行申报) ----------


class ConductState(models.TextChoices):
    """不合格党员处置: opened from the ledger, talked with and given a deadline, closed."""

    OPENED = "opened", _("已立案")
    RECTIFYING = "rectifying", _("限期整改中")
    RECTIFIED = "rectified", _("整改合格")
    DISPOSED = "disposed", _("组织处置")


class SelfDeclarationState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未认定")


class AwardOpinionState(models.TextChoices):
    """评优评先征求社区意见: asked, then the community agrees or does not."""

    ASKED = "asked", _("待社区反馈")
    AGREED = "agreed", _("社区同意推荐")
    DISAGREED = "disagreed", _("社区不同意推荐")
