"""民主评议 and 考核 in the demo district, built after scoring (they read its points): last
year's democratic evaluation of the persona grid branch, voted by its members and by residents
with codes and counted into the star ratings; and the persona street's assessment of its
communities — an indicator set with quantitative items from the ledger, the 述职评议 and the
serious-incident veto, last year's cycle closed with its ranking reported to the district and
an outcome, and this year's cycle being scored with the persona community's 述职 report."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xianfeng.core.models import User
from xianfeng.core.workflow import take
from xianfeng.demo.context import Context
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.scoring import assessment, evaluation
from xianfeng.scoring.choices import CycleState, Grade, IndicatorKind
from xianfeng.scoring.models import Assessment, EvaluationRound, IndicatorSet

SET_TITLE = "社区党建工作考核指标（定性与定量相结合）"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _org_of(name: str) -> Organization:
    return _user(name).roles.order_by("id").first().organization


def build_review_demo(ctx: Context) -> None:
    _evaluation(ctx)
    _assessment(ctx)
    _unit_reviews(ctx)


def _evaluation(ctx: Context) -> None:
    grid = _org_of("wangge")
    last_year = timezone.localdate().year - 1
    if EvaluationRound.objects.filter(organization=grid, year=last_year).exists():
        return
    today = timezone.localdate()
    organizer = _user("wangge")
    round_ = evaluation.round_create(
        actor=organizer,
        organization=grid,
        year=last_year,
        title=f"{grid.name}{last_year}年度民主评议党员",
        vote_starts=today,
        vote_ends=today + timedelta(days=7),
    )
    members = list(evaluation.round_members(round_))
    if not members or len(members) > evaluation.MAX_MEMBERS:
        return
    round_ = take(round_, "open", actor=organizer)
    grades = [Grade.EXCELLENT] * 5 + [Grade.COMPETENT] * 4 + [Grade.BASIC]
    codes = evaluation.codes_issue(actor=organizer, round_=round_, count=12)
    for n, code in enumerate(codes[:8]):
        marks = {m.pk: ctx.rng.choice(grades) for m in members}
        evaluation.ballot_cast(round_=round_, grades=marks, client_ip=f"10.20.0.{n + 1}", code=code)
    voters = User.objects.filter(person__member__branch=grid, is_active=True)[:3]
    for user in voters:
        from xianfeng.people.members import member_of

        me = member_of(user)
        marks = {m.pk: ctx.rng.choice(grades) for m in members if me is None or m.pk != me.pk}
        if marks:
            evaluation.ballot_cast(round_=round_, grades=marks, client_ip="10.20.1.1", user=user)
    take(round_, "close", actor=organizer)


def _assessment(ctx: Context) -> None:
    street_admin = _user("jiedao")
    street = _org_of("jiedao")
    year = timezone.localdate().year
    if IndicatorSet.objects.filter(organization=street, title=SET_TITLE).exists():
        return
    if not Organization.objects.filter(
        path__startswith=street.path, kind=OrgKind.COMMUNITY
    ).exists():
        return
    found = assessment.indicator_set_create(
        actor=street_admin,
        organization=street,
        target_kind=OrgKind.COMMUNITY,
        year=year - 1,
        title=SET_TITLE,
    )
    add = assessment.indicator_add
    work = add(
        actor=street_admin, indicator_set=found, name="安全工作与服务群众", kind="qual", weight=60
    )
    for name, metric, target in (
        ("走访覆盖率", "coverage", 100),
        ("隐患整改销号", "hazards_removed", 20),
        ("群众满意度", "orders_rating", 100),
        ("会议按规律召开", "meetings", 100),
    ):
        add(
            actor=street_admin,
            indicator_set=found,
            parent=work,
            name=name,
            kind=IndicatorKind.QUANTITATIVE,
            metric=metric,
            target=target,
            weight=1,
        )
    review = add(
        actor=street_admin, indicator_set=found, name="书记抓党建述职评议", kind="qual", weight=40
    )
    add(
        actor=street_admin,
        indicator_set=found,
        name="较大及以上安全事故",
        kind=IndicatorKind.VETO,
        metric="serious_incident",
    )
    persona_community = _org_of("shequ")
    # Last year: scored, closed, reported to the district, outcomes recorded.
    last = assessment.cycle_open(
        actor=street_admin, indicator_set=found, kind="year", period=str(year - 1)
    )
    for one in last.assessments.select_related("organization", "cycle"):
        assessment.review_score(
            actor=street_admin,
            assessment=one,
            indicator=review,
            score=ctx.rng.choice([72, 80, 85, 88, 92, 95]),
            note="述职材料翔实",
        )
    last = take(last, "close", actor=street_admin)
    last = take(last, "report", actor=street_admin, note="按党组织隶属关系报区委组织部备案")
    ranked = list(last.assessments.order_by("rank"))
    if ranked and not ranked[0].vetoed:
        assessment.outcome_record(
            actor=street_admin,
            assessment=ranked[0],
            outcome="commend",
            note="年度考核第一名，予以表彰",
        )
    if len(ranked) > 1:
        assessment.outcome_record(
            actor=street_admin,
            assessment=ranked[-1],
            outcome="rectify",
            note="走访覆盖率偏低，会议未按规律召开",
            rectify_by=timezone.localdate() + timedelta(days=60),
        )
    # This year: a half-year spot check being scored, the persona community's report in.
    this = assessment.cycle_open(
        actor=street_admin, indicator_set=found, kind="half", period=f"{year}-H2"
    )
    mine = Assessment.objects.filter(cycle=this, organization=persona_community).first()
    if mine is not None and this.state == CycleState.SCORING:
        assessment.report_submit(
            actor=_user("shequ"),
            assessment=mine,
            text="下半年组织党员走访全覆盖，出租屋隐患全部整改销号；“三会一课”按规律召开。",
        )


def _unit_reviews(ctx: Context) -> None:
    """驻区单位述职评议: the organization danwei's unit belongs to assesses the resident units
    under it for last year; the unit's liaison has reported, each unit is rated, the ranking is
    fixed."""
    unit = _org_of("danwei")
    community = unit.parent  # the community or street the unit belongs to
    year = timezone.localdate().year - 1
    if (
        community is None
        or IndicatorSet.objects.filter(
            organization=community, target_kind=OrgKind.RESIDENT_UNIT, year=year
        ).exists()
    ):
        return
    district = _user("qu")
    found = assessment.indicator_set_create(
        actor=district,
        organization=community,
        target_kind=OrgKind.RESIDENT_UNIT,
        year=year,
        title=f"{year}年驻区单位共驻共建述职评议",
    )
    talk = assessment.indicator_add(
        actor=district,
        indicator_set=found,
        name="述职评议",
        kind=IndicatorKind.QUALITATIVE,
        weight=1,
    )
    cycle = assessment.cycle_open(
        actor=district, indicator_set=found, kind="year", period=str(year)
    )
    mine = cycle.assessments.filter(organization=unit).first()
    if mine is not None:
        assessment.report_submit(
            actor=_user("danwei"),
            assessment=mine,
            text="本年度向社区开放会议室和职工食堂，组织在职党员进社区服务，认领共建项目2个。",
        )
    for n, one in enumerate(cycle.assessments.order_by("organization__path")):
        assessment.review_score(
            actor=district,
            assessment=one,
            indicator=talk,
            score=92 if one.organization_id == unit.pk else 85 - n % 20,
        )
    take(cycle, "close", actor=district)
