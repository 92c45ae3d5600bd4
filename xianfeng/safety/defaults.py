"""The checklists shipped with the app (version 1 of each place kind), as the seeds describe
them: the rental-housing fire-safety guidance (主体责任、隐患分类、检查要点、整治标准) first.
Written by migration 0002 and, after a test run emptied the tables, by the demo district."""

from __future__ import annotations

from typing import Any

# (title 检查项目, guidance 检查要点, category, severity, responsible party 主体责任,
#  standard 整治标准, veto 一票否决)
ESCAPE = (
    "疏散通道",
    "楼梯间、走道、安全出口是否畅通，有无堆放杂物、停放车辆、上锁封闭。",
    "escape",
    "major",
    "landlord",
    "清除杂物和车辆，安全出口不得上锁，疏散通道净宽不小于1.1米，保持24小时畅通。",
    True,
)
EBIKE = (
    "电动自行车室内停放充电",
    "楼道、楼梯间、门厅及房间内有无停放电动自行车或为其电池充电，有无“飞线”充电。",
    "ebike",
    "major",
    "landlord",
    "电动自行车一律在室外集中停放点停放、在专用充电设施充电，清理楼内车辆和“飞线”。",
    True,
)
WIRING = (
    "电气线路",
    "有无私拉乱接电线、线路老化破损、未穿管保护，是否安装漏电保护装置，有无大功率电器超负荷使用。",
    "electric",
    "general",
    "landlord",
    "由持证电工整改线路，穿阻燃管保护，每户安装漏电保护开关，拆除私拉乱接线路。",
    False,
)
EXTINGUISHER = (
    "灭火器材",
    "每层是否配置不少于2具4公斤磷酸铵盐干粉灭火器，压力是否正常、是否在有效期内、放置是否显眼易取。",
    "extinguisher",
    "general",
    "landlord",
    "每层配齐2具以上4公斤磷酸铵盐干粉灭火器，过期或失压的立即更换，放在楼梯口等显眼位置。",
    False,
)
ALARM = (
    "火灾报警与应急照明",
    "是否安装独立式感烟火灾探测报警器，应急照明灯和疏散指示标志是否完好有效。",
    "extinguisher",
    "minor",
    "landlord",
    "每间出租房安装独立式感烟报警器，楼梯间设应急照明和疏散指示标志并保持有效。",
    False,
)
THREE_IN_ONE = (
    "“三合一”场所",
    "住宿是否与生产、储存、经营场所设在同一建筑内而未采取防火分隔，有无在仓库、作坊内住人。",
    "three_in_one",
    "major",
    "landlord",
    "住宿部分与生产、储存、经营部分采用不燃墙体完全分隔并设独立疏散通道，达不到的一律停止住人。",
    True,
)
WINDOWS = (
    "防盗网逃生口",
    "外窗、阳台的防盗网是否设置可从内部开启的逃生口。",
    "escape",
    "general",
    "landlord",
    "每户至少一处防盗网设置可从内部开启、不小于0.8米×1米的逃生口。",
    False,
)
GAS = (
    "燃气使用",
    "液化气钢瓶是否与明火分开放置，软管是否老化、超过两年，有无加装燃气泄漏报警器。",
    "gas",
    "general",
    "tenant",
    "更换老化软管为金属波纹管，钢瓶与灶具保持安全距离，厨房安装燃气泄漏报警器。",
    False,
)
DUTY = (
    "消防安全责任",
    "房东是否与承租人签订消防安全责任书，是否张贴消防安全告知书，承租人信息是否登记报备。",
    "management",
    "minor",
    "landlord",
    "签订消防安全责任书，在显著位置张贴告知书，承租人信息报社区登记。",
    False,
)


def _for(item: tuple, party: str) -> tuple:
    """The same item with another 主体责任 party."""
    return (*item[:4], party, *item[5:])


