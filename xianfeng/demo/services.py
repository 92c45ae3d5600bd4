"""Services in the demo district: every community's three lists (服务清单, 资源清单, 项目清单)
and, in the persona community, residents' orders in every state of the loop — one waiting in
the queue, one dispatched to ``dangyuan``, one accepted, one served and waiting for the
resident's rating, one rated; and residents' complaints (群众投诉) pending, not true and true."""

from __future__ import annotations

from xianfeng.core.models import User
from xianfeng.core.workflow import take
from xianfeng.demo.base import WANGGE_GRID, persona_member
from xianfeng.demo.context import Context
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.places.models import Building
from xianfeng.services import complaints, services
from xianfeng.services.choices import ComplaintSubject, ProjectStatus, ResourceKind
from xianfeng.services.models import CoProject, Resource, Service

#: (code, title, description, when, hours) of each community's menu.
MENU = [
    (
        "repair",
        "水电小维修",
        "更换水龙头、灯泡、插座等简单维修，材料费自理。",
        "每天 9:00-17:00",
        48,
    ),
    ("haircut", "上门理发", "为行动不便的老人上门理发。", "每周三上午", 72),
    ("errand", "代办代购", "群众张嘴、干部跑腿：代买药品、代缴费用、代办证明。", "工作日", 24),
    ("law", "法律咨询", "在职党员律师提供免费法律咨询。", "每月第一个周六", 120),
]
#: (kind, title, owner, where, hours, booking) shared by the 驻区单位 and the community.
RESOURCES = [
    (
        ResourceKind.ROOM,
        "党群服务中心阅览室",
        "社区党委",
        "党群服务中心二楼",
        "9:00-20:00",
        "到场登记",
    ),
    (
        ResourceKind.VENUE,
        "多功能活动室",
        "社区党委",
        "党群服务中心一楼",
        "8:30-21:00",
        "提前一天电话预约",
    ),
    (
        ResourceKind.PARKING,
        "夜间共享停车位",
        "区税务局",
        "单位院内（20个）",
        "19:00-次日7:30",
        "凭社区登记卡",
    ),
    (ResourceKind.TOILET, "公共厕所", "区人民医院", "医院门诊楼东侧", "全天", "无需预约"),
    (ResourceKind.WATER, "饮水点", "区图书馆", "图书馆一楼大厅", "9:00-18:00", "无需预约"),
]
PROJECTS = [
    ("老旧小区楼道微改造", "区住建局、物业公司", ProjectStatus.ACTIVE),
    ("“小红帽”助老志愿服务", "区人民医院党支部", ProjectStatus.ACTIVE),
    ("社区食堂共建", "区机关事务管理局", ProjectStatus.PLANNED),
]
#: Communities that get the lists (the large district has about a hundred).
MAX_COMMUNITIES = 120


def _lists(ctx: Context, community: Organization) -> None:
    services_made = [
        Service(
            organization=community,
            code=f"c{community.pk}-{code}",
            title=title,
            description=text,
            available=when,
            time_limit_hours=hours,
        )
        for code, title, text, when, hours in MENU
    ]
    Service.objects.bulk_create(services_made)
    Resource.objects.bulk_create(
        Resource(
            organization=community,
            kind=kind,
            title=title,
            owner_name=owner,
            address=where,
            hours=hours,
            booking=booking,
        )
        for kind, title, owner, where, hours, booking in RESOURCES
    )
    CoProject.objects.bulk_create(
        CoProject(organization=community, title=title, partners=partners, status=status)
        for title, partners, status in PROJECTS
    )
    ctx.created["services"] = ctx.created.get("services", 0) + len(MENU)


