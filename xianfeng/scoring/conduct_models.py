"""不合格党员处置: a procedure case opened from the duty ledger when a party-member landlord's
rental is found in violation (``landlord.violation``, written by safety); the steps are in
``scoring/conduct_workflows.py``. Imported by ``scoring/models.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.roles import GRID_WRITERS, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.scoring.choices import ConductState
from xianfeng.scoring.conduct_workflows import ConductCaseFlow


class ConductCase(ConductCaseFlow, models.Model):
    """One case per ledger record that started it (a unique record: reading the ledger again
    never opens a second case); seen by the member's branch and those above it."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": NOBODY, "change": GRID_WRITERS, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("党员所在支部"),
        editable=False,
    )
    record = models.OneToOneField(
        "core.DutyRecord",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("引发的履职记录"),
    )
    reason = models.TextField(_("违规情况"))
    location = models.CharField(_("地点"), max_length=255, blank=True)
    state = FSMField(
        _("状态"), max_length=12, choices=ConductState.choices, default=ConductState.OPENED
    )
    opened_at = models.DateTimeField(_("立案时间"), auto_now_add=True)
    talk_note = models.TextField(_("谈话记录"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    talked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("谈话人"),
    )
    talked_at = models.DateTimeField(_("谈话时间"), null=True, blank=True)
    outcome = models.TextField(_("结案情况"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结案人"),
    )
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("不合格党员处置")
        verbose_name_plural = _("不合格党员处置")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:conduct_detail", args=[self.pk])
