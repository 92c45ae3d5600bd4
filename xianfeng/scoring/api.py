"""The scoring API under ``/api/v1/``: point rules (read; the district publishes versions and
recomputes), my points and index, a member's points in scope, leaderboards of members and
organizations in scope, adjustments and appeals with one endpoint per workflow step, and the
auditor's anomalies. Errors answer ``{"detail": ..., "errors": ...}`` in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
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
from xianfeng.core.services import NotFound, get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring import selectors, services
from xianfeng.scoring.choices import CapPeriod
from xianfeng.scoring.models import Adjustment, Appeal, PointEntry, PointRule, StarRating
from xianfeng.scoring.periods import Period, parse_period

router = Router(tags=[gettext_lazy("积分与先锋指数")])


def _period(raw: str | None) -> Period:
    return parse_period(raw, today=timezone.localdate())


# --- rules ----------


class PointRuleOut(Schema):
    id: int
    kind: str
    version: int
    effective_from: date
    effective_to: date | None
    points: Decimal
    daily_cap: Decimal | None
    period_cap: Decimal | None
    cap_period: str
    verified_only: bool
    once_per_target_per_day: bool
    multiplier_field: str
    multiplier_base: Decimal
    note: str


RulePage = page_of(PointRuleOut)


class RuleFilters(ListParams):
    kind: Text(64) | None = Field(None, description=gettext_lazy("履职事项代码"))


@router.get(
    "/scoring/rules", response=errors_response({200: RulePage}), summary=gettext_lazy("积分规则")
)
def rule_list(request: HttpRequest, filters: Query[RuleFilters]) -> Any:
    qs = PointRule.objects.order_by("kind", "-version")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs, filters)


class PointRuleIn(Schema):
    kind: Text(64)
    effective_from: date
    effective_to: date | None = None
    points: Decimal = Field(max_digits=9, decimal_places=2)
    daily_cap: Decimal | None = Field(None, max_digits=9, decimal_places=2)
    period_cap: Decimal | None = Field(None, max_digits=9, decimal_places=2)
    cap_period: CapPeriod = CapPeriod.MONTH
    verified_only: bool = False
    once_per_target_per_day: bool = False
    multiplier_field: Text(40) = ""
    multiplier_base: Decimal = Field(Decimal(1), max_digits=6, decimal_places=2)
    note: Text(200) = ""


@router.post(
    "/scoring/rules",
    response=errors_response({201: PointRuleOut}),
    summary=gettext_lazy("发布积分规则新版本"),
)
def rule_publish(request: HttpRequest, payload: PointRuleIn) -> Any:
    data = payload.model_dump()
    data["cap_period"] = str(getattr(data["cap_period"], "value", data["cap_period"]))
    rule = services.rule_publish(
        actor=request.user,
        kind=data.pop("kind"),
        effective_from=data.pop("effective_from"),
        effective_to=data.pop("effective_to"),
        note=data.pop("note"),
        **data,
    )
    return Status(201, rule)


class RecomputeIn(Schema):
    start: date
    end: date
    reason: Text(200)


class RecomputeOut(Schema):
    id: int
    start: date
    end: date
    reason: str
    records: int
    entries: int


@router.post(
    "/scoring/recompute",
    response=errors_response({201: RecomputeOut}),
    summary=gettext_lazy("按现行规则重算一段日期的积分（留有记录）"),
)
def recompute(request: HttpRequest, payload: RecomputeIn) -> Any:
    run = services.points_recompute(actor=request.user, **payload.model_dump())
    return Status(201, run)


# --- points and index ----------


class BreakdownOut(Schema):
    kind: str
    label: str
    points: Decimal
    count: int


class SummaryOut(Schema):
    member_id: int
    period: str
    period_label: str
    total: Decimal
    index: int = Field(
        description=gettext_lazy("先锋指数：同社区同类别党员中积分低于本人的比例（0–100）")
    )
    group_label: str
    group_size: int
    rank: int
    breakdown: list[BreakdownOut]


def _summary(member: PartyMember, period: Period) -> dict[str, Any]:
    s = selectors.member_summary(member, period)
    return {
        **{k: s[k] for k in ("total", "index", "group_size", "rank", "breakdown")},
        "group_label": str(s["group_label"]),
        "member_id": member.pk,
        "period": period.name,
        "period_label": str(period.label),
    }


class PeriodParams(Schema):
    period: Text(LINE_MAX_LENGTH) | None = Field(
        None, description=gettext_lazy("2026-12（月）、2026-Q4（季度）或 2026（年）；不填为本月")
    )


@router.get(
    "/scoring/me",
    response=errors_response({200: SummaryOut}),
    summary=gettext_lazy("我的积分与先锋指数"),
)
def my_summary(request: HttpRequest, params: Query[PeriodParams]) -> Any:
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员身份，没有个人积分。"))
    return _summary(member, _period(params.period))


@router.get(
    "/scoring/members/{member_id}",
    response=errors_response({200: SummaryOut}),
    summary=gettext_lazy("党员的积分与先锋指数"),
)
def member_summary(request: HttpRequest, member_id: int, params: Query[PeriodParams]) -> Any:
    member = get_object_for(
        user=request.user,
        model=PartyMember,
        pk=member_id,
        queryset=PartyMember.objects.select_related("branch"),
    )
    return _summary(member, _period(params.period))


class EntryOut(Schema):
    id: int
    entry_kind: str
    entry_kind_label: str
    kind: str
    points: Decimal
    occurred_on: date
    record_id: int | None
    rule_id: int | None
    reverses_id: int | None
    note: str

    resolve_entry_kind_label = choice_label("entry_kind")


EntryPage = page_of(EntryOut)


class EntryParams(ListParams, PeriodParams):
    pass


@router.get(
    "/scoring/me/entries",
    response=errors_response({200: EntryPage}),
    summary=gettext_lazy("我的积分明细（每条注明履职记录和规则版本）"),
)
def my_entries(request: HttpRequest, params: Query[EntryParams]) -> Any:
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员身份，没有个人积分。"))
    return paginate(selectors.member_entries(member, _period(params.period)), params)


class BoardRow(Schema):
    rank: int
    member_id: int
    name: str
    branch: str
    kind: str
    points: Decimal
    index: int


BoardPage = page_of(BoardRow)


class BoardParams(ListParams, PeriodParams):
    org: int | None = Field(
        None, description=gettext_lazy("组织编号；不填为本人管辖范围的最高组织")
    )


def _org(request: HttpRequest, raw: Any):
    """The organization asked for; outside the user's scope answers 404 (as missing)."""
    try:
        return selectors.org_for(request.user, raw)
    except ValidationError as exc:
        raise NotFound(exc.messages[0]) from None


