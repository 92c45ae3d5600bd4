"""Members in the community in the demo district: two in-service members of ``danwei``'s
unit reported to ``shequ``'s community (accepted, so each has a service place) with hours after
work, a volunteer team with a patrol and an order it claimed as one, and the first one's yearly
record for the work unit (with the residents' ratings of the orders they served); the
first also has an account (``zaizhi``) to try the phone pages with. Two mobile members pair
with townsmen (one beyond the goal of twenty) and the 流动党员之家 records a service to one.

Idempotent: once any team exists, nothing more is made. Called from
``xianfeng.demo.district.build_demo_district``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xianfeng.community import hours, records, teams
from xianfeng.community.models import MobileService, Team, Townsman
from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.demo.base import DANWEI_UNIT, DEMO_PASSWORD, SHEQU_COMMUNITY, persona_member
from xianfeng.demo.context import Context
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people import lifecycle
from xianfeng.people.choices import MemberKind
from xianfeng.people.models import PartyMember

IN_SERVICE_ACCOUNT = "zaizhi"
HOMETOWNS = ["昭通镇雄", "曲靖会泽", "四川宜宾", "贵州毕节", "文山丘北"]


def _account(member: PartyMember) -> User:
    user = User.objects.filter(username=IN_SERVICE_ACCOUNT).first()
    if user is None:
        user = User.objects.create_user(
            username=IN_SERVICE_ACCOUNT,
            password=DEMO_PASSWORD,
            person=member.person,
            display_name=member.person.name,
        )
        Role.objects.create(user=user, kind=RoleKind.MEMBER, organization=member.branch)
    return user


def build_community_demo(ctx: Context) -> None:
    if Team.objects.exists():
        return
    admin = User.objects.filter(username="shequ").first()
    community = Organization.objects.filter(code=SHEQU_COMMUNITY).first()
    unit = Organization.objects.filter(code=DANWEI_UNIT).first()
    if admin is None or community is None or unit is None:
        return
    members = list(
        PartyMember.objects.filter(branch__path__startswith=unit.path, kind=MemberKind.IN_SERVICE)
        .exclude(cases__kind="report", cases__state__in=["registered", "accepted"])
        .select_related("person", "branch")
        .order_by("pk")[:2]
    )
    today = timezone.localdate()
    superuser = User.objects.filter(is_superuser=True).order_by("pk").first()
    served = []
    for member in members:
        # The first reports on their own phone; the unit's branch reports the others.
        case = lifecycle.member_report_register(
            actor=_account(member) if not served else superuser,
            member=member,
            community=community,
            note="居住在本社区",
        )
        lifecycle.member_report_accept(actor=admin, case=case)
        served.append(PartyMember.objects.select_related("person", "branch").get(pk=member.pk))
    if not served:
        return
    team = teams.team_create(
        actor=admin,
        organization=community,
        name="在职党员志愿服务队",
        kind="volunteer",
        duties="8小时外参加社区安全巡查、政策宣传和邻里服务",
    )
    for member in [*served, persona_member("dangyuan")]:
        teams.team_member_add(
            actor=admin,
            team=team,
            member=member,
            # the community's own member leads the in-service members (有机联结): the leader
            # alone sees the community's waiting orders and claims them for the team
            role="leader" if member == persona_member("dangyuan") else "member",
        )
    teams.team_activity_log(
        actor=admin,
        team=team,
        kind="patrol",
        held_on=today - timedelta(days=3),
        hours="2",
        content="夜间出租屋消防通道巡查，劝导清理楼道杂物5处",
        place="一至六号楼",
        participants=served,
    )
    _team_orders(admin, community, team, served)
    for index, member in enumerate(served):
        session = hours.session_record(
            actor=admin,
            member=member,
            community=community,
            source="order",
            served_on=today - timedelta(days=7 + index),
            hours="1.5",
            content="为独居老人代购生活用品",
            reference="demo",
        )
        assert session.state == "confirmed"
    records.record_write(
        actor=admin,
        member=served[0],
        community=community,
        rating="excellent",
        opinion="报到以来积极参加社区巡查和志愿服务，服务群众热情主动。",
        positives="参加夜间消防通道巡查\n为独居老人代购生活用品",
        negatives="",
        period_start=today.replace(month=1, day=1),
        period_end=today,
    )
    _mobile_demo(admin)


def _team_orders(
    admin: User, community: Organization, team: Team, served: list[PartyMember]
) -> None:
    """Two residents' orders served and rated: one the volunteer team claimed as one (its
    leader, ``dangyuan``, with both in-service members taking part), one dispatched to
    ``zaizhi``; zaizhi's yearly record counts both and the residents' stars."""
    from xianfeng.core.workflow import take
    from xianfeng.services.services import create_public_order, order_rate

    leader = User.objects.get(person=persona_member("dangyuan").person)
    zaizhi = _account(served[0])
    orders = [
        ("楼道灯坏了，老人夜里上下楼不方便", "两名队员上门更换了楼道灯泡", 5),
        ("帮忙把旧家具搬到楼下回收点", "已搬运到小区回收点", 4),
    ]
    for index, (content, note, stars) in enumerate(orders):
        order = create_public_order(
            community=community,
            name="刘阿姨",
            phone=f"1390009{index:04d}",
            address="幸福里小区3栋",
            content=content,
            throttle=False,
        )
        if index == 0:
            take(order, "claim_for_team", actor=leader, team=team.pk)
            others = [m.pk for m in served]
            take(order, "serve", actor=leader, note=note, hours="1", participants=others)
        else:
            take(order, "dispatch", actor=admin, member=str(served[0].pk))
            take(order, "accept", actor=zaizhi)
            take(order, "serve", actor=zaizhi, note=note, hours="2")
        order_rate(order=order, rating=stars, comment="队员很热心")


def _mobile_demo(admin: User) -> None:
    home = Organization.objects.filter(kind=OrgKind.MOBILE_HOME).order_by("pk").first()
    if home is None:
        return
    mobiles = list(
        PartyMember.objects.filter(branch__path__startswith=home.path)
        .select_related("person", "branch")
        .order_by("pk")[:2]
    )
    for index, member in enumerate(mobiles):
        count = 21 if index == 0 else 6
        Townsman.objects.bulk_create(
            Townsman(
                member=member,
                organization=member.branch,
                name=f"{member.person.name[0]}老乡{n + 1}",
                phone="",
                hometown=HOMETOWNS[n % len(HOMETOWNS)],
                whereabouts="工业园区务工",
            )
            for n in range(count)
        )
    superuser = User.objects.filter(is_superuser=True).order_by("pk").first()
    if mobiles and superuser is not None:
        MobileService.objects.create(
            member=mobiles[0],
            organization=home,
            kind="job",
            served_on=timezone.localdate() - timedelta(days=5),
            content="介绍到工业园区电子厂就业",
            recorded_by=superuser,
        )
