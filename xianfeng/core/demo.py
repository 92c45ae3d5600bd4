"""A demo district shaped like the one in ``seeds/``: ``manage.py demo_district --scale ...``.

Two scales share one shape and one set of codes:

* ``district``: 1 district committee, 5 streets, 31 communities, 63 grid branches (each with its
  grid), 113 building groups, 6 agencies, 10 non-public and 5 social organizations, a mobile
  members' committee with a home in every street, 20 resident units, ~11,000 party members,
  8,145 rental buildings among ~9,000 buildings, ~35,000 households with ~70,000 residents,
  ~2,100 responsibility zones, ~40 pairings. Under a minute on SQLite.
* ``small``: the same tree in miniature (2 streets, 4 communities, 5 grid branches, 3 building
  groups, ~60 members, 32 buildings, ~80 households); what the test suite builds once a session.

Everything comes from one fixed seed (each grid from its own stream of it), so two builds of the
same scale are identical, and a build only creates what its natural key does not find yet
(organization/grid/building ``code``,
household ``(building, unit, room)``, person ``id_number``, member ``person``, zone
``(organization, name)``, pairing ``(kind, org_a, org_b)``, ``username``, role
``(user, kind, organization)``): running it twice changes nothing, and rows edited in the demo
are left as they are. A grid whose last building exists is skipped whole (a grid is written in
one go), so a second run takes a second. Build one scale per database: ``small`` and
``district`` share codes but not contents. Rows are bulk-created, with their history rows
bulk-created beside them (change reason "演示数据"); many-to-many links get no history.

Codes (``NN`` two digits, from 01)::

    XF                       区委 (district)
    XF-A{NN}                 机关党组织 under the district
    XF-M01                   流动党员党委 under the district
    XF-S{NN}                 街道党工委 (street)
    XF-S{NN}-C{NN}           社区党委/党总支 (community)
    XF-S{NN}-C{NN}-G{NN}     网格党支部 (grid branch)
    XF-S{NN}-C{NN}-G{NN}-B{NN}  楼栋党小组 (building group)
    XF-S{NN}-U{NN}           驻区单位 under a street
    XF-S{NN}-N{NN}           非公企业党组织 under a street
    XF-S{NN}-O{NN}           社会组织党组织 under a street
    XF-S{NN}-H01             流动党员之家 under a street
    G-S{NN}-C{NN}-G{NN}      the grid of grid branch XF-S{NN}-C{NN}-G{NN}
    B-S{NN}-C{NN}-G{NN}-{NNNN}  a building in that grid

Personas (password ``DEMO_PASSWORD``; see ``demo_personas()``)::

    admin     superuser, no role
    qu        district_admin   XF
    jiedao    street_admin     XF-S01
    shequ     community_admin  XF-S01-C01
    shequ2    community_admin  XF-S02-C01   (outside shequ's scope)
    wangge    grid_secretary   XF-S01-C01-G01
    dangyuan  member           XF-S01-C01-G01
    danwei    unit_liaison     XF-S01-U01   (paired with XF-S01-C01)
    jiancha   auditor          XF

``wangge`` and ``dangyuan`` are also party members of XF-S01-C01-G01: their accounts are linked
to their Person (``User.person``), whose name is the user's ``display_name`` and whose ID number is
in ``PERSONA_ID_NUMBERS``; ``persona_member()`` finds the member. ``wangge``'s member is the
secretary of that grid branch; the two share the zone ``PERSONA_ZONE_NAME``.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils.translation import gettext as _
from faker import Faker

from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.core.pinyin import name_initials, name_pinyin
from xianfeng.core.validators import id_check_digit
from xianfeng.orgs.choices import OrgCategory, OrgKind, PairingKind, UnitSituation
from xianfeng.orgs.models import Organization, Pairing, path_segment
from xianfeng.people.choices import (
    Gender,
    MemberCategory,
    MemberKind,
    MemberStatus,
    ResidentRelation,
)
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places.choices import BuildingKind, SafetyColour, ZoneKind
from xianfeng.places.duty_templates import duties_for
from xianfeng.places.models import (
    Building,
    CareTag,
    Grid,
    Household,
    ResponsibilityZone,
    normalize_address,
)
from xianfeng.work.demo import build_work_demo

DEMO_PASSWORD = "xianfeng-demo"
SEED = 20150311
HISTORY_REASON = "演示数据"
# A fixed "today" so that ages and dates, hence ID numbers, do not drift from day to day.
REFERENCE_DATE = date(2025, 6, 30)
BATCH_SIZE = 2000

DISTRICT_CODE = "XF"
STREET1_CODE = "XF-S01"
SHEQU_COMMUNITY = "XF-S01-C01"
SHEQU2_COMMUNITY = "XF-S02-C01"
WANGGE_BRANCH = "XF-S01-C01-G01"
WANGGE_GRID = "G-S01-C01-G01"
DANWEI_UNIT = "XF-S01-U01"

# username -> (role kind or None for the superuser, organization code or None, display name)
_PERSONAS: dict[str, tuple[str | None, str | None, str]] = {
    "admin": (None, None, "系统管理员"),
    "qu": (RoleKind.DISTRICT_ADMIN, DISTRICT_CODE, "周建国"),
    "jiedao": (RoleKind.STREET_ADMIN, STREET1_CODE, "陈立新"),
    "shequ": (RoleKind.COMMUNITY_ADMIN, SHEQU_COMMUNITY, "杨秀兰"),
    "shequ2": (RoleKind.COMMUNITY_ADMIN, SHEQU2_COMMUNITY, "刘海燕"),
    "wangge": (RoleKind.GRID_SECRETARY, WANGGE_BRANCH, "张卫东"),
    "dangyuan": (RoleKind.MEMBER, WANGGE_BRANCH, "李晓梅"),
    "danwei": (RoleKind.UNIT_LIAISON, DANWEI_UNIT, "王志强"),
    "jiancha": (RoleKind.AUDITOR, DISTRICT_CODE, "孙明德"),
}


def _with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


# The two personas who are also party members: username -> ID number.
PERSONA_ID_NUMBERS: dict[str, str] = {
    "wangge": _with_check("53010319780312001"),
    "dangyuan": _with_check("53010319900520002"),
}


def demo_personas() -> dict[str, tuple[str | None, str | None]]:
    """username -> (role kind, organization code); ``admin`` is a superuser with no role."""
    return {username: (kind, code) for username, (kind, code, _name) in _PERSONAS.items()}


def persona_display_name(username: str) -> str:
    return _PERSONAS[username][2]


def persona_member(username: str) -> PartyMember:
    """The party member a persona (``wangge``, ``dangyuan``) is, found by ID number."""
    return PartyMember.objects.select_related("person", "branch").get(
        person__id_number=PERSONA_ID_NUMBERS[username]
    )


# --- scales ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    communities_per_street: tuple[int, ...]
    grid_branches: int
    building_groups: int
    rentals: int
    residential_per_grid: int
    small_venues_per_grid: int
    crowded: int
    schools: int
    hospitals: int
    industrial_parks: int
    households_per_building: tuple[int, int]
    residents_per_household: tuple[int, int]
    members: int  # in all
    agencies: int
    agency_members: int  # each
    resident_units_per_street: int
    unit_members: int  # each
    non_public_per_street: int
    non_public_members: int
    social_per_street: int
    social_members: int
    mobile_members: int  # the district's mobile committee
    mobile_home_members: int  # each street's home
    zone_share: float  # share of community members answering for a zone
    special_zones: int  # school zones, and as many hospital zones
    care_share: float


SCALES: dict[str, Scale] = {
    "district": Scale(
        name="district",
        communities_per_street=(7, 6, 6, 6, 6),
        grid_branches=63,
        building_groups=113,
        rentals=8145,
        residential_per_grid=10,
        small_venues_per_grid=3,
        crowded=32,
        schools=12,
        hospitals=6,
        industrial_parks=4,
        households_per_building=(2, 6),
        residents_per_household=(1, 3),
        members=11000,
        agencies=6,
        agency_members=40,
        resident_units_per_street=4,
        unit_members=15,
        non_public_per_street=2,
        non_public_members=12,
        social_per_street=1,
        social_members=8,
        mobile_members=30,
        mobile_home_members=14,
        zone_share=0.6,
        special_zones=2,
        care_share=0.03,
    ),
    "small": Scale(
        name="small",
        communities_per_street=(2, 2),
        grid_branches=5,
        building_groups=3,
        rentals=20,
        residential_per_grid=1,
        small_venues_per_grid=1,
        crowded=0,
        schools=1,
        hospitals=1,
        industrial_parks=0,
        households_per_building=(2, 4),
        residents_per_household=(1, 3),
        members=60,
        agencies=1,
        agency_members=3,
        resident_units_per_street=1,
        unit_members=3,
        non_public_per_street=1,
        non_public_members=2,
        social_per_street=1,
        social_members=1,
        mobile_members=2,
        mobile_home_members=1,
        zone_share=0.6,
        special_zones=1,
        care_share=0.05,
    ),
}


# --- names -------------------------------------------------------------------------------

DISTRICT_NAME = "盘龙区"
STREETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("园山", ("园山", "北辰", "白龙", "桃园", "金色", "青龙", "穿金")),
    ("金辰", ("金辰", "金康", "小康", "金星", "银河", "万华", "沣源")),
    ("青云", ("青云", "菊花", "东风", "虹山", "翠湖", "月牙", "霖雨")),
    ("龙泉", ("龙泉", "茨坝", "松华", "麦溪", "蓝龙", "小坝", "云波")),
    ("东华", ("东华", "新迎", "联盟", "金江", "云山", "圆通", "金尚")),
)
ROADS = (
    "北京路", "白龙路", "穿金路", "金星路", "北辰大道", "东风东路", "小康大道", "龙泉路",
    "茨坝路", "万华路", "联盟路", "沣源路", "金尚路", "霖雨路", "青云路", "新迎路", "菊华路",
    "桃源街", "云波路", "环城北路", "金江路", "虹山东路", "园博路", "盘龙路", "松华路",
    "金实路", "尚义街", "江东路", "月牙塘路", "圆通北路",
)  # fmt: skip
ESTATES = (
    "金色家园", "北辰小区", "白龙小区", "银河星座", "东华小区", "新迎小区", "世纪城", "金康园",
    "阳光花园", "翠湖湾", "云山小区", "金江小区", "书香门第", "盘龙花园", "和谐家园", "青云苑",
)  # fmt: skip
FLOORS = {
    BuildingKind.RENTAL: (2, 7),
    BuildingKind.RESIDENTIAL: (6, 18),
    BuildingKind.SMALL_VENUE: (1, 3),
    BuildingKind.CROWDED: (1, 5),
    BuildingKind.SCHOOL: (3, 6),
    BuildingKind.HOSPITAL: (4, 16),
    BuildingKind.INDUSTRIAL_PARK: (1, 6),
}
VENUES = ("便利店", "米线店", "小吃店", "小旅馆", "烧烤店", "五金店", "理发店", "小超市")
CROWDED = ("农贸市场", "购物中心", "电影院", "网吧", "KTV", "宾馆", "汽车客运站")
HOSPITALS = ("中医医院", "妇幼保健院", "第一人民医院", "第二人民医院", "口腔医院", "康复医院")
PARKS = ("金辰工业园", "青云科技园", "龙泉产业园", "茨坝工业园")
AGENCIES = (
    "盘龙区教育体育局", "盘龙区卫生健康局", "盘龙区住房和城乡建设局",
    "盘龙区市场监督管理局", "盘龙区应急管理局", "盘龙区城市管理局",
)  # fmt: skip
RESIDENT_UNITS: tuple[tuple[str, str], ...] = (
    ("云南省交通运输厅", UnitSituation.PARTY_ORGAN),
    ("云南省气象局", UnitSituation.PARTY_ORGAN),
    ("昆明市公安局盘龙分局", UnitSituation.PARTY_ORGAN),
    ("昆明供电局盘龙供电所", UnitSituation.STATE_ENTERPRISE),
    ("昆明市第十中学", UnitSituation.PUBLIC_INSTITUTION),
    ("昆明市盘龙区第一小学", UnitSituation.PUBLIC_INSTITUTION),
    ("昆明市延安医院", UnitSituation.PUBLIC_INSTITUTION),
    ("云南省地质调查院", UnitSituation.PUBLIC_INSTITUTION),
    ("中国邮政盘龙区分公司", UnitSituation.STATE_ENTERPRISE),
    ("昆明自来水集团北区营业所", UnitSituation.STATE_ENTERPRISE),
    ("云南广播电视台", UnitSituation.PUBLIC_INSTITUTION),
    ("盘龙区消防救援大队", UnitSituation.PARTY_ORGAN),
    ("国家税务总局昆明市盘龙区税务局", UnitSituation.PARTY_ORGAN),
    ("工商银行昆明北京路支行", UnitSituation.STATE_ENTERPRISE),
    ("建设银行昆明白龙路支行", UnitSituation.STATE_ENTERPRISE),
    ("昆明公交集团第三分公司", UnitSituation.STATE_ENTERPRISE),
    ("云南省测绘院", UnitSituation.PUBLIC_INSTITUTION),
    ("昆明市儿童医院", UnitSituation.PUBLIC_INSTITUTION),
    ("昆明市第二十一中学", UnitSituation.PUBLIC_INSTITUTION),
    ("昆明铁路局车务段", UnitSituation.STATE_ENTERPRISE),
)
# Area codes for ID numbers: Kunming's districts and counties, then elsewhere (for members who
# came from other provinces, with the place they came from).
LOCAL_AREAS = (
    "530103", "530103", "530103", "530102", "530111", "530112", "530113", "530114",
    "530124", "530128", "530181", "530302", "530402", "532301",
)  # fmt: skip
OTHER_AREAS: tuple[tuple[str, str], ...] = (
    ("510104", "四川省成都市"),
    ("520102", "贵州省贵阳市"),
    ("430102", "湖南省长沙市"),
    ("420102", "湖北省武汉市"),
    ("410102", "河南省郑州市"),
    ("360102", "江西省南昌市"),
    ("500103", "重庆市渝中区"),
    ("450102", "广西壮族自治区南宁市"),
)
OUT_PLACES = ("广东省深圳市", "上海市浦东新区", "浙江省杭州市", "北京市朝阳区", "四川省成都市")
SCHOOL_SCOPES = ("七年级组", "八年级组", "九年级组")
HOSPITAL_SCOPES = ("内科一病区", "外科病区", "儿科")
UNIT_COMMITMENTS = (
    "1. 每季度组织在职党员进社区开展志愿服务不少于1次；"
    "2. 向社区开放会议室、停车场等共享资源；"
    "3. 参加社区党建联席会议，协助开展安全大检查。"
)
COMMUNITY_COMMITMENTS = (
    "1. 为单位在职党员报到提供服务岗位；"
    "2. 每半年反馈在职党员进社区现实表现；"
    "3. 协助单位开展主题党日和志愿服务活动。"
)
TEN_ONES = (
    "十个一：结一个对子、办一件实事、上一堂党课、开一次联席会、搞一次活动、"
    "捐一批物资、帮一户困难家庭、解一个难题、建一支队伍、树一个典型。"
)
_NUMERALS = "〇一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 二十三)."""
    if n <= 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens]
    return f"{head}十{_NUMERALS[ones] if ones else ''}"


