"""The organization tree (a materialized path) and pairings between organizations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.choices import RoleKind
from xianfeng.core.roles import ADMINS
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.validators import validate_geojson_geometry, validate_phone
from xianfeng.orgs.choices import OrgCategory, OrgKind, PairingKind, UnitSituation

PATH_STEP = 8  # digits per level: ids up to 99,999,999


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_STEP}d}."


class OrganizationQuerySet(ScopedQuerySet):
    def subtree(self, org: Organization) -> OrganizationQuerySet:
        return self.filter(path__startswith=org.path)


class Organization(models.Model):
    scope_lookups = ("",)

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级组织"),
    )
    path = models.CharField(_("树路径"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    kind = models.CharField(_("组织类型"), max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("组织全称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    code = models.CharField(
        _("组织代码"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("组织代码已被其他组织使用。")},
    )
    category = models.CharField(
        _("组织类别"), max_length=24, choices=OrgCategory.choices, default=OrgCategory.BRANCH
    )
    unit_situation = models.CharField(
        _("党组织所在单位情况"),
        max_length=32,
        choices=UnitSituation.choices,
        default=UnitSituation.URBAN_COMMUNITY,
    )
    unit_name = models.CharField(_("所在单位名称"), max_length=120, blank=True)
    secretary = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("书记"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    boundary = models.JSONField(
        _("边界（GeoJSON）"), null=True, blank=True, validators=[validate_geojson_geometry]
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_descendant_of(self, other: Organization) -> bool:
        return self.path.startswith(other.path)

    def community(self) -> Organization | None:
        """The community this organization lies in (itself if it is one)."""
        if self.kind == OrgKind.COMMUNITY:
            return self
        ids = [int(seg) for seg in self.path.split(".") if seg]
        return Organization.objects.filter(pk__in=ids, kind=OrgKind.COMMUNITY).first()

    def ancestors(self) -> models.QuerySet[Organization]:
        ids = [int(seg) for seg in self.path.split(".") if seg]
        return Organization.objects.filter(pk__in=ids[:-1]).order_by("depth")


class Pairing(models.Model):
    """Two organizations paired (结对共建, 部门包居, 十个一) with two-way commitments."""

    scope_lookups = ("org_a", "org_b")

    kind = models.CharField(_("结对类型"), max_length=32, choices=PairingKind.choices)
    org_a = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pairings_as_a",
        verbose_name=_("甲方组织"),
    )
    org_b = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pairings_as_b",
        verbose_name=_("乙方组织"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    commitments_a = models.TextField(_("甲方承诺"), blank=True)
    commitments_b = models.TextField(_("乙方承诺"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(org_a=models.F("org_b")), name="pairing_two_different_orgs"
            ),
            # One pairing of a kind per pair of organizations, whichever side each is on.
            models.UniqueConstraint(
                "kind",
                Least("org_a", "org_b"),
                Greatest("org_a", "org_b"),
                name="pairing_unique_kind_pair",
                violation_error_code="unique",
                violation_error_message=_("这两个组织之间已存在同一类型的结对。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_a} ⇄ {self.org_b}（{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("orgs:pairing_detail", args=[self.pk])

    def clean(self) -> None:
        if self.org_a_id and self.org_a_id == self.org_b_id:
            raise ValidationError(_("结对的两方不能是同一个组织。"))
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


class PairingDelivery(models.Model):
    """承诺履行: one side of a pairing did something it promised (a lecture, a donation, a
    clean-up, volunteers on a weekend), recorded by that side; both sides read the record."""

    scope_lookups = ("pairing__org_a", "pairing__org_b")
    # Each side records its own deliveries (the service checks which side is the actor's).
    scope_write_roles = {"add": ADMINS | {RoleKind.UNIT_LIAISON}}

    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("结对共建")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pairing_deliveries",
        verbose_name=_("履行方"),
    )
    done_on = models.DateField(_("履行日期"))
    content = models.CharField(_("履行内容"), max_length=500)
    recorded_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺履行")
        verbose_name_plural = _("承诺履行")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["pairing", "organization", "-done_on"])]
        constraints = [
            # The same thing recorded twice (a double tap, a retry) is one delivery.
            models.UniqueConstraint(
                fields=["pairing", "organization", "done_on", "content"],
                name="pairing_delivery_once",
                violation_error_code="unique",
                violation_error_message=_("这一天的这项履行已登记过。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.done_on:%Y-%m-%d} {self.content}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:pairing_detail", args=[self.pairing_id])
