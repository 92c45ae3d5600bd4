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
from xianfeng.meetings.choices import MeetingKind, MeetingState, SignIn
from xianfeng.meetings.workflows import MeetingFlow

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
    """A photo of a meeting or of a publicity event, re-encoded upright."""

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
