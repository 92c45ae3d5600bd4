"""Organizational life in the demo district: in the persona community (``shequ``) a 党建联席会议
held with its paired units and its decisions published (the community's public page shows
them), a 二级支部书记例会 held with the grid secretaries, and in ``wangge``'s branch a 支部党员
大会 this morning that ``dangyuan`` and the branch's members are invited to sign in to; the
branch's 党员固定活动日 this week with its 学习日 / 议事日 / 活动日 items (``dangyuan`` has
claimed one); publicity events (宣传活动) of the community and its branches over the last
months; the joint meeting's first decision carried on as a 双领 project; and two
selections (评选): a 园山榜样 vote open now with one-time codes and some
ballots, and a 红旗楼院 selection whose results are published.

Idempotent: each part is made once (meetings when none exists, the activity day, publicity
and selections when none of theirs exists). Called from
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
from xianfeng.meetings.choices import ItemKind, MeetingKind, SelectionKind, VoterProof
from xianfeng.meetings.models import Meeting, PublicityEvent, Selection
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
    _meetings(ctx)
    _activity_day(ctx)
    _publicity(ctx)
    _selections(ctx)


def _meetings(ctx: Context) -> None:
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
        parking = services.decision_add(
            actor=admin,
            meeting=joint,
            text="驻区单位夜间开放内部停车位，缓解电动车违规充电",
            responsible=units[0].display_name,
        )
        services.decision_add(
            actor=admin, meeting=joint, text="每月第一个周六联合开展消防安全宣传", responsible=""
        )
        take(joint, "publish", actor=admin)
        campaigns = services.decision_campaigns(admin, joint)
        if campaigns:  # the decision carried on the 双领 board, linked both ways
            services.decision_to_project(
                actor=admin,
                decision=parking,
                campaign=campaigns[0],
                deadline=min(campaigns[0].ends_on, timezone.localdate() + timedelta(days=30)),
            )
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


def _actors() -> tuple[User | None, User | None, Organization | None, Organization | None]:
    return (
        User.objects.filter(username="shequ").first(),
        User.objects.filter(username="wangge").first(),
        Organization.objects.filter(code=SHEQU_COMMUNITY).first(),
        Organization.objects.filter(code=WANGGE_BRANCH).first(),
    )


ACTIVITY_ITEMS = [
    (ItemKind.STUDY, "学习《消防安全责任制》，观看出租屋火灾警示片"),
    (ItemKind.DELIBERATION, "议一议：楼道电动车充电怎么管"),
    (ItemKind.ACTIVITY, "分组巡查网格内出租屋消防通道"),
]


def _activity_day(ctx: Context) -> None:
    """The branch's fixed activity day three days from now, its items posted as tasks under
    the community's 双领 project, one claimed by ``dangyuan``."""
    if Meeting.objects.filter(kind=MeetingKind.ACTIVITY_DAY).exists():
        return
    from xianfeng.work.models import Project
    from xianfeng.work.services import task_claim

    _admin, secretary, community, branch = _actors()
    if secretary is None or community is None or branch is None:
        return
    day = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(
        days=3
    )
    project = (
        Project.objects.filter(organization=community, deadline__gte=day.date())
        .order_by("deadline")
        .first()
    )
    members = [persona_member("dangyuan"), persona_member("wangge")]
    members += list(
        PartyMember.objects.filter(branch=branch)
        .exclude(pk__in=[m.pk for m in members])
        .order_by("pk")[:10]
    )
    meeting = services.meeting_plan(
        actor=secretary,
        organization=branch,
        kind=MeetingKind.ACTIVITY_DAY,
        topic="党员固定活动日：守护出租屋消防安全",
        starts_at=day,
        place="网格党群服务站",
        invitees=[m.pk for m in members],
    )
    if project is None:
        return
    items = [
        services.activity_item_add(
            actor=secretary, meeting=meeting, kind=kind, title=title, project=project
        )
        for kind, title in ACTIVITY_ITEMS
    ]
    dangyuan = User.objects.filter(username="dangyuan").first()
    if dangyuan is not None:
        task_claim(actor=dangyuan, task=items[-1].task)
    ctx.created["activity_items"] = len(items)


PUBLICITY = [
    ("不租违建房、不住有安全隐患住所", "社区广场", 3, 420, 20),
    ("电动车安全充电进楼院", "各网格楼院", 6, 310, 45),
    ("燃气安全进万家", "社区党群服务中心", 2, 160, 75),
    ("防范电信诈骗宣讲", "社区老年活动室", 1, 85, 110),
]