RENTAL = [ESCAPE, EBIKE, WIRING, EXTINGUISHER, ALARM, THREE_IN_ONE, WINDOWS, GAS, DUTY]

RESIDENTIAL = [
    _for(ESCAPE, "property"),
    _for(EBIKE, "property"),
    (
        "室内消火栓",
        "室内消火栓箱内水带、水枪是否齐全，有无水压，箱门是否被遮挡。",
        "extinguisher",
        "general",
        "property",
        "配齐水带水枪并试水合格，清除遮挡物。",
        False,
    ),
    _for(WIRING, "property"),
    GAS,
]

SMALL_VENUE = [
    _for(ESCAPE, "operator"),
    _for(THREE_IN_ONE, "operator"),
    _for(EXTINGUISHER, "operator"),
    _for(WIRING, "operator"),
    _for(GAS, "operator"),
    (
        "从业人员消防常识",
        "经营者和员工是否会报火警、会使用灭火器、会组织人员疏散（“一懂三会”）。",
        "management",
        "minor",
        "operator",
        "组织全员消防培训，现场演示会用灭火器、会报警、会疏散。",
        False,
    ),
]

CROWDED = [
    (
        "安全出口与疏散通道",
        "安全出口数量是否足够、是否上锁，疏散通道是否被占用，营业期间门是否可从内部开启。",
        "escape",
        "major",
        "unit",
        "营业期间安全出口全部开启，清除占用，疏散门向外开启并保持畅通。",
        True,
    ),
    (
        "自动消防设施",
        "火灾自动报警、自动喷水灭火系统是否处于正常运行状态，有无故障、停用。",
        "extinguisher",
        "major",
        "unit",
        "由维保单位修复并恢复正常运行，每年检测一次并留存报告。",
        False,
    ),
    _for(ALARM, "unit"),
    (
        "消防控制室值班",
        "消防控制室是否24小时有人值班，值班人员是否持证上岗。",
        "management",
        "general",
        "unit",
        "落实每班不少于2人的24小时值班，值班人员持消防设施操作员证书上岗。",
        False,
    ),
    _for(WIRING, "unit"),
    (
        "防火巡查记录",
        "是否落实每日防火巡查并有记录，营业期间每两小时巡查一次。",
        "management",
        "minor",
        "unit",
        "建立防火巡查制度并按时巡查、记录、存档。",
        False,
    ),
]

INDUSTRIAL = [
    _for(THREE_IN_ONE, "enterprise"),
    _for(ESCAPE, "enterprise"),
    (
        "危险化学品储存",
        "易燃易爆危险品是否专库存放、分类储存、数量是否超过规定，有无在车间内大量堆放。",
        "other",
        "major",
        "enterprise",
        "危险化学品进专用仓库分类存放，车间内只留一天用量，建立出入库台账。",
        True,
    ),
    (
        "动火作业审批",
        "电焊、切割等动火作业是否办理审批手续，是否有人监护、配备灭火器材。",
        "works",
        "general",
        "enterprise",
        "落实动火审批和现场监护，作业前清理可燃物并配置灭火器。",
        False,
    ),
    _for(EXTINGUISHER, "enterprise"),
    _for(WIRING, "enterprise"),
    (
        "安全生产责任制",
        "是否建立全员安全生产责任制，是否开展安全培训和应急演练。",
        "management",
        "minor",
        "enterprise",
        "建立责任制并逐级签订责任书，每年至少组织一次应急演练。",
        False,
    ),
]

SCHOOL = [
    _for(ESCAPE, "unit"),
    _for(EXTINGUISHER, "unit"),
    (
        "实验室危险化学品",
        "实验室危险化学品是否双人双锁管理、账物相符。",
        "other",
        "general",
        "unit",
        "落实双人双锁、专柜存放、领用登记，过期药品按规定处置。",
        False,
    ),
    _for(GAS, "unit"),
    (
        "校舍结构安全",
        "校舍、围墙、护栏有无开裂、倾斜、松动等结构安全隐患。",
        "structure",
        "major",
        "unit",
        "经鉴定的危险部位立即停用并设置警示，限期维修加固。",
        True,
    ),
    (
        "应急疏散演练",
        "每学期是否组织师生应急疏散演练。",
        "management",
        "minor",
        "unit",
        "每学期至少组织一次全员疏散演练并留存记录。",
        False,
    ),
]

