"""评优评先征求社区意见 (seed 002): before a resident unit's party organization or one of its
in-service members is put up for an award, the community where they serve gives its opinion.
The steps are in ``scoring/award_workflows.py``. Imported by ``scoring/models.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.roles import ADMINS, NOBODY, UNIT_WRITERS
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.scoring.award_workflows import AwardOpinionFlow
from xianfeng.scoring.choices import AwardOpinionState


class AwardOpinion(AwardOpinionFlow, models.Model):
    """One consultation: the unit (``organization``) asks the community (``community``) about
    an award for the unit itself (no ``member``) or one of its members; seen by both sides
    and those above them."""

    scope_lookups = ("organization", "community")
    scope_write_roles = {
        "add": UNIT_WRITERS,
        "change": ADMINS,
        "delete": NOBODY,
    }

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("驻区单位"),
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("推荐的在职党员"),
        help_text=_("为单位党组织评优时不填。"),
    )
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("征求意见的社区"),
    )
    award = models.CharField(_("评选项目"), max_length=60)
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.TextField(_("推荐理由"), blank=True)
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=AwardOpinionState.choices,
        default=AwardOpinionState.ASKED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    answer = models.TextField(_("社区意见"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评优评先征求社区意见")
        verbose_name_plural = _("评优评先征求社区意见")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["community", "state"], name="awardopinion_comm_state")]

    def __str__(self) -> str:
        who = self.member.person.name if self.member_id else self.organization.name
        return f"{who} {self.year}{self.award}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:award_opinion_detail", args=[self.pk])
