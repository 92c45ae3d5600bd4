"""Pages of the assessment (考核): the cycles and assessments in scope, indicator sets with
their two-level weighted indicators, a cycle's ranking with its workflow (定档, 报上级), and
one organization's assessment — the items computed from the ledger with how, the reviewers'
scores, the 述职 report and the outcome."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.scoring import assessment as svc
from xianfeng.scoring.choices import CycleState, IndicatorKind
from xianfeng.scoring.forms_review import (
    CycleForm,
    IndicatorForm,
    OutcomeForm,
    ReportForm,
    ScoreForm,
    SetForm,
)
from xianfeng.scoring.models import Assessment, AssessmentCycle, IndicatorSet


class CycleListView(ScopedView):
    model = AssessmentCycle

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "scoring/assessment_list.html",
            {
                "page": paginate(request, svc.cycles(request.user)),
                "mine": svc.my_assessments(request.user)[:20],
                "may_set": self.can(Action.ADD, IndicatorSet),
            },
        )


def _set_orgs(user: Any) -> Any:
    """Where sets are made: the district and the streets (and any organization above others
    the user administers, such as a community assessing its grid branches)."""
    return (
        Organization.objects.restrict(user, Action.ADD, rules_of=IndicatorSet)
        .filter(kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY])
        .order_by("path")[:200]
    )


class SetListView(ScopedView):
    model = IndicatorSet

    def _form(self, request: HttpRequest, data: Any = None) -> SetForm:
        return SetForm(
            data,
            organizations=_set_orgs(request.user),
            bases=IndicatorSet.objects.restrict(request.user).select_related("organization")[:200],
        )

    def _render(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        return render(
            request,
            "scoring/indicator_sets.html",
            {
                "page": paginate(request, svc.indicator_sets(request.user)),
                "form": form or (self._form(request) if self.can(Action.ADD) else None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        form = self._form(request, request.POST)
        if not form.is_valid():
            return self._render(request, form, 400)
        data = dict(form.cleaned_data)
        org = Organization.objects.get(pk=data.pop("organization"))
        base_pk = data.pop("base")
        base = (
            IndicatorSet.objects.restrict(request.user).filter(pk=base_pk).first()
            if base_pk
            else None
        )
        try:
            found = svc.indicator_set_create(
                actor=request.user, organization=org, base=base, **data
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, 403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("已制定指标体系，请添加指标。"))
        return redirect(found.get_absolute_url())


def set_page(
    request: HttpRequest,
    found: IndicatorSet,
    *,
    indicator_form: Any = None,
    cycle_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    tree = svc.indicator_tree(found)
    may = svc.org_in_scope(
        user=request.user, org=found.organization, model=IndicatorSet, action=Action.CHANGE
    )
    used = found.cycles.exists()
    parents = [n["indicator"] for n in tree if n["indicator"].kind != IndicatorKind.VETO]
    return render(
        request,
        "scoring/indicator_set.html",
        {
            "obj": found,
            "tree": tree,
            "metrics": svc.METRICS,
            "vetoes": svc.VETOES,
            "indicator_form": (
                indicator_form
                or IndicatorForm(metrics=svc.metric_choices() + svc.veto_choices(), parents=parents)
            )
            if may and not used
            else None,
            "cycle_form": (cycle_form or CycleForm()) if may else None,
            "cycles": found.cycles.order_by("-end"),
        },
        status=status,
    )


class SetDetailView(ScopedView):
    model = IndicatorSet

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return set_page(request, self.object_for(pk))


class IndicatorAddView(ScopedView):
    model = IndicatorSet

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = self.object_for(pk, Action.CHANGE)
        parents = [n["indicator"] for n in svc.indicator_tree(found)]
        form = IndicatorForm(
            request.POST, metrics=svc.metric_choices() + svc.veto_choices(), parents=parents
        )
        if not form.is_valid():
            return set_page(request, found, indicator_form=form, status=400)
        data = dict(form.cleaned_data)
        parent_pk = data.pop("parent")
        parent = found.indicators.filter(pk=parent_pk).first() if parent_pk else None
        try:
            svc.indicator_add(actor=request.user, indicator_set=found, parent=parent, **data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            status = 409 if getattr(exc, "code", None) == "invalid_state" else 400
            return set_page(request, found, indicator_form=form, status=status)
        messages.success(request, _("已添加指标。"))
        return redirect(found.get_absolute_url())


class CycleCreateView(ScopedView):
    model = IndicatorSet

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = self.object_for(pk)
        if not svc.org_in_scope(
            user=request.user, org=found.organization, model=AssessmentCycle, action=Action.ADD
        ):
            raise PermissionDenied(_("只有本单位或上级的管理员可以办理考核。"))
        form = CycleForm(request.POST)
        if not form.is_valid():
            return set_page(request, found, cycle_form=form, status=400)
        try:
            cycle = svc.cycle_open(actor=request.user, indicator_set=found, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return set_page(request, found, cycle_form=form, status=400)
        messages.success(request, _("已发起考核，定量指标已按履职记录计算。"))
        return redirect(cycle.get_absolute_url())


def cycle_page(request: HttpRequest, cycle: AssessmentCycle, status: int = 200) -> HttpResponse:
    rows = list(svc.ranking(cycle))
    for row in rows:
        row.cycle = cycle
        row.honours = svc.honours(row)
    return render(
        request,
        "scoring/cycle_detail.html",
        {
            "obj": cycle,
            "rows": rows,
            "may_assess": svc.may_assess(request.user, cycle),
            "history": history_rows(cycle),
        },
        status=status,
    )


class CycleDetailView(ScopedView):
    model = AssessmentCycle

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return cycle_page(request, self.object_for(pk))


class CycleRefreshView(ScopedView):
    model = AssessmentCycle

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = self.object_for(pk)
        try:
            n = svc.cycle_refresh(cycle, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return cycle_page(request, cycle, 409)
        messages.success(request, _("已按履职记录重新计算%(n)d个组织的定量指标。") % {"n": n})
        return redirect(cycle.get_absolute_url())


class CycleStepView(StepView):
    model = AssessmentCycle

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return cycle_page(request, obj)


def assessment_page(
    request: HttpRequest, found: Assessment, status: int = 200, **forms: Any
) -> HttpResponse:
    cycle = found.cycle
    items = svc.items_of(found)
    may_assess = svc.may_assess(request.user, cycle)
    scoring = cycle.state == CycleState.SCORING
    mine = {}
    if may_assess:
        mine = {r.indicator_id: r for r in found.reviews.filter(reviewer=request.user)}
    for item in items:
        item.mine = mine.get(item.indicator_id)
        item.scorable = (
            may_assess
            and scoring
            and item.indicator.kind == IndicatorKind.QUALITATIVE
            and not any(i.indicator.parent_id == item.indicator_id for i in items)
        )
    return render(
        request,
        "scoring/assessment_detail.html",
        {
            "obj": found,
            "cycle": cycle,
            "items": items,
            "honours": svc.honours(found),
            "reviews": found.reviews.select_related("indicator", "reviewer").order_by(
                "indicator__position", "id"
            )
            if may_assess or request.user.is_superuser
            else [],
            "report_form": forms.get("report_form")
            or (
                ReportForm(initial={"text": found.report_text})
                if scoring and svc.may_report(request.user, found)
                else None
            ),
            "score_form": forms.get("score_form"),
            "outcome_form": forms.get("outcome_form")
            or (OutcomeForm() if may_assess and not scoring else None),
            "scoring": scoring,
            "history": history_rows(found),
        },
        status=status,
    )


class AssessmentDetailView(ScopedView):
    model = Assessment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return assessment_page(
            request,
            self.object_for(
                pk, queryset=Assessment.objects.select_related("cycle", "organization")
            ),
        )


class AssessmentPostView(ScopedView):
    """``report`` (述职), ``score`` (a reviewer's score), ``outcome`` (表彰/批评/限期整改)."""

    model = Assessment
    forms = {"report": ReportForm, "score": ScoreForm, "outcome": OutcomeForm}

    def post(self, request: HttpRequest, pk: int, what: str) -> HttpResponse:
        if what not in self.forms:
            raise Http404
        found = self.object_for(
            pk, queryset=Assessment.objects.select_related("cycle", "organization")
        )
        form = self.forms[what](request.POST)
        key = f"{what}_form"
        if not form.is_valid():
            return assessment_page(request, found, 400, **{key: form})
        data = form.cleaned_data
        try:
            if what == "report":
                svc.report_submit(actor=request.user, assessment=found, text=data["text"])
                done = _("述职报告已提交。")
            elif what == "score":
                indicator = found.cycle.indicator_set.indicators.filter(
                    pk=data["indicator"]
                ).first()
                if indicator is None:
                    raise ValidationError({"indicator": _("该指标不属于本次考核。")})
                svc.review_score(
                    actor=request.user,
                    assessment=found,
                    indicator=indicator,
                    score=data["score"],
                    note=data["note"],
                )
                done = _("已评分。")
            else:
                svc.outcome_record(actor=request.user, assessment=found, **data)
                done = _("已登记考核结果。")
        except ValidationError as exc:
            apply_form_errors(form, exc)
            status = 409 if getattr(exc, "code", None) == "invalid_state" else 400
            if what == "score":
                messages.error(request, "；".join(exc.messages))
            return assessment_page(request, found, status, **{key: form})
        messages.success(request, done)
        return redirect(found.get_absolute_url())
