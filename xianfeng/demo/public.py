"""The problem wall and echo wall in the demo district, once: in the persona community
(``shequ``'s) residents' reports waiting for moderation, on the wall with responsible party,
measures and deadline, solved and checked (on the echo wall, rated), and one closed as not
ours (referred); ``dangyuan`` shows their name on the zone board; the district's public
settings (no anonymous Open311 POST)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xianfeng.core.models import User
from xianfeng.core.workflow import take
from xianfeng.demo.base import DISTRICT_CODE, SHEQU_COMMUNITY, persona_member
from xianfeng.demo.context import Context
from xianfeng.orgs.models import Organization
from xianfeng.public import services
from xianfeng.public.models import BoardChoice, Problem, PublicSettings

#: (category, title, address, where it gets to)
REPORTS = [
    ("environment", "3栋后面垃圾清运不及时", "3栋后门", "published"),
    ("facilities", "小区东门路灯不亮", "东门", "in_progress"),
    ("traffic", "消防通道长期被私家车占用", "5栋与6栋之间", "accepted"),
    ("neighbours", "楼上深夜噪音扰民", "8栋", "pending"),
    ("traffic", "小区外高架桥夜间施工噪音", "小区北侧", "closed"),
]


def build_public_demo(ctx: Context) -> None:
    district = Organization.objects.filter(code=DISTRICT_CODE).first()
    if district is not None:
        PublicSettings.objects.get_or_create(organization=district)
    member = persona_member("dangyuan")
    if member is not None:
        BoardChoice.objects.get_or_create(member=member, defaults={"show_name": True})
    community = Organization.objects.filter(code=SHEQU_COMMUNITY).first()
    shequ = User.objects.filter(username="shequ").first()
    jiedao = User.objects.filter(username="jiedao").first()
    if community is None or shequ is None or jiedao is None or Problem.objects.exists():
        return
    deadline = timezone.localdate() + timedelta(days=7)
    for n, (category, title, address, goal) in enumerate(REPORTS):
        problem = services.problem_report(
            organization=community,
            category=category,
            title=title,
            address=address,
            phone=f"1390871{n:04d}",
            client=f"demo-{n}",
        )
        if goal == "pending":
            continue
        take(problem, "approve", actor=shequ)
        if goal == "closed":
            take(
                problem,
                "close",
                actor=shequ,
                reason="高架桥施工不属社区职责",
                referred_to="区住建局",
            )
            continue
        if goal == "accepted":
            continue
        take(
            problem,
            "plan",
            actor=shequ,
            responsible="小区物业服务中心",
            measures="明确专人负责，每日巡查并限期整改",
            deadline=deadline,
        )
        if goal == "in_progress":
            continue
        take(problem, "solve", actor=shequ, result="已调整清运时间为每日两次，现场已清理干净")
        take(problem, "verify", actor=jiedao)
        take(problem, "rate", actor=None, rating="satisfied", comment="现在干净多了")
    services.problem_raise(
        actor=shequ,
        organization=community,
        source="meeting",
        category="facilities",
        title="老旧小区加装电梯意愿摸底",
        source_note="党建联席会议",
    )
    ctx.created["problems"] = ctx.created.get("problems", 0) + len(REPORTS) + 1
