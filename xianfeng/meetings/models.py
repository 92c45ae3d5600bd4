"""Organizational life (组织生活): meetings of every kind — 党建联席会议 with its member units
and rotating convener, 二级支部书记例会, 三会一课, 民主生活会, the 党(工)委 and leading-group
meetings, the 党员固定活动日 — with their attendees (invited, signed in), minutes, decisions
and photos; the meeting workflow lives in ``xianfeng.meetings.workflows``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.choices import Action
from xianfeng.core.roles import FIELD_ROLES, GRID_WRITERS, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.meetings.choices import (
    ItemKind,
    MeetingKind,
    MeetingState,
    Period,
    SelectionKind,
    SelectionState,
    SignIn,
    VoterProof,
)
from xianfeng.meetings.workflows import MeetingFlow, SelectionFlow
from xianfeng.orgs.choices import OrgKind

if TYPE_CHECKING:
    from xianfeng.core.models import User


class MeetingQuerySet(ScopedQuerySet):
    """Meetings of the user's subtrees; and, to read, the meetings the user is invited to
    (a grid secretary sees the community's 二级支部书记例会 that invites them)."""

    def restrict(
        self, user: User, action: str = Action.VIEW, *, rules_of: type[models.Model] | None = None
    ) -> ScopedQuerySet:
        scoped = super().restrict(user, action, rules_of=rules_of)
        if action != Action.VIEW or not getattr(user, "person_id", None):
            return scoped
        from xianfeng.people.members import member_of

        member = member_of(user)
        if member is None:
            return scoped
        invited = Attendee.objects.filter(meeting=OuterRef("pk"), member=member)
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(Exists(invited)))


class Meeting(MeetingFlow, models.Model):
    """A meeting held by one organization (``organization``), or jointly with member units
    (党建联席会议: ``units``, one of them the ``convener`` this time)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": GRID_WRITERS, "change": GRID_WRITERS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("召开组织"),
    )
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    topic = models.CharField(_("主题"), max_length=120)
    agenda = models.TextField(_("议程"), blank=True)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=120)
    convener = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="convened_meetings",
        verbose_name=_("轮值召集单位"),
    )
    units = models.ManyToManyField(
        "orgs.Organization",
        blank=True,
        related_name="joint_meetings",
        verbose_name=_("成员单位"),
    )
    state = FSMField(
        _("状态"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    held_at = models.DateTimeField(_("确认召开时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("纪要公开时间"), null=True, blank=True)
    revisions = models.PositiveSmallIntegerField(_("公开后修订次数"), default=0)
    revised_at = models.DateTimeField(_("最近修订时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "kind", "starts_at"], name="meeting_org_kind"),
            models.Index(fields=["state", "starts_at"], name="meeting_state_time"),
        ]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def is_joint(self) -> bool:
        return self.kind == MeetingKind.JOINT


class Attendee(models.Model):
    """A member invited to a meeting, and whether and how they signed in (本人手机签到 or 书记
    代签). One row per member and meeting: a second sign-in changes nothing."""

    scope_lookups = ("meeting__organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": GRID_WRITERS, "delete": NOBODY}

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("会议")
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        related_name="meeting_attendance",
        verbose_name=_("党员"),
    )
    invited = models.BooleanField(_("受邀"), default=True)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    method = models.CharField(_("签到方式"), max_length=10, choices=SignIn.choices, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签到登记人"),
    )
    reason = models.CharField(
        _("说明"),
        max_length=200,
        blank=True,
        help_text=_("未受邀列席的理由，或书记代签的说明。"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendee_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id}"

    @property
    def present(self) -> bool:
        return self.signed_in_at is not None


class Decision(models.Model):
    """A decision of a meeting (一事一议): published with the minutes; a joint meeting's on the
    community's public page."""

    scope_lookups = ("meeting__organization",)
    scope_write_roles = GRID_WRITERS

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("会议")
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("决议事项"), max_length=300)
    responsible = models.CharField(_("牵头单位/责任人"), max_length=120, blank=True)
    problem = models.OneToOneField(
        "public.Problem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name=_("问题墙问题"),
    )
    project = models.OneToOneField(
        "work.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name=_("专项行动项目"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议决议")
        verbose_name_plural = _("会议决议")
        ordering = ["meeting_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="decision_order_once")
        ]

    def __str__(self) -> str:
        return self.text


def _photo_path(instance: models.Model, filename: str) -> str:
    from django.utils import timezone

    return timezone.now().strftime("meetings/%Y/%m/") + filename