def _list_page(rows: list[dict[str, Any]], params: ListParams) -> dict[str, Any]:
    start = (params.page - 1) * params.page_size
    return {
        "count": len(rows),
        "page": params.page,
        "page_size": params.page_size,
        "results": rows[start : start + params.page_size],
    }


@router.get(
    "/scoring/leaderboard",
    response=errors_response({200: BoardPage}),
    summary=gettext_lazy("党员排行榜（管辖范围内）"),
)
def leaderboard(request: HttpRequest, params: Query[BoardParams]) -> Any:
    org = _org(request, params.org)
    return _list_page(selectors.leaderboard(request.user, org, _period(params.period)), params)


class OrgRow(Schema):
    rank: int
    id: int = Field(alias="pk")
    name: str
    kind: str
    points: Decimal
    members: int
    average: Decimal
    index: int


OrgBoardPage = page_of(OrgRow)


@router.get(
    "/scoring/org-leaderboard",
    response=errors_response({200: OrgBoardPage}),
    summary=gettext_lazy("下级组织排行榜（人均积分与组织指数）"),
)
def org_leaderboard(request: HttpRequest, params: Query[BoardParams]) -> Any:
    org = _org(request, params.org)
    return _list_page(selectors.org_leaderboard(request.user, org, _period(params.period)), params)


class AnomalyOut(Schema):
    bursts: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    high: list[dict[str, Any]]


@router.get(
    "/scoring/anomalies",
    response=errors_response({200: AnomalyOut}),
    summary=gettext_lazy("积分异常（纪检督查）"),
)
def anomalies(request: HttpRequest, params: Query[BoardParams]) -> Any:
    org = _org(request, params.org)
    if not services.may_read_anomalies(request.user):
        raise PermissionDenied(_("只有纪检督查和管理员可以查看积分异常。"))
    found = selectors.anomalies(request.user, org=org, period=_period(params.period))
    return found


# --- adjustments and appeals ----------


class AdjustmentOut(Schema):
    id: int
    member_id: int
    points: Decimal
    occurred_on: date
    reason: str
    state: str
    state_label: str
    requested_by_id: int
    decided_by_id: int | None
    decision_note: str
    actions: list[str] = []

    resolve_state_label = choice_label("state")


AdjustmentPage = page_of(AdjustmentOut)


class StateFilters(ListParams):
    state: Text(20) | None = None


@router.get(
    "/scoring/adjustments",
    response=errors_response({200: AdjustmentPage}),
    summary=gettext_lazy("积分人工调整"),
)
def adjustment_list(request: HttpRequest, filters: Query[StateFilters]) -> Any:
    return paginate(selectors.adjustments(request.user, state=filters.state or ""), filters)


class AdjustmentIn(Schema):
    member_id: int
    points: Decimal = Field(max_digits=9, decimal_places=2)
    reason: Text(500) = ""
    occurred_on: date | None = None


def _adjustment(request: HttpRequest, pk: int) -> Adjustment:
    obj = get_object_for(user=request.user, model=Adjustment, pk=pk)
    obj.actions = actions(request.user, obj)
    return obj


