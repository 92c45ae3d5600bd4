"""Visits (走访登记), their photos, and who answers for which household (负责到户).

The tables keep their names from the days these models lived in ``xianfeng.work``
(``work_visit`` and so on): the move to this app changed Django's state only, not the data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.labels import labels
from xianfeng.core.roles import FIELD_ROLES, GRID_WRITERS
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.visits.choices import HouseholdUpdate, VisitPurpose
from xianfeng.visits.workflows import VisitFlow


class Visit(VisitFlow, models.Model):
    """走访登记: a member's visit to a household (or a building), from a phone.

    A visit by a member from outside the household's organization (an agency's 安全结对检查,
    a mobile member's pairing with fellow townsmen, an in-service member) is also reported to
    the member's own organization (``reported_to``), which sees it in its scope."""

    scope_lookups = ("organization", "reported_to")
    scope_write_roles = {"add": FIELD_ROLES, "change": frozenset(), "delete": frozenset()}

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("走访党员"),
    )
    # Null for records brought in from elsewhere (paper registers, the demo).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    household = models.ForeignKey(
        "places.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("住户"),
    )
    building = models.ForeignKey(
        "places.Building",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("楼栋"),
    )
    # The household's (else the building's) organization at the time of the visit: scope and
    # coverage read it without a join.
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("所属组织"),
        editable=False,
    )
    reported_to = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告组织"),
        editable=False,
    )
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("关联任务"),
    )
    visited_at = models.DateTimeField(_("走访时间"))
    purposes = models.JSONField(_("走访事项"), default=list)
    findings = models.TextField(_("发现情况"), blank=True)
    suggestions = models.TextField(_("意见建议"), blank=True)
    raises_hazard = models.BooleanField(_("发现安全隐患，需立案"), default=False)
    raises_request = models.BooleanField(_("群众有诉求，需办理"), default=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    outside_reason = models.CharField(_("责任范围外走访的理由"), max_length=200, blank=True)
    client_key = models.CharField(_("提交标识"), max_length=64, blank=True)
    # A household that moved (or was removed) between the member opening the form, offline,
    # and the visit arriving: the visit is kept at the building where the household was,
    # with the household as it was named then, for the community to update the household.
    moved_household = models.CharField(_("已迁走的住户（待社区更新）"), max_length=120, blank=True)
    # The community's answer to a moved household (workflow step ``close_household_update``).
    household_update = FSMField(
        _("住户信息更新"),
        max_length=10,
        choices=HouseholdUpdate.choices,
        default=HouseholdUpdate.NONE,
    )
    household_update_note = models.CharField(_("住户信息处理说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    # Records who closed a moved household's flag, and when (the workflow saves with history).
    history = HistoricalRecords(table_name="work_historicalvisit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "work_visit"
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        indexes = [
            # not-visited-in-N-days: one probe per household
            models.Index(fields=["household", "visited_at"], name="visit_household_time"),
            # The lists' order: newest first, walked until a page of rows in scope is found
            # (without it the district's list sorted every visit it could see: 100 ms).
            models.Index(fields=["-visited_at", "-id"], name="visit_recent"),
            # coverage of an organization subtree over a period (index-only)
            models.Index(
                fields=["organization", "visited_at", "household"], name="visit_org_time_hh"
            ),
            models.Index(fields=["member", "visited_at"], name="visit_member_time"),
            # The community's list of moved households (few rows among many visits).
            models.Index(
                fields=["organization", "-visited_at"],
                condition=Q(household_update="pending"),
                name="visit_household_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "client_key"],
                condition=~Q(client_key=""),
                name="visit_once_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.visited_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("work:visit_detail", args=[self.pk])

    def purpose_labels(self) -> list[str]:
        names = labels(VisitPurpose)
        return [names.get(p, p) for p in self.purposes]


class Photo(models.Model):
    """A photo of a visit or of a task's evidence (``xianfeng.work`` stores those through
    the hook this app registers); checked to be a real image."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": frozenset(), "delete": frozenset()}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("走访"),
    )
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("任务"),
    )
    image = models.FileField(_("照片"), upload_to="work/%Y/%m/")
    content_type = models.CharField(_("类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "work_photo"
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class HouseholdResponsibility(models.Model):
    """A household assigned by hand to a member (社区党员干部负责到户); zones give the rest."""

    scope_lookups = ("household__organization",)
    scope_write_roles = GRID_WRITERS

    household = models.ForeignKey(
        "places.Household",
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("住户"),
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="household_responsibilities",
        verbose_name=_("负责党员"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指派人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    history = HistoricalRecords(table_name="work_historicalhouseholdresponsibility")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "work_householdresponsibility"
        verbose_name = _("住户责任人")
        verbose_name_plural = _("住户责任人")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "member"], name="household_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.member_id}"
