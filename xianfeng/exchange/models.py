"""Import runs, export records, person merges and landlords' self-declarations (房东自主申报)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.crypto import BlindIndexField, EncryptedCharField, EncryptedJSONField
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.exchange.workflows import DeclarationFlow, ImportRunFlow


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("组织")
    MEMBERS = "members", _("党员")
    GRIDS = "grids", _("网格")
    BUILDINGS = "buildings", _("楼栋")
    HOUSEHOLDS = "households", _("住户及成员")


class ImportRun(ImportRunFlow, models.Model):
    """One uploaded file: its preview (a dry run) and, once applied, what it changed."""

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("预检中")
        PREVIEWED = "previewed", _("待确认导入")
        APPLYING = "applying", _("导入中")
        APPLIED = "applied", _("已导入")
        REFUSED = "refused", _("文件被拒绝")
        FAILED = "failed", _("导入失败，数据未改变")

    scope_lookups = ("organization",)
    scope_write_roles = GRID_WRITERS

    kind = models.CharField(_("数据类型"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("文件名"), max_length=200)
    stored_path = models.CharField(_("存放路径"), max_length=400, editable=False)
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人所在组织"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_runs",
        verbose_name=_("导入人"),
    )
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.PREVIEWING)
    valid_only = models.BooleanField(_("只导入有效行"), default=False)
    total = models.PositiveIntegerField(_("数据行数"), default=0)
    created = models.PositiveIntegerField(_("新建"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    warnings = models.JSONField(_("提醒（疑似重复等）"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    preview_job = models.ForeignKey(
        "core.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    apply_job = models.ForeignKey(
        "core.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:import_detail", args=[self.pk])

    @property
    def job(self):
        return self.apply_job if self.status == self.Status.APPLYING else self.preview_job

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.PREVIEWING, self.Status.APPLYING)


class ExportRecord(models.Model):
    """Every export: who, what, with which filters, how many rows, whether unmasked."""

    scope_lookups = ("organization",)
    scope_write_roles = frozenset()

    kind = models.CharField(_("导出内容"), max_length=20)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    revealed = models.BooleanField(_("含完整身份证号和手机号"), default=False)
    # Asked before a full export (等保: why personal data left the system), shown to auditors.
    reason = models.CharField(_("导出用途"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导出人所在组织"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="exports",
        verbose_name=_("导出人"),
    )
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    job = models.ForeignKey(
        "core.JobRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("后台任务"),
        help_text=_("大批量导出在后台生成文件；小批量导出即时下载，没有后台任务。"),
    )
    stored_path = models.CharField(_("文件存放路径"), max_length=400, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} × {self.rows}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:export_detail", args=[self.pk])

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.status in ("queued", "running")

    @property
    def ready(self) -> bool:
        return self.job is not None and self.job.status == "done" and bool(self.stored_path)


class PersonMerge(models.Model):
    """Two records of one person merged: which was kept, what the other one held."""

    scope_lookups = ("kept__organization",)
    scope_write_roles = GRID_WRITERS

    kept = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="merges", verbose_name=_("保留")
    )
    merged_id = models.PositiveBigIntegerField(_("被合并人员编号"))
    merged_snapshot = models.JSONField(_("被合并人员的原始信息"), default=dict)
    repointed = models.JSONField(_("改指向的记录"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("操作人")
    )
    merged_at = models.DateTimeField(_("合并时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员合并记录")
        verbose_name_plural = _("人员合并记录")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"


class LandlordDeclaration(DeclarationFlow, models.Model):
    """A landlord's own declaration of rooms and tenants (房东自主申报), from the building's QR
    code. Nothing in the registry changes until a grid worker accepts it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("已退回")

    scope_lookups = ("building__organization",)
    scope_write_roles = GRID_WRITERS

    building = models.ForeignKey(
        "places.Building",
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("楼栋"),
    )
    landlord_name = models.CharField(_("房东姓名"), max_length=50)
    # Encrypted at rest: the landlord's phone, and the rooms with the tenants' ID numbers.
    landlord_mobile = EncryptedCharField(_("房东手机号"), max_length=11)
    landlord_mobile_index = BlindIndexField(
        _("房东手机号索引"), source="landlord_mobile", kind="phone", blank=True, default=""
    )
    rooms = EncryptedJSONField(
        _("房间与租户"),
        default=list,
        help_text=_("[{unit, room, tenants: [{name, id_number, mobile}]}]"),
    )
    status = FSMField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("房东自主申报")
        verbose_name_plural = _("房东自主申报")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.building} · {self.landlord_name}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:declaration_detail", args=[self.pk])

    @property
    def tenant_count(self) -> int:
        return sum(len(r.get("tenants") or []) for r in self.rooms or [])
