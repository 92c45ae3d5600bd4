"""Organizational life in the demo district: in the persona community (``shequ``) a 党建联席会议
held with its paired units and its decisions published (the community's public page shows
them), a 二级支部书记例会 held with the grid secretaries, and in ``wangge``'s branch a 支部党员
大会 this morning that ``dangyuan`` and the branch's members are invited to sign in to.

Idempotent: once any meeting exists, nothing more is made. Called from
``xianfeng.demo.district.build_demo_district``."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from xianfeng.core.models import User
from xianfeng.core.workflow import take
from xianfeng.demo.base import SHEQU_COMMUNITY, WANGGE_BRANCH, persona_member
from xianfeng.demo.context import Context
from xianfeng.meetings import services
from xianfeng.meetings.choices import MeetingKind
from xianfeng.meetings.models import Meeting
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.people.models import PartyMember


def _paired_units(community: Organization) -> list[Organization]:
    ids: set[int] = set()
    for a, b in Pairing.objects.filter(Q(org_a=community) | Q(org_b=community)).values_list(
        "org_a_id", "org_b_id"
    ):
        ids.add(b if a == community.pk else a)
    return list(Organization.objects.filter(pk__in=ids).order_by("pk")[:4])


def build_meetings_demo(ctx: Context) -> None:
    if Meeting.objects.exists():
        return
    admin = User.objects.filter(username="shequ").first()
    secretary = User.objects.filter(username="wangge").first()
    community = Organization.objects.filter(code=SHEQU_COMMUNITY).first()
    branch = Organization.objects.filter(code=WANGGE_BRANCH).first()
    if admin is None or secretary is None or community is None or branch is None:
        return
    now = timezone.now()
    made = 0
    units = _paired_units(community)
    if units:
        joint = services.meeting_plan(
            actor=admin,
            organization=community,
            kind=MeetingKind.JOINT,
            topic="出租屋消防安全共治",
            starts_at=now - timedelta(days=12),
            place="社区党群服务中心二楼会议室",
            agenda="一、通报本月出租屋安全检查情况\n二、驻区单位认领整改事项\n三、议定下月主题",
            units=units,
        )
        take(joint, "hold", actor=admin)
        services.minutes_save(
            actor=admin,
            meeting=joint,
            minutes="会议通报了本月出租屋安全检查情况，成员单位逐一认领整改事项。",
        )
        services.decision_add(
            actor=admin,
            meeting=joint,
            text="驻区单位夜间开放内部停车位，缓解电动车违规充电",
            responsible=units[0].display_name,
        )
        services.decision_add(
            actor=admin, meeting=joint, text="每月第一个周六联合开展消防安全宣传", responsible=""
        )
        take(joint, "publish", actor=admin)
        made += 1
    secretaries = list(
        PartyMember.objects.filter(
            branch__parent=community, branch__kind=OrgKind.GRID_BRANCH
        ).order_by("branch_id", "pk")[:6]
    )
    routine = services.meeting_plan(
        actor=admin,
        organization=community,
        kind=MeetingKind.SECRETARIES,
        topic="汇报要讲安全，交流要谈安全，决议要有安全",
        starts_at=now - timedelta(days=5),
        place="社区党委会议室",
        invitees=[m.pk for m in secretaries],
    )
    take(routine, "hold", actor=admin)
    for member in secretaries[:4]:
        services.attendance_record(actor=admin, meeting=routine, member=member)
    made += 1
    members = [persona_member("dangyuan"), persona_member("wangge")]
    members += list(
        PartyMember.objects.filter(branch=branch)
        .exclude(pk__in=[m.pk for m in members])
        .order_by("pk")[:10]
    )
    services.meeting_plan(
        actor=secretary,
        organization=branch,
        kind=MeetingKind.BRANCH_ASSEMBLY,
        topic="学习安全生产责任制，部署本月巡查",
        starts_at=now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1),
        place="网格党群服务站",
        invitees=[m.pk for m in members],
    )
    made += 1
    ctx.created["meetings"] = made
