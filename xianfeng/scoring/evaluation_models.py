"""Models of the democratic evaluation (民主评议党员): a round per organization and year, one
ballot per voter (a member signed in, or a resident with a one-time code or a registered
phone), one grade per evaluated member on a ballot, and each member's counted result, which
feeds the year's star rating (``StarRating``). Imported by ``scoring/models.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.roles import GRID_WRITERS, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.meetings.choices import VoterProof
from xianfeng.scoring.choices import EvaluationState, Grade
from xianfeng.scoring.evaluation_workflows import EvaluationFlow


class EvaluationRound(EvaluationFlow, models.Model):
    """民主评议: one round per organization (a branch, a community) and year. Its members are
    those under the organization when the votes are counted."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": GRID_WRITERS, "change": GRID_WRITERS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("组织单位"),
    )
    year = models.PositiveSmallIntegerField(_("评议年度"))
    title = models.CharField(_("名称"), max_length=120)
    vote_starts = models.DateField(_("投票开始"))
    vote_ends = models.DateField(_("投票截止"))
    proof = models.CharField(
        _("群众投票方式"), max_length=6, choices=VoterProof.choices, default=VoterProof.CODE
    )
    state = FSMField(
        _("状态"), max_length=10, choices=EvaluationState.choices, default=EvaluationState.DRAFT
    )
    cancel_reason = models.TextField(_("取消理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                condition=~Q(state="cancelled"),
                name="evaluation_one_round_per_org_year",
                violation_error_message=_("该组织本年度已有一轮民主评议。"),
            ),
            models.CheckConstraint(
                condition=Q(vote_ends__gte=models.F("vote_starts")),
                name="evaluation_dates_in_order",
                violation_error_message=_("投票截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scoring:evaluation_detail", args=[self.pk])


class EvaluationCode(models.Model):
    """A one-time code handed to a resident: only its keyed digest is kept."""

    scope_lookups = ("round__organization",)
    scope_write_roles = GRID_WRITERS

    round = models.ForeignKey(
        EvaluationRound, on_delete=models.CASCADE, related_name="codes", verbose_name=_("民主评议")
    )
    digest = models.CharField(_("投票码摘要"), max_length=64)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发放人"),
    )
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评议投票码")
        verbose_name_plural = _("评议投票码")
        constraints = [
            models.UniqueConstraint(fields=["round", "digest"], name="evaluation_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.digest[:8]}"


class EvaluationBallot(models.Model):
    """One voter's ballot in a round: whose (a keyed digest of the member, code or phone, never
    in clear), through which channel, when. One per voter and round, by a database constraint."""

    scope_lookups = ("round__organization",)
    scope_write_roles = NOBODY

    round = models.ForeignKey(
        EvaluationRound,
        on_delete=models.PROTECT,
        related_name="ballots",
        verbose_name=_("民主评议"),
    )
    voter = models.CharField(_("投票人摘要"), max_length=64)
    channel = models.CharField(_("投票方式"), max_length=6)
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投票党员"),
    )
    client = models.CharField(_("来源地址摘要"), max_length=24)
    cast_at = models.DateTimeField(_("投票时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评议选票")
        verbose_name_plural = _("评议选票")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "voter"],
                name="evaluation_ballot_once_per_voter",
                violation_error_message=_("您已经投过票了，每人只能投一次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.pk}"


class EvaluationMark(models.Model):
    """The grade one ballot gives one member."""

    scope_lookups = ("ballot__round__organization",)
    scope_write_roles = NOBODY

    ballot = models.ForeignKey(
        EvaluationBallot, on_delete=models.PROTECT, related_name="marks", verbose_name=_("选票")
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被评议党员"),
    )
    grade = models.CharField(_("评议等次"), max_length=10, choices=Grade.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评议等次")
        verbose_name_plural = _("评议等次")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="evaluation_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.grade}"


class EvaluationResult(models.Model):
    """A member's counted result in a round: the votes per grade, the score (优秀 100, 合格 80,
    基本合格 60, 不合格 0, averaged), the stars it gives, and the stars the year's rating got."""

    scope_lookups = ("organization",)
    scope_write_roles = NOBODY

    round = models.ForeignKey(
        EvaluationRound,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("民主评议"),
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
    )
    excellent = models.PositiveIntegerField(_("优秀票"), default=0)
    competent = models.PositiveIntegerField(_("合格票"), default=0)
    basic = models.PositiveIntegerField(_("基本合格票"), default=0)
    poor = models.PositiveIntegerField(_("不合格票"), default=0)
    member_votes = models.PositiveIntegerField(_("党员票"), default=0)
    resident_votes = models.PositiveIntegerField(_("群众票"), default=0)
    score = models.DecimalField(_("评议得分"), max_digits=5, decimal_places=1, null=True)
    evaluation_stars = models.PositiveSmallIntegerField(_("评议星级"), null=True)
    index_stars = models.PositiveSmallIntegerField(_("按指数评定的星级"), null=True)
    stars = models.PositiveSmallIntegerField(_("综合星级"), null=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("民主评议结果")
        verbose_name_plural = _("民主评议结果")
        ordering = ["round_id", "-score", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="evaluation_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.member_id}"

    @property
    def votes(self) -> int:
        return self.excellent + self.competent + self.basic + self.poor
