"""Assessment (考核): writes and reads.

Indicator sets are made by the district or a street for the organizations of one kind under it
(a street's set may start as a copy of the district's: district → street → community). A set's
indicators are two-level and weighted; each is

* quantitative (定量): a figure computed from the duty ledger over the cycle's days (the
  ``METRICS`` below, each naming the ledger kinds it counts), scored ``min(100, value ÷ target
  × 100)``;
* qualitative (定性): scored 0–100 by the assessors, the mean of their scores (the 述职评议: the
  assessed organization's secretary submits a report, the reviewers rate it);
* a veto (一票否决): a fact such as a serious incident of the year
  (``safety.selectors.serious_incident_veto``), which removes the organization's eligibility
  for 五星级党组织 / 五好服务型街道 and for commendation that year, and says why.

A cycle (quarter 季度小结, half year 半年抽查 on a random sample, year 年终考核) assesses the
organizations; closing it fixes totals, vetoes, the ranking (vetoed last) and stars; the ranking
is then reported to the organization above; outcomes 表彰 / 批评 / 限期整改 are recorded."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import ledger
from xianfeng.core.choices import Action, RoleKind
from xianfeng.core.models import DutyRecord
from xianfeng.core.roles import ADMINS
from xianfeng.core.scope import active_roles
from xianfeng.core.services import org_in_scope, save_unique_with_history, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.scoring import totals
from xianfeng.scoring.choices import CycleKind, CycleState, IndicatorKind, Outcome
from xianfeng.scoring.evaluation_workflows import assessor
from xianfeng.scoring.models import (
    Assessment,
    AssessmentCycle,
    AssessmentItem,
    Indicator,
    IndicatorSet,
    ReviewerScore,
)

if TYPE_CHECKING:
    from xianfeng.core.models import User

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- what the ledger gives ----------


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def records(org: Organization, start: date, end: date, kinds: tuple[str, ...]) -> QuerySet:
    """The duty records of these kinds under ``org`` over [start, end]."""
    return DutyRecord.objects.filter(
        organization__path__startswith=org.path,
        action__in=kinds,
        occurred_at__gte=_aware(start),
        occurred_at__lt=_aware(end + timedelta(days=1)),
    )


def _count(*kinds: str) -> Callable[[Organization, date, date], Decimal]:
    def compute(org: Organization, start: date, end: date) -> Decimal:
        return Decimal(records(org, start, end, kinds).count())

    return compute


def _ids(org: Organization, start: date, end: date, kind: str) -> QuerySet:
    """The ids of the objects the records of a kind name (a visit, an order, a session)."""
    return (
        records(org, start, end, (kind,))
        .exclude(object_id="")
        .annotate(pk_int=Cast("object_id", IntegerField()))
        .values("pk_int")
    )


def _coverage(org: Organization, start: date, end: date) -> Decimal:
    from xianfeng.visits.models import Visit
    from xianfeng.visits.selectors import households_of

    households = households_of(org=org).count()
    if not households:
        return Decimal(0)
    visited = (
        Visit.objects.filter(pk__in=_ids(org, start, end, "visit.log"), household_id__isnull=False)
        .values("household_id")
        .distinct()
        .count()
    )
    return (Decimal(visited) * HUNDRED / households).quantize(CENT)


def _rating(org: Organization, start: date, end: date) -> Decimal:
    from xianfeng.services.models import Order

    mean = Order.objects.filter(pk__in=_ids(org, start, end, "order.rated")).aggregate(
        m=Avg("rating")
    )["m"]
    return (Decimal(str(mean)) * 20).quantize(CENT) if mean is not None else Decimal(0)


def _hours(org: Organization, start: date, end: date) -> Decimal:
    from xianfeng.community.models import ServiceSession

    total = ServiceSession.objects.filter(
        pk__in=_ids(org, start, end, "service.confirm")
    ).aggregate(h=Sum("hours"))["h"]
    return Decimal(total or 0).quantize(CENT)


def _meetings(org: Organization, start: date, end: date) -> Decimal:
    from xianfeng.meetings import rhythm

    orgs = Organization.objects.filter(path__startswith=org.path)
    rows = rhythm.figures(orgs, start, end)
    required = sum(r["required"] for r in rows)
    held = sum(r["held"] for r in rows)
    if not required:
        return HUNDRED
    return (Decimal(held) * HUNDRED / required).quantize(CENT)


def _points(org: Organization, start: date, end: date) -> Decimal:
    from xianfeng.people.models import PartyMember

    members = PartyMember.objects.filter(branch__path__startswith=org.path).count()
    # The monthly totals: a cycle is whole months, so this does not read the entries.
    total = totals.points_between(start, end, branch__path__startswith=org.path)
    return (total / members).quantize(CENT) if members else Decimal(0)


@dataclass(frozen=True)
class Metric:
    label: Any
    unit: Any
    kinds: tuple[str, ...]  # the ledger kinds it reads
    compute: Callable[[Organization, date, date], Decimal]
    target: Decimal  # the default value for full marks
    how: Any = ""  # what it does with them, when more than a count

    @property
    def source(self) -> str:
        kinds = "、".join(ledger.label(k) for k in self.kinds)
        if not kinds:
            return str(self.how)
        return f"{kinds}：{self.how}" if self.how else kinds


def _m(label: Any, unit: Any, kinds: tuple[str, ...], compute: Any, target: int, how: Any = ""):
    return Metric(label, unit, kinds, compute, Decimal(target), how)


METRICS: dict[str, Metric] = {
    "visits": _m(
        gettext_lazy("走访户次"), gettext_lazy("次"), ("visit.log",), _count("visit.log"), 500
    ),
    "coverage": _m(
        gettext_lazy("走访覆盖率"),
        "%",
        ("visit.log",),
        _coverage,
        100,
        gettext_lazy("走访所到户数 ÷ 辖区户数"),
    ),
    "hazards_found": _m(
        gettext_lazy("发现隐患"),
        gettext_lazy("处"),
        ("hazard.report",),
        _count("hazard.report"),
        20,
    ),
    "hazards_removed": _m(
        gettext_lazy("隐患整改销号"),
        gettext_lazy("处"),
        ("hazard.close", "hazard.recheck"),
        _count("hazard.close", "hazard.recheck"),
        20,
    ),
    "orders_served": _m(
        gettext_lazy("办结群众点单"),
        gettext_lazy("单"),
        ("order.served",),
        _count("order.served"),
        50,
    ),
    "orders_rating": _m(
        gettext_lazy("群众满意度"),
        "%",
        ("order.rated",),
        _rating,
        100,
        gettext_lazy("所评点单的平均星级 ÷ 5"),
    ),
    "meetings": _m(
        gettext_lazy("按规律召开会议"),
        "%",
        ("meeting.hold",),
        _meetings,
        100,
        gettext_lazy("已召开 ÷ 会议制度应开"),
    ),
    "problems_solved": _m(
        gettext_lazy("问题墙办结并公开"),
        gettext_lazy("件"),
        ("problem.verify",),
        _count("problem.verify"),
        20,
    ),
    "publicity": _m(
        gettext_lazy("宣传活动"),
        gettext_lazy("场"),
        ("publicity.record",),
        _count("publicity.record"),
        10,
    ),
    "tasks_done": _m(
        gettext_lazy("任务办结"),
        gettext_lazy("项"),
        ("task.complete",),
        _count("task.complete"),
        50,
    ),
    "service_hours": _m(
        gettext_lazy("8小时外服务时长"),
        gettext_lazy("小时"),
        ("service.confirm",),
        _hours,
        200,
        gettext_lazy("确认的服务时长之和"),
    ),
    "points_per_member": _m(
        gettext_lazy("党员人均积分"),
        gettext_lazy("分"),
        (),
        _points,
        50,
        gettext_lazy("积分明细（均来自履职记录）之和 ÷ 党员数"),
    ),
}


def _serious_incident(org: Organization, year: int) -> bool:
    from xianfeng.safety.selectors import serious_incident_veto

    return serious_incident_veto(org, year)


#: Veto sources: key -> (label, the fact for an organization and year).
VETOES: dict[str, tuple[Any, Callable[[Organization, int], bool]]] = {
    "serious_incident": (
        gettext_lazy("本年度辖区发生较大及以上安全事故"),
        _serious_incident,
    ),
}


def metric_choices() -> list[tuple[str, str]]:
    return [(k, str(m.label)) for k, m in METRICS.items()]


def veto_choices() -> list[tuple[str, str]]:
    return [(k, str(v[0])) for k, v in VETOES.items()]


# --- indicator sets ----------


def _require(actor: User, org: Organization, model: type, action: str = Action.ADD) -> None:
    if not org_in_scope(user=actor, org=org, model=model, action=action):
        raise PermissionDenied(_("只有本单位或上级的管理员可以办理考核。"))


@transaction.atomic
def indicator_set_create(
    *,
    actor: User,
    organization: Organization,
    target_kind: str,
    year: int,
    title: str,
    base: IndicatorSet | None = None,
) -> IndicatorSet:
    """A new set; with ``base`` (a set above, for the same kind) its indicators are copied."""
    _require(actor, organization, IndicatorSet)
    errors: dict[str, str] = {}
    if target_kind not in OrgKind.values:
        errors["target_kind"] = _("请选择考核对象类型。")
    elif (
        not Organization.objects.filter(path__startswith=organization.path, kind=target_kind)
        .exclude(pk=organization.pk)
        .exists()
    ):
        errors["target_kind"] = _("本单位下没有这种类型的组织。")
    if not 2000 <= int(year or 0) <= timezone.localdate().year + 1:
        errors["year"] = _("年度不正确。")
    if not (title or "").strip():
        errors["title"] = _("请填写指标体系名称。")
    if base is not None and (
        base.target_kind != target_kind
        or not organization.path.startswith(base.organization.path)
        or base.organization_id == organization.pk
    ):
        errors["base"] = _("只能沿用上级为同类组织制定的指标体系。")
    if errors:
        raise ValidationError(errors)
    found = IndicatorSet(
        organization=organization,
        target_kind=target_kind,
        year=int(year),
        title=title.strip()[:120],
        base=base,
        created_by=actor,
    )
    save_unique_with_history(instance=found, actor=actor, reason=_("制定考核指标体系"))
    if base is not None:
        copies: dict[int, Indicator] = {}
        olds = list(base.indicators.order_by("position", "pk"))
        # First-level ones first, so that a child finds its parent's copy.
        for old in [i for i in olds if i.parent_id is None] + [i for i in olds if i.parent_id]:
            new = Indicator(
                indicator_set=found,
                parent=copies.get(old.parent_id) if old.parent_id else None,
                name=old.name,
                kind=old.kind,
                weight=old.weight,
                metric=old.metric,
                target=old.target,
                position=old.position,
            )
            save_with_history(instance=new, actor=actor, reason=_("沿用上级指标"))
            copies[old.pk] = new
    write_ledger(found, "indicator_set.create", actor=actor, note=found.title)
    return found


@transaction.atomic
def indicator_add(
    *,
    actor: User,
    indicator_set: IndicatorSet,
    name: str,
    kind: str,
    weight: Any = 0,
    metric: str = "",
    target: Any = None,
    parent: Indicator | None = None,
) -> Indicator:
    _require(actor, indicator_set.organization, Indicator, Action.CHANGE)
    if indicator_set.cycles.exists():
        raise ValidationError(
            _("该指标体系已用于考核，不能再修改；请新建指标体系。"), code="invalid_state"
        )
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("请填写指标名称。")
    if kind not in IndicatorKind.values:
        errors["kind"] = _("请选择指标类型。")
    try:
        weight_value = Decimal(str(weight if weight not in (None, "") else 0)).quantize(CENT)
    except Exception:
        weight_value = None
    if weight_value is None or weight_value < 0 or weight_value > 1000:
        errors["weight"] = _("权重应为0到1000之间的数。")
    target_value = None
    if kind == IndicatorKind.QUANTITATIVE:
        if metric not in METRICS:
            errors["metric"] = _("请选择定量指标的计算口径。")
        else:
            try:
                target_value = (
                    Decimal(str(target)).quantize(CENT)
                    if target not in (None, "")
                    else METRICS[metric].target
                )
            except Exception:
                target_value = Decimal(-1)
            if target_value <= 0:
                errors["target"] = _("满分目标值必须大于0。")
    elif kind == IndicatorKind.VETO:
        if metric not in VETOES:
            errors["metric"] = _("请选择一票否决事项。")
    else:
        metric = ""
    if parent is not None:
        if parent.indicator_set_id != indicator_set.pk:
            errors["parent"] = _("上级指标不属于该指标体系。")
        elif parent.parent_id is not None or parent.kind == IndicatorKind.VETO:
            errors["parent"] = _("指标最多两级，且一票否决项不能有下级指标。")
    if kind == IndicatorKind.VETO and parent is not None:
        errors["parent"] = _("一票否决项是一级指标，不设上级。")
    if errors:
        raise ValidationError(errors)
    indicator = Indicator(
        indicator_set=indicator_set,
        parent=parent,
        name=name.strip()[:120],
        kind=kind,
        weight=weight_value if kind != IndicatorKind.VETO else Decimal(0),
        metric=metric if kind != IndicatorKind.QUALITATIVE else "",
        target=target_value,
        position=indicator_set.indicators.count() + 1,
    )
    save_with_history(instance=indicator, actor=actor, reason=_("添加考核指标"))
    return indicator


def indicator_tree(indicator_set: IndicatorSet) -> list[dict[str, Any]]:
    """First-level indicators with their children (two queries at most: one)."""
    rows = list(indicator_set.indicators.order_by("position", "pk"))
    top = [i for i in rows if i.parent_id is None]
    return [{"indicator": t, "children": [c for c in rows if c.parent_id == t.pk]} for t in top]


# --- cycles ----------

_HALF = re.compile(r"^(\d{4})-[Hh]([12])$")


def cycle_period(kind: str, raw: str) -> tuple[date, date, str]:
    """``2026-Q2`` for a quarter, ``2026-H1`` for a half year, ``2026`` for a year."""
    from xianfeng.scoring.periods import parse_period

    text = (raw or "").strip()
    if kind == CycleKind.HALF:
        if m := _HALF.match(text):
            year, half = int(m[1]), int(m[2])
            if 2000 <= year <= 2100:
                return (
                    date(year, 1 if half == 1 else 7, 1),
                    date(year, 6, 30) if half == 1 else date(year, 12, 31),
                    _("%(y)d年%(h)s半年") % {"y": year, "h": _("上") if half == 1 else _("下")},
                )
        raise ValidationError({"period": _("半年抽查的周期应写作 2026-H1 或 2026-H2。")})
    try:
        period = parse_period(text, today=timezone.localdate()) if text else None
    except ValidationError:
        period = None
    want = {CycleKind.QUARTER: "quarter", CycleKind.YEAR: "year"}.get(kind)
    if period is None or period.kind != want or not 2000 <= period.start.year <= 2100:
        raise ValidationError(
            {
                "period": _("季度小结的周期应写作 2026-Q2；年终考核的周期应写作 2026。")
                if kind in (CycleKind.QUARTER, CycleKind.YEAR)
                else _("请选择考核类型。")
            }
        )
    return period.start, period.end, str(period.label)


@transaction.atomic
def cycle_open(
    *,
    actor: User,
    indicator_set: IndicatorSet,
    kind: str,
    period: str,
    sample_size: int | None = None,
    title: str = "",
) -> AssessmentCycle:
    """Open a cycle: an assessment per organization of the set's kind under the assessing
    organization (a random sample for a half-year spot check), its quantitative and veto items
    computed from the ledger at once."""
    org = indicator_set.organization
    _require(actor, org, AssessmentCycle)
    if kind not in CycleKind.values:
        raise ValidationError({"kind": _("请选择考核类型。")})
    start, end, label = cycle_period(kind, period)
    leaves = [
        i
        for i in indicator_set.indicators.all()
        if i.kind != IndicatorKind.VETO and not i.children.exists()
    ]
    if not leaves:
        raise ValidationError(_("该指标体系还没有计分指标，请先添加指标。"))
    targets = list(
        Organization.objects.filter(path__startswith=org.path, kind=indicator_set.target_kind)
        .exclude(pk=org.pk)
        .order_by("path")
    )
    if sample_size is not None:
        if sample_size < 1:
            raise ValidationError({"sample_size": _("抽查数量至少为1。")})
        if sample_size < len(targets):
            targets = sorted(
                random.SystemRandom().sample(targets, sample_size), key=lambda o: o.path
            )
    if not targets:
        raise ValidationError(_("本单位下没有可考核的组织。"))
    cycle = AssessmentCycle(
        indicator_set=indicator_set,
        organization=org,
        kind=kind,
        title=(title or "").strip()[:120]
        or _("%(p)s%(k)s") % {"p": label, "k": CycleKind(kind).label},
        start=start,
        end=end,
        sample_size=sample_size,
        created_by=actor,
    )
    save_with_history(instance=cycle, actor=actor, reason=_("发起考核"))
    Assessment.objects.bulk_create([Assessment(cycle=cycle, organization=o) for o in targets])
    write_ledger(
        cycle,
        "assessment.open",
        actor=actor,
        note=_("%(t)s，%(n)d个组织") % {"t": cycle.title, "n": len(targets)},
    )
    cycle_refresh(cycle)
    return cycle


def _item_scores(assessment: Assessment, indicators: list[Indicator]) -> list[AssessmentItem]:
    """Quantitative and veto items computed now; qualitative ones from the reviewers."""
    cycle = assessment.cycle
    org = assessment.organization
    reviews = dict(
        ReviewerScore.objects.filter(assessment=assessment)
        .values_list("indicator_id")
        .annotate(m=Avg("score"))
        .values_list("indicator_id", "m")
    )
    counts = dict(
        ReviewerScore.objects.filter(assessment=assessment)
        .values_list("indicator_id")
        .annotate(n=Count("id"))
        .values_list("indicator_id", "n")
    )
    items = []
    for ind in indicators:
        item = AssessmentItem(assessment=assessment, indicator=ind)
        if ind.kind == IndicatorKind.QUANTITATIVE and ind.metric in METRICS:
            metric = METRICS[ind.metric]
            value = metric.compute(org, cycle.start, cycle.end)
            target = ind.target or metric.target
            item.value = value
            item.score = min(HUNDRED, (value * HUNDRED / target)).quantize(CENT)
            item.explanation = _("%(v)s%(u)s，目标%(t)s%(u)s（按履职记录：%(src)s）") % {
                "v": value,
                "u": metric.unit,
                "t": target,
                "src": metric.source,
            }
        elif ind.kind == IndicatorKind.VETO and ind.metric in VETOES:
            label, fact = VETOES[ind.metric]
            item.vetoed = fact(org, cycle.start.year)
            item.explanation = str(label) if item.vetoed else _("未触发")
        elif ind.kind == IndicatorKind.QUALITATIVE:
            mean = reviews.get(ind.pk)
            item.score = Decimal(str(mean)).quantize(CENT) if mean is not None else None
            item.explanation = (
                _("%(n)d位评议人评分的平均") % {"n": counts.get(ind.pk, 0)}
                if mean is not None
                else _("待评分")
            )
        items.append(item)
    return items


def _weighted(pairs: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """The weighted mean of scores (weights normalized); ``None`` while any is missing.
    Siblings all weighted 0 (no weights set) count equally, rather than never adding up."""
    if any(score is None for _w, score in pairs) or not pairs:
        return None
    weight = sum((w for w, _s in pairs), Decimal(0))
    if not weight:
        pairs = [(Decimal(1), s) for _w, s in pairs]
        weight = Decimal(len(pairs))
    return (sum((w * s for w, s in pairs), Decimal(0)) / weight).quantize(CENT)


def total_of(tree: list[dict[str, Any]], scores: dict[int, Decimal | None]) -> Decimal | None:
    """Second-level scores roll up into their first-level indicator, first-level ones into the
    total, each by its weight among its siblings (veto items carry no weight)."""
    top = []
    for node in tree:
        ind = node["indicator"]
        if ind.kind == IndicatorKind.VETO:
            continue
        if node["children"]:
            score = _weighted([(c.weight, scores.get(c.pk)) for c in node["children"]])
        else:
            score = scores.get(ind.pk)
        top.append((ind.weight, score))
    return _weighted(top)


def assessment_refresh(assessment: Assessment, tree: list[dict[str, Any]] | None = None) -> None:
    """Recompute one assessment's items and running total (and veto) from the ledger."""
    cycle = assessment.cycle
    tree = tree if tree is not None else indicator_tree(cycle.indicator_set)
    indicators = [n["indicator"] for n in tree] + [c for n in tree for c in n["children"]]
    items = _item_scores(assessment, indicators)
    by_indicator = {i.indicator_id: i for i in items}
    for node in tree:
        if node["children"]:
            group = by_indicator[node["indicator"].pk]
            group.score = _weighted(
                [(c.weight, by_indicator[c.pk].score) for c in node["children"]]
            )
            group.explanation = _("按下级指标的权重合计")
    AssessmentItem.objects.filter(assessment=assessment).delete()
    AssessmentItem.objects.bulk_create(items)
    scores = {i.indicator_id: i.score for i in items}
    vetoes = [i for i in items if i.vetoed]
    assessment.total = total_of(tree, scores)
    assessment.vetoed = bool(vetoes)
    assessment.veto_reason = (
        "；".join(f"{i.indicator.name}：{i.explanation}" for i in vetoes)[:300] if vetoes else ""
    )
    assessment.save(update_fields=["total", "vetoed", "veto_reason"])