class MeetingPhoto(models.Model):
    """A photo of a meeting, re-encoded upright."""

    scope_lookups = ("meeting__organization",)
    scope_write_roles = GRID_WRITERS

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="photos", verbose_name=_("会议")
    )
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
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class MeetingRule(models.Model):
    """会议制度: the meetings an organization kind must hold — which kind, how many in which
    period (每月、每季度、每半年、每年、每年初). Reference data the district keeps (every account
    reads it); the seeds' rules are written by the migration."""

    org_kind = models.CharField(_("组织类型"), max_length=20, choices=OrgKind.choices)
    meeting_kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("每周期至少召开次数"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("会议制度")
        verbose_name_plural = _("会议制度")
        ordering = ["org_kind", "meeting_kind"]
        constraints = [
            models.UniqueConstraint(fields=["org_kind", "meeting_kind"], name="rule_once_per_kind"),
            models.CheckConstraint(condition=Q(times__gte=1), name="rule_times_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.get_org_kind_display()} {self.get_meeting_kind_display()}"


class ActivityItem(models.Model):
    """An item of a branch's 党员固定活动日 (a meeting of kind ``activity_day``): 学习日 (safety
    education), 议事日 (proposals) or 活动日 (patrols). Each is a ``work.Task`` posted at the
    branch, which members claim through the 双领 claim like any task."""

    scope_lookups = ("meeting__organization",)
    scope_write_roles = GRID_WRITERS

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("固定活动日")
    )
    kind = models.CharField(_("类别"), max_length=12, choices=ItemKind.choices)
    task = models.OneToOneField(
        "work.Task",
        on_delete=models.PROTECT,
        related_name="activity_item",
        verbose_name=_("认领任务"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("固定活动日项目")
        verbose_name_plural = _("固定活动日项目")
        ordering = ["meeting_id", "kind", "id"]

    def __str__(self) -> str:
        return self.task.title


class PublicityEvent(models.Model):
    """宣传活动 / 宣讲: a theme (不租违建房、不住有安全隐患住所 …), its sessions, place and the
    participants counted, with photos; counted per scope and period (seed 001: 556场, 2.3万人次)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": GRID_WRITERS, "change": GRID_WRITERS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="publicity_events",
        verbose_name=_("组织单位"),
    )
    theme = models.CharField(_("主题"), max_length=120)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=120)
    sessions = models.PositiveSmallIntegerField(_("场次"), default=1)
    participants = models.PositiveIntegerField(_("参与人次"))
    note = models.TextField(_("活动情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "held_on"], name="publicity_org_day")]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="publicity_sessions_min")
        ]

    def __str__(self) -> str:
        return self.theme

    def get_absolute_url(self) -> str:
        return reverse("meetings:publicity_list")


def _publicity_photo_path(instance: models.Model, filename: str) -> str:
    from django.utils import timezone

    return timezone.now().strftime("publicity/%Y/%m/") + filename


class PublicityPhoto(models.Model):
    """A photo of a publicity event, checked and re-encoded like every uploaded photo
    (``xianfeng.work.photos``: real image, size limit, metadata and GPS stripped, a generated
    name)."""

    scope_lookups = ("event__organization",)
    scope_write_roles = GRID_WRITERS

    event = models.ForeignKey(
        PublicityEvent, on_delete=models.CASCADE, related_name="photos", verbose_name=_("宣传活动")
    )
    image = models.FileField(_("照片"), upload_to=_publicity_photo_path)
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
        verbose_name = _("宣传活动照片")
        verbose_name_plural = _("宣传活动照片")
        ordering = ["event_id", "id"]

    def __str__(self) -> str:
        return self.image.name


class Selection(SelectionFlow, models.Model):
    """评选 (园山榜样, 放心店, 诚信经营户, 文明家庭, 红旗楼院): nominations until a date, then a
    public vote in a window — one vote per resident (a one-time code or a phone registered in
    the organization, as the organization chooses) and one per member — then the results."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": GRID_WRITERS, "change": GRID_WRITERS, "delete": NOBODY}

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="selections",
        verbose_name=_("组织单位"),
    )
    kind = models.CharField(_("评选类型"), max_length=10, choices=SelectionKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("评选说明"), blank=True)
    nominate_until = models.DateField(_("提名截止"))
    vote_starts = models.DateField(_("投票开始"))
    vote_ends = models.DateField(_("投票截止"))
    proof = models.CharField(
        _("群众投票方式"), max_length=6, choices=VoterProof.choices, default=VoterProof.CODE
    )
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=SelectionState.choices,
        default=SelectionState.NOMINATING,
    )
    published_at = models.DateTimeField(_("结果公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        ordering = ["-vote_ends", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_starts__gt=models.F("nominate_until"))
                & Q(vote_ends__gte=models.F("vote_starts")),
                name="selection_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:selection_detail", args=[self.pk])


class Candidate(models.Model):
    """A candidate of a selection with their deeds (事迹): a person, a shop, a family, a
    courtyard; a member when the candidate is one."""

    scope_lookups = ("selection__organization",)
    scope_write_roles = GRID_WRITERS

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("评选")
    )
    name = models.CharField(_("候选人/候选对象"), max_length=120)
    deeds = models.TextField(_("事迹"))
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("党员"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提名人"),
    )
    created_at = models.DateTimeField(_("提名时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("候选")
        verbose_name_plural = _("候选")
        ordering = ["selection_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "name"], name="candidate_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class VoteCode(models.Model):
    """A one-time voting code handed to a resident: only its keyed hash is kept."""

    scope_lookups = ("selection__organization",)
    scope_write_roles = GRID_WRITERS

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="codes", verbose_name=_("评选")
    )
    digest = models.CharField(_("投票码摘要"), max_length=64)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("发放人"),
    )
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("投票码")
        verbose_name_plural = _("投票码")
        constraints = [
            models.UniqueConstraint(fields=["selection", "digest"], name="vote_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.digest[:8]}"


class Ballot(models.Model):
    """One vote: whose (a keyed digest of the code, the phone or the member — never in clear),
    for whom, through which channel, when and from which address (hashed). One per voter and
    selection, by a database constraint: the vote cannot be stuffed, and every row is there to
    audit."""

    scope_lookups = ("selection__organization",)
    scope_write_roles = NOBODY

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("评选")
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("候选")
    )
    voter = models.CharField(_("投票人摘要"), max_length=64)
    channel = models.CharField(_("投票方式"), max_length=6)
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投票党员"),
    )
    client = models.CharField(_("来源地址摘要"), max_length=24)
    cast_at = models.DateTimeField(_("投票时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["selection_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "voter"], name="ballot_once_per_voter")
        ]
        indexes = [models.Index(fields=["selection", "candidate"], name="ballot_candidate")]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.candidate_id}"
