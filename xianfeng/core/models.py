"""Accounts, roles, API tokens, the duty ledger and the sensitive-data access log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import RoleKind
from xianfeng.core.scope import ScopedManager, ScopedQuerySet


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    # A member's own account: what "my tasks" and "my zones" are computed from.
    person = models.OneToOneField(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("对应人员"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Role(models.Model):
    """A user acts through roles; each is a role kind held at one organization."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("用户")
    )
    kind = models.CharField(_("角色"), max_length=32, choices=RoleKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="roles",
        verbose_name=_("所在组织"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "organization"], name="role_unique_per_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.organization}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def password_fingerprint(user: User) -> str:
    """A keyed digest of the user's password hash: a token carries the one of its issue, so
    changing the password (or an admin setting a new one) ends every token issued before."""
    return salted_hmac("xianfeng.core.ApiToken", user.password or "").hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def valid(self) -> ApiTokenQuerySet:
        return self.filter(expires_at__gt=timezone.now(), revoked=False)


class ApiToken(models.Model):
    """Bearer token for the API. Only a hash is stored; the raw token is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)
    password_fingerprint = models.CharField(
        _("密码指纹"), max_length=64, default="", editable=False
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, user: User) -> str:
        raw = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user,
            key_hash=_hash_token(raw),
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
            password_fingerprint=password_fingerprint(user),
        )
        return raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        """The valid token for ``raw``: not expired or revoked, its user active and the
        password unchanged since it was issued."""
        token = cls.objects.valid().select_related("user").filter(key_hash=_hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        if not constant_time_compare(token.password_fingerprint, password_fingerprint(token.user)):
            return None
        return token


class LoginFailure(models.Model):
    """One failed login (wrong password, unknown user or wrong second factor): counted per
    client address and per typed username over the lock window, and kept for the audit."""

    username = models.CharField(_("输入的用户名"), max_length=150)
    address = models.CharField(_("客户端地址"), max_length=64)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [
            models.Index(fields=["address", "at"], name="loginfailure_address_at"),
            models.Index(fields=["username", "at"], name="loginfailure_username_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M}"


class AppendOnlyError(RuntimeError):
    pass


class DutyRecordQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("履职记录只能追加，不能修改"))

    def delete(self):
        raise AppendOnlyError(_("履职记录只能追加，不能删除"))


class DutyRecord(models.Model):
    """履职记录: one append-only row per act of duty. Points and coverage are computed from it."""

    scope_lookups = ("organization",)

    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_records",
        verbose_name=_("记录人"),
    )
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_records",
        verbose_name=_("履职党员"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="duty_records",
        verbose_name=_("所属组织"),
    )
    action = models.CharField(_("履职事项"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("对象类型")
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now, db_index=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    location = models.CharField(_("地点"), max_length=255, blank=True)
    note = models.TextField(_("说明"), blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    verifies = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verifications",
        verbose_name=_("核实的记录"),
    )

    objects = DutyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        indexes = [
            models.Index(fields=["member", "occurred_at"], name="duty_member_time"),
            models.Index(fields=["content_type", "object_id"], name="duty_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(_("履职记录只能追加，不能修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("履职记录只能追加，不能删除"))


class SensitiveAccess(models.Model):
    """Every time someone sees a full ID number or phone, one row here."""

    scope_lookups = ("person__organization",)

    user = models.ForeignKey(User, on_delete=models.PROTECT, verbose_name=_("查看人"))
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, verbose_name=_("被查看人")
    )
    fields = models.CharField(_("字段"), max_length=100)
    channel = models.CharField(_("途径"), max_length=20)  # page, api, export
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id} {self.at:%Y-%m-%d %H:%M}"

    CHANNELS = {"page": _("页面"), "api": _("接口"), "export": _("导出")}

    @property
    def channel_label(self) -> str:
        return str(self.CHANNELS.get(self.channel, self.channel))

    @property
    def fields_label(self) -> str:
        names = {"id_number": _("身份证号"), "mobile": _("手机号")}
        return "、".join(str(names.get(f, f)) for f in self.fields.split(",") if f)


class JobRun(models.Model):
    """One background job: what it is, how far it got, how it ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=100, db_index=True)
    label = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    kwargs = models.JSONField(_("参数"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("进度说明"), max_length=500, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误详情"), blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label or self.name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        """Progress from inside the job; one cheap UPDATE, visible to a polling page."""
        self.done = done
        self.heartbeat_at = timezone.now()
        fields: dict[str, Any] = {"done": done, "heartbeat_at": self.heartbeat_at}
        if total is not None:
            self.total = total
            fields["total"] = total
        if message:
            self.message = message[:500]
            fields["message"] = self.message
        JobRun.objects.filter(pk=self.pk).update(**fields)