@transaction.atomic
def cycle_refresh(cycle: AssessmentCycle, *, actor: User | None = None) -> int:
    """Every assessment of a cycle recomputed from the ledger (while it is being scored)."""
    if cycle.state != CycleState.SCORING:
        raise ValidationError(_("考核已定档，不能再重新计算。"), code="invalid_state")
    if actor is not None:
        refusal = assessor(cycle, actor)
        if refusal:
            raise PermissionDenied(refusal)
    tree = indicator_tree(cycle.indicator_set)
    found = list(cycle.assessments.select_related("organization", "cycle"))
    for assessment in found:
        assessment_refresh(assessment, tree)
    if actor is not None:
        write_ledger(cycle, "assessment.refresh", actor=actor, note=cycle.title)
    return len(found)


def stars_of(total: Decimal | None, vetoed: bool) -> int:
    """Five stars from 90, one below 60; a veto keeps an organization from the fifth star."""
    stars = 1
    for floor, n in ((90, 5), (80, 4), (70, 3), (60, 2)):
        if total is not None and total >= floor:
            stars = n
            break
    return min(stars, 4) if vetoed else stars


def honours(assessment: Assessment) -> list[str]:
    """The titles an organization's year earns (五星级党组织, 星级社区, 五好服务型街道), or why
    not."""
    if assessment.stars is None or assessment.cycle.kind != CycleKind.YEAR:
        return []
    kind = assessment.organization.kind
    out = []
    if assessment.vetoed:
        out.append(_("一票否决：取消本年度评优资格"))
    if kind == OrgKind.STREET:
        if assessment.stars == 5:
            out.append(_("五好服务型街道"))
    else:
        if assessment.stars == 5:
            out.append(_("五星级党组织"))
        if kind == OrgKind.COMMUNITY:
            out.append(_("%(n)d星级社区") % {"n": assessment.stars})
    return out


