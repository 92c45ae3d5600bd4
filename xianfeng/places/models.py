"""Grids, buildings, households and party members' responsibility zones (党员责任区)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.natural import NaturalSortField
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.validators import normalize_text, validate_geojson_geometry
from xianfeng.places.choices import BuildingKind, CareTagCode, SafetyColour, ZoneKind


class CareTag(models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True, choices=CareTagCode.choices)
    name = models.CharField(_("名称"), max_length=20)

    class Meta:
        verbose_name = _("关爱标签")
        verbose_name_plural = _("关爱标签")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    scope_lookups = ("organization",)

    code = models.CharField(
        _("网格编码"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("网格编码已存在。")},
    )
    name = models.CharField(_("网格名称"), max_length=80)
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="community_grids",
        verbose_name=_("所属社区"),
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branch_grids",
        verbose_name=_("网格党支部"),
    )
    # The most specific owner (the grid branch, else the community); drives scope.
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("责任组织"),
        editable=False,
    )
    boundary = models.JSONField(
        _("边界（GeoJSON）"), null=True, blank=True, validators=[validate_geojson_geometry]
    )
    workers = models.ManyToManyField(
        "people.Person", blank=True, related_name="grids_worked", verbose_name=_("网格员")
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[workers])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    @property
    def boundary_kind_label(self) -> str:
        kinds = {"Polygon": _("一个区域"), "MultiPolygon": _("多个区域")}
        kind = (self.boundary or {}).get("type", "")
        return str(kinds.get(kind, kind))

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:grid_detail", args=[self.pk])

    def clean(self) -> None:
        from xianfeng.orgs.choices import OrgKind

        if self.community_id and self.community.kind != OrgKind.COMMUNITY:
            raise ValidationError({"community": _("网格只能属于社区党组织。")})
        if self.branch_id and not self.branch.is_descendant_of(self.community):
            raise ValidationError({"branch": _("网格党支部必须在所属社区之下。")})

    def save(self, *args, **kwargs) -> None:
        self.organization_id = self.branch_id or self.community_id
        super().save(*args, **kwargs)


class Building(models.Model):
    scope_lookups = ("organization",)

    code = models.CharField(
        _("楼栋编码"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("楼栋编码已存在。")},
    )
    name = models.CharField(_("楼栋名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    address_normalized = models.CharField(
        _("规范化地址"), max_length=200, db_index=True, editable=False
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("所属网格")
    )
    building_group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_buildings",
        verbose_name=_("楼栋党小组"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("责任组织"),
        editable=False,
    )
    kind = models.CharField(
        _("楼栋类型"), max_length=20, choices=BuildingKind.choices, default=BuildingKind.RESIDENTIAL
    )
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    landlord = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings_owned",
        verbose_name=_("业主/房东"),
    )
    owner_name = models.CharField(_("产权单位/业主名称"), max_length=120, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    safety_colour = models.CharField(
        _("安全等级"),
        max_length=10,
        choices=SafetyColour.choices,
        default=SafetyColour.UNRATED,
        db_index=True,
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["code"]
        indexes = [models.Index(fields=["organization", "kind"], name="building_org_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:building_detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.building_group_id
            and self.grid_id
            and not self.building_group.is_descendant_of(self.grid.organization)
        ):
            raise ValidationError({"building_group": _("楼栋党小组必须在该网格的党组织之下。")})

    def save(self, *args, **kwargs) -> None:
        self.address_normalized = normalize_address(self.address)
        self.organization_id = self.building_group_id or self.grid.organization_id
        super().save(*args, **kwargs)


def household_label(building: str, unit: str, room: str) -> str:
    """A household as people name it: 幸福里3栋2单元301 (the building's name, unit, room)."""
    unit_text = _("%(unit)s单元") % {"unit": unit} if unit else ""
    return f"{building}{unit_text}{room}"


def normalize_address(address: str) -> str:
    return normalize_text(address).replace(" ", "").replace("号楼", "栋").lower()


class Household(models.Model):
    scope_lookups = ("organization",)

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("所在楼栋")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("责任组织"),
        editable=False,
    )
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20)
    sort_key = NaturalSortField(_("排序键"), sources=("unit", "room"), db_index=True)
    is_rental = models.BooleanField(_("出租户"), default=False)
    care_tags = models.ManyToManyField(
        CareTag, blank=True, related_name="households", verbose_name=_("关爱标签")
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[care_tags])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["building_id", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"],
                name="household_unique_room",
                violation_error_message=_("该楼栋的这个单元和房号已登记过住户。"),
            )
        ]

    def __str__(self) -> str:
        return household_label(self.building.name, self.unit, self.room)

    def get_absolute_url(self) -> str:
        return reverse("places:household_detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        self.organization_id = self.building.organization_id
        super().save(*args, **kwargs)


class ResponsibilityZone(models.Model):
    """党员责任区: members answering for a scope, with duties and a public board (公示牌)."""

    scope_lookups = ("organization",)

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="zones",
        verbose_name=_("所属党组织"),
    )
    name = models.CharField(_("责任区名称"), max_length=100)
    name_sort = NaturalSortField(_("排序键"), sources=("name",))
    kind = models.CharField(
        _("责任区类型"), max_length=16, choices=ZoneKind.choices, default=ZoneKind.COMMUNITY
    )
    members = models.ManyToManyField(
        "people.PartyMember", related_name="zones", verbose_name=_("责任党员")
    )
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="zones", verbose_name=_("包含楼栋")
    )
    households = models.ManyToManyField(
        Household, blank=True, related_name="zones", verbose_name=_("包含住户")
    )
    unit_scope = models.CharField(
        _("年级组/科室/病区"),
        max_length=120,
        blank=True,
        help_text=_("学校按年级组、医院按科室或病区划分时填写"),
    )
    duties = models.JSONField(_("职责任务"), default=list, blank=True)
    board_title = models.CharField(_("公示牌标题"), max_length=100, blank=True)
    board_contact_phone = models.CharField(_("公示联系电话"), max_length=20, blank=True)
    board_show_members = models.BooleanField(_("公示牌显示党员姓名"), default=True)
    public_code = models.UUIDField(_("公示码"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[members, buildings])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员责任区")
        verbose_name_plural = _("党员责任区")
        ordering = ["organization_id", "name_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="zone_unique_name_in_org",
                violation_error_code="unique",
                violation_error_message=_("该党组织下已存在同名的责任区。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:zone_detail", args=[self.pk])

    def clean(self) -> None:
        if self.kind in (ZoneKind.SCHOOL, ZoneKind.HOSPITAL) and not self.unit_scope:
            raise ValidationError(
                {"unit_scope": _("学校责任区请填写年级组，医院责任区请填写科室或病区。")}
            )
