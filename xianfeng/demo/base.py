"""Constants, scales, personas and name tables of the demo district."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xianfeng.core.choices import RoleKind
from xianfeng.core.crypto import blind_index
from xianfeng.core.validators import id_check_digit
from xianfeng.orgs.choices import UnitSituation
from xianfeng.people.models import PartyMember
from xianfeng.places.choices import BuildingKind

DEMO_PASSWORD = "xianfeng-demo"
# The demo admins' (admin, qu, jiedao) two-factor secret: add it to any authenticator app
# (time-based); ``manage.py demo_accounts`` prints it with the current code.
DEMO_TOTP_SECRET = "XIANFENGDEMOTOTPXIANFENGDEMOTOTP"
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
        person__id_number_index=blind_index("id_number", PERSONA_ID_NUMBERS[username])
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