def cycle_settle(cycle: AssessmentCycle) -> None:
    """Called by the ``close`` step: every item recomputed; an unscored qualitative item stops
    it; then totals, vetoes, stars and the ranking (vetoed last) are fixed."""
    tree = indicator_tree(cycle.indicator_set)
    found = list(cycle.assessments.select_related("organization", "cycle"))
    missing = []
    for assessment in found:
        assessment_refresh(assessment, tree)
        if assessment.total is None:
            missing.append(assessment.organization.name)
    if missing:
        raise ValidationError(
            _("还有定性指标未评分：%(orgs)s。请评分后再定档。")
            % {"orgs": "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")}
        )
    found.sort(key=lambda a: (a.vetoed, -(a.total or 0), a.organization.path))
    for rank, assessment in enumerate(found, 1):
        assessment.rank = rank
        assessment.stars = stars_of(assessment.total, assessment.vetoed)
        save_with_history(instance=assessment, actor=None, reason=_("考核定档"))


# --- the assessed organization and the reviewers ----------


def may_report(user: User, assessment: Assessment) -> bool:
    """The assessed organization's own admins (or its unit's liaison) write its 述职 report."""
    if user.is_superuser:
        return True
    kinds = ADMINS | {RoleKind.UNIT_LIAISON}
    return any(
        r.kind in kinds and r.organization_id == assessment.organization_id
        for r in active_roles(user)
    )