def _publicity(ctx: Context) -> None:
    """宣传活动 of the community and ``wangge``'s branch over the last four months."""
    if PublicityEvent.objects.exists():
        return
    admin, secretary, community, branch = _actors()
    if admin is None or secretary is None or community is None or branch is None:
        return
    today = timezone.localdate()
    for i, (theme, place, sessions, participants, days_ago) in enumerate(PUBLICITY):
        by_branch = i % 2 == 1
        services.publicity_record(
            actor=secretary if by_branch else admin,
            organization=branch if by_branch else community,
            theme=theme,
            held_on=today - timedelta(days=days_ago),
            place=place,
            sessions=sessions,
            participants=participants,
            note="发放宣传册、现场讲解，党员志愿者入户提醒。",
        )
    ctx.created["publicity_events"] = len(PUBLICITY)


MODEL_CANDIDATES = [
    ("张国强", "退休党员，义务巡查出租屋消防通道三年，劝改违规充电四十余次。"),
    ("李秀英", "楼栋长，组织邻里互助，照护独居老人八户。"),
    ("王建华", "网格员，台风期间连续值守，转移群众二十余人。"),
]
COURTYARD_CANDIDATES = [
    ("幸福里3号院", "楼道无杂物，电动车集中充电，邻里公约上墙。"),
    ("和平街12号院", "党员中心户带动，垃圾分类准确率全社区第一。"),
]


def _selections(ctx: Context) -> None:
    """A 园山榜样 vote open now (codes, some ballots cast) and a 红旗楼院 selection whose
    results are published. The dates are set directly after the steps: the demo shows a
    vote under way and one finished today, which the services' date checks would make wait."""
    if Selection.objects.exists():
        return
    from xianfeng.meetings import votes

    admin, _secretary, community, _branch = _actors()
    if admin is None or community is None:
        return
    today = timezone.localdate()
    open_vote = _selection(
        admin, community, SelectionKind.MODEL, "2025年度“园山榜样”网络投票评选", MODEL_CANDIDATES
    )
    codes = votes.codes_issue(actor=admin, selection=open_vote, count=30)
    candidates = list(open_vote.candidates.order_by("pk").values_list("pk", flat=True))
    for i, code in enumerate(codes[:9]):
        votes.vote_cast(
            selection=open_vote,
            candidate=candidates[i % 3 if i % 3 != 2 else 0],
            client_ip=f"192.0.2.{10 + i}",
            code=code,
        )
    done = _selection(
        admin, community, SelectionKind.RED_FLAG_COURTYARD, "“红旗楼院”评选", COURTYARD_CANDIDATES
    )
    codes = votes.codes_issue(actor=admin, selection=done, count=10)
    candidates = list(done.candidates.order_by("pk").values_list("pk", flat=True))
    for i, code in enumerate(codes[:7]):
        votes.vote_cast(
            selection=done,
            candidate=candidates[0 if i < 5 else 1],
            client_ip=f"198.51.100.{10 + i}",
            code=code,
        )
    Selection.objects.filter(pk=done.pk).update(
        nominate_until=today - timedelta(days=10),
        vote_starts=today - timedelta(days=8),
        vote_ends=today - timedelta(days=1),
    )
    done.refresh_from_db()
    take(done, "publish", actor=admin)
    ctx.created["selections"] = 2


def _selection(
    admin: User, community: Organization, kind: str, title: str, candidates: list[tuple[str, str]]
) -> Selection:
    from xianfeng.meetings import votes

    today = timezone.localdate()
    selection = votes.selection_create(
        actor=admin,
        organization=community,
        kind=kind,
        title=title,
        nominate_until=today,
        vote_starts=today + timedelta(days=1),
        vote_ends=today + timedelta(days=14),
        proof=VoterProof.CODE,
        description="由各网格党支部提名，群众凭社区发放的投票码投票，每码一票。",
    )
    for name, deeds in candidates:
        votes.candidate_nominate(actor=admin, selection=selection, name=name, deeds=deeds)
    take(selection, "open_voting", actor=admin)
    # Open today (the service refuses a vote before the window, as it should for residents).
    Selection.objects.filter(pk=selection.pk).update(
        nominate_until=today - timedelta(days=1), vote_starts=today
    )
    selection.refresh_from_db()
    return selection
