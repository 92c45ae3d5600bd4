"""Scoring in the demo district, built last so that it scores the whole demo ledger: the
district's point rules (published once by ``qu``, the district's organization department),
every record scored past the high-water mark, the persona community's leaderboard made public,
and one adjustment waiting for approval and one appeal waiting for an answer."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xianfeng.core import ledger
from xianfeng.core.models import User
from xianfeng.demo.base import persona_member
from xianfeng.demo.context import Context
from xianfeng.scoring import declarations, services
from xianfeng.scoring.models import (
    Adjustment,
    Appeal,
    PointRule,
    PublicBoard,
    SelfDeclaration,
    SelfDeclarationKind,
)

START = date(2020, 1, 1)

#: kind -> the rule's values; a kind no app declares (an app not installed) is left out.
RULES: dict[str, dict] = {
    "visit.log": {"points": 1, "daily_cap": 10, "once_per_target_per_day": True},
    "task.claim": {"points": 1, "daily_cap": 3},
    "task.complete": {"points": 5, "verified_only": False},
    "task.overdue": {"points": -2},
    "hazard.report": {"points": 2, "daily_cap": 10},
    "hazard.verify": {"points": 3},
    "hazard.escalate": {"points": -2},
    "inspection.submit": {"points": 2, "daily_cap": 10},
    "order.served": {"points": 3},
    "order.rated": {"points": 2, "multiplier_field": "rating", "multiplier_base": 5},
    "order.escalated": {"points": -2},
    # a resident's complaint the community verified as true (群众投诉经核实属实)
    "complaint.confirmed": {"points": -5},
    # a negative-list item on an in-service member's record (负面清单, seed 002)
    "record.negative": {"points": -5},
    "meeting.attend": {"points": 1, "period_cap": 8, "cap_period": "month"},
    "townsman.contact": {"points": 1, "period_cap": 4, "cap_period": "month"},
    "pairing.deliver": {"points": 3},
    "member.report_accept": {"points": 2},
    # Hours served (a self-declared session waits for the community's confirmation, with a
    # photo): a point an hour, read from the confirmed session's hours.
    "service.confirm": {"points": 1, "multiplier_field": "hours", "multiplier_base": 1},
    "publicity.record": {"points": 2, "daily_cap": 4},
    # A self-declared act with a photo, once someone in scope has approved it: two points
    # times the kind's weight (帮扶困难群众 counts one and a half).
    "self_declared.approve": {
        "points": 2,
        "daily_cap": 6,
        "verified_only": True,
        "multiplier_field": "weight",
        "multiplier_base": 1,
    },
}

#: The kinds of act a member may declare (name, description, weight).
SELF_DECLARED_KINDS = [
    ("帮扶困难群众", "送物资、陪同就医、代办事项", "1.5"),
    ("调解邻里纠纷", "在楼栋或小区调解矛盾", "2"),
    ("义务巡查", "消防通道、楼道杂物、电动车充电", "1"),
    ("政策宣讲", "向居民宣讲政策、反诈、安全知识", "1"),
]


def build_scoring_demo(ctx: Context) -> None:
    district_admin = User.objects.get(username="qu")
    if not PointRule.objects.exists():
        for kind, values in RULES.items():
            if ledger.is_declared(kind):
                services.rule_publish(
                    actor=district_admin,
                    kind=kind,
                    effective_from=START,
                    note="区委组织部2020年积分办法",
                    **values,
                )
    else:
        # A demo district built before the rule existed gets it once.
        for kind, values in RULES.items():
            if ledger.is_declared(kind) and not PointRule.objects.filter(kind=kind).exists():
                services.rule_publish(
                    actor=district_admin, kind=kind, effective_from=START, **values
                )
    _self_declared(district_admin)
    _conduct_case()
    _award_opinions()
    services.award_pending(lag=timedelta(0))
    community = User.objects.get(username="shequ").roles.order_by("id").first().organization
    if not PublicBoard.objects.filter(organization=community).exists():
        services.board_set(
            actor=User.objects.get(username="shequ"), organization=community, enabled=True
        )
    member = persona_member("dangyuan")
    if not Adjustment.objects.filter(member=member).exists():
        services.adjustment_request(
            actor=User.objects.get(username="shequ"),
            member=member,
            points=5,
            reason="夜间协助疏散火灾楼栋群众，未经平台登记，补记积分",
        )
    if not Appeal.objects.filter(member=member).exists():
        services.appeal_submit(
            actor=User.objects.get(username="dangyuan"),
            reason="上周六走访的三户没有计分，请核实",
        )


def _photo(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A small JPEG standing in for a member's photo of the act."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _self_declared(district_admin: User) -> None:
    """The district's kinds of self-declared act, and dangyuan's declarations: one approved by
    the grid secretary (scored), one refused with its reason, one waiting for review."""
    if not SelfDeclarationKind.objects.exists():
        for name, description, weight in SELF_DECLARED_KINDS:
            declarations.kind_set(
                actor=district_admin, name=name, description=description, weight=weight
            )
    member_user = User.objects.get(username="dangyuan")
    member = persona_member("dangyuan")
    if SelfDeclaration.objects.filter(member=member).exists():
        return
    kinds = {k.name: k for k in declarations.kinds()}
    today = timezone.localdate()
    secretary = User.objects.get(username="wangge")
    for name, text, days, colour, review in (
        (
            "帮扶困难群众",
            "陪同3号楼孤老王奶奶去社区医院复诊，代取药品",
            3,
            (200, 120, 80),
            "approve",
        ),
        ("义务巡查", "晚间巡查小区消防通道，清走两处堆放的纸箱", 5, (90, 140, 200), "reject"),
        ("政策宣讲", "在楼栋群和楼下向居民讲解防范电信诈骗", 1, (120, 180, 110), ""),
    ):
        obj = declarations.declaration_submit(
            actor=member_user,
            kind=kinds[name],
            description=text,
            done_on=today - timedelta(days=days),
            photo=_photo(colour),
        )
        if review == "approve":
            declarations.declaration_approve(actor=secretary, declaration=obj, note="经核实属实")
        elif review == "reject":
            declarations.declaration_reject(
                actor=secretary,
                declaration=obj,
                note="照片看不出是巡查现场，请补充清晰照片后重新申报",
            )


def _conduct_case() -> None:
    """dangyuan lets a rental (demo/safety.py): a hazard confirmed on it is a landlord's
    violation (``landlord.violation``), which opens the 不合格党员 procedure in their branch;
    the grid secretary has talked with them and set a deadline."""
    from xianfeng.core.workflow import take
    from xianfeng.places.models import Building
    from xianfeng.safety import services as safety
    from xianfeng.scoring import conduct
    from xianfeng.scoring.models import ConductCase

    member = persona_member("dangyuan")
    building = Building.objects.filter(landlord=member.person, kind="rental").first()
    if building is None or ConductCase.objects.filter(member=member).exists():
        return
    hazard = safety.hazard_report(
        actor=User.objects.get(username="wangge"),
        building=building,
        title="出租屋隔断群租，疏散通道被占",
        description="二楼隔成6间出租，走廊堆放杂物，疏散通道宽度不足。",
        category="escape",
        severity="general",
    )
    take(hazard, "confirm", actor=User.objects.get(username="shequ"))
    conduct.conduct_open_pending(lag=timedelta(0))
    case = ConductCase.objects.filter(member=member).first()
    if case is not None:
        conduct.conduct_talk(
            actor=User.objects.get(username="wangge"),
            case=case,
            note="支部书记与其谈话，指出出租屋群租和占用疏散通道的问题，本人表示限期拆除隔断。",
            deadline=timezone.localdate() + timedelta(days=30),
        )


def _award_opinions() -> None:
    """评优评先征求社区意见: danwei's unit asked shequ's community about the unit's award
    (agreed) and about one of its in-service members reported there (waiting for shequ)."""
    from xianfeng.core.workflow import take
    from xianfeng.demo.base import DANWEI_UNIT
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import ServicePlace
    from xianfeng.scoring import awards
    from xianfeng.scoring.models import AwardOpinion

    if AwardOpinion.objects.exists():
        return
    unit = Organization.objects.filter(code=DANWEI_UNIT).first()
    shequ = User.objects.get(username="shequ")
    community = shequ.roles.order_by("id").first().organization
    if unit is None:
        return
    liaison = User.objects.get(username="danwei")
    year = timezone.localdate().year
    obj = awards.opinion_request(
        actor=liaison,
        unit=unit,
        community=community,
        award="党建工作示范单位",
        year=year,
        reason="与社区结对共建，常年开展文明劝导和助老服务",
    )
    take(obj, "agree", actor=shequ, note="单位党组织共建活动扎实，居民评价好，同意推荐")
    place = (
        ServicePlace.objects.filter(community=community, member__branch__path__startswith=unit.path)
        .select_related("member__branch")
        .first()
    )
    if place is not None:
        awards.opinion_request(
            actor=liaison,
            unit=unit,
            community=community,
            member=place.member,
            award="优秀共产党员",
            year=year,
            reason="报到以来参加社区服务四十余小时",
        )