@transaction.atomic
def report_submit(*, actor: User, assessment: Assessment, text: str) -> Assessment:
    """述职: the secretary's report of the organization's year (or period)."""
    if not may_report(actor, assessment):
        raise PermissionDenied(_("只有被考核组织的书记或管理员可以提交述职报告。"))
    locked = Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)
    if locked.cycle.state != CycleState.SCORING:
        raise ValidationError(_("考核已定档，不能再提交述职报告。"), code="invalid_state")
    body = str(text or "").strip()
    if not body:
        raise ValidationError({"text": _("请填写述职报告。")})
    locked.report_text = body[:5000]
    locked.reported_by = actor
    locked.reported_at = timezone.now()
    save_with_history(instance=locked, actor=actor, reason=_("提交述职报告"))
    write_ledger(locked, "assessment.report_text", actor=actor, note=locked.cycle.title)
    return locked


@transaction.atomic
def review_score(
    *, actor: User, assessment: Assessment, indicator: Indicator, score: Any, note: str = ""
) -> ReviewerScore:
    """An assessor scores a qualitative indicator (0–100); scoring again replaces their own
    score (its history keeps the old one)."""
    cycle = assessment.cycle
    refusal = assessor(cycle, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if cycle.state != CycleState.SCORING:
        raise ValidationError(_("考核已定档，不能再评分。"), code="invalid_state")
    if indicator.indicator_set_id != cycle.indicator_set_id:
        raise ValidationError({"indicator": _("该指标不属于本次考核。")})
    if indicator.kind != IndicatorKind.QUALITATIVE or indicator.children.exists():
        raise ValidationError({"indicator": _("只有定性指标由评议人打分。")})
    try:
        value = Decimal(str(score)).quantize(CENT)
    except Exception:
        value = Decimal(-1)
    if not 0 <= value <= 100:
        raise ValidationError({"score": _("评分应在0到100之间。")})
    review = ReviewerScore.objects.filter(
        assessment=assessment, indicator=indicator, reviewer=actor
    ).first() or ReviewerScore(assessment=assessment, indicator=indicator, reviewer=actor)
    review.score = value
    review.note = str(note or "").strip()[:300]
    save_unique_with_history(instance=review, actor=actor, reason=_("考核评分"))
    write_ledger(
        assessment,
        "assessment.score",
        actor=actor,
        note=f"{indicator.name} {value}",
    )
    assessment_refresh(
        Assessment.objects.select_related("cycle", "organization").get(pk=assessment.pk)
    )
    return review


@transaction.atomic
def outcome_record(
    *,
    actor: User,
    assessment: Assessment,
    outcome: str,
    note: str = "",
    rectify_by: date | None = None,
) -> Assessment:
    """表彰 / 批评 / 限期整改, once the cycle is closed. A vetoed organization is not commended;
    criticism and rectification say why, rectification by when."""
    locked = (
        Assessment.objects.select_for_update()
        .select_related("cycle__organization", "organization")
        .get(pk=assessment.pk)
    )
    refusal = assessor(locked.cycle, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if locked.cycle.state == CycleState.SCORING:
        raise ValidationError(_("考核定档后才能登记结果。"), code="invalid_state")
    if outcome not in (Outcome.COMMEND, Outcome.CRITICIZE, Outcome.RECTIFY):
        raise ValidationError({"outcome": _("请选择表彰、批评或限期整改。")})
    text = str(note or "").strip()
    if outcome == Outcome.COMMEND and locked.vetoed:
        raise ValidationError(
            {
                "outcome": _("该组织被一票否决（%(why)s），本年度不能表彰。")
                % {"why": locked.veto_reason}
            }
        )
    if outcome in (Outcome.CRITICIZE, Outcome.RECTIFY) and not text:
        raise ValidationError({"note": _("批评或限期整改须写明问题。")})
    if outcome == Outcome.RECTIFY:
        if rectify_by is None or rectify_by <= timezone.localdate():
            raise ValidationError({"rectify_by": _("请填写今天以后的整改期限。")})
    else:
        rectify_by = None
    locked.outcome = outcome
    locked.outcome_note = text[:2000]
    locked.rectify_by = rectify_by
    locked.outcome_by = actor
    save_with_history(instance=locked, actor=actor, reason=str(Outcome(outcome).label))
    write_ledger(
        locked,
        "assessment.outcome",
        actor=actor,
        note=f"{Outcome(outcome).label} {text}"[:500],
    )
    return locked


# --- reads ----------


def cycles(user: User) -> QuerySet[AssessmentCycle]:
    """Cycles run by the user's organizations or below them, and those reported to them."""
    return (
        AssessmentCycle.objects.restrict(user)
        .select_related("organization", "indicator_set", "reported_to")
        .annotate(n=Count("assessments"))
        .order_by("-end", "-id")
    )


def my_assessments(user: User) -> QuerySet[Assessment]:
    """The assessments of organizations the user sees (their own organization's among them)."""
    return (
        Assessment.objects.restrict(user)
        .select_related("cycle", "organization")
        .order_by("-cycle__end", "rank", "id")
    )


def ranking(cycle: AssessmentCycle) -> QuerySet[Assessment]:
    return cycle.assessments.select_related("organization").order_by(
        "rank", "vetoed", "-total", "organization__path"
    )


def items_of(assessment: Assessment) -> list[AssessmentItem]:
    return list(
        assessment.items.select_related("indicator", "indicator__parent").order_by(
            "indicator__position", "indicator_id"
        )
    )


def indicator_sets(user: User) -> QuerySet[IndicatorSet]:
    return (
        IndicatorSet.objects.restrict(user)
        .select_related("organization")
        .annotate(n=Count("indicators"))
        .order_by("-year", "organization__path", "id")
    )


def may_assess(user: User, cycle: AssessmentCycle) -> bool:
    return assessor(cycle, user) is None


def resident_unit_reviews(user: User) -> QuerySet[Assessment]:
    """驻区单位述职评议 (seed 002: resident units report to the community and are rated, the
    ranking reported upward): the assessments of cycles whose indicator set assesses resident
    units, in cycles the user sees (an assessor, and the organizations above it) or of the
    units the user sees (a unit's liaison sees their own unit's)."""
    visible = AssessmentCycle.objects.restrict(user).filter(
        indicator_set__target_kind=OrgKind.RESIDENT_UNIT
    )
    own = Assessment.objects.restrict(user).filter(
        cycle__indicator_set__target_kind=OrgKind.RESIDENT_UNIT
    )
    return (
        Assessment.objects.filter(Q(cycle__in=visible) | Q(pk__in=own.values("pk")))
        .select_related("cycle", "cycle__organization", "cycle__reported_to", "organization")
        .order_by("-cycle__end", "-cycle_id", F("rank").asc(nulls_last=True), "organization__name")
    )