def _spread(total: int, slots: int) -> list[int]:
    """``total`` split over ``slots`` as evenly as possible, the first ones taking the rest."""
    if slots == 0:
        return []
    base, extra = divmod(total, slots)
    return [base + (1 if i < extra else 0) for i in range(slots)]


def _picks(total: int, slots: int, offset: int = 0) -> set[int]:
    """``total`` slot indexes spread evenly over ``slots``."""
    return {(i * slots // total + offset) % slots for i in range(total)} if total else set()


# --- plans -------------------------------------------------------------------------------


@dataclass
class OrgPlan:
    code: str
    parent: str | None
    kind: str
    name: str
    short_name: str
    category: str
    unit_situation: str
    unit_name: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    established_on: date | None = None
    sort_order: int = 0
    members: int = 0  # members to generate directly in this organization


@dataclass
class GridPlan:
    index: int
    code: str
    name: str
    suffix: str  # "S01-C01-G01"
    community: str
    branch: str
    groups: list[str]
    members: int
    building_kinds: list[str]
    boundary: dict[str, Any]
    centre: tuple[float, float]
    box: tuple[float, float, float]  # lon, lat, size


@dataclass
class Plan:
    orgs: list[OrgPlan]
    grids: list[GridPlan]
    community_codes: list[str]


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def make_plan(scale: Scale, faker: Faker) -> Plan:
    """The organization tree and grids, with how many members and buildings go where."""
    orgs: list[OrgPlan] = []
    grids: list[GridPlan] = []
    communities: list[str] = []
    district = f"中共{DISTRICT_NAME}委员会"
    orgs.append(
        OrgPlan(
            DISTRICT_CODE,
            None,
            OrgKind.DISTRICT,
            district,
            f"{DISTRICT_NAME}委",
            OrgCategory.COMMITTEE,
            UnitSituation.PARTY_ORGAN,
            unit_name=f"中共{DISTRICT_NAME}委员会",
            address="云南省昆明市盘龙区北京路1号",
        )
    )
    for i in range(scale.agencies):
        unit = AGENCIES[i % len(AGENCIES)]
        orgs.append(
            OrgPlan(
                f"XF-A{i + 1:02d}",
                DISTRICT_CODE,
                OrgKind.AGENCY,
                f"{unit}机关党支部",
                f"{unit.removeprefix(DISTRICT_NAME)}机关党支部",
                OrgCategory.BRANCH,
                UnitSituation.PARTY_ORGAN,
                unit_name=unit,
                sort_order=100 + i,
                members=scale.agency_members,
            )
        )
    orgs.append(
        OrgPlan(
            "XF-M01",
            DISTRICT_CODE,
            OrgKind.MOBILE,
            f"中共{DISTRICT_NAME}流动党员委员会",
            "流动党员党委",
            OrgCategory.COMMITTEE,
            UnitSituation.OTHER,
            sort_order=200,
            members=scale.mobile_members,
        )
    )

    n_communities = sum(scale.communities_per_street)
    grids_per_community = _spread(scale.grid_branches, n_communities)
    groups_per_grid = _spread(scale.building_groups, scale.grid_branches)
    members_in_orgs = (
        scale.agencies * scale.agency_members
        + scale.mobile_members
        + len(scale.communities_per_street)
        * (
            scale.resident_units_per_street * scale.unit_members
            + scale.non_public_per_street * scale.non_public_members
            + scale.social_per_street * scale.social_members
            + scale.mobile_home_members
        )
    )
    members_per_grid = _spread(scale.members - members_in_orgs, scale.grid_branches)
    rentals_per_grid = _spread(scale.rentals, scale.grid_branches)
    specials = [
        (BuildingKind.SCHOOL, _picks(scale.schools, scale.grid_branches)),
        (BuildingKind.HOSPITAL, _picks(scale.hospitals, scale.grid_branches, 2)),
        (BuildingKind.INDUSTRIAL_PARK, _picks(scale.industrial_parks, scale.grid_branches, 5)),
        (BuildingKind.CROWDED, _picks(scale.crowded, scale.grid_branches, 1)),
    ]
    unit_index = 0
    community_index = 0
    grid_index = 0
    for s, n_comm in enumerate(scale.communities_per_street, start=1):
        street_short, community_names = STREETS[s - 1]
        street = f"S{s:02d}"
        street_code = f"XF-{street}"
        orgs.append(
            OrgPlan(
                street_code,
                DISTRICT_CODE,
                OrgKind.STREET,
                f"中共{DISTRICT_NAME}{street_short}街道工作委员会",
                f"{street_short}街道党工委",
                OrgCategory.WORKING_COMMITTEE,
                UnitSituation.STREET,
                unit_name=f"{DISTRICT_NAME}{street_short}街道办事处",
                address=f"云南省昆明市盘龙区{ROADS[s * 3 % len(ROADS)]}{s * 11}号",
                sort_order=s,
            )
        )
        for u in range(1, scale.resident_units_per_street + 1):
            unit, situation = RESIDENT_UNITS[unit_index % len(RESIDENT_UNITS)]
            unit_index += 1
            committee = u % 3 == 1
            orgs.append(
                OrgPlan(
                    f"{street_code}-U{u:02d}",
                    street_code,
                    OrgKind.RESIDENT_UNIT,
                    f"{unit}{'党委' if committee else '党支部'}",
                    unit,
                    OrgCategory.COMMITTEE if committee else OrgCategory.BRANCH,
                    situation,
                    unit_name=unit,
                    sort_order=300 + u,
                    members=scale.unit_members,
                )
            )
        for n in range(1, scale.non_public_per_street + 1):
            company = faker.company()
            orgs.append(
                OrgPlan(
                    f"{street_code}-N{n:02d}",
                    street_code,
                    OrgKind.NON_PUBLIC,
                    f"{company}党支部",
                    f"{company}党支部",
                    OrgCategory.BRANCH,
                    UnitSituation.NON_PUBLIC_ENTERPRISE,
                    unit_name=company,
                    sort_order=400 + n,
                    members=scale.non_public_members,
                )
            )
        for n in range(1, scale.social_per_street + 1):
            orgs.append(
                OrgPlan(
                    f"{street_code}-O{n:02d}",
                    street_code,
                    OrgKind.SOCIAL,
                    f"{street_short}街道社会组织联合党支部{'' if n == 1 else n}",
                    f"{street_short}社会组织联合党支部",
                    OrgCategory.JOINT_BRANCH,
                    UnitSituation.SOCIAL_ORGANIZATION,
                    sort_order=500 + n,
                    members=scale.social_members,
                )
            )
        orgs.append(
            OrgPlan(
                f"{street_code}-H01",
                street_code,
                OrgKind.MOBILE_HOME,
                f"{street_short}街道流动党员之家",
                f"{street_short}流动党员之家",
                OrgCategory.BRANCH,
                UnitSituation.STREET,
                sort_order=600,
                members=scale.mobile_home_members,
            )
        )
        for c in range(1, n_comm + 1):
            comm_short = f"{community_names[c - 1]}社区"
            comm = f"{street}-C{c:02d}"
            comm_code = f"XF-{comm}"
            communities.append(comm_code)
            general = community_index % 3 == 2
            first_grid_box = _grid_box(grid_index)
            orgs.append(
                OrgPlan(
                    comm_code,
                    street_code,
                    OrgKind.COMMUNITY,
                    f"中共{DISTRICT_NAME}{street_short}街道{comm_short}"
                    f"{'总支部委员会' if general else '委员会'}",
                    f"{comm_short}{'党总支' if general else '党委'}",
                    OrgCategory.GENERAL_BRANCH if general else OrgCategory.COMMITTEE,
                    UnitSituation.URBAN_COMMUNITY,
                    unit_name=f"{comm_short}居民委员会",
                    address=f"云南省昆明市盘龙区{ROADS[community_index % len(ROADS)]}"
                    f"{community_index * 7 + 3}号",
                    latitude=_dec(first_grid_box[1] + first_grid_box[2] / 2),
                    longitude=_dec(first_grid_box[0] + first_grid_box[2] / 2),
                    established_on=date(2000 + community_index % 15, 7, 1),
                    sort_order=c,
                )
            )
            for g in range(1, grids_per_community[community_index] + 1):
                suffix = f"{comm}-G{g:02d}"
                branch_code = f"XF-{suffix}"
                grid_name = f"{comm_short}第{chinese_number(g)}网格"
                lon, lat, size = _grid_box(grid_index)
                centre = (lon + size / 2, lat + size / 2)
                n_groups = groups_per_grid[grid_index]
                group_codes = [f"{branch_code}-B{b:02d}" for b in range(1, n_groups + 1)]
                members = members_per_grid[grid_index]
                branch_members = members if not n_groups else round(members * 0.4)
                orgs.append(
                    OrgPlan(
                        branch_code,
                        comm_code,
                        OrgKind.GRID_BRANCH,
                        f"{grid_name}党支部",
                        f"{grid_name}党支部",
                        OrgCategory.BRANCH,
                        UnitSituation.URBAN_COMMUNITY,
                        latitude=_dec(centre[1]),
                        longitude=_dec(centre[0]),
                        sort_order=g,
                        members=branch_members,
                    )
                )
                for b, (group_code, group_members) in enumerate(
                    zip(group_codes, _spread(members - branch_members, n_groups), strict=True),
                    start=1,
                ):
                    orgs.append(
                        OrgPlan(
                            group_code,
                            branch_code,
                            OrgKind.BUILDING_GROUP,
                            f"{grid_name}第{chinese_number(b)}楼栋党小组",
                            f"{grid_name}第{chinese_number(b)}楼栋党小组",
                            OrgCategory.GROUP,
                            UnitSituation.URBAN_COMMUNITY,
                            sort_order=b,
                            members=group_members,
                        )
                    )
                kinds = [BuildingKind.RENTAL] * rentals_per_grid[grid_index]
                kinds += [BuildingKind.RESIDENTIAL] * scale.residential_per_grid
                kinds += [BuildingKind.SMALL_VENUE] * scale.small_venues_per_grid
                kinds += [kind for kind, where in specials if grid_index in where]
                ring = [
                    [round(lon, 6), round(lat, 6)],
                    [round(lon + size, 6), round(lat, 6)],
                    [round(lon + size, 6), round(lat + size, 6)],
                    [round(lon, 6), round(lat + size, 6)],
                    [round(lon, 6), round(lat, 6)],
                ]
                grids.append(
                    GridPlan(
                        index=grid_index,
                        code=f"G-{suffix}",
                        name=grid_name,
                        suffix=suffix,
                        community=comm_code,
                        branch=branch_code,
                        groups=group_codes,
                        members=members,
                        building_kinds=kinds,
                        boundary={"type": "Polygon", "coordinates": [ring]},
                        centre=centre,
                        box=(lon, lat, size),
                    )
                )
                grid_index += 1
            community_index += 1
    return Plan(orgs=orgs, grids=grids, community_codes=communities)


def _grid_box(index: int) -> tuple[float, float, float]:
    """Grids lie on a 9-wide lattice of ~500 m squares north of Kunming's centre."""
    col, row = index % 9, index // 9
    return 102.68 + col * 0.006, 25.03 + row * 0.006, 0.005


# --- the build ---------------------------------------------------------------------------


@dataclass
class Context:
    scale: Scale
    seed: int
    rng: random.Random
    faker: Faker
    history: bool
    orgs: dict[str, Organization] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    person_ids: dict[str, int] = field(default_factory=dict)  # id_number -> pk
    member_ids: dict[int, int] = field(default_factory=dict)  # person pk -> member pk
    building_ids: dict[str, int] = field(default_factory=dict)  # code -> pk
    household_ids: dict[tuple[int, str, str], int] = field(default_factory=dict)
    resident_pairs: set[tuple[int, int]] = field(default_factory=set)
    care_pairs: set[tuple[int, int]] = field(default_factory=set)
    zone_keys: set[tuple[int, str]] = field(default_factory=set)
    care_tags: list[CareTag] = field(default_factory=list)
    pinyin: dict[str, tuple[str, str]] = field(default_factory=dict)
    first_member: dict[str, PartyMember] = field(default_factory=dict)  # org code -> member
    unit_names: list[str] = field(default_factory=list)
    company_names: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    surname_weights: list[float] = field(default_factory=list)  # cumulative
    male_names: list[str] = field(default_factory=list)
    female_names: list[str] = field(default_factory=list)
    org_members: dict[str, int] = field(default_factory=dict)  # org code -> members to make
    special_zones: dict[str, int] = field(default_factory=dict)  # building code -> number
    created: dict[str, int] = field(default_factory=dict)


@dataclass
class Pending:
    persons: list[Person] = field(default_factory=list)
    members: list[PartyMember] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    residents: list[tuple[Household, Person, str, date]] = field(default_factory=list)
    care: list[tuple[Household, CareTag]] = field(default_factory=list)
    zones: list[tuple[ResponsibilityZone, list[PartyMember], list[Building], list[Household]]] = (
        field(default_factory=list)
    )


def _count(ctx: Context, model: type[models.Model], n: int) -> None:
    key = model._meta.label
    ctx.created[key] = ctx.created.get(key, 0) + n


def _bulk_create(ctx: Context, model: type[models.Model], objs: Sequence[models.Model]) -> None:
    if not objs:
        return
    model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    if ctx.history and hasattr(model, "history"):
        model.history.bulk_history_create(
            objs, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON
        )
    _count(ctx, model, len(objs))


def _through_create(through: type[models.Model], rows: list[models.Model]) -> None:
    if rows:
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _load_existing(ctx: Context) -> None:
    ctx.person_ids = dict(
        Person.objects.exclude(id_number=None).values_list("id_number", "pk").iterator(5000)
    )
    ctx.member_ids = dict(PartyMember.objects.values_list("person_id", "pk").iterator(5000))
    ctx.building_ids = dict(Building.objects.values_list("code", "pk").iterator(5000))
    ctx.household_ids = {
        (b, u, r): pk
        for pk, b, u, r in Household.objects.values_list(
            "pk", "building_id", "unit", "room"
        ).iterator(5000)
    }
    ctx.resident_pairs = set(
        Resident.objects.values_list("household_id", "person_id").iterator(5000)
    )
    ctx.care_pairs = set(
        Household.care_tags.through.objects.values_list("household_id", "caretag_id").iterator(5000)
    )
    ctx.zone_keys = set(ResponsibilityZone.objects.values_list("organization_id", "name"))
    ctx.care_tags = list(CareTag.objects.order_by("id"))


def _setup_names(ctx: Context) -> None:
    provider = next(
        p for p in ctx.faker.get_providers() if type(p).__module__.endswith("person.zh_CN")
    )
    last_names = provider.last_names
    ctx.surnames = list(last_names)
    ctx.surname_weights = list(itertools.accumulate(last_names.values()))
    ctx.male_names = list(provider.first_names_male)
    ctx.female_names = list(provider.first_names_female)


def _name(ctx: Context, male: bool) -> str:
    rng = ctx.rng
    surname = rng.choices(ctx.surnames, cum_weights=ctx.surname_weights)[0]
    return surname + rng.choice(ctx.male_names if male else ctx.female_names)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return date.fromordinal(rng.randrange(start.toordinal(), end.toordinal() + 1))


def _years_ago(years: int) -> date:
    return REFERENCE_DATE.replace(year=REFERENCE_DATE.year - years)


def _id_number(ctx: Context, area: str, birth: date, male: bool) -> str:
    seq = ctx.rng.randrange(500) * 2 + (1 if male else 0)  # odd: male, even: female
    while True:
        number = _with_check(f"{area}{birth:%Y%m%d}{seq:03d}")
        if number not in ctx.used_ids:
            ctx.used_ids.add(number)
            return number
        seq = (seq + 2) % 1000


def _person(
    ctx: Context,
    pending: Pending,
    *,
    org_id: int,
    ages: tuple[int, int],
    address: str,
    area: str | None = None,
    male: bool | None = None,
) -> Person:
    """A person, planned from the seed; with its pk set (and not re-created) when it exists."""
    rng = ctx.rng
    if male is None:
        male = rng.random() < 0.5
    name = _name(ctx, male)
    birth = _random_date(rng, _years_ago(ages[1]), _years_ago(ages[0]))
    number = _id_number(ctx, area or rng.choice(LOCAL_AREAS), birth, male)
    person = Person(
        organization_id=org_id,
        name=name,
        gender=Gender.MALE if male else Gender.FEMALE,
        birth_date=birth,
        id_number=number,
        mobile=_mobile(rng),
        address=address,
    )
    existing = ctx.person_ids.get(number)
    if existing is not None:
        person.pk = existing
        return person
    spelled = ctx.pinyin.get(name)
    if spelled is None:
        spelled = ctx.pinyin[name] = (name_pinyin(name), name_initials(name))
    person.name_pinyin, person.name_initials = spelled
    pending.persons.append(person)
    return person


def _member(
    ctx: Context,
    pending: Pending,
    *,
    org: Organization,
    kind: str,
    address: str,
    community: Organization | None,
) -> PartyMember:
    rng = ctx.rng
    area_origin = rng.choice(OTHER_AREAS) if kind == MemberKind.MOBILE else None
    person = _person(
        ctx,
        pending,
        org_id=org.pk,
        ages=(20, 88),
        address=address,
        area=area_origin[0] if area_origin else None,
    )
    roll = rng.random()
    status = (
        MemberStatus.MOBILE
        if roll < 0.02
        else MemberStatus.LOST_CONTACT
        if roll < 0.03
        else MemberStatus.NORMAL
    )
    probationary = rng.random() < 0.04
    joined_age = rng.randint(18, 40)
    work_unit = ""
    residence = None
    origin = current = ""
    if kind == MemberKind.IN_SERVICE:
        work_unit = org.unit_name if org.unit_name else rng.choice(ctx.unit_names)
        residence = community
    elif kind == MemberKind.TWO_NEW:
        work_unit = org.unit_name if org.unit_name else rng.choice(ctx.company_names)
    elif kind == MemberKind.MOBILE:
        origin = area_origin[1] if area_origin else ""
        current = f"云南省昆明市{DISTRICT_NAME}"
    out_place = rng.choice(OUT_PLACES)
    if status == MemberStatus.MOBILE:
        current = out_place
    joined_gap = rng.randint(30, 330)
    birth = person.birth_date or REFERENCE_DATE
    if probationary:
        joined = REFERENCE_DATE - timedelta(days=joined_gap)
        full = None
    else:
        joined = min(
            birth.replace(year=birth.year + joined_age, day=min(birth.day, 28)),
            REFERENCE_DATE - timedelta(days=400),
        )
        full = joined + timedelta(days=365)
    member = PartyMember(
        person=person,
        branch=org,
        kind=kind,
        category=MemberCategory.PROBATIONARY if probationary else MemberCategory.FULL,
        status=status,
        joined_on=joined,
        full_member_on=full,
        work_unit=work_unit,
        residence_community=residence,
        origin=origin,
        current_place=current,
    )
    existing = ctx.member_ids.get(person.pk) if person.pk is not None else None
    if existing is not None:
        member.pk = existing
    else:
        pending.members.append(member)
    return member


_GRID_MEMBER_KINDS = (
    (MemberKind.COMMUNITY, 0.70),
    (MemberKind.IN_SERVICE, 0.15),
    (MemberKind.MOBILE, 0.10),
    (MemberKind.TWO_NEW, 0.05),
)


def _grid_member_kind(rng: random.Random) -> str:
    roll = rng.random()
    for kind, share in _GRID_MEMBER_KINDS:
        if roll < share:
            return kind
        roll -= share
    return MemberKind.COMMUNITY


def build_orgs(ctx: Context, plan: Plan) -> None:
    """Create the missing organizations level by level, each path = parent's path + own pk."""
    existing = {
        o.code: o for o in Organization.objects.filter(code__in=[p.code for p in plan.orgs])
    }
    ctx.orgs.update(existing)
    depth_of: dict[str, int] = {}
    levels: dict[int, list[OrgPlan]] = {}
    for p in plan.orgs:
        depth = 0 if p.parent is None else depth_of[p.parent] + 1
        depth_of[p.code] = depth
        levels.setdefault(depth, []).append(p)
    phones = {p.code: _mobile(ctx.rng) for p in plan.orgs}
    for depth in sorted(levels):
        new = [
            Organization(
                parent=ctx.orgs[p.parent] if p.parent else None,
                path="",
                depth=depth,
                kind=p.kind,
                name=p.name,
                short_name=p.short_name,
                code=p.code,
                category=p.category,
                unit_situation=p.unit_situation,
                unit_name=p.unit_name,
                address=p.address,
                latitude=p.latitude,
                longitude=p.longitude,
                established_on=p.established_on,
                sort_order=p.sort_order,
                contact_phone=phones[p.code],
            )
            for p in levels[depth]
            if p.code not in ctx.orgs
        ]
        if not new:
            continue
        Organization.objects.bulk_create(new, batch_size=BATCH_SIZE)
        for org in new:
            parent_path = ctx.orgs[org.parent.code].path if org.parent else ""
            org.path = parent_path + path_segment(org.pk)
            ctx.orgs[org.code] = org
        Organization.objects.bulk_update(new, ["path"], batch_size=BATCH_SIZE)
        if ctx.history:
            Organization.history.bulk_history_create(
                new, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON
            )
        _count(ctx, Organization, len(new))
    # In-service members work in the units and agencies, two-new members in the companies.
    ctx.unit_names = [p.unit_name for p in plan.orgs if p.kind == OrgKind.RESIDENT_UNIT]
    ctx.unit_names += [p.unit_name for p in plan.orgs if p.kind == OrgKind.AGENCY]
    ctx.company_names = [p.unit_name for p in plan.orgs if p.kind == OrgKind.NON_PUBLIC]


def build_grids(ctx: Context, plan: Plan) -> dict[str, Grid]:
    grids = {g.code: g for g in Grid.objects.filter(code__in=[p.code for p in plan.grids])}
    new = []
    for p in plan.grids:
        if p.code in grids:
            continue
        branch = ctx.orgs[p.branch]
        grid = Grid(
            code=p.code,
            name=p.name,
            community=ctx.orgs[p.community],
            branch=branch,
            organization=branch,
            boundary=p.boundary,
            note="",
        )
        new.append(grid)
        grids[p.code] = grid
    _bulk_create(ctx, Grid, new)
    return grids


def _address(road: str, number: int) -> str:
    return f"云南省昆明市{DISTRICT_NAME}{road}{number}号"


def _building_name(ctx: Context, kind: str, road: str, number: int, seq: int) -> tuple[str, str]:
    """(name, owner name) of a building of this kind."""
    rng = ctx.rng
    if kind == BuildingKind.RENTAL:
        return f"{road}{number}号出租屋", ""
    if kind == BuildingKind.RESIDENTIAL:
        estate = rng.choice(ESTATES)
        return f"{estate}{seq % 20 + 1}栋", f"{estate}物业服务中心"
    if kind == BuildingKind.SMALL_VENUE:
        shop = f"{rng.choice(ctx.surnames[:60])}记{rng.choice(VENUES)}"
        return shop, shop
    if kind == BuildingKind.CROWDED:
        place = f"{road}{rng.choice(CROWDED)}"
        return place, place
    if kind == BuildingKind.SCHOOL:
        school = f"{DISTRICT_NAME}{road.removesuffix('路').removesuffix('街')}小学"
        return school, school
    if kind == BuildingKind.HOSPITAL:
        hospital = f"{DISTRICT_NAME}{rng.choice(HOSPITALS)}"
        return hospital, hospital
    park = rng.choice(PARKS)
    return park, f"{park}管理委员会"


def grid_is_built(ctx: Context, plan: GridPlan) -> bool:
    """A grid is flushed at once, so its last building tells whether all of it is there."""
    return f"B-{plan.suffix}-{len(plan.building_kinds):04d}" in ctx.building_ids


def special_zone_numbers(scale: Scale, plan: Plan) -> dict[str, int]:
    """Code of each school or hospital building that gets a zone -> its number in its kind."""
    numbers: dict[str, int] = {}
    seen: Counter[str] = Counter()
    for grid in plan.grids:
        for seq, kind in enumerate(grid.building_kinds, start=1):
            if kind in (BuildingKind.SCHOOL, BuildingKind.HOSPITAL) and grid.members:
                if seen[kind] < scale.special_zones:
                    numbers[f"B-{grid.suffix}-{seq:04d}"] = seen[kind]
                    seen[kind] += 1
    return numbers


def build_grid(ctx: Context, plan: GridPlan, grid: Grid) -> None:
    """One grid's members, buildings, landlords, households, residents and zones.

    Each grid draws from its own seeded stream, so a grid already built can be skipped without
    changing what the others draw.
    """
    ctx.rng.seed(f"{ctx.seed}:{plan.code}")
    rng = ctx.rng
    scale = ctx.scale
    pending = Pending()
    branch = ctx.orgs[plan.branch]
    groups = [ctx.orgs[code] for code in plan.groups]
    community = ctx.orgs[plan.community]
    lon, lat, size = plan.box

    # Members of the branch and its building groups.
    member_orgs = [branch, *groups]
    grid_members: list[PartyMember] = []
    for org in member_orgs:
        for _n in range(ctx.org_members[org.code]):
            address = _address(rng.choice(ROADS), rng.randint(1, 400))
            member = _member(
                ctx,
                pending,
                org=org,
                kind=_grid_member_kind(rng),
                address=address,
                community=community,
            )
            grid_members.append(member)
            ctx.first_member.setdefault(org.code, member)

    # Buildings with their landlords, households and residents.
    dwellings: list[Building] = []
    households_of: dict[int, list[Household]] = {}
    specials: list[Building] = []
    landlord: Person | None = None
    for seq, kind in enumerate(plan.building_kinds, start=1):
        code = f"B-{plan.suffix}-{seq:04d}"
        road = rng.choice(ROADS)
        number = rng.randint(1, 600)
        name, owner = _building_name(ctx, kind, road, number, seq)
        address = _address(road, number)
        if kind == BuildingKind.RESIDENTIAL:
            address += name
        dwelling = kind in (BuildingKind.RENTAL, BuildingKind.RESIDENTIAL)
        group = rng.choice(groups) if groups and dwelling and rng.random() < 0.6 else None
        org = group or branch
        floors = rng.randint(*FLOORS[kind])
        roll = rng.random()
        colour = (
            SafetyColour.RED
            if roll < 0.02
            else SafetyColour.YELLOW
            if roll < 0.07
            else SafetyColour.GREEN
            if roll < 0.15
            else SafetyColour.UNRATED
        )
        point = (lon + rng.random() * size, lat + rng.random() * size)
        if kind == BuildingKind.RENTAL:
            if landlord is None or rng.random() >= 0.2:
                landlord = _person(ctx, pending, org_id=org.pk, ages=(30, 80), address=address)
            owner_person: Person | None = landlord
            owner = ""
        else:
            owner_person = None
        existing = ctx.building_ids.get(code)
        building = Building(
            code=code,
            name=name,
            address=address,
            address_normalized=normalize_address(address),
            grid=grid,
            building_group=group,
            organization=org,
            kind=kind,
            floors=floors,
            landlord=owner_person,
            owner_name=owner,
            latitude=_dec(point[1]),
            longitude=_dec(point[0]),
            safety_colour=colour,
        )
        if existing is not None:
            building.pk = existing
        else:
            pending.buildings.append(building)
        if dwelling:
            dwellings.append(building)
            households_of[id(building)] = _plan_households(ctx, pending, building, address, kind)
        elif kind in (BuildingKind.SCHOOL, BuildingKind.HOSPITAL):
            specials.append(building)

    # Responsibility zones: community members in ones, twos and threes, each with some
    # buildings and households of the grid.
    eligible = [
        m
        for m in grid_members
        if m.kind == MemberKind.COMMUNITY and m.status == MemberStatus.NORMAL
    ]
    eligible = eligible[: int(len(eligible) * scale.zone_share)]
    zone_no: dict[str, int] = {}
    cursor = 0
    i = 0
    while i < len(eligible) and dwellings:
        size_ = rng.randint(1, 3)
        team = eligible[i : i + size_]
        i += size_
        org = team[0].branch
        zone_no[org.code] = zone_no.get(org.code, 0) + 1
        n_buildings = rng.randint(1, 4)
        zone_buildings = [dwellings[(cursor + k) % len(dwellings)] for k in range(n_buildings)]
        cursor += n_buildings
        zone_households: list[Household] = []
        if rng.random() < 0.5:
            for b in zone_buildings:
                zone_households += households_of.get(id(b), [])[: rng.randint(1, 3)]
        name = f"{org.short_name}{zone_no[org.code]}号党员责任区"
        _plan_zone(
            ctx,
            pending,
            org=org,
            name=name,
            kind=ZoneKind.COMMUNITY,
            members=team,
            buildings=zone_buildings,
            households=zone_households,
        )
    # A few school and hospital zones, divided by year group or ward.
    for building in specials:
        kind = ZoneKind.SCHOOL if building.kind == BuildingKind.SCHOOL else ZoneKind.HOSPITAL
        done = ctx.special_zones.get(building.code)
        if done is None or not grid_members:
            continue
        scopes = SCHOOL_SCOPES if kind == ZoneKind.SCHOOL else HOSPITAL_SCOPES
        scope = scopes[done % len(scopes)]
        team = [grid_members[(done * 3 + k) % len(grid_members)] for k in range(2)]
        _plan_zone(
            ctx,
            pending,
            org=branch,
            name=f"{branch.short_name}{scope}党员责任区",
            kind=kind,
            members=list({id(m): m for m in team}.values()),
            buildings=[building],
            households=[],
            unit_scope=scope,
        )
    _flush(ctx, pending)


def _plan_households(
    ctx: Context, pending: Pending, building: Building, address: str, kind: str
) -> list[Household]:
    rng = ctx.rng
    scale = ctx.scale
    rental = kind == BuildingKind.RENTAL
    households: list[Household] = []
    for k in range(rng.randint(*scale.households_per_building)):
        if rental:
            unit, room = "", f"{k // 3 + 1}0{k % 3 + 1}"
        else:
            unit, room = str(k % 2 + 1), f"{k // 2 + 1}0{rng.randint(1, 2)}"
        existing = (
            ctx.household_ids.get((building.pk, unit, room)) if building.pk is not None else None
        )
        household = Household(
            building=building,
            organization=building.organization,
            unit=unit,
            room=room,
            is_rental=rental,
        )
        if existing is not None:
            household.pk = existing
        else:
            pending.households.append(household)
        households.append(household)
        where = f"{address}{unit + '单元' if unit else ''}{room}室"
        for r in range(rng.randint(*scale.residents_per_household)):
            if rental:
                relation, ages = ResidentRelation.TENANT, (18, 60)
            elif r == 0:
                relation, ages = ResidentRelation.HEAD, (25, 85)
            elif r == 1:
                relation, ages = ResidentRelation.SPOUSE, (25, 85)
            else:
                relation, ages = rng.choice(
                    ((ResidentRelation.CHILD, (1, 30)), (ResidentRelation.PARENT, (60, 92)))
                )
            person = _person(
                ctx, pending, org_id=building.organization.pk, ages=ages, address=where
            )
            moved_in = _random_date(rng, date(2000, 1, 1), REFERENCE_DATE)
            pending.residents.append((household, person, relation, moved_in))
        if ctx.care_tags and rng.random() < scale.care_share:
            tags = rng.sample(ctx.care_tags, 2 if rng.random() < 0.1 else 1)
            pending.care += [(household, tag) for tag in tags]
    return households


def _plan_zone(
    ctx: Context,
    pending: Pending,
    *,
    org: Organization,
    name: str,
    kind: str,
    members: list[PartyMember],
    buildings: list[Building],
    households: list[Household],
    unit_scope: str = "",
) -> None:
    public_code = uuid.UUID(int=ctx.rng.getrandbits(128), version=4)
    if (org.pk, name) in ctx.zone_keys:
        return
    ctx.zone_keys.add((org.pk, name))
    zone = ResponsibilityZone(
        organization=org,
        name=name,
        kind=kind,
        unit_scope=unit_scope,
        duties=duties_for(kind),
        board_title=f"{name}公示牌",
        board_contact_phone=getattr(members[0].person, "mobile", "") or "",
        public_code=public_code,
    )
    pending.zones.append((zone, members, buildings, households))


def _flush(ctx: Context, pending: Pending) -> None:
    """Insert what was planned, parents before children."""
    _bulk_create(ctx, Person, pending.persons)
    for person in pending.persons:
        ctx.person_ids[person.id_number] = person.pk
    _bulk_create(ctx, PartyMember, pending.members)
    for member in pending.members:
        ctx.member_ids[member.person_id] = member.pk
    _bulk_create(ctx, Building, pending.buildings)
    _bulk_create(ctx, Household, pending.households)

    residents = []
    for household, person, relation, moved_in in pending.residents:
        key = (household.pk, person.pk)
        if key in ctx.resident_pairs:
            continue
        ctx.resident_pairs.add(key)
        residents.append(
            Resident(household=household, person=person, relation=relation, moved_in_on=moved_in)
        )
    _bulk_create(ctx, Resident, residents)

    through = Household.care_tags.through
    care_rows = []
    for household, tag in pending.care:
        key = (household.pk, tag.pk)
        if key not in ctx.care_pairs:
            ctx.care_pairs.add(key)
            care_rows.append(through(household_id=household.pk, caretag_id=tag.pk))
    _through_create(through, care_rows)

    zones = [zone for zone, *_ in pending.zones]
    _bulk_create(ctx, ResponsibilityZone, zones)
    z_members = ResponsibilityZone.members.through
    z_buildings = ResponsibilityZone.buildings.through
    z_households = ResponsibilityZone.households.through
    member_rows, building_rows, household_rows = [], [], []
    for zone, members, buildings, households in pending.zones:
        member_rows += [
            z_members(responsibilityzone_id=zone.pk, partymember_id=m.pk) for m in members
        ]
        building_rows += [
            z_buildings(responsibilityzone_id=zone.pk, building_id=b.pk)
            for b in dict.fromkeys(buildings)
        ]
        household_rows += [
            z_households(responsibilityzone_id=zone.pk, household_id=h.pk)
            for h in dict.fromkeys(households)
        ]
    _through_create(z_members, member_rows)
    _through_create(z_buildings, building_rows)
    _through_create(z_households, household_rows)


def build_org_members(ctx: Context, plan: Plan) -> None:
    """Members of the organizations outside the grids: agencies, units, two-new, mobile."""
    ctx.rng.seed(f"{ctx.seed}:members")
    pending = Pending()
    rng = ctx.rng
    communities = [ctx.orgs[c] for c in plan.community_codes]
    kinds = {
        OrgKind.AGENCY: MemberKind.IN_SERVICE,
        OrgKind.RESIDENT_UNIT: MemberKind.IN_SERVICE,
        OrgKind.NON_PUBLIC: MemberKind.TWO_NEW,
        OrgKind.SOCIAL: MemberKind.TWO_NEW,
        OrgKind.MOBILE: MemberKind.MOBILE,
        OrgKind.MOBILE_HOME: MemberKind.MOBILE,
    }
    for p in plan.orgs:
        if p.kind not in kinds:
            continue
        org = ctx.orgs[p.code]
        for _n in range(p.members):
            member = _member(
                ctx,
                pending,
                org=org,
                kind=kinds[p.kind],
                address=_address(rng.choice(ROADS), rng.randint(1, 400)),
                community=rng.choice(communities),
            )
            ctx.first_member.setdefault(org.code, member)
    _flush(ctx, pending)


def build_pairings(ctx: Context, plan: Plan) -> None:
    """Resident units pair with communities (结对共建, 十个一); agencies live in (部门包居)."""
    ctx.rng.seed(f"{ctx.seed}:pairings")
    rng = ctx.rng
    communities = plan.community_codes
    existing = set(Pairing.objects.values_list("kind", "org_a_id", "org_b_id"))
    wanted: list[tuple[str, str, str]] = []
    units = [p.code for p in plan.orgs if p.kind == OrgKind.RESIDENT_UNIT]
    agencies = [p.code for p in plan.orgs if p.kind == OrgKind.AGENCY]
    for i, unit in enumerate(units):
        # A unit pairs with the first community of its own street, or the next ones along.
        street = unit.rsplit("-", 1)[0]
        own = [c for c in communities if c.startswith(street + "-")]
        wanted.append((PairingKind.CO_BUILDING, unit, own[i % len(own)] if own else communities[0]))
        if i % 2 == 0:
            wanted.append((PairingKind.TEN_ONES, unit, communities[(i * 5 + 3) % len(communities)]))
    for i, agency in enumerate(agencies):
        for k in range(2):
            target = communities[(i * 2 + k * 7 + 1) % len(communities)]
            wanted.append((PairingKind.DEPARTMENT_RESIDENCE, agency, target))
    new = []
    for kind, a, b in dict.fromkeys(wanted):
        org_a, org_b = ctx.orgs[a], ctx.orgs[b]
        starts = _random_date(rng, date(2016, 1, 1), date(2024, 12, 31))
        if (kind, org_a.pk, org_b.pk) in existing or org_a.pk == org_b.pk:
            continue
        new.append(
            Pairing(
                kind=kind,
                org_a=org_a,
                org_b=org_b,
                starts_on=starts,
                commitments_a=UNIT_COMMITMENTS,
                commitments_b=COMMUNITY_COMMITMENTS,
                note=TEN_ONES if kind == PairingKind.TEN_ONES else "",
            )
        )
    _bulk_create(ctx, Pairing, new)


def build_personas(ctx: Context) -> None:
    """The demo accounts, their roles, and the two personas who are party members."""
    branch = ctx.orgs[WANGGE_BRANCH]
    for username, number in PERSONA_ID_NUMBERS.items():
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            person = Person(
                organization=branch,
                name=persona_display_name(username),
                id_number=number,
                mobile="13987100001" if username == "wangge" else "13987100002",
                address=_address("北辰大道", 88),
            )
            person.save()
            _count(ctx, Person, 1)
        if not PartyMember.objects.filter(person=person).exists():
            PartyMember.objects.create(
                person=person,
                branch=branch,
                kind=MemberKind.COMMUNITY,
                joined_on=date(2008, 7, 1) if username == "wangge" else date(2015, 6, 1),
                full_member_on=date(2009, 7, 1) if username == "wangge" else date(2016, 6, 1),
            )
            _count(ctx, PartyMember, 1)
    # The grid secretary is the secretary of the grid branch.
    if branch.secretary_id is None:
        branch.secretary = persona_member("wangge")
        branch.save(update_fields=["secretary"])

    password = None
    for username, (kind, code, display_name) in _PERSONAS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User(
                username=username,
                display_name=display_name,
                password=password,
                is_superuser=kind is None,
                is_staff=kind is None,
            )
            user.save()
            _count(ctx, User, 1)
        if username in PERSONA_ID_NUMBERS and user.person_id is None:
            # The member's own account: "my zones" on the home page come from this link.
            user.person = Person.objects.get(id_number=PERSONA_ID_NUMBERS[username])
            user.save(update_fields=["person"])
        if kind is not None and code is not None:
            _, created = Role.objects.get_or_create(
                user=user, kind=kind, organization=ctx.orgs[code]
            )
            if created:
                _count(ctx, Role, 1)


PERSONA_ZONE_NAME = "北辰大道党员示范责任区"


def build_persona_zone(ctx: Context) -> None:
    """``wangge`` and ``dangyuan`` answer together for a few buildings of their grid, so the
    member's home page has a zone to show."""
    branch = ctx.orgs[WANGGE_BRANCH]
    if ResponsibilityZone.objects.filter(organization=branch, name=PERSONA_ZONE_NAME).exists():
        return
    members = [persona_member(u) for u in PERSONA_ID_NUMBERS]
    buildings = list(Building.objects.filter(grid__code=WANGGE_GRID).order_by("code")[:3])
    zone = ResponsibilityZone.objects.create(
        organization=branch,
        name=PERSONA_ZONE_NAME,
        kind=ZoneKind.COMMUNITY,
        duties=duties_for(ZoneKind.COMMUNITY),
        board_title=PERSONA_ZONE_NAME,
        board_contact_phone="0871-65123456",
    )
    zone.members.set(members)
    zone.buildings.set(buildings)
    zone.households.set(Household.objects.filter(building__in=buildings))
    _count(ctx, ResponsibilityZone, 1)


def set_secretaries(ctx: Context) -> None:
    """Each branch, group and community without a secretary gets its first member."""
    changed = []
    for code, member in ctx.first_member.items():
        org = ctx.orgs[code]
        if org.secretary_id is None and member.pk is not None:
            org.secretary_id = member.pk
            changed.append(org)
    for code, org in ctx.orgs.items():
        if org.kind == OrgKind.COMMUNITY and org.secretary_id is None:
            first_branch = f"{code}-G01"
            member = ctx.first_member.get(first_branch)
            if member is not None and member.pk is not None:
                org.secretary_id = member.pk
                changed.append(org)
    if changed:
        Organization.objects.bulk_update(changed, ["secretary"], batch_size=BATCH_SIZE)


def build_demo_district(
    scale: str = "district",
    *,
    seed: int = SEED,
    history: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build (or complete) the demo district; answers how many rows of each kind it created."""
    spec = SCALES[scale]
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    ctx = Context(scale=spec, seed=seed, rng=random.Random(seed), faker=faker, history=history)
    _setup_names(ctx)
    plan = make_plan(spec, faker)
    ctx.org_members = {p.code: p.members for p in plan.orgs}
    started = time.monotonic()

    def say(message: str) -> None:
        if progress:
            progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    with transaction.atomic():
        _load_existing(ctx)
        ctx.used_ids.update(PERSONA_ID_NUMBERS.values())
        build_orgs(ctx, plan)
        grids = build_grids(ctx, plan)
        say(f"{len(ctx.orgs)} organizations, {len(grids)} grids")
        build_personas(ctx)
        ctx.special_zones = special_zone_numbers(spec, plan)
        for grid_plan in plan.grids:
            if not grid_is_built(ctx, grid_plan):
                build_grid(ctx, grid_plan, grids[grid_plan.code])
            if grid_plan.index % 10 == 9:
                say(f"{grid_plan.index + 1}/{len(plan.grids)} grids filled")
        build_org_members(ctx, plan)
        build_pairings(ctx, plan)
        set_secretaries(ctx)
        build_persona_zone(ctx)
        build_work_demo(ctx)
    say("done")
    return ctx.created


def persona_rows() -> list[tuple[str, str, str, str, str]]:
    """(username, password, name, role, organization) of each demo account in the database."""
    rows = []
    for username, (kind, code, _name) in _PERSONAS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if kind is None:
            role, org_name = str(_("超级管理员")), str(_("（全部）"))
        else:
            role = str(RoleKind(kind).label)
            org = Organization.objects.filter(code=code).first()
            org_name = f"{org.name}（{code}）" if org else str(code)
        rows.append((username, DEMO_PASSWORD, user.display_name, role, org_name))
    return rows
