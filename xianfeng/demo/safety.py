"""Safety in the demo district: the default checklists (the migration writes them; a test run
that emptied the tables needs them again) and, once, a few inspections in the persona grid:
``dangyuan`` has inspected three rental buildings (one green, sent from the phone's outbox with
the time it was done, one yellow with two hazards
waiting to be confirmed, one red with a hazard being rectified). The newer pieces are added
each once, on their own: ``dangyuan`` lets a rental building (党员出租户, its hazard a duty the
member leads), three small works filed by residents in the persona community (one waiting,
one accepted and checked, one declined) and works found unfiled on patrol, and the persona
street's focus days (last Tuesday's held, the coming one planned with its hazards picked)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xianfeng.core.models import User
from xianfeng.core.workflow import take
from xianfeng.demo.base import WANGGE_GRID, persona_member
from xianfeng.demo.context import Context
from xianfeng.places.choices import BuildingKind
from xianfeng.places.models import Building
from xianfeng.safety import services, services_works
from xianfeng.safety.choices import Outcome
from xianfeng.safety.defaults import ensure_default_checklists
from xianfeng.safety.models import FocusDay, Hazard, Inspection, SmallWork


def _inspect(actor: User, building: Building, fail: list[int]) -> Inspection:
    inspection, _created = services.inspection_start(actor=actor, building=building)
    for item in inspection.template.items.all():
        outcome = Outcome.FAIL if item.order in fail else Outcome.PASS
        note = "现场发现，已告知房东" if outcome == Outcome.FAIL else ""
        services.inspection_record(
            actor=actor, inspection=inspection, item=item, outcome=outcome, note=note
        )
    return services.inspection_submit(actor=actor, inspection=inspection)


def build_safety_demo(ctx: Context) -> None:
    made = ensure_default_checklists()
    if made:
        ctx.created["checklists"] = ctx.created.get("checklists", 0) + made
    if not Inspection.objects.exists():
        _build_inspections(ctx)
    _build_landlord(ctx)
    _build_small_works(ctx)
    _build_focus_days(ctx)


def _build_inspections(ctx: Context) -> None:
    member = User.objects.filter(username="dangyuan").first()
    secretary = User.objects.filter(username="wangge").first()
    rentals = list(
        Building.objects.filter(grid__code=WANGGE_GRID, kind=BuildingKind.RENTAL).order_by("code")[
            :3
        ]
    )
    if member is None or secretary is None or len(rentals) < 3:
        return
    # Filled in offline in a basement last evening, sent from the phone's outbox on the way
    # out: it keeps the time it was done (issue 17).
    services.inspection_create(
        actor=member,
        building=rentals[0],
        results=[
            {"item": i.pk, "outcome": Outcome.PASS}
            for i in services.current_template(BuildingKind.RENTAL).items.all()
        ],
        client_key="demo-offline-inspection",
        started_at=timezone.now() - timedelta(hours=16),
    )
    _inspect(member, rentals[1], [4, 8])  # extinguishers, gas: yellow
    red = _inspect(member, rentals[2], [2])  # electric bicycles charging indoors: veto, red
    hazard = Hazard.objects.get(inspection=red)
    take(hazard, "confirm", actor=secretary)
    take(hazard, "assign", actor=secretary, member=persona_member("dangyuan").pk)
    take(hazard, "start", actor=member)
    ctx.created["inspections"] = 3


def _rentals(count: int) -> list[Building]:
    return list(
        Building.objects.filter(grid__code=WANGGE_GRID, kind=BuildingKind.RENTAL)
        .select_related("organization", "grid")
        .order_by("code")[:count]
    )


def _build_landlord(ctx: Context) -> None:
    """dangyuan lets the grid's fourth rental building: a hazard on it is the member's own duty."""
    secretary = User.objects.filter(username="wangge").first()
    rentals = _rentals(4)
    if secretary is None or len(rentals) < 4:
        return
    member = persona_member("dangyuan")
    if Building.objects.filter(landlord=member.person).exists():
        return
    building = rentals[3]
    Building.objects.filter(pk=building.pk).update(landlord=member.person)
    building.refresh_from_db()
    services.hazard_report(
        actor=secretary,
        building=building,
        title="出租屋楼道电动车停放充电",
        description="一楼楼道停放3辆电动车，拉线充电。",
        category="ebike",
        severity="general",
    )
    ctx.created["party_landlords"] = 1


def _build_small_works(ctx: Context) -> None:
    if SmallWork.objects.exists():
        return
    secretary = User.objects.filter(username="wangge").first()
    member = User.objects.filter(username="dangyuan").first()
    rentals = _rentals(3)
    if secretary is None or member is None or len(rentals) < 3:
        return
    community = rentals[0].organization.parent
    while community is not None and community.kind != "community":
        community = community.parent
    if community is None:
        return
    today = timezone.localdate()
    filings = [
        ("张海波", "13987100101", "室内装修", "renovation", "厨房卫生间改造，更换电线", 2, 25),
        ("云南安居装饰公司", "13987100102", "外墙防水", "facade", "屋面防水层翻新", 1, 10),
        ("刘小梅", "13987100103", "招牌安装", "signboard", "临街商铺招牌更换", 3, 4),
    ]
    made = []
    for (who, phone, _label, kind, what, start, days), building in zip(
        filings, rentals, strict=True
    ):
        made.append(
            services_works.works_file(
                community=community,
                applicant=who,
                phone=phone,
                site=f"{building.address}",
                kind=kind,
                description=what,
                start_on=today + timedelta(days=start),
                end_on=today + timedelta(days=start + days),
                measures="配备2具灭火器；材料不占用楼道；动火作业先审批；高处作业系安全带。",
                contractor=who if "公司" in who else "",
                throttle=False,
            )
        )
    take(made[1], "accept", actor=secretary, building=rentals[1].code, note="施工期间每周检查")
    take(made[1], "inspect", actor=member, finding="灭火器到位，材料堆放在院内，符合要求。")
    take(made[2], "decline", actor=secretary, reason="招牌尺寸超出规定，请先到城管部门审批。")
    services_works.works_unfiled(
        actor=member,
        building=rentals[2],
        description="二楼住户正在拆除隔墙、电焊作业，未见零星工程报备。",
        contractor="",
    )
    ctx.created["small_works"] = len(made)


def _build_focus_days(ctx: Context) -> None:
    if FocusDay.objects.exists():
        return
    leader = User.objects.filter(username="jiedao").first()
    if leader is None:
        return
    street = leader.roles.select_related("organization").order_by("id").first().organization
    hazards = list(services_works.focus_candidates(leader, FocusDay(organization=street))[:6])
    if len(hazards) < 2:
        return
    coming = services_works.next_tuesday()
    held = services_works.focus_schedule(
        actor=leader, organization=street, day=coming, theme="出租屋电动车入户充电集中整治"
    )
    take(held, "pick", actor=leader, hazards=[h.pk for h in hazards[:3]])
    # Held last Tuesday: scheduled then, recorded on the day.
    FocusDay.objects.filter(pk=held.pk).update(day=coming - timedelta(days=7))
    held.refresh_from_db()
    attendees = [persona_member("dangyuan").pk, persona_member("wangge").pk]
    take(
        held,
        "record",
        actor=leader,
        summary="街道、社区、网格党员12人分3组，检查出租屋26户，清理楼道电动车9辆。",
        attendees=attendees,
        resolved=[hazards[0].pk],
        others="派出所、消防站各2人",
    )
    planned = services_works.focus_schedule(
        actor=leader, organization=street, day=coming, theme="三小场所“三合一”住人整治"
    )
    take(planned, "pick", actor=leader, hazards=[h.pk for h in hazards[1:6]])
    ctx.created["focus_days"] = 2
