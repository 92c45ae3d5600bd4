"""The API of the democratic evaluation, the assessment and the annual member file, under
``/api/v1/scoring/``: the same services and selectors as the pages; workflow steps are one
endpoint each. Errors answer ``{"detail": ..., "errors": ...}`` in Chinese (a second ballot
409, a step the state does not allow 409, outside scope 404, a role that may not 403)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from xianfeng.core.api import (
    ListParams,
    choice_label,
    errors_response,
    page_of,
    paginate,
    require_can,
)
from xianfeng.core.choices import Action
from xianfeng.core.ratelimit import client_ip
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.meetings.choices import VoterProof
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.scoring import assessment as assess
from xianfeng.scoring import evaluation, memberfile
from xianfeng.scoring.choices import CycleKind, Grade, IndicatorKind, Outcome
from xianfeng.scoring.models import (
    Assessment,
    AssessmentCycle,
    EvaluationRound,
    IndicatorSet,
)

router = Router(tags=[gettext_lazy("民主评议、考核与党员年度档案")])


def _org(request: HttpRequest, pk: int, action: str, model: type) -> Organization:
    """An organization the user may act on for ``model``: outside scope is a field error."""
    found = (
        Organization.objects.restrict(request.user, action, rules_of=model).filter(pk=pk).first()
        if 0 < pk < 2**62
        else None
    )
    if found is None:
        raise ValidationError({"organization_id": _("所选组织不存在或不在您的管辖范围内。")})
    return found


# --- democratic evaluation ----------


class EvaluationRoundOut(Schema):
    id: int
    organization_id: int
    year: int
    title: str
    vote_starts: date
    vote_ends: date
    proof: str
    state: str
    state_label: str
    cancel_reason: str
    closed_at: datetime | None
    actions: list[str] = []

    resolve_state_label = choice_label("state")


EvaluationRoundPage = page_of(EvaluationRoundOut)


class EvaluationFilters(ListParams):
    state: Text(20) | None = None


@router.get(
    "/scoring/evaluations",
    response=errors_response({200: EvaluationRoundPage}),
    summary=gettext_lazy("民主评议"),
)
def evaluation_list(request: HttpRequest, filters: Query[EvaluationFilters]) -> Any:
    return paginate(evaluation.rounds(request.user, state=filters.state or ""), filters)


class EvaluationRoundIn(Schema):
    organization_id: int
    year: int = Field(..., ge=2000, le=2100)
    title: Text(120)
    vote_starts: date
    vote_ends: date
    proof: VoterProof = VoterProof.CODE


def _round(request: HttpRequest, pk: int) -> EvaluationRound:
    obj = get_object_for(
        user=request.user,
        model=EvaluationRound,
        pk=pk,
        queryset=EvaluationRound.objects.select_related("organization"),
    )
    obj.actions = actions(request.user, obj)
    return obj


@router.post(
    "/scoring/evaluations",
    response=errors_response({201: EvaluationRoundOut}),
    summary=gettext_lazy("发起民主评议"),
)
def evaluation_create(request: HttpRequest, payload: EvaluationRoundIn) -> Any:
    require_can(request.user, Action.ADD, EvaluationRound)
    data = payload.model_dump()
    org = _org(request, data.pop("organization_id"), Action.ADD, EvaluationRound)
    data["proof"] = str(getattr(data["proof"], "value", data["proof"]))
    found = evaluation.round_create(actor=request.user, organization=org, **data)
    return Status(201, _round(request, found.pk))


@router.get(
    "/scoring/evaluations/{round_id}",
    response=errors_response({200: EvaluationRoundOut}),
    summary=gettext_lazy("一轮民主评议"),
)
def evaluation_detail(request: HttpRequest, round_id: int) -> Any:
    return _round(request, round_id)


add_step_endpoints(
    router,
    model=EvaluationRound,
    param="round_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=EvaluationRound, pk=pk),
    response=EvaluationRoundOut,
    result=lambda request, obj: _round(request, obj.pk),
    paths={
        "open": "/scoring/evaluations/{round_id}/open",
        "close": "/scoring/evaluations/{round_id}/close",
        "cancel": "/scoring/evaluations/{round_id}/cancel",
    },
)


class EvaluationCodesIn(Schema):
    count: int = Field(..., ge=1, le=2000)


class EvaluationCodesOut(Schema):
    codes: list[str]


@router.post(
    "/scoring/evaluations/{round_id}/codes",
    response=errors_response({201: EvaluationCodesOut}),
    summary=gettext_lazy("发放群众投票码（只返回这一次）"),
)
def evaluation_codes(request: HttpRequest, round_id: int, payload: EvaluationCodesIn) -> Any:
    found = _round(request, round_id)
    return Status(
        201,
        {"codes": evaluation.codes_issue(actor=request.user, round_=found, count=payload.count)},
    )


class EvaluationGradeIn(Schema):
    member_id: int
    grade: Grade


class EvaluationBallotIn(Schema):
    grades: list[EvaluationGradeIn] = Field(..., max_length=500)
    code: Text(32) = ""
    phone: Text(20) = ""


class EvaluationBallotOut(Schema):
    id: int
    round_id: int
    channel: str
    marks: int


@router.post(
    "/scoring/evaluations/{round_id}/ballot",
    response=errors_response({201: EvaluationBallotOut}),
    summary=gettext_lazy("投评议票（每名党员、每个投票码或手机号一次）"),
)
def evaluation_ballot(request: HttpRequest, round_id: int, payload: EvaluationBallotIn) -> Any:
    found = _round(request, round_id)
    grades = {str(g.member_id): str(getattr(g.grade, "value", g.grade)) for g in payload.grades}
    if len(grades) != len(payload.grades):
        raise ValidationError({"grades": _("同一名党员在一张选票上只能评一次。")})
    ballot = evaluation.ballot_cast(
        round_=found,
        grades=grades,
        client_ip=client_ip(request),
        code=payload.code,
        phone=payload.phone,
        user=request.user,
    )
    return Status(
        201,
        {
            "id": ballot.pk,
            "round_id": found.pk,
            "channel": ballot.channel,
            "marks": ballot.marks.count(),
        },
    )


class EvaluationResultOut(Schema):
    member_id: int
    excellent: int
    competent: int
    basic: int
    poor: int
    member_votes: int
    resident_votes: int
    score: Decimal | None
    evaluation_stars: int | None
    index_stars: int | None
    stars: int | None
    note: str


EvaluationResultPage = page_of(EvaluationResultOut)


@router.get(
    "/scoring/evaluations/{round_id}/results",
    response=errors_response({200: EvaluationResultPage}),
    summary=gettext_lazy("民主评议结果（计票后）"),
)
def evaluation_results(request: HttpRequest, round_id: int, params: Query[ListParams]) -> Any:
    found = _round(request, round_id)
    return paginate(evaluation.round_results(request.user, found), params)


# --- assessment ----------


class IndicatorOut(Schema):
    id: int
    parent_id: int | None
    name: str
    kind: str
    weight: Decimal
    metric: str
    target: Decimal | None


class IndicatorSetOut(Schema):
    id: int
    organization_id: int
    target_kind: str
    year: int
    title: str
    base_id: int | None
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj: IndicatorSet) -> list[Any]:
        return list(obj.indicators.order_by("position", "pk"))


IndicatorSetPage = page_of(IndicatorSetOut)


@router.get(
    "/scoring/indicator-sets",
    response=errors_response({200: IndicatorSetPage}),
    summary=gettext_lazy("考核指标体系"),
)
def indicator_set_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    return paginate(assess.indicator_sets(request.user), params)


class IndicatorSetIn(Schema):
    organization_id: int
    target_kind: Text(20)
    year: int = Field(..., ge=2000, le=2100)
    title: Text(120)
    base_id: int | None = None


@router.post(
    "/scoring/indicator-sets",
    response=errors_response({201: IndicatorSetOut}),
    summary=gettext_lazy("制定考核指标体系（可沿用上级的）"),
)
def indicator_set_create(request: HttpRequest, payload: IndicatorSetIn) -> Any:
    require_can(request.user, Action.ADD, IndicatorSet)
    data = payload.model_dump()
    org = _org(request, data.pop("organization_id"), Action.ADD, IndicatorSet)
    base_id = data.pop("base_id")
    base = None
    if base_id is not None:
        base = IndicatorSet.objects.restrict(request.user).filter(pk=base_id).first()
        if base is None:
            raise ValidationError({"base_id": _("所选指标体系不存在或不在您的管辖范围内。")})
    return Status(
        201, assess.indicator_set_create(actor=request.user, organization=org, base=base, **data)
    )


class IndicatorIn(Schema):
    name: Text(120)
    kind: IndicatorKind
    weight: Decimal = Field(Decimal(0), max_digits=6, decimal_places=2)
    metric: Text(40) = ""
    target: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    parent_id: int | None = None


@router.post(
    "/scoring/indicator-sets/{set_id}/indicators",
    response=errors_response({201: IndicatorOut}),
    summary=gettext_lazy("添加考核指标（定量、定性或一票否决）"),
)
def indicator_add(request: HttpRequest, set_id: int, payload: IndicatorIn) -> Any:
    found = get_object_for(user=request.user, model=IndicatorSet, pk=set_id, action=Action.CHANGE)
    data = payload.model_dump()
    parent_id = data.pop("parent_id")
    parent = None
    if parent_id is not None:
        parent = found.indicators.filter(pk=parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("上级指标不属于该指标体系。")})
    data["kind"] = str(getattr(data["kind"], "value", data["kind"]))
    return Status(
        201, assess.indicator_add(actor=request.user, indicator_set=found, parent=parent, **data)
    )


class AssessmentCycleOut(Schema):
    id: int
    indicator_set_id: int
    organization_id: int
    kind: str
    kind_label: str
    title: str
    start: date
    end: date
    sample_size: int | None
    state: str
    state_label: str
    reported_to_id: int | None
    actions: list[str] = []

    resolve_kind_label = choice_label("kind")
    resolve_state_label = choice_label("state")


AssessmentCyclePage = page_of(AssessmentCycleOut)


@router.get(
    "/scoring/assessment/cycles",
    response=errors_response({200: AssessmentCyclePage}),
    summary=gettext_lazy("考核周期"),
)
def cycle_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    return paginate(assess.cycles(request.user), params)


class AssessmentCycleIn(Schema):
    kind: CycleKind
    period: Text(10) = Field(..., description=gettext_lazy("2026-Q2、2026-H1 或 2026"))
    sample_size: int | None = Field(None, ge=1, le=10000)
    title: Text(120) = ""


def _cycle(request: HttpRequest, pk: int) -> AssessmentCycle:
    obj = get_object_for(user=request.user, model=AssessmentCycle, pk=pk)
    obj.actions = actions(request.user, obj)
    return obj


@router.post(
    "/scoring/indicator-sets/{set_id}/cycles",
    response=errors_response({201: AssessmentCycleOut}),
    summary=gettext_lazy("发起考核（季度小结、半年抽查、年终考核）"),
)
def cycle_create(request: HttpRequest, set_id: int, payload: AssessmentCycleIn) -> Any:
    found = get_object_for(user=request.user, model=IndicatorSet, pk=set_id, action=Action.CHANGE)
    data = payload.model_dump()
    data["kind"] = str(getattr(data["kind"], "value", data["kind"]))
    cycle = assess.cycle_open(actor=request.user, indicator_set=found, **data)
    return Status(201, _cycle(request, cycle.pk))


class AssessmentRow(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    total: Decimal | None
    vetoed: bool
    veto_reason: str
    rank: int | None
    stars: int | None
    outcome: str
    honours: list[str] = []


class AssessmentCycleDetailOut(AssessmentCycleOut):
    ranking: list[AssessmentRow]


@router.get(
    "/scoring/assessment/cycles/{cycle_id}",
    response=errors_response({200: AssessmentCycleDetailOut}),
    summary=gettext_lazy("考核周期及排名"),
)
def cycle_detail(request: HttpRequest, cycle_id: int) -> Any:
    cycle = _cycle(request, cycle_id)
    rows = list(assess.ranking(cycle))
    for row in rows:
        row.cycle = cycle
        row.honours = [str(h) for h in assess.honours(row)]
    cycle.ranking = rows
    return cycle


class AssessmentRefreshOut(Schema):
    assessments: int


@router.post(
    "/scoring/assessment/cycles/{cycle_id}/refresh",
    response=errors_response({200: AssessmentRefreshOut}),
    summary=gettext_lazy("按履职记录重新计算定量指标"),
)
def cycle_refresh(request: HttpRequest, cycle_id: int) -> Any:
    cycle = _cycle(request, cycle_id)
    return {"assessments": assess.cycle_refresh(cycle, actor=request.user)}


add_step_endpoints(
    router,
    model=AssessmentCycle,
    param="cycle_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=AssessmentCycle, pk=pk),
    response=AssessmentCycleOut,
    result=lambda request, obj: _cycle(request, obj.pk),
    paths={
        "close": "/scoring/assessment/cycles/{cycle_id}/close",
        "report": "/scoring/assessment/cycles/{cycle_id}/report",
    },
)


class AssessmentItemOut(Schema):
    indicator_id: int
    name: str = Field(alias="indicator.name")
    kind: str = Field(alias="indicator.kind")
    value: Decimal | None
    score: Decimal | None
    vetoed: bool
    explanation: str


class AssessmentOut(Schema):
    id: int
    cycle_id: int
    organization_id: int
    report_text: str
    reported_at: datetime | None
    total: Decimal | None
    vetoed: bool
    veto_reason: str
    rank: int | None
    stars: int | None
    outcome: str
    outcome_label: str
    outcome_note: str
    rectify_by: date | None
    items: list[AssessmentItemOut]

    resolve_outcome_label = choice_label("outcome")

    @staticmethod
    def resolve_items(obj: Assessment) -> list[Any]:
        return assess.items_of(obj)


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_object_for(
        user=request.user,
        model=Assessment,
        pk=pk,
        queryset=Assessment.objects.select_related("cycle", "organization"),
    )


@router.get(
    "/scoring/assessments/{assessment_id}",
    response=errors_response({200: AssessmentOut}),
    summary=gettext_lazy("一个组织的考核（指标得分及计算说明）"),
)
def assessment_detail(request: HttpRequest, assessment_id: int) -> Any:
    return _assessment(request, assessment_id)


class AssessmentReportIn(Schema):
    text: Text(5000)


@router.post(
    "/scoring/assessments/{assessment_id}/report",
    response=errors_response({200: AssessmentOut}),
    summary=gettext_lazy("提交述职报告"),
)
def assessment_report(request: HttpRequest, assessment_id: int, payload: AssessmentReportIn) -> Any:
    found = _assessment(request, assessment_id)
    assess.report_submit(actor=request.user, assessment=found, text=payload.text)
    return _assessment(request, assessment_id)


class AssessmentScoreIn(Schema):
    indicator_id: int
    score: Decimal = Field(..., max_digits=6, decimal_places=2)
    note: Text(300) = ""


@router.post(
    "/scoring/assessments/{assessment_id}/score",
    response=errors_response({200: AssessmentOut}),
    summary=gettext_lazy("评议人为定性指标评分（0–100）"),
)
def assessment_score(request: HttpRequest, assessment_id: int, payload: AssessmentScoreIn) -> Any:
    found = _assessment(request, assessment_id)
    indicator = found.cycle.indicator_set.indicators.filter(pk=payload.indicator_id).first()
    if indicator is None:
        raise ValidationError({"indicator_id": _("该指标不属于本次考核。")})
    assess.review_score(
        actor=request.user,
        assessment=found,
        indicator=indicator,
        score=payload.score,
        note=payload.note,
    )
    return _assessment(request, assessment_id)


class AssessmentOutcomeIn(Schema):
    outcome: Outcome
    note: Text(2000) = ""
    rectify_by: date | None = None


@router.post(
    "/scoring/assessments/{assessment_id}/outcome",
    response=errors_response({200: AssessmentOut}),
    summary=gettext_lazy("登记考核结果：表彰、批评或限期整改"),
)
def assessment_outcome(
    request: HttpRequest, assessment_id: int, payload: AssessmentOutcomeIn
) -> Any:
    found = _assessment(request, assessment_id)
    assess.outcome_record(
        actor=request.user,
        assessment=found,
        outcome=str(getattr(payload.outcome, "value", payload.outcome)),
        note=payload.note,
        rectify_by=payload.rectify_by,
    )
    return _assessment(request, assessment_id)


class UnitReviewOut(Schema):
    """One resident unit in one cycle (驻区单位述职评议)."""

    id: int
    cycle_id: int
    cycle_title: str = Field(alias="cycle.title")
    cycle_state: str = Field(alias="cycle.state")
    reported_to_id: int | None = Field(None, alias="cycle.reported_to_id")
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    reported_at: datetime | None
    total: Decimal | None
    vetoed: bool
    rank: int | None
    stars: int | None
    outcome: str
    outcome_label: str

    resolve_outcome_label = choice_label("outcome")


@router.get(
    "/scoring/assessment/resident-units",
    response=errors_response({200: page_of(UnitReviewOut)}),
    summary=gettext_lazy("驻区单位述职评议：述职、得分、排名和结果"),
)
def unit_reviews(request: HttpRequest, filters: Query[ListParams]) -> Any:
    return paginate(assess.resident_unit_reviews(request.user), filters)


# --- the annual member file ----------


class MemberFileAct(Schema):
    kind: str
    label: str
    count: int


class MemberFileMonth(Schema):
    month: int
    points: Decimal


class MemberFileOut(Schema):
    member_id: int
    name: str
    year: int
    points: Decimal
    index: int
    group_label: str
    rank: int
    group_size: int
    stars: int | None
    hours: Decimal
    entries: int
    acts: list[MemberFileAct]
    months: list[MemberFileMonth]
    evaluation_score: Decimal | None
    evaluation_note: str


class MemberFileParams(Schema):
    year: Text(LINE_MAX_LENGTH) | None = Field(None, description=gettext_lazy("年度，不填为今年"))


@router.get(
    "/scoring/files/{member_id}",
    response=errors_response({200: MemberFileOut}),
    summary=gettext_lazy("党员年度档案（本人，或所在组织的书记、管理员）"),
)
def member_file(request: HttpRequest, member_id: int, params: Query[MemberFileParams]) -> Any:
    member = get_object_for(
        user=request.user,
        model=PartyMember,
        pk=member_id,
        queryset=PartyMember.objects.select_related("person", "branch"),
    )
    memberfile.check_read(request.user, member)
    year = memberfile.parse_year(params.year)
    f = memberfile.member_file(member, year)
    s = f["summary"]
    ev = f["evaluation"]
    return {
        "member_id": member.pk,
        "name": member.person.name,
        "year": year,
        "points": s["total"],
        "index": s["index"],
        "group_label": str(s["group_label"]),
        "rank": s["rank"],
        "group_size": s["group_size"],
        "stars": f["rating"].stars if f["rating"] else None,
        "hours": f["hours"]["hours"],
        "entries": f["entry_count"],
        "acts": [{**a, "label": str(a["label"])} for a in f["acts"]],
        "months": [{"month": m["month"], "points": m["points"]} for m in f["months"]],
        "evaluation_score": ev.score if ev else None,
        "evaluation_note": str(ev.note) if ev else "",
    }