@router.post(
    "/scoring/adjustments",
    response=errors_response({201: AdjustmentOut}),
    summary=gettext_lazy("申请积分调整（须写明理由，由另一位管理员审批）"),
)
def adjustment_create(request: HttpRequest, payload: AdjustmentIn) -> Any:
    require_can(request.user, Action.ADD, Adjustment)
    member = (
        PartyMember.objects.restrict(request.user)
        .select_related("branch")
        .filter(pk=payload.member_id)
        .first()
    )
    if member is None:
        raise ValidationError({"member_id": _("所选党员不存在或不在您的管辖范围内。")})
    adj = services.adjustment_request(
        actor=request.user,
        member=member,
        points=payload.points,
        reason=payload.reason,
        occurred_on=payload.occurred_on,
    )
    return Status(201, _adjustment(request, adj.pk))


add_step_endpoints(
    router,
    model=Adjustment,
    param="adjustment_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=Adjustment, pk=pk),
    response=AdjustmentOut,
    result=lambda request, obj: _adjustment(request, obj.pk),
    paths={
        "approve": "/scoring/adjustments/{adjustment_id}/approve",
        "reject": "/scoring/adjustments/{adjustment_id}/reject",
    },
)


class AppealOut(Schema):
    id: int
    member_id: int
    entry_id: int | None
    reason: str
    state: str
    state_label: str
    answer_text: str
    actions: list[str] = []

    resolve_state_label = choice_label("state")


AppealPage = page_of(AppealOut)


@router.get(
    "/scoring/appeals",
    response=errors_response({200: AppealPage}),
    summary=gettext_lazy("积分申诉"),
)
def appeal_list(request: HttpRequest, filters: Query[StateFilters]) -> Any:
    return paginate(selectors.appeals(request.user, state=filters.state or ""), filters)


class AppealIn(Schema):
    reason: Text(500) = ""
    entry_id: int | None = None


def _appeal(request: HttpRequest, pk: int) -> Appeal:
    obj = get_object_for(user=request.user, model=Appeal, pk=pk)
    obj.actions = actions(request.user, obj)
    return obj


@router.post(
    "/scoring/appeals",
    response=errors_response({201: AppealOut}),
    summary=gettext_lazy("党员提出积分申诉"),
)
def appeal_create(request: HttpRequest, payload: AppealIn) -> Any:
    member = member_of(request.user)
    entry = None
    if payload.entry_id is not None:
        entry = (
            PointEntry.objects.filter(pk=payload.entry_id, member=member).first()
            if member
            else None
        )
        if entry is None:
            raise ValidationError({"entry_id": _("只能对自己的积分明细提出申诉。")})
    appeal = services.appeal_submit(actor=request.user, reason=payload.reason, entry=entry)
    return Status(201, _appeal(request, appeal.pk))


add_step_endpoints(
    router,
    model=Appeal,
    param="appeal_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=Appeal, pk=pk),
    response=AppealOut,
    result=lambda request, obj: _appeal(request, obj.pk),
    paths={"answer": "/scoring/appeals/{appeal_id}/answer"},
)


# --- star ratings ----------


class StarOut(Schema):
    id: int
    member_id: int
    year: int
    index: int
    points: Decimal
    index_stars: int
    stars: int
    review_note: str
    reviewed_by_id: int | None


StarPage = page_of(StarOut)


class StarParams(ListParams):
    org: int | None = None
    year: int = Field(..., ge=2000, le=2100, description=gettext_lazy("年度"))


@router.get(
    "/scoring/stars", response=errors_response({200: StarPage}), summary=gettext_lazy("星级党员")
)
def star_list(request: HttpRequest, params: Query[StarParams]) -> Any:
    org = _org(request, params.org)
    qs = (
        StarRating.objects.restrict(request.user)
        .filter(year=params.year, organization__path__startswith=org.path)
        .order_by("-stars", "-index", "pk")
    )
    return paginate(qs, params)


class StarRateIn(Schema):
    org: int | None = None
    year: int = Field(..., ge=2000, le=2100)


class StarRateOut(Schema):
    rated: int


@router.post(
    "/scoring/stars/rate",
    response=errors_response({200: StarRateOut}),
    summary=gettext_lazy("按年度先锋指数评定星级党员"),
)
def star_rate(request: HttpRequest, payload: StarRateIn) -> Any:
    org = _org(request, payload.org)
    return {
        "rated": services.star_ratings_rate(actor=request.user, organization=org, year=payload.year)
    }


class StarReviewIn(Schema):
    stars: int
    note: Text(500) = ""


@router.post(
    "/scoring/stars/{star_id}/review",
    response=errors_response({200: StarOut}),
    summary=gettext_lazy("记录民主评议（调整星级并写明依据）"),
)
def star_review(request: HttpRequest, star_id: int, payload: StarReviewIn) -> Any:
    rating = get_object_for(user=request.user, model=StarRating, pk=star_id, action=Action.CHANGE)
    return services.star_review(actor=request.user, rating=rating, **payload.model_dump())
