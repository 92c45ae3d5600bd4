"""Members in the community (在职党员、流动党员在社区): for now mobile members' fellow
townsmen (流动党员结对老乡) and their contacts; in-service members' 报到 comes here later.

The tables keep their names from ``xianfeng.work`` (``work_townsman`` …); the move changed
Django's state only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.community.choices import (
    ActivityKind,
    ContactWay,
    MobileServiceKind,
    PairingState,
    Rating,
    SessionSource,
    SessionState,
    TeamKind,
    TeamRole,
)
from xianfeng.community.workflows import ServiceSessionFlow, TownsmanFlow
from xianfeng.core.crypto import BlindIndexField, EncryptedCharField
from xianfeng.core.roles import ADMINS, FIELD_ROLES, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.validators import mask_phone
from xianfeng.core.workflow import FSMField
from xianfeng.visits.choices import VisitPurpose


class Townsman(TownsmanFlow, models.Model):
    """A fellow townsman (老乡) paired with a mobile party member (流动党员) for safety checks and
    publicity; about twenty each. A person of the registry, or a name and phone for someone
    not in it. ``organization`` is the member's branch when added (scope)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": FIELD_ROLES, "delete": frozenset()}

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="townsmen",
        verbose_name=_("结对流动党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人员"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedCharField(_("电话"), max_length=20, blank=True)  # encrypted at rest
    phone_index = BlindIndexField(
        _("电话索引"), source="phone", kind="phone", blank=True, default=""
    )
    hometown = models.CharField(_("老家"), max_length=100, blank=True)
    whereabouts = models.CharField(_("现住址或务工地点"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    state = FSMField(
        _("结对状态"),
        max_length=8,
        choices=PairingState.choices,
        default=PairingState.ACTIVE,
        db_index=True,
    )
    created_at = models.DateTimeField(_("结对时间"), auto_now_add=True)

    history = HistoricalRecords(table_name="work_historicaltownsman")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "work_townsman"
        verbose_name = _("结对老乡")
        verbose_name_plural = _("结对老乡")
        ordering = ["state", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "name", "phone_index"],
                condition=Q(state="active"),
                name="townsman_once_per_member",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("work:townsman_detail", args=[self.pk])

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def active(self) -> bool:
        return self.state == PairingState.ACTIVE


class TownsmanContact(models.Model):
    """A mobile member's contact with a fellow townsman: the townsmen's counterpart of a
    visit (same purposes, findings, hazard flag, ledger), for people who may have no
    registered household. A door-to-door visit to a registered household also stores the
    ``Visit`` (linked here)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": frozenset(), "delete": frozenset()}

    townsman = models.ForeignKey(
        Townsman, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("老乡")
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="townsman_contacts",
        verbose_name=_("联系党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属组织"),
        editable=False,
    )
    visit = models.OneToOneField(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="townsman_contact",
        verbose_name=_("走访记录"),
    )
    way = models.CharField(_("联系方式"), max_length=10, choices=ContactWay.choices)
    contacted_at = models.DateTimeField(_("联系时间"))
    purposes = models.JSONField(_("事项"), default=list)
    findings = models.TextField(_("情况"), blank=True)
    raises_hazard = models.BooleanField(_("发现安全隐患"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    client_key = models.CharField(_("提交标识"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "work_townsmancontact"
        verbose_name = _("老乡联系记录")
        verbose_name_plural = _("老乡联系记录")
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["townsman", "contacted_at"], name="contact_townsman_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "client_key"],
                condition=~Q(client_key=""),
                name="contact_once_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.townsman} {self.contacted_at:%Y-%m-%d}"

    def purpose_labels(self) -> list[str]:
        labels = dict(VisitPurpose.choices)
        return [str(labels.get(p, p)) for p in self.purposes]


class Team(models.Model):
    """A community's team (安全巡查队, 宣传队, 督查队, 志愿服务队): formed by the community from
    its own members and the in-service members who reported to it (报到). Owned by the
    community (``organization``); a team claims a task or an order as one and logs its
    patrols and publicity sessions with who took part."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("所属社区"),
    )
    name = models.CharField(_("队伍名称"), max_length=60)
    kind = models.CharField(_("队伍类型"), max_length=16, choices=TeamKind.choices)
    duties = models.TextField(_("职责"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("组建人"),
    )
    created_at = models.DateTimeField(_("组建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("队伍")
        verbose_name_plural = _("队伍")
        ordering = ["organization", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("work:team_detail", args=[self.pk])

    def has_member(self, member_id: int | None) -> bool:
        """Whether the member is on the team now (an active membership)."""
        if member_id is None:
            return False
        return self.memberships.filter(member_id=member_id, left_on__isnull=True).exists()


class TeamMembership(models.Model):
    """A member on a team, from ``joined_on`` until ``left_on``: a community member or an
    in-service member with a service place in the community."""

    scope_lookups = ("team__organization", "member__branch")
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("队伍")
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="team_memberships",
        verbose_name=_("党员"),
    )
    role = models.CharField(
        _("队内职务"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    joined_on = models.DateField(_("入队日期"))
    left_on = models.DateField(_("离队日期"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "-role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"],
                condition=Q(left_on__isnull=True),
                name="team_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.member}"


class ServiceSession(ServiceSessionFlow, models.Model):
    """One session of service in a community after work (8小时外) with its hours: from a task,
    an order, a team's patrol or publicity, a visit, or self-reported with a photo. Recorded
    against both the community served (``organization``) and the member's branch
    (``branch``); a self-reported session counts once the community confirms it."""

    scope_lookups = ("organization", "branch")
    scope_write_roles = {"add": FIELD_ROLES, "change": ADMINS, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="service_sessions",
        verbose_name=_("党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="service_sessions",
        verbose_name=_("服务社区"),
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在党组织"),
    )
    source = models.CharField(_("来源"), max_length=8, choices=SessionSource.choices)
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_sessions",
        verbose_name=_("任务"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_sessions",
        verbose_name=_("走访"),
    )
    activity = models.ForeignKey(
        "community.TeamActivity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("队伍活动"),
    )
    reference = models.CharField(_("关联单号"), max_length=64, blank=True)
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    content = models.CharField(_("服务内容"), max_length=200)
    photo = models.FileField(_("照片"), upload_to="community/%Y/%m/", blank=True)
    state = FSMField(
        _("状态"), max_length=12, choices=SessionState.choices, default=SessionState.CONFIRMED
    )
    note = models.CharField(_("确认意见"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["member", "served_on"], name="session_member_day"),
            models.Index(fields=["organization", "state"], name="session_org_state"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.served_on} {self.hours}"

    def get_absolute_url(self) -> str:
        return reverse("work:session_detail", args=[self.pk])


class TeamActivity(models.Model):
    """A team's patrol, publicity session, inspection round or volunteer service, logged by
    the team with who took part; each participant's hours become a service session."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": NOBODY, "delete": NOBODY}

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="activities", verbose_name=_("队伍")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属社区"),
        editable=False,
    )
    kind = models.CharField(_("活动类型"), max_length=12, choices=ActivityKind.choices)
    held_on = models.DateField(_("活动日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点或路线"), max_length=200, blank=True)
    content = models.TextField(_("活动情况"))
    audience = models.PositiveIntegerField(_("受众人数"), null=True, blank=True)
    participants = models.ManyToManyField(
        "people.PartyMember", related_name="team_activities", verbose_name=_("参加队员")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("队伍活动")
        verbose_name_plural = _("队伍活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.team} {self.held_on}"


class TeamTask(models.Model):
    """A task claimed by a team as one (the claiming member answers for it on the task)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": NOBODY, "delete": NOBODY}

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="team_tasks", verbose_name=_("队伍")
    )
    task = models.OneToOneField(
        "work.Task", on_delete=models.PROTECT, related_name="team_claim", verbose_name=_("任务")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属社区"),
        editable=False,
    )
    claimed_by = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("认领队员"),
    )
    claimed_at = models.DateTimeField(_("认领时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("队伍认领的任务")
        verbose_name_plural = _("队伍认领的任务")
        ordering = ["-claimed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.team} · {self.task}"


class PerformanceRecord(models.Model):
    """进社区现实表现鉴定: the community's record of an in-service member's year (or of a
    period, on demand) for their work unit: hours, tasks, visits, the rating and the positive
    and negative items (正负面清单). The work unit's liaison reads it and downloads the PDF."""

    scope_lookups = ("organization", "member__branch")
    scope_write_roles = {"add": ADMINS, "change": NOBODY, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="performance_records",
        verbose_name=_("党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("鉴定社区"),
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    yearly = models.BooleanField(_("年度鉴定"), default=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=7, decimal_places=1)
    sessions = models.PositiveIntegerField(_("服务次数"))
    tasks_done = models.PositiveIntegerField(_("完成任务数"))
    visits = models.PositiveIntegerField(_("走访户次"))
    # Counted by the services app (it sits above this one) through records.register_figures.
    orders_served = models.PositiveIntegerField(_("办结点单数"), default=0)
    orders_rated = models.PositiveIntegerField(_("群众评价数"), default=0)
    order_rating = models.DecimalField(
        _("群众平均评价（星）"), max_digits=2, decimal_places=1, null=True, blank=True
    )
    rating = models.CharField(_("鉴定等次"), max_length=12, choices=Rating.choices)
    positives = models.TextField(_("正面清单"), blank=True)
    negatives = models.TextField(_("负面清单"), blank=True)
    opinion = models.TextField(_("社区鉴定意见"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填写人"),
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("进社区现实表现鉴定")
        verbose_name_plural = _("进社区现实表现鉴定")
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.period_start}—{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("work:record_detail", args=[self.pk])


class MobileService(models.Model):
    """A service of a 流动党员之家 to a mobile member (job referral, rights protection,
    training): the home records it, the member's flow-out branch sees it (一方隶属、双重管理)."""

    scope_lookups = ("organization", "member__branch")
    scope_write_roles = {"add": ADMINS, "change": NOBODY, "delete": NOBODY}

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="mobile_services",
        verbose_name=_("流动党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("流动党员之家"),
    )
    kind = models.CharField(_("服务类型"), max_length=10, choices=MobileServiceKind.choices)
    served_on = models.DateField(_("服务日期"))
    content = models.TextField(_("服务内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("流动党员服务记录")
        verbose_name_plural = _("流动党员服务记录")
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"
