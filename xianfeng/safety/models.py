"""Safety (安全隐患排查整治): checklist templates per place kind, inspections item by item,
the buildings' 红黄绿 colour with its history and patrol rhythm, and hazards (隐患) with their
rectification workflow (``xianfeng.safety.workflows``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.crypto import BlindIndexField, EncryptedCharField
from xianfeng.core.roles import ADMINS, FIELD_ROLES, GRID_WRITERS, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.places.choices import SafetyColour
from xianfeng.safety import summary
from xianfeng.safety.choices import (
    OPEN_STATES,
    ColourSource,
    FocusState,
    HazardCategory,
    HazardSource,
    HazardState,
    IncidentSeverity,
    InspectionState,
    Outcome,
    PhotoStage,
    PlaceKind,
    ResponsibleParty,
    Severity,
    WorksKind,
    WorksState,
)
from xianfeng.safety.workflows import FocusFlow, HazardFlow, WorksFlow

#: The open states as plain strings, for the partial index (migrations keep it literal).
OPEN_STATE_VALUES = [str(s) for s in OPEN_STATES]


class ChecklistTemplate(models.Model):
    """检查表: one version of the checklist for a place kind. Reference data the district
    keeps (like the care tags): every account reads it; a revision is a new version, and an
    inspection keeps the version it was started on."""

    place_kind = models.CharField(_("场所类型"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    yellow_fails = models.PositiveSmallIntegerField(
        _("黄色：不合格项数达到"),
        default=1,
        help_text=_("不合格项数达到此数（且未达红色）评为黄色。"),
    )
    red_fails = models.PositiveSmallIntegerField(
        _("红色：不合格项数达到"),
        default=3,
        help_text=_("不合格项数达到此数评为红色；一票否决项不合格直接评为红色。"),
    )
    red_days = models.PositiveSmallIntegerField(_("红色巡查周期（天）"), default=7)
    yellow_days = models.PositiveSmallIntegerField(_("黄色巡查周期（天）"), default=14)
    green_days = models.PositiveSmallIntegerField(_("绿色巡查周期（天）"), default=21)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修订人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["place_kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["place_kind", "version"], name="checklist_kind_version_once"
            ),
            models.UniqueConstraint(
                fields=["place_kind"],
                condition=Q(is_current=True),
                name="checklist_one_current_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("safety:template_detail", args=[self.pk])

    def rhythm_days(self, colour: str) -> int:
        """Days between patrols for a colour (an unrated building is due at once)."""
        return {
            SafetyColour.RED: self.red_days,
            SafetyColour.YELLOW: self.yellow_days,
            SafetyColour.GREEN: self.green_days,
        }.get(colour, 0)


class ChecklistItem(models.Model):
    """One line of a checklist: 检查要点, the hazard it reveals when failed, 整治标准."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("检查表")
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("检查项目"), max_length=100)
    guidance = models.TextField(_("检查要点"))
    category = models.CharField(_("隐患类别"), max_length=20, choices=HazardCategory.choices)
    severity = models.CharField(_("隐患等级"), max_length=10, choices=Severity.choices)
    responsible_party = models.CharField(
        _("主体责任"), max_length=20, choices=ResponsibleParty.choices
    )
    standard = models.TextField(_("整治标准"))
    veto = models.BooleanField(
        _("一票否决项"), default=False, help_text=_("不合格时楼栋直接评为红色。")
    )

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["template_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="checklist_item_order_once")
        ]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """安全检查: a member's inspection of one building against one checklist version, item by
    item, from a phone; started from the building, a task or a visit. Submitting it sets the
    building's colour and opens a hazard for every failed item."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": FIELD_ROLES, "delete": NOBODY}

    building = models.ForeignKey(
        "places.Building",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("楼栋"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("检查表版本"),
    )
    inspector = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("检查员"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("关联任务"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("关联走访"),
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=InspectionState.choices, default=InspectionState.DRAFT
    )
    colour_before = models.CharField(
        _("检查前等级"), max_length=10, choices=SafetyColour.choices, blank=True
    )
    colour = models.CharField(
        _("检查结果"), max_length=10, choices=SafetyColour.choices, blank=True
    )
    fails = models.PositiveSmallIntegerField(_("不合格项数"), default=0)
    note = models.TextField(_("检查说明"), blank=True)
    client_key = models.CharField(_("提交标识"), max_length=64, blank=True)
    # When the member started it on the phone (sent with an offline inspection), not arrival.
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["building", "-submitted_at"], name="inspection_building_time"),
            models.Index(fields=["organization", "state"], name="inspection_org_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "client_key"],
                condition=~Q(client_key=""),
                name="inspection_once_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.started_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("safety:inspection_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == InspectionState.DRAFT


def _photo_path(instance: models.Model, filename: str) -> str:
    from django.utils import timezone

    return timezone.now().strftime("safety/%Y/%m/") + filename


class InspectionResult(models.Model):
    """One item's result in an inspection: pass, fail or not applicable, a note, a photo."""

    scope_lookups = ("inspection__organization",)

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("检查")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查项目")
    )
    outcome = models.CharField(_("结果"), max_length=4, choices=Outcome.choices)
    note = models.CharField(_("情况说明"), max_length=200, blank=True)
    photo = models.FileField(_("照片"), upload_to=_photo_path, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection_id", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.get_outcome_display()}"


class BuildingSafety(models.Model):
    """A building's safety record kept by this app: when it was last inspected and when its
    next patrol is due (by its colour's rhythm). No row: never inspected, due now."""

    scope_lookups = ("building__organization",)

    building = models.OneToOneField(
        "places.Building",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="safety",
        verbose_name=_("楼栋"),
    )
    last_inspection = models.ForeignKey(
        Inspection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最近一次检查"),
    )
    last_inspected_at = models.DateTimeField(_("最近检查时间"), null=True, blank=True)
    due_on = models.DateField(_("下次巡查日期"), null=True, blank=True, db_index=True)
    escalated_to = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("巡查逾期升级至"),
    )
    escalated_at = models.DateTimeField(_("巡查逾期升级时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋安全状况")
        verbose_name_plural = _("楼栋安全状况")

    def __str__(self) -> str:
        return str(self.building_id)


class ColourChange(models.Model):
    """红黄绿 history: every change of a building's colour, through an inspection or a
    recorded review (复核) — the only two ways it changes."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": GRID_WRITERS, "change": NOBODY, "delete": NOBODY}

    building = models.ForeignKey(
        "places.Building",
        on_delete=models.CASCADE,
        related_name="colour_changes",
        verbose_name=_("楼栋"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    colour_from = models.CharField(_("原等级"), max_length=10, choices=SafetyColour.choices)
    colour_to = models.CharField(_("新等级"), max_length=10, choices=SafetyColour.choices)
    source = models.CharField(_("依据"), max_length=10, choices=ColourSource.choices)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查"),
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全等级变更")
        verbose_name_plural = _("安全等级变更")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["building", "-changed_at"], name="colour_building_time")]

    def __str__(self) -> str:
        return f"{self.building_id} {self.colour_from}→{self.colour_to}"


class Hazard(HazardFlow, models.Model):
    """隐患: found by an inspection, a visit or a report; fixed by its 主体责任 party by a
    deadline set by its severity, checked by someone other than the one who handed in the
    rectification (整改督查), then closed (销号). A hazard on a party-member landlord's building
    (党员出租户) is also seen by that member's branch (``lead_branch``, 责任领办)."""

    scope_lookups = ("organization", "lead_branch")
    scope_write_roles = {"add": FIELD_ROLES, "change": FIELD_ROLES, "delete": NOBODY}

    building = models.ForeignKey(
        "places.Building", on_delete=models.PROTECT, related_name="hazards", verbose_name=_("楼栋")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    lead_branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任领办支部"),
        help_text=_("楼栋房东是党员（党员出租户）时其所在支部，可查看该隐患。"),
        editable=False,
    )
    title = models.CharField(_("隐患"), max_length=120)
    description = models.TextField(_("隐患描述"), blank=True)
    category = models.CharField(_("隐患类别"), max_length=20, choices=HazardCategory.choices)
    severity = models.CharField(_("隐患等级"), max_length=10, choices=Severity.choices)
    responsible_party = models.CharField(
        _("主体责任"), max_length=20, choices=ResponsibleParty.choices
    )
    responsible_name = models.CharField(_("责任人/单位"), max_length=120, blank=True)
    standard = models.TextField(_("整治标准"), blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=HazardSource.choices)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("检查"),
    )
    item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查项目"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("走访"),
    )
    state = FSMField(
        _("状态"), max_length=12, choices=HazardState.choices, default=HazardState.REPORTED
    )
    deadline = models.DateField(_("整改时限"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告人"),
    )
    reporter_member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告党员"),
    )
    # When the hazard was found (sent by the phone with an offline report), not arrival.
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)
    assignee = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("督促整改党员"),
    )
    rectification = models.TextField(_("整改情况"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("整改提交人"),
    )
    submitted_at = models.DateTimeField(_("整改提交时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    escalated_to = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("逾期升级至"),
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    enforcement_agency = models.CharField(_("移交执法部门"), max_length=100, blank=True)
    referred_at = models.DateTimeField(_("移交执法时间"), null=True, blank=True)
    enforcement_outcome = models.TextField(_("执法检查结果"), blank=True)
    enforced_at = models.DateTimeField(_("执法结果登记时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("合并到"),
    )
    client_key = models.CharField(_("提交标识"), max_length=64, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全隐患")
        verbose_name_plural = _("安全隐患")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "state", "deadline"], name="hazard_org_state"),
            models.Index(fields=["building", "state"], name="hazard_building_state"),
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline"),
            # The open-and-overdue lists read hazards in deadline order: a partial index of the
            # open states lets PostgreSQL walk it in order and stop at a page, instead of
            # sorting every match (a street's overdue list took ~700 ms at 1M hazards).
            models.Index(
                fields=["deadline", "id"],
                condition=Q(state__in=OPEN_STATE_VALUES),
                name="hazard_open_deadline",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "client_key"],
                condition=~Q(client_key=""),
                name="hazard_once_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("safety:hazard_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the summary tables count this row under, as loaded: a save moves it from there.
        instance._tally_keys = summary.keys_of(instance) if _all_loaded(instance) else None
        return instance

    def save(self, *args, **kwargs) -> None:
        """Save, and move the row's counts in the per-day summary tables in the same
        transaction (``xianfeng.safety.summary``), so the figures never read a stale table."""
        with transaction.atomic():
            before = getattr(self, "_tally_keys", None)
            if before is None and not self._state.adding and self.pk:
                # Loaded with deferred fields (or built by hand): read the row as stored.
                before = summary.stored_keys(self.pk)
            super().save(*args, **kwargs)
            after = summary.keys_of(self)
            summary.move(before, after)
            self._tally_keys = after

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            before = getattr(self, "_tally_keys", None) or summary.keys_of(self)
            result = super().delete(*args, **kwargs)
            summary.move(before, None)
        return result


class HazardPhoto(models.Model):
    """Evidence of a hazard: before (as found) and after (as fixed), re-encoded upright."""

    scope_lookups = ("hazard__organization",)

    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="photos", verbose_name=_("隐患")
    )
    stage = models.CharField(_("阶段"), max_length=6, choices=PhotoStage.choices)
    image = models.FileField(_("照片"), upload_to=_photo_path)
    content_type = models.CharField(_("类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class Incident(models.Model):
    """安全事故: what happened, where, how serious, and the organizations responsible. A
    serious one (较大及以上) vetoes the year's assessment of those organizations and those
    above them (``selectors.serious_incident_veto``). Recorded by staff; never edited through
    the pages (a correction is a new record with the reason in its history)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": NOBODY, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("事发地组织"),
    )
    building = models.ForeignKey(
        "places.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("楼栋"),
    )
    title = models.CharField(_("事故名称"), max_length=120)
    description = models.TextField(_("事故经过"), blank=True)
    occurred_on = models.DateField(_("发生日期"), db_index=True)
    severity = models.CharField(_("事故等级"), max_length=10, choices=IncidentSeverity.choices)
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveSmallIntegerField(_("受伤人数"), default=0)
    responsible = models.ManyToManyField(
        "orgs.Organization", related_name="+", verbose_name=_("负有责任的组织")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全事故")
        verbose_name_plural = _("安全事故")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("safety:incident_detail", args=[self.pk])


class SmallWork(WorksFlow, models.Model):
    """零星工程报备 (预动工、先报备): a resident, shop or contractor files small works before
    starting, on a public page with no account; the community accepts or declines, checks the
    site while the works go on, and records them finished. Works found unfiled on patrol become
    a hazard (``services.works_unfiled``)."""

    scope_lookups = ("organization",)
    # Filed by the public through the service; staff take the steps of ``WorksFlow``.
    scope_write_roles = {"add": NOBODY, "change": GRID_WRITERS, "delete": NOBODY}

    community = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    building = models.ForeignKey(
        "places.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="small_works",
        verbose_name=_("楼栋"),
    )
    applicant = models.CharField(_("报备人"), max_length=40)
    phone = EncryptedCharField(_("联系电话"), max_length=20)
    phone_index = BlindIndexField(
        _("联系电话索引"), source="phone", kind="phone", blank=True, default=""
    )
    contractor = models.CharField(_("施工单位/施工人"), max_length=100, blank=True)
    site = models.CharField(_("施工地点"), max_length=200)
    kind = models.CharField(_("工程类别"), max_length=12, choices=WorksKind.choices)
    description = models.TextField(_("施工内容"), blank=True)
    start_on = models.DateField(_("开工日期"))
    end_on = models.DateField(_("完工日期"))
    measures = models.TextField(_("安全措施"))
    state = FSMField(_("状态"), max_length=10, choices=WorksState.choices, default=WorksState.FILED)
    decision_note = models.CharField(_("受理意见"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    decided_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    checks = models.PositiveSmallIntegerField(_("施工期间检查次数"), default=0)
    finished_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("报备时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["phone_index"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("零星工程报备")
        verbose_name_plural = _("零星工程报备")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "state"], name="smallwork_org_state"),
            models.Index(fields=["building", "end_on"], name="smallwork_building_end"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("safety:works_detail", args=[self.pk])


class FocusDay(FocusFlow, models.Model):
    """安全隐患集中整治日 (每周二): a street's leadership schedules the week's day, picks the
    hardest open hazards of the street, then records who went and what was resolved."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道")
    )
    day = models.DateField(_("整治日"))
    theme = models.CharField(_("整治重点"), max_length=120)
    state = FSMField(
        _("状态"), max_length=10, choices=FocusState.choices, default=FocusState.PLANNED
    )
    hazards = models.ManyToManyField(
        Hazard, through="FocusHazard", related_name="focus_days", verbose_name=_("整治的隐患")
    )
    attendees = models.ManyToManyField(
        "people.PartyMember", blank=True, related_name="focus_days", verbose_name=_("参加人员")
    )
    others = models.CharField(_("其他参加人员"), max_length=200, blank=True)
    summary = models.TextField(_("整治情况"), blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("安排人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    held_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[attendees])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全隐患集中整治日")
        verbose_name_plural = _("安全隐患集中整治日")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="focus_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.theme}"

    def get_absolute_url(self) -> str:
        return reverse("safety:focus_detail", args=[self.pk])


class FocusHazard(models.Model):
    """A hazard picked for a focus day, and whether it was resolved there."""

    scope_lookups = ("focus_day__organization",)

    focus_day = models.ForeignKey(
        FocusDay, on_delete=models.CASCADE, related_name="picks", verbose_name=_("整治日")
    )
    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="+", verbose_name=_("隐患")
    )
    resolved = models.BooleanField(_("当天解决"), default=False)
    note = models.CharField(_("处置情况"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整治日隐患")
        verbose_name_plural = _("整治日隐患")
        ordering = ["focus_day_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["focus_day", "hazard"], name="focus_hazard_once")
        ]

    def __str__(self) -> str:
        return f"{self.focus_day_id}:{self.hazard_id}"


def _all_loaded(hazard: Hazard) -> bool:
    """Whether a row loaded from the database has every field the summary keys read (a
    ``.only()`` query leaves some deferred: such a row is then not saved through ``move``)."""
    deferred = hazard.get_deferred_fields()
    return not deferred.intersection(summary.KEY_FIELDS)


class HazardDay(models.Model):
    """Per-day summary of hazards for the figures (district and street scope at a million rows):
    per organization, day, category and current state, how many hazards were reported that
    day (``found``) and how many were closed (销号) that day (``removed``). Kept by
    ``Hazard.save`` in the same transaction; ``manage.py rebuild_safety_summary`` recomputes it."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": NOBODY, "change": NOBODY, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("所属组织")
    )
    day = models.DateField(_("日期"))
    category = models.CharField(_("隐患类别"), max_length=20, choices=HazardCategory.choices)
    state = models.CharField(_("状态"), max_length=12, choices=HazardState.choices)
    found = models.PositiveIntegerField(_("当天发现"), default=0)
    removed = models.PositiveIntegerField(_("当天销号"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患按日汇总")
        verbose_name_plural = _("隐患按日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "category", "state"], name="hazard_day_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="hazard_day_day")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.category} {self.state}"


class HazardDue(models.Model):
    """Summary of the open hazards for the figures: per organization, category, state and
    deadline, how many are open now (``count``); "overdue" is the rows past their deadline in
    the states that can still miss it. Kept with ``HazardDay``."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": NOBODY, "change": NOBODY, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("所属组织")
    )
    category = models.CharField(_("隐患类别"), max_length=20, choices=HazardCategory.choices)
    state = models.CharField(_("状态"), max_length=12, choices=HazardState.choices)
    deadline = models.DateField(_("整改时限"))
    count = models.PositiveIntegerField(_("未销号"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("未销号隐患汇总")
        verbose_name_plural = _("未销号隐患汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category", "state", "deadline"], name="hazard_due_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.category} {self.state} {self.deadline}"