def _orders(community: Organization) -> None:
    staff = User.objects.filter(username="shequ").first()
    member_user = User.objects.filter(username="dangyuan").first()
    building = Building.objects.filter(grid__code=WANGGE_GRID).order_by("code").first()
    if staff is None or member_user is None or building is None:
        return
    member = persona_member("dangyuan")
    menu = {s.code.split("-", 1)[1]: s for s in Service.objects.filter(organization=community)}

    def make(n: int, content: str, service: str | None = None) -> object:
        return services.create_public_order(
            community=community,
            name=["王阿姨", "李大爷", "张女士", "赵师傅", "陈奶奶"][n],
            phone=f"1390871{n:04d}",
            address=f"{building.address}{n + 1}单元{n + 1}01",
            content=content,
            service=menu[service] if service else None,
            client_ip=f"192.0.2.{n + 1}",
            throttle=False,
        )

    # A named member: dangyuan agreed to be named on the haircut service; on the repair
    # service the member is named for staff only (the public pages show the organization).
    Service.objects.filter(pk=menu["haircut"].pk).update(
        provider_member=member, provider_name_public=True
    )
    Service.objects.filter(pk=menu["repair"].pk).update(provider_member=member)
    make(0, "楼道里的声控灯坏了一个多星期，晚上上下楼看不见。")
    dispatched = make(1, "", "haircut")
    take(dispatched, "dispatch", actor=staff, member=member.pk)
    accepted = make(2, "家里厨房水龙头一直滴水。", "repair")
    take(accepted, "dispatch", actor=staff, member=member.pk)
    take(accepted, "accept", actor=member_user)
    served = []
    # served with the member's hours after work (8小时外), counted on 我的社区服务
    for n, note, hours in ((3, "已代买降压药送到家中。", "1"), (4, "已上门更换灯泡两个。", "0.5")):
        order = make(n, "", "errand" if n == 3 else "repair")
        take(order, "dispatch", actor=staff, member=member.pk)
        take(order, "accept", actor=member_user)
        take(order, "serve", actor=member_user, note=note, hours=hours)
        if n == 4:
            services.order_rate(order=order, rating=5, comment="很及时，谢谢！")
        served.append(order)
    _complaints(staff, accepted, served)
    # Looks at residents' full contact details, as the contact log shows them (社区、审计).
    services.order_contact(user=member_user, order=accepted, channel="page")
    services.order_contact(user=staff, order=dispatched, channel="page")


def _complaints(staff: User, accepted: object, served: list) -> None:
    """群众投诉 in every state: one from a resident's order page waiting to be verified, one
    received by phone and found not true, one found true (a deduction for ``dangyuan`` on the
    ledger, and the 不合格党员 procedure opens on it when scoring reads the ledger)."""
    complaints.complaint_from_resident(
        order=accepted,
        content="水龙头说好昨天来修，到现在还没人上门，也没有打电话说明。",
        throttle=False,
    )
    dismissed = complaints.complaint_record(
        actor=staff,
        subject=ComplaintSubject.ORDER,
        order_code=served[1].code,
        name="陈奶奶",
        content="电话反映：换灯泡的党员态度不好。",
    )
    take(
        dismissed,
        "dismiss",
        actor=staff,
        reason="经回访邻居和查看办理照片，党员按时上门、耐心解释，投诉不属实；已向群众说明。",
    )
    confirmed = complaints.complaint_from_resident(
        order=served[0],
        content="代买的药送错了规格，打电话也没人接。",
        throttle=False,
    )
    take(
        confirmed,
        "confirm",
        actor=staff,
        finding="经核实，药品规格确实送错，已由社区重新代买送达并向群众道歉；对接单党员批评教育。",
    )


def build_services_demo(ctx: Context) -> None:
    if Service.objects.exists():
        return
    communities = list(
        Organization.objects.filter(kind=OrgKind.COMMUNITY).order_by("path")[:MAX_COMMUNITIES]
    )
    for community in communities:
        _lists(ctx, community)
    building = (
        Building.objects.filter(grid__code=WANGGE_GRID).select_related("organization").first()
    )
    home = building.organization.community() if building is not None else None
    if home is not None and Service.objects.filter(organization=home).exists():
        _orders(home)
