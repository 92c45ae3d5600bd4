"""双领: campaigns (专项行动) → projects claimed by organizations → tasks claimed by members;
supervision notes (督办) and the notices the background jobs send. Visits live in
``xianfeng.visits``, mobile members' townsmen in ``xianfeng.community``.

Campaigns, projects and tasks are issued downward: besides the usual subtree rule of
``restrict``, a user also *sees* those issued by an organization above one of their roles
(a member sees the community's task board), see ``IssuedQuerySet``. Writes keep the plain rule.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.choices import Action
from xianfeng.core.roles import ADMINS, GRID_WRITERS
from xianfeng.core.scope import ScopedQuerySet, active_roles, scope_paths
from xianfeng.core.workflow import FSMField
from xianfeng.work.choices import (
    NoticeKind,
    ProjectOrigin,
    SupervisionStatus,
    TaskState,
)
from xianfeng.work.workflows import (
    CLAIMABLE,
    OVERDUE_FROM,
    SUBMITTABLE,
    SupervisionFlow,
    TaskFlow,
)

if TYPE_CHECKING:
    from xianfeng.core.models import User


def ancestor_ids(user: User) -> set[int]:
    """Organizations strictly above the user's role organizations (from their paths)."""
    ids: set[int] = set()
    for role in active_roles(user):
        segments = [int(s) for s in role.path.split(".") if s]
        ids.update(segments[:-1])
    return ids


class IssuedQuerySet(ScopedQuerySet):
    """Things issued downward: seen by the issuing organization's subtree and its ancestors."""

    def restrict(
        self, user: User, action: str = Action.VIEW, *, rules_of: type[models.Model] | None = None
    ) -> ScopedQuerySet:
        paths = scope_paths(user, rules_of or self.model, action)
        if paths is None:
            return self
        condition = Q()
        for path in paths:
            condition |= Q(organization__path__startswith=path)
        if action == Action.VIEW and paths:
            above = ancestor_ids(user)
            if above:
                condition |= Q(organization_id__in=sorted(above))
        if not paths:
            return self.none()
        return self.filter(condition)


