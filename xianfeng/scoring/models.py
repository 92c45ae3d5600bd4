"""Scoring from the duty ledger.

* ``PointRule`` (积分规则): per ledger kind, set by the district, in versions with effective
  dates; a new version never rewrites points already earned.
* ``PointEntry`` (积分明细): append-only; each names the duty record and the rule version that
  earned it (one award per record and rule); a correction is a reversing entry.
* ``ScoringMark``: how far the ledger has been scored (the high-water mark).
* ``Recomputation`` (重算记录): a recorded recomputation of a period under today's rules.
* ``Adjustment`` (人工调整) and ``Appeal`` (申诉): workflows (``scoring/workflows.py``).
* ``PublicBoard``: an organization's choice to show its leaderboard on a public page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.models import AppendOnlyError
from xianfeng.core.roles import ADMINS, FIELD_ROLES, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.scoring.choices import AdjustmentState, AppealState, CapPeriod, EntryKind
from xianfeng.scoring.workflows import AdjustmentFlow, AppealFlow

POINTS = {"max_digits": 9, "decimal_places": 2}


class PointRule(models.Model):
    """积分规则: the points one act of a ledger kind earns (negative: a deduction), its caps,
    whether only verified acts count, once per target per day, and a multiplier read from the
    recorded object (``multiplier_field``, e.g. an order's ``rating`` ÷ 5)."""

    kind = models.CharField(_("履职事项"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    points = models.DecimalField(_("分值"), **POINTS)
    daily_cap = models.DecimalField(_("每日上限"), null=True, blank=True, **POINTS)
    period_cap = models.DecimalField(_("周期上限"), null=True, blank=True, **POINTS)
    cap_period = models.CharField(
        _("上限周期"), max_length=10, choices=CapPeriod.choices, default=CapPeriod.MONTH
    )
    verified_only = models.BooleanField(_("仅计已核实"), default=False)
    once_per_target_per_day = models.BooleanField(_("同一对象每日只计一次"), default=False)
    multiplier_field = models.CharField(_("乘数来源字段"), max_length=40, blank=True)
    multiplier_base = models.DecimalField(_("乘数基数"), max_digits=6, decimal_places=2, default=1)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="pointrule_kind_version"),
            models.CheckConstraint(
                condition=Q(daily_cap__isnull=True) | Q(daily_cap__gte=0),
                name="pointrule_daily_cap_not_negative",
                violation_error_message=_("每日上限不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(period_cap__isnull=True) | Q(period_cap__gte=0),
                name="pointrule_period_cap_not_negative",
                violation_error_message=_("周期上限不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="pointrule_dates_in_order",
                violation_error_message=_("失效日期不能早于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:rule_detail", args=[self.pk])


class Recomputation(models.Model):
    """重算记录: who recomputed which days under the rules in force, why, and what changed."""

    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    reason = models.CharField(_("重算原因"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织")
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    records = models.PositiveIntegerField(_("重算履职记录数"), default=0)
    entries = models.PositiveIntegerField(_("写入明细数"), default=0)

    class Meta:
        verbose_name = _("积分重算记录")
        verbose_name_plural = _("积分重算记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class PointEntryQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("积分明细只能追加，不能修改"))

    def delete(self):
        raise AppendOnlyError(_("积分明细只能追加，不能删除"))


class PointEntry(models.Model):
    """积分明细: append-only. An award names its duty record and rule version; a reversal names
    the entry it reverses; an adjustment names its approved request."""

    scope_lookups = ("organization",)
    scope_write_roles = NOBODY

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="point_entries",
        verbose_name=_("党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织")
    )
    entry_kind = models.CharField(_("明细类型"), max_length=12, choices=EntryKind.choices)
    kind = models.CharField(_("履职事项"), max_length=64)
    points = models.DecimalField(_("积分"), **POINTS)
    occurred_on = models.DateField(_("发生日期"))
    record = models.ForeignKey(
        "core.DutyRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="point_entries",
        verbose_name=_("履职记录"),
    )
    rule = models.ForeignKey(
        PointRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("规则版本"),
    )
    target_type_id = models.IntegerField(_("对象类型"), null=True, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的明细"),
    )
    adjustment = models.OneToOneField(
        "scoring.Adjustment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry",
        verbose_name=_("人工调整"),
    )
    recomputation = models.ForeignKey(
        Recomputation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="point_entries",
        verbose_name=_("重算"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("写入时间"), auto_now_add=True)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "rule"],
                condition=Q(entry_kind="award"),
                name="pointentry_one_award_per_record_rule",
                violation_error_message=_("这条履职记录已按该规则计过分。"),
            )
        ]
        indexes = [
            models.Index(
                fields=["member", "kind", "occurred_on"], name="pointentry_member_kind_day"
            ),
            models.Index(fields=["occurred_on", "member"], name="pointentry_day_member"),
            models.Index(fields=["organization", "occurred_on"], name="pointentry_org_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(_("积分明细只能追加，不能修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("积分明细只能追加，不能删除"))


class ScoringMark(models.Model):
    """How far the ledger has been scored: the last duty record id taken (high-water mark)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    last_record_id = models.BigIntegerField(_("已处理至记录编号"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("积分处理进度")
        verbose_name_plural = _("积分处理进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_record_id}"


class Adjustment(AdjustmentFlow, models.Model):
    """人工调整: points added or taken by hand, with a reason, approved by another admin."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    points = models.DecimalField(_("调整分值"), **POINTS)
    occurred_on = models.DateField(_("计入日期"))
    reason = models.TextField(_("调整理由"))
    state = FSMField(
        _("状态"), max_length=12, choices=AdjustmentState.choices, default=AdjustmentState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分人工调整")
        verbose_name_plural = _("积分人工调整")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member} {self.points}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:adjustment_detail", args=[self.pk])


class Appeal(AppealFlow, models.Model):
    """申诉: a member disputes their points (one entry or the period) and gets an answer."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": ADMINS, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    entry = models.ForeignKey(
        PointEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("申诉的积分明细"),
    )
    reason = models.TextField(_("申诉理由"))
    state = FSMField(
        _("状态"), max_length=12, choices=AppealState.choices, default=AppealState.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申诉人"),
    )
    answer_text = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分申诉")
        verbose_name_plural = _("积分申诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:appeal_detail", args=[self.pk])


class PublicBoard(models.Model):
    """An organization's choice to show its members' leaderboard on a public page."""

    scope_lookups = ("organization",)
    scope_write_roles = ADMINS

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织")
    )
    enabled = models.BooleanField(_("公开排行榜"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("设置人"),
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开排行榜设置")
        verbose_name_plural = _("公开排行榜设置")

    def __str__(self) -> str:
        return str(self.organization)


class StarRating(models.Model):
    """星级党员 for a year: one to five stars from the member's annual vanguard index; a
    democratic evaluation (民主评议) changes them only as a recorded review with its reason."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    index = models.PositiveSmallIntegerField(_("年度先锋指数"))
    points = models.DecimalField(_("年度积分"), **POINTS)
    index_stars = models.PositiveSmallIntegerField(_("按指数评定的星级"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    review_note = models.TextField(_("民主评议意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评议记录人"),
    )
    rated_at = models.DateTimeField(_("评定时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("星级党员评定")
        verbose_name_plural = _("星级党员评定")
        ordering = ["-year", "-stars", "-index"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="starrating_member_year"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5),
                name="starrating_stars_1_to_5",
                violation_error_message=_("星级应为1到5星。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.stars}★"

    def get_absolute_url(self) -> str:
        return reverse("scoring:star_detail", args=[self.pk])


class MemberMonthPoints(models.Model):
    """积分月汇总（党员）: a member's points per month, the sum of their entries, kept in the
    same transaction as every write of entries (``scoring.totals.store``). The index and the
    leaderboards read these (one row per member and month) instead of summing the entries."""

    member = models.ForeignKey(
        "people.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    month = models.DateField(_("月份"))
    points = models.DecimalField(_("积分"), max_digits=12, decimal_places=2, default=0)
    entries = models.IntegerField(_("明细条数"), default=0)

    class Meta:
        verbose_name = _("党员积分月汇总")
        verbose_name_plural = _("党员积分月汇总")
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="membermonthpoints_once")
        ]
        indexes = [models.Index(fields=["month", "member"], name="membermonthpoints_month")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.points}"


class OrgMonthPoints(models.Model):
    """积分月汇总（组织）: the points earned in an organization per month and ledger kind (where
    the acts were recorded), kept with the entries like ``MemberMonthPoints``; dashboards read
    these."""

    scope_lookups = ("organization",)
    scope_write_roles = NOBODY

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织")
    )
    month = models.DateField(_("月份"))
    kind = models.CharField(_("履职事项"), max_length=64)
    points = models.DecimalField(_("积分"), max_digits=14, decimal_places=2, default=0)
    entries = models.IntegerField(_("明细条数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织积分月汇总")
        verbose_name_plural = _("组织积分月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "kind"], name="orgmonthpoints_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m} {self.kind} {self.points}"


# The democratic evaluation and the assessment keep their models in their own modules; they are
# imported here so that Django finds them.
from xianfeng.scoring.assessment_models import (  # noqa: E402
    Assessment,
    AssessmentCycle,
    AssessmentItem,
    Indicator,
    IndicatorSet,
    ReviewerScore,
)
from xianfeng.scoring.award_models import AwardOpinion  # noqa: E402
from xianfeng.scoring.conduct_models import ConductCase  # noqa: E402
from xianfeng.scoring.declaration_models import SelfDeclaration, SelfDeclarationKind  # noqa: E402
from xianfeng.scoring.evaluation_models import (  # noqa: E402
    EvaluationBallot,
    EvaluationCode,
    EvaluationMark,
    EvaluationResult,
    EvaluationRound,
)

__all__ = [
    "Adjustment",
    "Appeal",
    "Assessment",
    "AssessmentCycle",
    "AssessmentItem",
    "AwardOpinion",
    "ConductCase",
    "EvaluationBallot",
    "EvaluationCode",
    "EvaluationMark",
    "EvaluationResult",
    "EvaluationRound",
    "Indicator",
    "IndicatorSet",
    "MemberMonthPoints",
    "OrgMonthPoints",
    "PointEntry",
    "PointRule",
    "PublicBoard",
    "Recomputation",
    "ReviewerScore",
    "ScoringMark",
    "SelfDeclaration",
    "SelfDeclarationKind",
    "StarRating",
]