HOSPITAL = [
    _for(ESCAPE, "unit"),
    (
        "自动消防设施",
        "火灾自动报警、自动喷水灭火系统是否正常运行。",
        "extinguisher",
        "major",
        "unit",
        "由维保单位修复并恢复正常运行，每年检测一次。",
        False,
    ),
    (
        "医用氧气与危险品",
        "医用氧气瓶、酒精等易燃物是否规范存放，远离火源、热源。",
        "other",
        "general",
        "unit",
        "氧气瓶固定存放并设警示，易燃物专柜存放、限量使用。",
        False,
    ),
    _for(WIRING, "unit"),
    (
        "病房用电管理",
        "病房内有无使用电炉、热得快等大功率电器，有无私自充电。",
        "electric",
        "minor",
        "unit",
        "清理违规电器，设置集中充电点，加强夜间巡查。",
        False,
    ),
]

SMALL_WORKS = [
    (
        "预动工、先报备",
        "施工前是否已向社区报备（施工单位、时间、内容、安全措施）。",
        "works",
        "general",
        "contractor",
        "停工补办报备，经社区确认后方可继续施工。",
        False,
    ),
    (
        "施工围挡与警示",
        "施工区域是否设置围挡和警示标志，是否影响居民通行和疏散通道。",
        "works",
        "general",
        "contractor",
        "设置连续围挡和警示标志，保留安全通道。",
        False,
    ),
    (
        "临时用电",
        "临时用电是否规范，有无私拉电线、无漏电保护。",
        "electric",
        "general",
        "contractor",
        "由持证电工规范敷设临时线路并安装漏电保护。",
        False,
    ),
    (
        "动火与高处作业",
        "动火作业是否审批监护，高处作业是否系安全带、设防护。",
        "works",
        "major",
        "contractor",
        "未审批的动火立即停止；高处作业落实安全带和临边防护。",
        True,
    ),
]

TEMPLATES = [
    ("rental", "出租屋消防安全检查表", RENTAL),
    ("residential", "住宅楼消防安全检查表", RESIDENTIAL),
    ("small_venue", "三小场所安全检查表", SMALL_VENUE),
    ("crowded", "人员密集场所消防安全检查表", CROWDED),
    ("industrial_park", "工业园区安全生产检查表", INDUSTRIAL),
    ("school", "学校安全检查表", SCHOOL),
    ("hospital", "医院消防安全检查表", HOSPITAL),
    ("small_works", "零星工程安全检查表", SMALL_WORKS),
]


def create_default_checklists(template_model: Any, item_model: Any) -> int:
    """Version 1 of every place kind's checklist that is missing (the models may be a
    migration's historical ones). Answers how many were created."""
    created_count = 0
    for kind, name, items in TEMPLATES:
        if template_model.objects.filter(place_kind=kind).exists():
            continue
        template = template_model.objects.create(
            place_kind=kind, version=1, name=name, is_current=True, note="初始版本"
        )
        created_count += 1
        for order, (title, guidance, category, severity, party, standard, veto) in enumerate(
            items, start=1
        ):
            item_model.objects.create(
                template=template,
                order=order,
                title=title,
                guidance=guidance,
                category=category,
                severity=severity,
                responsible_party=party,
                standard=standard,
                veto=veto,
            )
    return created_count


def ensure_default_checklists() -> int:
    from xianfeng.safety.models import ChecklistItem, ChecklistTemplate

    return create_default_checklists(ChecklistTemplate, ChecklistItem)