class Campaign(models.Model):
    """专项行动 such as 安全大检查, issued by an organization to its subtree."""

    scope_lookups = ("organization",)
    scope_write_roles = ADMINS

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("发起组织"),
    )
    title = models.CharField(_("行动名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=200, blank=True)
    goals = models.TextField(_("目标"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = IssuedQuerySet.as_manager()

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:campaign_detail", args=[self.pk])


class Project(models.Model):
    """A project of a campaign, claimed by an organization (组织领项目) or assigned to it (交办)."""

    scope_lookups = ("organization",)
    scope_write_roles = GRID_WRITERS

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="projects", verbose_name=_("专项行动")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="work_projects",
        verbose_name=_("承担组织"),
    )
    origin = models.CharField(
        _("来源"), max_length=10, choices=ProjectOrigin.choices, default=ProjectOrigin.CLAIMED
    )
    title = models.CharField(_("项目名称"), max_length=120)
    goals = models.TextField(_("目标"), blank=True)
    measures = models.TextField(_("措施"), blank=True)
    deadline = models.DateField(_("完成时限"))
    leader = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("联系负责的班子成员"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = IssuedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:project_detail", args=[self.pk])


class TaskQuerySet(IssuedQuerySet):
    """Recurring rules about tasks, used by pages, the API, jobs and templates alike."""

    def claimable_by(self, member: Any) -> TaskQuerySet:
        """Open or overdue, unclaimed, posted at the member's branch or an organization above
        it, or in or above a community where the member holds a service place (报到) — the
        same rule as the ``claim`` step's (``PartyMember.acts_in``)."""
        if member is None:
            return self.none()
        paths = member.acting_paths()
        above = {int(s) for path in paths for s in path.split(".") if s}
        where = Q(organization_id__in=above)
        for path in paths[1:]:
            where |= Q(organization__path__startswith=path)
        return self.filter(where, state__in=CLAIMABLE, assignee__isnull=True)

    def being_worked_on(self) -> TaskQuerySet:
        """Still to be done and not yet overdue: what reminders and overdue marking look at."""
        return self.filter(state__in=OVERDUE_FROM)

    def past_deadline(self, day: date) -> TaskQuerySet:
        return self.being_worked_on().filter(deadline__lt=day)

    def assigned_to(self, member: Any) -> TaskQuerySet:
        return self.filter(assignee=member) if member is not None else self.none()

    def in_hand(self) -> TaskQuerySet:
        """Claimed and not yet submitted (the member's to-do)."""
        return self.filter(state__in=SUBMITTABLE)


class Task(TaskFlow, models.Model):
    """A task of a project, claimed by a member (党员领任务) or assigned by the organization.

    ``organization`` is where it is posted: the members of that organization's subtree may
    claim it (the project's organization, or a grid branch under it)."""

    scope_lookups = ("organization",)
    # Assigning, verifying, returning and closing; a member's own moves are checked by the
    # services (claimer in the task's subtree, the assignee starts and submits).
    scope_write_roles = GRID_WRITERS

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("项目")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="work_tasks",
        verbose_name=_("发布组织"),
    )
    title = models.CharField(_("任务"), max_length=120)
    description = models.TextField(_("要求"), blank=True)
    deadline = models.DateField(_("完成时限"))
    state = FSMField(_("状态"), max_length=12, choices=TaskState.choices, default=TaskState.OPEN)
    assignee = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_tasks",
        verbose_name=_("承担党员"),
    )
    evidence_notes = models.TextField(_("完成情况"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    # A task done by visits: every target household visited (linked to the task), or at
    # least ``target_visits`` visits linked to it. Neither set: no visits needed.
    target_households = models.ManyToManyField(
        "places.Household",
        blank=True,
        related_name="target_of_tasks",
        verbose_name=_("目标住户"),
    )
    target_visits = models.PositiveIntegerField(
        _("要求走访户次"), default=0, help_text=_("0 表示不要求走访")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="task_state_deadline"),
            models.Index(fields=["assignee", "state"], name="task_assignee_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:task_detail", args=[self.pk])


class Supervision(SupervisionFlow, models.Model):
    """督办: a higher organization's note with a deadline that the lower one must answer."""

    scope_lookups = ("organization", "issuer")
    scope_write_roles = {"add": ADMINS, "change": GRID_WRITERS, "delete": frozenset()}

    issuer = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="supervisions_issued",
        verbose_name=_("督办组织"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="supervisions",
        verbose_name=_("被督办组织"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisions",
        verbose_name=_("项目"),
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisions",
        verbose_name=_("任务"),
    )
    content = models.TextField(_("督办事项"))
    due_on = models.DateField(_("答复时限"))
    status = FSMField(
        _("状态"),
        max_length=10,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("督办人"),
    )
    created_at = models.DateTimeField(_("督办时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["due_on", "id"]

    def get_absolute_url(self) -> str:
        """Where a note is read: its task or project, else the home page's list."""
        if self.project_id:
            return reverse("work:project_detail", args=[self.project_id])
        if self.task_id:
            return reverse("work:task_detail", args=[self.task_id])
        return reverse("home")

    def __str__(self) -> str:
        return self.content[:30]


class Notice(models.Model):
    """What the background jobs tell an organization: reminders, overdue, escalation, digests."""

    scope_lookups = ("organization",)
    scope_write_roles = frozenset()

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="work_notices",
        verbose_name=_("接收组织"),
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="work_notices",
        verbose_name=_("接收党员"),
    )
    kind = models.CharField(_("类型"), max_length=12, choices=NoticeKind.choices)
    text = models.CharField(_("内容"), max_length=300)
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("任务"),
    )
    dedup_key = models.CharField(_("去重键"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text
