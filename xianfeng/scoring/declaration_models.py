"""Self-declared acts (自行申报): the district names the kinds of act a member may declare
(``SelfDeclarationKind``, each with a weight the point rule of ``self_declared.approve`` multiplies
by); a member declares one with a photo (``SelfDeclaration``), and it goes to review
(``scoring/declaration_workflows.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.roles import FIELD_ROLES, GRID_WRITERS, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.scoring.choices import SelfDeclarationState
from xianfeng.scoring.declaration_workflows import SelfDeclarationFlow


class SelfDeclarationKind(models.Model):
    """自行申报事项: district configuration (like the point rules), read by every member; a
    kind is retired (``active``), never deleted, so past declarations keep their kind."""

    name = models.CharField(_("事项名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("分值系数"),
        max_digits=5,
        decimal_places=2,
        default=1,
        help_text=_("“认定自行申报的履职事项”的积分规则按此系数折算（乘数来源字段填 weight）。"),
    )
    active = models.BooleanField(_("可申报"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("设置人"),
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自行申报事项")
        verbose_name_plural = _("自行申报事项")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="selfdeclaredkind_weight_positive",
                violation_error_message=_("分值系数必须大于0。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SelfDeclaration(SelfDeclarationFlow, models.Model):
    """自行申报: a member's act with a photo, in their branch, reviewed by someone else."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": GRID_WRITERS, "delete": NOBODY}

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
    kind = models.ForeignKey(
        SelfDeclarationKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("申报事项")
    )
    # Copied from the kind when declared: a later change of the kind's weight does not change
    # what an earlier act is worth (the rule's multiplier reads this field).
    weight = models.DecimalField(_("分值系数"), max_digits=5, decimal_places=2, default=1)
    description = models.TextField(_("事项说明"))
    done_on = models.DateField(_("履职日期"))
    photo = models.FileField(_("现场照片"), upload_to="scoring/declarations/%Y/%m/")
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=SelfDeclarationState.choices,
        default=SelfDeclarationState.PENDING,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申报人"),
    )
    submitted_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自行申报")
        verbose_name_plural = _("自行申报")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["organization", "state"], name="selfdeclared_org_state")]

    def __str__(self) -> str:
        return f"{self.member} {self.kind} {self.done_on}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:self_declared_detail", args=[self.pk])
