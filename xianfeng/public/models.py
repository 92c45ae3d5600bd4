"""The problem wall (问题墙) and echo wall (回音壁); members' choices for zone boards (公示牌);
the district's public settings (anonymous Open311 reports)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.crypto import EncryptedCharField
from xianfeng.core.roles import ADMINS, FIELD_ROLES, NOBODY
from xianfeng.core.scope import ScopedQuerySet
from xianfeng.core.workflow import FSMField
from xianfeng.public.choices import (
    ADDRESS_MAX,
    NAME_MAX,
    TITLE_MAX,
    WALL_STATES,
    ProblemCategory,
    ProblemSource,
    ProblemState,
    Rating,
)
from xianfeng.public.workflows import ProblemFlow


def new_code() -> str:
    """A short public number (service_request_id in Open311), e.g. ``P7K2M9QX``."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "P" + "".join(secrets.choice(alphabet) for _ in range(7))


def new_secret() -> str:
    return secrets.token_urlsafe(18)


class ProblemQuerySet(ScopedQuerySet):
    def public(self) -> ProblemQuerySet:
        """What anyone may read: moderated problems on the wall (never a pending one)."""
        return self.filter(on_wall=True)


class Problem(ProblemFlow, models.Model):
    """A problem raised by a resident, a meeting, a visit or an order: moderated, then on the
    community's wall with its responsible party, measures and deadline until solved (checked by
    someone else and published on the echo wall) or closed unsolved."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": FIELD_ROLES, "change": FIELD_ROLES, "delete": NOBODY}

    code = models.CharField(_("问题编号"), max_length=12, unique=True, default=new_code)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任组织"),
    )
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在社区"),
    )
    zone = models.ForeignKey(
        "places.ResponsibilityZone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("党员责任区"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("走访"),
    )
    source = models.CharField(_("来源"), max_length=12, choices=ProblemSource.choices)
    source_note = models.CharField(_("来源说明"), max_length=120, blank=True)
    category = models.CharField(_("问题类别"), max_length=16, choices=ProblemCategory.choices)
    title = models.CharField(_("问题"), max_length=TITLE_MAX)
    description = models.TextField(_("问题描述"), blank=True)
    address = models.CharField(_("地点"), max_length=ADDRESS_MAX, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    reporter_name = models.CharField(_("反映人"), max_length=NAME_MAX, blank=True)
    reporter_phone = EncryptedCharField(_("反映人手机号"), max_length=11, blank=True)
    reporter_secret = models.CharField(
        _("反映人查看码"), max_length=32, default=new_secret, editable=False
    )
    token = models.UUIDField(_("受理回执"), default=uuid.uuid4, unique=True, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    state = FSMField(
        _("状态"), max_length=16, choices=ProblemState.choices, default=ProblemState.PENDING
    )
    on_wall = models.BooleanField(_("在问题墙公开"), default=False, editable=False)
    moderation_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    responsible = models.CharField(_("责任主体"), max_length=120, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("办理时限"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    solved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    referred_to = models.CharField(_("转交单位"), max_length=120, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("合并到"),
    )
    supporters = models.PositiveIntegerField(_("附议人数"), default=0)
    reopened = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    reopen_reason = models.CharField(_("重新办理理由"), max_length=200, blank=True)
    # Set when a moderator edited the public text (the original stays in the history).
    text_edited_at = models.DateTimeField(_("公开内容编辑时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("反映时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["reporter_secret"])
    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题墙")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["community", "on_wall", "-created_at", "-id"], name="problem_wall"
            ),
            models.Index(fields=["organization", "state"], name="problem_org_state"),
            # The wall filtered by state (办理中, 已解决 …): its COUNT and page from the index.
            models.Index(
                fields=["community", "state", "-created_at", "-id"], name="problem_wall_state"
            ),
            # Open311's request list: the whole district's public problems, newest first.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(on_wall=True),
                name="problem_public_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.on_wall = self.state in WALL_STATES
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("public:problem_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("public:problem", args=[self.code])

    def get_reporter_url(self) -> str:
        """The reporter's own link: follow, rate and reopen (given once, when reporting)."""
        return reverse("public:follow", args=[self.code, self.reporter_secret])

    @property
    def latest_echo(self) -> EchoEntry | None:
        return self.echoes.order_by("-published_at", "-id").first()


class EchoEntry(models.Model):
    """回音壁: a solved problem's result, published once someone other than the solver
    checked it; the reporter rates it (满意/基本满意/不满意)."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": NOBODY, "change": NOBODY, "delete": NOBODY}

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="echoes", verbose_name=_("问题")
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织")
    )
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在社区"),
    )
    result = models.TextField(_("办理结果"))
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("核实人"),
    )
    published_at = models.DateTimeField(_("公开时间"), auto_now_add=True)
    rating = models.CharField(_("居民评议"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评议意见"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("评议时间"), null=True, blank=True)
    # Set when a moderator edited the published result (the original stays in the history).
    edited_at = models.DateTimeField(_("编辑时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("回音壁")
        verbose_name_plural = _("回音壁")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["community", "-published_at"], name="echo_wall")]

    def __str__(self) -> str:
        return str(self.problem)


class ProblemSupport(models.Model):
    """One resident's support (+1) for a problem on the wall, by a hashed phone or address,
    so the same person counts once; a merged duplicate's supporters move with it."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="supports", verbose_name=_("问题")
    )
    subject = models.CharField(_("附议人标识"), max_length=40)
    created_at = models.DateTimeField(_("附议时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [models.UniqueConstraint(fields=["problem", "subject"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.problem_id}"


class BoardChoice(models.Model):
    """What a member shows on the public boards of their zones: name and photo only as they
    choose (nothing is shown without a choice)."""

    scope_lookups = ("member__branch",)
    scope_write_roles = {"add": FIELD_ROLES, "change": FIELD_ROLES, "delete": NOBODY}

    member = models.OneToOneField(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="board_choice",
        verbose_name=_("党员"),
    )
    show_name = models.BooleanField(_("公示牌显示我的姓名"), default=False)
    show_photo = models.BooleanField(_("公示牌显示我的照片"), default=False)
    photo = models.ImageField(_("公示照片"), upload_to="public/board/", blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示牌显示设置")
        verbose_name_plural = _("公示牌显示设置")

    def __str__(self) -> str:
        return str(self.member_id)


class PublicSettings(models.Model):
    """The district's choices for its public side."""

    scope_lookups = ("organization",)
    scope_write_roles = {"add": ADMINS, "change": ADMINS, "delete": NOBODY}

    organization = models.OneToOneField(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区委"),
    )
    open311_anonymous_post = models.BooleanField(
        _("允许其他系统不带密钥通过 Open311 提交问题"), default=False
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开设置")
        verbose_name_plural = _("公开设置")

    def __str__(self) -> str:
        return str(self.organization_id)
