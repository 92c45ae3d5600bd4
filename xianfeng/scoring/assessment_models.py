"""Models of the assessment (考核): indicator sets per organization kind, set by the district or
a street (a street's set may start as a copy of the district's), weighted and two-level
(一级指标 → 二级指标), quantitative (filled from the duty ledger), qualitative (scored by
reviewers, the 述职评议 among them) and veto items (一票否决); cycles of a quarter (季度小结), a
half year (半年抽查, on a sample) and a year (年终考核); one assessment per organization and
cycle with its items, reviewers' scores, the secretary's report, total, veto, rank, stars and
outcome (表彰 / 批评 / 限期整改). Imported by ``scoring/models.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.roles import ADMINS, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.orgs.choices import OrgKind
from xianfeng.scoring.choices import CycleKind, CycleState, IndicatorKind, Outcome
from xianfeng.scoring.evaluation_workflows import CycleFlow

SCORE = {"max_digits": 6, "decimal_places": 2}


class IndicatorSet(models.Model):
    """考核指标体系: what an organization assesses the organizations of one kind under it by."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("制定单位"),
    )
    target_kind = models.CharField(_("考核对象类型"), max_length=20, choices=OrgKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    base = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("沿用的上级指标体系"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("制定人"),
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标体系")
        verbose_name_plural = _("考核指标体系")
        ordering = ["-year", "organization_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "target_kind", "year", "title"],
                name="indicatorset_once",
                violation_error_message=_("本单位本年度已有同名的指标体系。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scoring:indicator_set", args=[self.pk])


class Indicator(models.Model):
    """One indicator: a first-level one groups second-level ones; the weight is its share
    within its level (the weights of siblings are normalized, so 30/30/40 and 3/3/4 agree)."""

    scope_lookups = ("indicator_set__organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    indicator_set = models.ForeignKey(
        IndicatorSet,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("指标体系"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级指标"),
    )
    name = models.CharField(_("指标名称"), max_length=120)
    kind = models.CharField(_("指标类型"), max_length=6, choices=IndicatorKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=0)
    metric = models.CharField(_("计算口径"), max_length=40, blank=True)
    target = models.DecimalField(
        _("满分目标值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["indicator_set_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="indicator_weight_not_negative",
                violation_error_message=_("权重不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gt=0),
                name="indicator_target_positive",
                violation_error_message=_("满分目标值必须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentCycle(CycleFlow, models.Model):
    """考核周期: one indicator set applied to the organizations of its kind under the assessing
    organization over a quarter, a half year (a sample: 半年抽查) or a year."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("指标体系")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("考核单位"),
    )
    kind = models.CharField(_("考核类型"), max_length=8, choices=CycleKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    sample_size = models.PositiveIntegerField(_("抽查数量"), null=True, blank=True)
    state = FSMField(
        _("状态"), max_length=10, choices=CycleState.choices, default=CycleState.SCORING
    )
    reported_to = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送单位"),
    )
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    report_note = models.TextField(_("报送说明"), blank=True)
    closed_at = models.DateTimeField(_("定档时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        ordering = ["-end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="assessmentcycle_dates_in_order",
                violation_error_message=_("截止日期不能早于起始日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scoring:cycle_detail", args=[self.pk])


class Assessment(models.Model):
    """One organization in one cycle: its total (0–100), veto, rank, stars and outcome. The
    assessed organization sees it (and writes its 述职 report); the assessors score it."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": NOBODY, "change": ADMINS, "delete": NOBODY}

    cycle = models.ForeignKey(
        AssessmentCycle,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("考核周期"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被考核组织"),
    )
    report_text = models.TextField(_("述职报告"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("述职人"),
    )
    reported_at = models.DateTimeField(_("述职时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), null=True, blank=True, **SCORE)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    veto_reason = models.CharField(_("否决理由"), max_length=300, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    outcome = models.CharField(
        _("考核结果运用"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    outcome_note = models.TextField(_("结果说明"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结果登记人"),
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["cycle_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization"], name="assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:assessment_detail", args=[self.pk])


class AssessmentItem(models.Model):
    """The value and score (0–100) of one indicator for one assessment: a quantitative one
    computed from the ledger (``value``), a qualitative one the mean of the reviewers."""

    scope_lookups = ("assessment__organization",)
    scope_write_roles = NOBODY

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="items", verbose_name=_("考核")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标")
    )
    value = models.DecimalField(_("计算值"), max_digits=14, decimal_places=2, null=True)
    score = models.DecimalField(_("得分"), null=True, **SCORE)
    vetoed = models.BooleanField(_("触发否决"), default=False)
    explanation = models.CharField(_("计算说明"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标得分")
        verbose_name_plural = _("考核指标得分")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="assessmentitem_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.indicator_id}"


class ReviewerScore(models.Model):
    """One reviewer's score (0–100) of one qualitative indicator of one assessment."""

    scope_lookups = ("assessment__organization",)
    scope_write_roles = NOBODY

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("考核")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评议人"),
    )
    score = models.DecimalField(_("评分"), **SCORE)
    note = models.CharField(_("评语"), max_length=300, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评议人评分")
        verbose_name_plural = _("评议人评分")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator", "reviewer"], name="reviewerscore_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="reviewerscore_0_to_100",
                violation_error_message=_("评分应在0到100之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.indicator_id}:{self.score}"
