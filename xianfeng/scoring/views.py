"""Pages of scoring: my points (phone first), the district's rules and recomputation, the
leaderboards (and the public one an organization opts into), adjustments and appeals with the
buttons their workflows declare, and the auditor's anomalies. Reads through
``xianfeng.scoring.selectors`` (the API uses the same ones)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.jobs import enqueue
from xianfeng.core.scope import user_can
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring import dashboards, selectors, services
from xianfeng.scoring.choices import AdjustmentState, AppealState
from xianfeng.scoring.forms import (
    AdjustmentForm,
    AppealForm,
    RecomputeForm,
    RuleForm,
    StarReviewForm,
)
from xianfeng.scoring.models import (
    Adjustment,
    Appeal,
    PointEntry,
    PointRule,
    PublicBoard,
    Recomputation,
    StarRating,
)
from xianfeng.scoring.periods import parse_period


def _period(request: HttpRequest):
    try:
        return parse_period(request.GET.get("period"), today=timezone.localdate()), ""
    except ValidationError as exc:
        return parse_period("", today=timezone.localdate()), exc.messages[0]


# --- my points ----------


class MyPointsView(ScopedView):
    model = PointEntry

    def get(self, request: HttpRequest) -> HttpResponse:
        period, error = _period(request)
        member = member_of(request.user)
        context: dict[str, Any] = {"period": period, "period_error": error, "member": member}
        if member is not None:
            context["summary"] = selectors.member_summary(member, period)
            page = paginate(request, selectors.member_entries(member, period))
            for entry in page:
                entry.label = selectors.entry_label(entry.kind)
            context["page"] = page
        return render(request, "scoring/mine.html", context)


# --- rules ----------


class RulesView(ScopedView):
    model = PointEntry

    def _render(self, request: HttpRequest, form: Any = None, recompute: Any = None, status=200):
        may = services.may_set_rules(request.user)
        return render(
            request,
            "scoring/rules.html",
            {
                "rows": selectors.rule_rows(),
                "may_edit": may,
                "form": form or (RuleForm() if may else None),
                "recompute_form": recompute or (RecomputeForm() if may else None),
                "runs": Recomputation.objects.select_related("requested_by")[:10] if may else [],
                "today": timezone.localdate(),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not services.may_set_rules(request.user):
            raise PermissionDenied(_("只有区委组织部可以设置积分规则或重算积分。"))
        form = RuleForm(request.POST)
        if not form.is_valid():
            return self._render(request, form=form, status=400)
        data = dict(form.cleaned_data)
        kind = data.pop("kind")
        try:
            rule = services.rule_publish(
                actor=request.user,
                kind=kind,
                effective_from=data.pop("effective_from"),
                effective_to=data.pop("effective_to"),
                note=data.pop("note"),
                **data,
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form=form, status=400)
        messages.success(
            request,
            _("已发布“%(kind)s”第%(v)d版，已得积分不变；如需追溯，请重算。")
            % {"kind": selectors.ledger.label(kind), "v": rule.version},
        )
        return redirect(rule.get_absolute_url())


class RuleDetailView(ScopedView):
    model = PointEntry

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = PointRule.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404(_("对象不存在或不在您的管辖范围内。"))
        return render(
            request,
            "scoring/rule_detail.html",
            {
                "rule": rule,
                "label": selectors.ledger.label(rule.kind),
                "versions": PointRule.objects.filter(kind=rule.kind).order_by("-version"),
                "history": history_rows(rule) if services.may_set_rules(request.user) else [],
            },
        )


class RecomputeView(RulesView):
    def post(self, request: HttpRequest) -> HttpResponse:
        if not services.may_set_rules(request.user):
            raise PermissionDenied(_("只有区委组织部可以设置积分规则或重算积分。"))
        form = RecomputeForm(request.POST)
        if not form.is_valid():
            return self._render(request, recompute=form, status=400)
        data = form.cleaned_data
        try:
            services.recompute_check(actor=request.user, **data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, recompute=form, status=400)
        # A district's quarter takes minutes (bench/README.md): a background job, not the request.
        with transaction.atomic():
            enqueue(
                "scoring.recompute",
                user=request.user,
                label=str(_("重算积分")),
                user_id=request.user.pk,
                start=data["start"].isoformat(),
                end=data["end"].isoformat(),
                reason=data["reason"],
            )
        messages.success(
            request,
            _("已提交重算%(start)s至%(end)s，后台完成后列在“重算记录”中。")
            % {"start": data["start"], "end": data["end"]},
        )
        return redirect("scoring:rules")


# --- leaderboards ----------


class LeaderboardView(ScopedView):
    model = PartyMember

    def get(self, request: HttpRequest) -> HttpResponse:
        period, error = _period(request)
        try:
            org = selectors.org_for(request.user, request.GET.get("org"))
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from None
        tab = "orgs" if request.GET.get("tab") == "orgs" else "members"
        rows = (
            selectors.org_leaderboard(request.user, org, period)
            if tab == "orgs"
            else selectors.leaderboard(request.user, org, period)
        )
        board = PublicBoard.objects.filter(organization=org).first()
        return render(
            request,
            "scoring/leaderboard.html",
            {
                "org": org,
                "period": period,
                "period_error": error,
                "tab": tab,
                "page": Paginator(rows, 50).get_page(request.GET.get("page")),
                "children": selectors.orgs_in_scope(request.user)
                .filter(parent=org)
                .order_by("path")[:200],
                "board": board,
                "may_dashboard": dashboards.may_see(request.user),
                "may_publish": user_can(request.user, Action.CHANGE, PublicBoard)
                and services.org_in_scope(
                    user=request.user, org=org, model=PublicBoard, action=Action.CHANGE
                ),
            },
        )


class BoardSetView(ScopedView):
    model = PublicBoard

    def post(self, request: HttpRequest, org: int) -> HttpResponse:
        try:
            target = selectors.org_for(request.user, org)
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from None
        services.board_set(
            actor=request.user, organization=target, enabled=request.POST.get("enabled") == "1"
        )
        messages.success(request, _("已更新公开排行榜设置。"))
        return redirect(f"{reverse('scoring:leaderboard')}?org={target.pk}")


class PublicBoardView(View):
    """The leaderboard an organization chose to publish: no login, names and points only."""

    def get(self, request: HttpRequest, org: int) -> HttpResponse:
        target = selectors.public_board(org)
        if target is None:
            raise Http404(_("该组织没有公开排行榜。"))
        period, error = _period(request)
        rows = selectors.leaderboard(None, target, period)[:50]
        return render(
            request,
            "scoring/public_board.html",
            {"org": target, "period": period, "rows": rows, "period_error": error},
        )


# --- adjustments and appeals ----------


class AdjustmentListView(ScopedView):
    model = Adjustment

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        return render(
            request,
            "scoring/adjustment_list.html",
            {
                "page": paginate(request, selectors.adjustments(request.user, state=state)),
                "state": state,
                "states": AdjustmentState.choices,
                "can_add": self.can(Action.ADD),
            },
        )


class AdjustmentCreateView(ScopedView):
    model = Adjustment

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/form.html",
            {
                "form": form,
                "title": _("申请积分调整"),
                "back_url": reverse("scoring:adjustment_list"),
                "intro": _("调整须写明理由，并由另一位管理员审批后计入。"),
                "submit_label": _("提交审批"),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return self._render(request, AdjustmentForm(initial={"member": request.GET.get("member")}))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        form = AdjustmentForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, 400)
        member = (
            PartyMember.objects.restrict(request.user)
            .filter(pk=form.cleaned_data["member"])
            .first()
        )
        if member is None:
            form.add_error("member", _("所选党员不存在或不在您的管辖范围内。"))
            return self._render(request, form, 400)
        try:
            adj = services.adjustment_request(
                actor=request.user,
                member=member,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                occurred_on=form.cleaned_data["occurred_on"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, 403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("已提交，等待其他管理员审批。"))
        return redirect(adj.get_absolute_url())


def _detail(request: HttpRequest, obj: Any, template: str) -> HttpResponse:
    return render(request, template, {"obj": obj, "history": history_rows(obj)})


class AdjustmentDetailView(ScopedView):
    model = Adjustment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object_for(pk), "scoring/adjustment_detail.html")


class AdjustmentStepView(StepView):
    model = Adjustment

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _detail(request, obj, "scoring/adjustment_detail.html")


class AppealListView(ScopedView):
    model = Appeal

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        return render(
            request,
            "scoring/appeal_list.html",
            {
                "page": paginate(request, selectors.appeals(request.user, state=state)),
                "state": state,
                "states": AppealState.choices,
                "can_add": member_of(request.user) is not None,
            },
        )


class AppealCreateView(ScopedView):
    model = Appeal

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/form.html",
            {
                "form": form,
                "title": _("积分申诉"),
                "back_url": reverse("scoring:mine"),
                "intro": _("对积分有异议可提出申诉，由所在组织的管理员答复。"),
                "submit_label": _("提交申诉"),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if member_of(request.user) is None:
            raise PermissionDenied(_("您的账号没有关联党员身份，不能提出积分申诉。"))
        return self._render(request, AppealForm(initial={"entry": request.GET.get("entry")}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AppealForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, 400)
        entry = None
        if form.cleaned_data.get("entry"):
            member = member_of(request.user)
            entry = (
                PointEntry.objects.filter(pk=form.cleaned_data["entry"], member=member).first()
                if member
                else None
            )
            if entry is None:
                form.add_error("entry", _("只能对自己的积分明细提出申诉。"))
                return self._render(request, form, 400)
        try:
            appeal = services.appeal_submit(
                actor=request.user, reason=form.cleaned_data["reason"], entry=entry
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, 403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("申诉已提交，所在组织的管理员将答复。"))
        return redirect(appeal.get_absolute_url())


class AppealDetailView(ScopedView):
    model = Appeal

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object_for(pk), "scoring/appeal_detail.html")


class AppealStepView(StepView):
    model = Appeal

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _detail(request, obj, "scoring/appeal_detail.html")


# --- anomalies ----------


class AnomalyView(ScopedView):
    model = PointEntry

    def get(self, request: HttpRequest) -> HttpResponse:
        period, error = _period(request)
        try:
            org = selectors.org_for(request.user, request.GET.get("org"))
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from None
        if not services.may_read_anomalies(request.user):
            raise PermissionDenied(_("只有纪检督查和管理员可以查看积分异常。"))
        found = selectors.anomalies(request.user, org=org, period=period)
        return render(
            request,
            "scoring/anomalies.html",
            {"org": org, "period": period, "period_error": error, **found},
        )


# --- star ratings ----------


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    today = timezone.localdate()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year else today.year


class StarListView(ScopedView):
    model = StarRating

    def _org(self, request: HttpRequest):
        try:
            return selectors.org_for(
                request.user, request.GET.get("org") or request.POST.get("org")
            )
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from None

    def get(self, request: HttpRequest) -> HttpResponse:
        org = self._org(request)
        year = _year(request)
        ratings = (
            StarRating.objects.restrict(request.user)
            .filter(year=year, organization__path__startswith=org.path)
            .select_related("member__person", "organization")
            .order_by("-stars", "-index", "pk")
        )
        return render(
            request,
            "scoring/stars.html",
            {
                "org": org,
                "year": year,
                "page": paginate(request, ratings),
                "may_rate": services.org_in_scope(
                    user=request.user, org=org, model=StarRating, action=Action.ADD
                ),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        org = self._org(request)
        year = _year(request)
        n = services.star_ratings_rate(actor=request.user, organization=org, year=year)
        messages.success(request, _("已按年度先锋指数评定%(n)d名党员的星级。") % {"n": n})
        return redirect(f"{reverse('scoring:stars')}?org={org.pk}&year={year}")


class StarDetailView(ScopedView):
    model = StarRating

    def _render(self, request: HttpRequest, rating: Any, form: Any = None, status: int = 200):
        may = services.org_in_scope(
            user=request.user, org=rating.organization, model=StarRating, action=Action.CHANGE
        )
        return render(
            request,
            "scoring/star_detail.html",
            {
                "obj": rating,
                "form": form or (StarReviewForm(initial={"stars": rating.stars}) if may else None),
                "history": history_rows(rating),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self.object_for(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rating = self.object_for(pk, Action.CHANGE)
        form = StarReviewForm(request.POST)
        if not form.is_valid():
            return self._render(request, rating, form, 400)
        try:
            services.star_review(actor=request.user, rating=rating, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, rating, form, 400)
        messages.success(request, _("已记录民主评议。"))
        return redirect(rating.get_absolute_url())
