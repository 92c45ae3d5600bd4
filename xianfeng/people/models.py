"""Persons (ID number and phone protected), party members, and residents of households."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xianfeng.core.choices import Action
from xianfeng.core.crypto import (
    BlindIndexField,
    EncryptedCharField,
    blind_index,
    blind_indexes,
    with_index_fields,
)
from xianfeng.core.pinyin import name_initials, name_pinyin
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import ScopedQuerySet, scope_paths
from xianfeng.core.validators import (
    birth_date_from_id,
    gender_from_id,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_text,
    validate_id_number,
    validate_mobile,
)
from xianfeng.core.workflow import FSMField
from xianfeng.orgs.models import path_segment
from xianfeng.people.choices import (
    CaseKind,
    CaseState,
    Gender,
    LostReason,
    MemberCategory,
    MemberKind,
    MemberStatus,
    PlaceEnd,
    ResidentRelation,
)
from xianfeng.people.workflows import MemberCaseFlow, MemberCategoryFlow


class PersonQuerySet(ScopedQuerySet):
    """ID numbers and phones are encrypted: these find them through their blind indexes."""

    def with_id_number(self, id_number: str | None) -> PersonQuerySet:
        return self.filter(id_number_index=blind_index("id_number", id_number) or "-")

    def with_id_numbers(self, id_numbers: list[str]) -> PersonQuerySet:
        return self.filter(id_number_index__in=blind_indexes("id_number", id_numbers))

    def with_mobile(self, mobile: str | None) -> PersonQuerySet:
        return self.filter(mobile_index=blind_index("phone", mobile) or "-")

    def with_mobiles(self, mobiles: list[str]) -> PersonQuerySet:
        return self.filter(mobile_index__in=blind_indexes("phone", mobiles))


class Person(models.Model):
    scope_lookups = ("organization",)

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("登记组织"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(
        _("拼音首字母"), max_length=50, blank=True, db_index=True, editable=False
    )
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    # Encrypted at rest; found and kept unique through the keyed blind indexes beside them.
    id_number = EncryptedCharField(
        _("身份证号"),
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_id_number],
    )
    id_number_index = BlindIndexField(
        _("身份证号索引"),
        source="id_number",
        kind="id_number",
        unique=True,
        null=True,
        error_messages={"unique": _("该身份证号已登记，请勿重复录入。")},
    )
    mobile = EncryptedCharField(
        _("手机号"), max_length=11, blank=True, validators=[validate_mobile]
    )
    mobile_index = BlindIndexField(
        _("手机号索引"), source="mobile", kind="phone", blank=True, default="", db_index=True
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Nothing looks history up by these; each index cost every imported person a write.
    history = HistoricalRecords(no_db_index=["name_initials", "id_number_index", "mobile_index"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["id"]
        indexes = [models.Index(fields=["name"], name="person_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = normalize_text(self.name)
        self.name_pinyin = name_pinyin(self.name)
        self.name_initials = name_initials(self.name)
        if self.id_number:
            self.id_number = normalize_id_number(self.id_number)
            self.birth_date = self.birth_date or birth_date_from_id(self.id_number)
            self.gender = self.gender or gender_from_id(self.id_number)
        else:
            self.id_number = None
        self.mobile = normalize_text(self.mobile)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_index_fields(Person, kwargs["update_fields"])
        super().save(*args, **kwargs)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def mobile_masked(self) -> str:
        return mask_phone(self.mobile)


class PartyMemberQuerySet(ScopedQuerySet):
    def probation_due(self, today: date | None = None) -> PartyMemberQuerySet:
        """预备党员 whose year of probation ends within 30 days or has ended: to discuss 转正."""
        today = today or timezone.localdate()
        return self.filter(
            category=MemberCategory.PROBATIONARY,
            joined_on__lte=today - timedelta(days=PROBATION_DAYS - PROBATION_NOTICE_DAYS),
        )

    def lost_contact(self) -> PartyMemberQuerySet:
        return self.filter(status=MemberStatus.LOST_CONTACT)

    def restrict(
        self,
        user: Any,
        action: str = Action.VIEW,
        *,
        rules_of: type[models.Model] | None = None,
        serving: bool = False,
    ) -> PartyMemberQuerySet:
        """Members the user may take ``action`` on (their branch in the user's scope); with
        ``serving``, also the members who serve (报到, 对接) in a community the user sees,
        whose branch lies elsewhere: the pickers that give a community's work to members
        (zones, task assignment, households) offer them too. Their branch still owns them,
        so only those pickers ask for them."""
        if not serving:
            return super().restrict(user, action, rules_of=rules_of)
        paths = scope_paths(user, rules_of or self.model, action)
        if paths is None:
            return self
        if not paths:  # no role for the action: serving members widen a scope, never grant one
            return self.none()
        places = (
            ServicePlace.objects.restrict(user).filter(ended_on__isnull=True).values("member_id")
        )
        return self.filter(self.scope_condition(paths) | models.Q(pk__in=places))

    def acting_under(self, organization: Any) -> PartyMemberQuerySet:
        """Members who act at or under the organization, in the database: those of its
        subtree, and those holding a current service place in a community at, under or
        above it (the rule of ``PartyMember.acts_in``)."""
        path = organization.path
        step = len(path_segment(0))
        ancestors = [path[:end] for end in range(step, len(path), step)]
        places = ServicePlace.objects.filter(ended_on__isnull=True).filter(
            models.Q(community__path__startswith=path) | models.Q(community__path__in=ancestors)
        )
        return self.filter(
            models.Q(branch__path__startswith=path) | models.Q(pk__in=places.values("member_id"))
        )


# A probationary member is discussed for full membership after a year; flagged a month ahead.
PROBATION_DAYS = 365
PROBATION_NOTICE_DAYS = 30


class PartyMember(MemberCategoryFlow, models.Model):
    scope_lookups = ("branch",)

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="member", verbose_name=_("人员")
    )
    branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所在党组织"),
    )
    kind = models.CharField(
        _("党员类型"), max_length=16, choices=MemberKind.choices, default=MemberKind.COMMUNITY
    )
    category = FSMField(
        _("党员类别"), max_length=16, choices=MemberCategory.choices, default=MemberCategory.FULL
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=MemberStatus.choices,
        default=MemberStatus.NORMAL,
        db_index=True,
    )
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=120, blank=True)
    residence_community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident_members",
        verbose_name=_("居住地社区"),
        help_text=_("在职党员进社区报到的社区"),
    )
    origin = models.CharField(_("流出地/户籍地"), max_length=120, blank=True)
    current_place = models.CharField(_("现居地/流入地"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["id"]
        indexes = [models.Index(fields=["branch", "kind"], name="member_branch_kind")]

    def __str__(self) -> str:
        return self.person.name

    def get_absolute_url(self) -> str:
        return reverse("people:member_detail", args=[self.pk])

    def acting_paths(self) -> list[str]:
        """Where the member acts in the field: their branch, and each community where they
        hold a service place now (an accepted 报到 or 对接). Loaded once per member object."""
        cached = getattr(self, "_xf_acting_paths", None)
        if cached is None:
            cached = [self.branch.path, *ServicePlace.current_paths(self.pk)]
            self._xf_acting_paths = cached
        return cached

    def acts_in(self, organization: Any) -> bool:
        """Whether the member acts at or under the organization, or the organization lies in
        a community they serve (a task posted at a grid branch of that community)."""
        path = organization.path
        if self.branch.path.startswith(path):
            return True
        return any(path.startswith(p) or p.startswith(path) for p in self.acting_paths()[1:])


class ServicePlace(models.Model):
    """A member's service place (服务地) in a residence community: opened when the community
    accepts their 报到 (or 对接 of a retired or laid-off member), ended by revoking it or by
    the member's transfer. While it lasts the member claims the community's tasks, joins its
    zones and teams, is assigned its households and logs visits there; their branch keeps
    their membership. One current place per member."""

    scope_lookups = ("member__branch", "community")
    scope_write_roles = frozenset()  # opened and ended by the 报到 workflow only

    member = models.ForeignKey(
        PartyMember,
        on_delete=models.CASCADE,
        related_name="service_places",
        verbose_name=_("党员"),
    )
    community = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="service_places",
        verbose_name=_("服务社区"),
    )
    case = models.ForeignKey(
        "people.MemberCase",
        on_delete=models.PROTECT,
        related_name="service_places",
        verbose_name=_("报到事项"),
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("结束原因"), max_length=16, choices=PlaceEnd.choices, blank=True
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务地")
        verbose_name_plural = _("服务地")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_on__isnull=True),
                name="service_place_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.community}"

    @property
    def current(self) -> bool:
        return self.ended_on is None

    @classmethod
    def current_paths(cls, member_id: int) -> list[str]:
        return list(
            cls.objects.filter(member_id=member_id, ended_on__isnull=True).values_list(
                "community__path", flat=True
            )
        )


class Resident(models.Model):
    """A person living in a household."""

    scope_lookups = ("household__organization",)

    household = models.ForeignKey(
        "places.Household",
        on_delete=models.CASCADE,
        related_name="residents",
        verbose_name=_("住户"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="residences", verbose_name=_("人员")
    )
    relation = models.CharField(
        _("与户主关系"),
        max_length=16,
        choices=ResidentRelation.choices,
        default=ResidentRelation.HEAD,
    )
    moved_in_on = models.DateField(_("入住日期"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("住户成员")
        verbose_name_plural = _("住户成员")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"], name="resident_unique_in_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.household}"


class MemberCase(MemberCaseFlow, models.Model):
    """One life-cycle matter of a member, moving through explicit states: 在职党员进社区报到,
    流动党员流出/流入, 组织关系转接 between branches, 失联 and the search for contact.

    ``organization`` is the other side: the residence community (报到), the 流动党员之家 that
    receives a mobile member, or the branch a transfer goes to; both sides see the case."""

    scope_lookups = ("member__branch", "organization")
    scope_write_roles = GRID_WRITERS

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="cases", verbose_name=_("党员")
    )
    kind = models.CharField(_("事项"), max_length=16, choices=CaseKind.choices, db_index=True)
    state = FSMField(_("状态"), max_length=16, choices=CaseState.choices, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_cases",
        verbose_name=_("对方组织"),
    )
    from_branch = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转出党组织"),
    )
    destination = models.CharField(_("流向/去向"), max_length=120, blank=True)
    contact = models.CharField(_("联系人及方式"), max_length=120, blank=True)
    fellows = models.PositiveSmallIntegerField(
        _("结对老乡人数"),
        null=True,
        blank=True,
        help_text=_("流出时登记的结对老乡人数；目标默认20名，可以超过，实际以结对老乡名单为准"),
    )
    reason = models.CharField(_("失联原因"), max_length=20, choices=LostReason.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员事项")
        verbose_name_plural = _("党员事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "state"], name="membercase_kind_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.member}"


class CaseNote(models.Model):
    """A step in a case: for a lost member, each attempt to find and contact them."""

    scope_lookups = ("case__member__branch", "case__organization")
    scope_write_roles = MemberCase.scope_write_roles

    case = models.ForeignKey(
        MemberCase, on_delete=models.CASCADE, related_name="notes", verbose_name=_("事项")
    )
    text = models.TextField(_("记录"))
    author = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项记录")
        verbose_name_plural = _("事项记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]
