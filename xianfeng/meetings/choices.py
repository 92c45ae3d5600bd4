"""Choices of organizational life: meeting kinds and states, rhythm periods, activity-day item
kinds, selection kinds and how residents prove who they are when they vote."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("党建联席会议")
    SECRETARIES = "secretaries", _("二级支部书记例会")
    BRANCH_ASSEMBLY = "assembly", _("支部党员大会")
    BRANCH_COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    PARTY_LESSON = "lesson", _("党课")
    DEMOCRATIC_LIFE = "democratic", _("民主生活会")
    PARTY_COMMITTEE = "party_cmte", _("党(工)委会（专题研究党建）")
    ANNUAL = "annual", _("年初综合性基层党建工作会议")
    LEADING_GROUP = "leading", _("基层党建工作领导小组会议")
    ACTIVITY_DAY = "activity_day", _("党员固定活动日")


#: 三会一课: the branch's three meetings and the party lesson.
THREE_AND_ONE = (
    MeetingKind.BRANCH_ASSEMBLY,
    MeetingKind.BRANCH_COMMITTEE,
    MeetingKind.GROUP,
    MeetingKind.PARTY_LESSON,
)


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("已计划")
    HELD = "held", _("已召开")
    PUBLISHED = "published", _("纪要已公开")
    CANCELLED = "cancelled", _("已取消")


#: A meeting counts towards its rhythm once held.
HELD_STATES = (MeetingState.HELD, MeetingState.PUBLISHED)


class SignIn(models.TextChoices):
    SELF = "self", _("本人手机签到")
    SECRETARY = "secretary", _("书记代签")


class Period(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half", _("每半年")
    YEARLY = "yearly", _("每年")
    YEAR_START = "year_start", _("每年初（第一季度）")


class ItemKind(models.TextChoices):
    STUDY = "study", _("学习日")
    DELIBERATION = "deliberation", _("议事日")
    ACTIVITY = "activity", _("活动日")


class SelectionKind(models.TextChoices):
    MODEL = "model", _("园山榜样")
    TRUSTED_SHOP = "shop", _("放心店")
    HONEST_BUSINESS = "honest", _("诚信经营户")
    CIVILIZED_FAMILY = "family", _("文明家庭")
    RED_FLAG_COURTYARD = "courtyard", _("红旗楼院")


class SelectionState(models.TextChoices):
    NOMINATING = "nominating", _("提名中")
    VOTING = "voting", _("投票中")
    PUBLISHED = "published", _("结果已公布")


class VoterProof(models.TextChoices):
    CODE = "code", _("一次性投票码")
    PHONE = "phone", _("手机号（每个号码一票）")
