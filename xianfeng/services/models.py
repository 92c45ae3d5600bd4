"""The three lists (三张清单: services, resources, co-building projects) kept by the
organizations, and residents' orders (群众点单 → 社区下单 → 党员接单 → 办结 → 评价) with their
workflow (``xianfeng.services.workflows``)."""

from __future__ import annotations

import secrets
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.choices import Action
from xianfeng.core.crypto import BlindIndexField, EncryptedCharField
from xianfeng.core.roles import (
    AUDIT_READERS,
    FIELD_ROLES,
    GRID_WRITERS,
    NOBODY,
    ORDER_QUEUE_READERS,
    WRITERS,
)
from xianfeng.core.scope import ScopedQuerySet, active_roles, scope_paths
from xianfeng.core.workflow import FSMField
from xianfeng.services.choices import (
    ComplaintSource,
    ComplaintState,
    ComplaintSubject,
    OrderSource,
    OrderState,
    ProjectStatus,
    ResourceKind,
)
from xianfeng.services.workflows import ComplaintFlow, OrderFlow

#: Letters and digits a resident cannot confuse when typing the code (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_order_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _photo_path(instance: models.Model, filename: str) -> str:
    from django.utils import timezone

    return timezone.now().strftime("services/%Y/%m/") + filename


class Service(models.Model):
    """服务清单: one service an organization offers — by a member if named — when, and in how
    many hours an order of it should be served (时限)."""

    scope_lookups = ("organization",)
    scope_write_roles = GRID_WRITERS

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("提供组织"),
    )
    code = models.SlugField(
        _("服务编码"),
        max_length=40,
        unique=True,
        help_text=_("对外接口（Open311）使用的编码，字母数字和短横线。"),
        error_messages={"unique": _("服务编码已存在。")},
    )
    title = models.CharField(_("服务名称"), max_length=60)
    description = models.TextField(_("服务内容"), max_length=1000, blank=True)
    provider_member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("提供党员"),
    )
    # Opt-in: a member's name is public only when the member agreed (the public pages show
    # the organization otherwise). Off by default, so no name is published unasked.
    provider_name_public = models.BooleanField(
        _("公开显示提供党员的姓名"),
        default=False,
        help_text=_("只在党员本人同意后勾选；不勾选时，公开页面只显示提供组织。"),
    )
    available = models.CharField(_("服务时间"), max_length=100, blank=True)
    time_limit_hours = models.PositiveSmallIntegerField(
        _("办理时限（小时）"), default=48, help_text=_("从群众点单起计算。")
    )
    is_active = models.BooleanField(_("在清单中公开"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务清单")
        verbose_name_plural = _("服务清单")
        ordering = ["organization_id", "title", "id"]
        indexes = [models.Index(fields=["organization", "is_active"], name="service_org_active")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:item_edit", args=["services", self.pk])


class Resource(models.Model):
    """资源清单: a room, venue, parking place, toilet or water point an organization (often a
    驻区单位) shares: whose, where, when open, how to book."""

    scope_lookups = ("organization",)
    # Staff, and a resident unit's liaison for the unit's own resources (not plain members).
    scope_write_roles = GRID_WRITERS | (WRITERS - FIELD_ROLES)

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="shared_resources",
        verbose_name=_("所属组织"),
    )
    kind = models.CharField(_("资源类型"), max_length=10, choices=ResourceKind.choices)
    title = models.CharField(_("资源名称"), max_length=60)
    owner_name = models.CharField(_("提供单位"), max_length=60, blank=True)
    address = models.CharField(_("地点"), max_length=120)
    hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    booking = models.CharField(_("预约方式"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在清单中公开"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资源清单")
        verbose_name_plural = _("资源清单")
        ordering = ["organization_id", "kind", "title", "id"]
        indexes = [models.Index(fields=["organization", "is_active"], name="resource_org_active")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:item_edit", args=["resources", self.pk])


class CoProject(models.Model):
    """项目清单: a co-building project (共建项目) with its partners and status; it may be the
    public face of a campaign project of the 双领 board (``work.Project``)."""

    scope_lookups = ("organization",)
    scope_write_roles = GRID_WRITERS

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="coprojects",
        verbose_name=_("牵头组织"),
    )
    title = models.CharField(_("项目名称"), max_length=80)
    description = models.TextField(_("项目内容"), max_length=2000, blank=True)
    partners = models.CharField(_("共建单位"), max_length=200, blank=True)
    status = models.CharField(
        _("进展"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    work_project = models.ForeignKey(
        "work.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coprojects",
        verbose_name=_("关联双领项目"),
    )
    is_active = models.BooleanField(_("在清单中公开"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("共建项目")
        verbose_name_plural = _("项目清单")
        ordering = ["organization_id", "-updated_at", "id"]
        indexes = [models.Index(fields=["organization", "is_active"], name="coproject_org_active")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:item_edit", args=["projects", self.pk])


def member_team_ids(user: Any, *, leading: bool = False) -> list[int]:
    """The active teams (community.Team) the user's member is on now (``leading``: those they
    lead, 队长): every member sees the team's orders; the leader claims orders as one for the
    team (once per user object)."""
    from xianfeng.people.members import member_of

    attr = "_xf_led_team_ids" if leading else "_xf_team_ids"
    cached = getattr(user, attr, None)
    if cached is not None:
        return cached
    member = member_of(user) if getattr(user, "is_authenticated", False) else None
    ids: list[int] = []
    if member is not None:
        membership = apps.get_model("community", "TeamMembership")
        rows = membership.objects.filter(member=member, left_on__isnull=True, team__is_active=True)
        if leading:
            rows = rows.filter(role="leader")  # community.choices.TeamRole.LEADER
        ids = list(rows.values_list("team_id", flat=True))
    setattr(user, attr, ids)
    return ids


class OrderQuerySet(ScopedQuerySet):
    """Orders in scope (their place or their member's branch), where the community's waiting
    orders (new: not yet dispatched or claimed) are read only by its staff and the auditor
    (``ORDER_QUEUE_READERS``): a member or a liaison whose scope covers the place reads an order
    once it has left the queue, or one they entered themselves (代办, a visit's request). To
    read, a member on a community's team also sees the orders the team took; and the team's
    leader (队长) only, the community's waiting orders, which the leader may claim for the team.
    A plain member does not browse the community's queue of residents' requests, with their
    addresses; the leader does, and sees no phone or address before the claim
    (``services.order_contact``). Widens a scope; never grants a write. ``teams=False``: the
    plain scope, without the teams."""

    def restrict(
        self,
        user: Any,
        action: str = Action.VIEW,
        *,
        rules_of: type[models.Model] | None = None,
        teams: bool = True,
    ) -> ScopedQuerySet:
        paths = scope_paths(user, rules_of or self.model, action)
        if paths is None:
            return self
        if action != Action.VIEW or rules_of is not None:
            return super().restrict(user, action, rules_of=rules_of)
        condition = self._plain_condition(user, paths)
        mine = member_team_ids(user) if teams else []
        if mine:
            condition = _either(condition, Q(team_id__in=mine))
            led = member_team_ids(user, leading=True)
            if led:
                team_model = apps.get_model("community", "Team")
                communities = team_model.objects.filter(pk__in=led).values("organization_id")
                condition |= Q(state=OrderState.NEW, community_id__in=communities)
        return self.none() if condition is None else self.filter(condition)

    def _plain_condition(self, user: Any, paths: list[str]) -> Q | None:
        """The plain scope to read: every order under a staff role's organization; under the
        other roles' (and a member's service place), the orders past the queue or entered by
        the user. ``None``: no order at all."""
        if not paths:
            return None
        staff: list[str] = []
        for path in sorted({r.path for r in active_roles(user) if r.kind in ORDER_QUEUE_READERS}):
            if not any(path.startswith(kept) for kept in staff):
                staff.append(path)
        others = [p for p in paths if not any(p.startswith(s) for s in staff)]
        if not others:  # staff everywhere they read: the plain scope as it is (no extra SQL)
            return self.scope_condition(paths)
        past_queue = self.scope_condition(others) & (
            ~Q(state=OrderState.NEW) | Q(created_by_id=user.pk)
        )
        return _either(self.scope_condition(staff) if staff else None, past_queue)


def _either(a: Q | None, b: Q) -> Q:
    return b if a is None else a | b


class Order(OrderFlow, models.Model):
    """群众点单: a resident's request — from the menu or in their own words, entered by the
    resident without an account, by staff for them (代办), or from a visit — queued at its
    community (``community``), dispatched to a member, served and rated."""

    # The order's place (the building's organization, else the community) and, once
    # dispatched, the member's branch: the member sees the order dispatched to them.
    scope_lookups = ("organization", "assignee__branch")
    scope_write_roles = {"add": WRITERS, "change": WRITERS, "delete": NOBODY}

    code = models.CharField(
        _("点单号"), max_length=CODE_LENGTH, unique=True, default=new_order_code, editable=False
    )
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("服务项目"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=OrderSource.choices)
    content = models.TextField(_("诉求内容"), max_length=1000, blank=True)
    name = models.CharField(_("姓名"), max_length=30)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    phone_index = BlindIndexField(
        _("联系电话索引"), source="phone", kind="phone", blank=True, default=""
    )
    address = models.CharField(_("地址"), max_length=120)
    building = models.ForeignKey(
        "places.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("楼栋"),
    )
    household = models.ForeignKey(
        "places.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("住户"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("走访"),
    )
    state = FSMField(_("状态"), max_length=12, choices=OrderState.choices, default=OrderState.NEW)
    deadline = models.DateTimeField(_("办理时限"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("点单时间"), auto_now_add=True)
    assignee = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("接单党员"),
    )
    team = models.ForeignKey(
        "community.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("接单队伍"),
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("派单人"),
    )
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    decline_reason = models.CharField(_("退单/收回/不予受理理由"), max_length=200, blank=True)
    done_note = models.TextField(_("办理情况"), max_length=1000, blank=True)
    done_photo = models.FileField(_("办理照片"), upload_to=_photo_path, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价（星）"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("超时升级至"),
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["phone_index"])
    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众点单")
        verbose_name_plural = _("群众点单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state", "created_at"], name="order_queue"),
            models.Index(fields=["assignee", "state"], name="order_assignee_state"),
            models.Index(fields=["organization", "state"], name="order_org_state"),
            models.Index(fields=["state", "deadline"], name="order_state_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.summary}"

    def get_absolute_url(self) -> str:
        return reverse("services:order_detail", args=[self.pk])

    @property
    def summary(self) -> str:
        """What was ordered, in a line: the service's name, else the first words."""
        if self.service_id is not None:
            return self.service.title
        return (self.content or "").strip().splitlines()[0][:40] if self.content else ""


#: The action that reads the log of who saw residents' contact details: the community's
#: admins (and those above) and the auditor, in their subtree; not members, not liaisons.
READ_CONTACT_LOG = "read_contact_log"


class ContactAccess(models.Model):
    """Looks at a resident's full phone and address on an order (by the assigned member or by
    staff in scope): who saw whose contact details (the order names the resident), when, by
    which way and why (the order). The same person's looks at the same order by the same way
    on the same local day are one row, with how many looks and the first and last time (a
    page reloaded twenty times is one row, not twenty). Append-only otherwise: rows are written
    by ``services.order_contact``, which may only add a look (``count``, ``last_at``) to the
    day's row; nothing else is ever changed, and no row is deleted."""

    scope_lookups = ("order__organization",)
    scope_write_roles = {
        "add": NOBODY,
        "change": NOBODY,
        "delete": NOBODY,
        READ_CONTACT_LOG: AUDIT_READERS,
    }

    CHANNELS = {"page": _("页面"), "api": _("接口")}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查看人"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="contact_accesses",
        verbose_name=_("点单（查看事由）"),
    )
    fields = models.CharField(_("字段"), max_length=40)
    channel = models.CharField(_("途径"), max_length=10)
    at = models.DateTimeField(_("首次查看时间"), auto_now_add=True)
    day = models.DateField(_("日期"), help_text=_("首次查看的当地日期：同一天的查看合为一行"))
    count = models.PositiveIntegerField(_("查看次数"), default=1)
    last_at = models.DateTimeField(_("最后查看时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众联系方式查看记录")
        verbose_name_plural = _("群众联系方式查看记录")
        ordering = ["-last_at", "-id"]
        indexes = [models.Index(fields=["order", "at"], name="contactaccess_order_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "order", "channel", "fields", "day"],
                name="contactaccess_one_row_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.order_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:  # append-only: a record once written stays as it was
            raise ValueError("ContactAccess rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("ContactAccess rows are never deleted.")

    @property
    def channel_label(self) -> str:
        return str(self.CHANNELS.get(self.channel, self.channel))

    @property
    def fields_label(self) -> str:
        names = {"phone": _("联系电话"), "address": _("地址")}
        return "、".join(str(names.get(f, f)) for f in self.fields.split(",") if f)


class Complaint(ComplaintFlow, models.Model):
    """群众投诉: a resident complains about how an order (from its tracking page) or a problem
    of the problem wall was handled, or staff record a complaint received by phone (代录). It
    names the members complained about (the order's member and team participants, or one
    picked by staff). The community verifies it (``ComplaintFlow``): 属实 writes one
    ``complaint.confirmed`` record against each member named, which the point rules deduct
    for and which opens the 不合格党员 procedure."""

    scope_lookups = ("organization",)
    # Residents complain without an account (the service writes it); staff record and verify.
    scope_write_roles = {"add": GRID_WRITERS, "change": GRID_WRITERS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
    )
    subject = models.CharField(_("投诉事项"), max_length=10, choices=ComplaintSubject.choices)
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("点单"),
    )
    # The problem wall lives in ``public``, above this app: the problem is named by its code.
    problem_code = models.CharField(_("问题编号"), max_length=12, blank=True)
    members = models.ManyToManyField(
        "people.PartyMember",
        blank=True,
        related_name="complaints",
        verbose_name=_("被投诉党员"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=ComplaintSource.choices)
    content = models.TextField(_("投诉内容"), max_length=1000)
    name = models.CharField(_("投诉人"), max_length=30, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    state = FSMField(
        _("状态"), max_length=12, choices=ComplaintState.choices, default=ComplaintState.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代录人"),
    )
    created_at = models.DateTimeField(_("投诉时间"), auto_now_add=True)
    finding = models.TextField(_("核实情况"), max_length=1000, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众投诉")
        verbose_name_plural = _("群众投诉")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "state", "created_at"], name="complaint_org_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.subject_code}"

    def get_absolute_url(self) -> str:
        return reverse("services:complaint_detail", args=[self.pk])

    @property
    def subject_code(self) -> str:
        return self.order.code if self.order_id is not None else self.problem_code
