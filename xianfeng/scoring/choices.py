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
