"""Pages of the democratic evaluation (民主评议): the rounds in scope, a round's page (turnout,
codes for residents, the workflow's buttons, the counted results), and the ballot itself —
phone first, no account for residents, a member signed in votes as a member."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.orgs.models import Organization
from xianfeng.people.members import member_of
from xianfeng.scoring import evaluation
from xianfeng.scoring.choices import EvaluationState, Grade
from xianfeng.scoring.forms_review import CodesForm, RoundForm
from xianfeng.scoring.models import EvaluationRound


def _organizations(user: Any) -> Any:
    return (
        Organization.objects.restrict(user, Action.ADD, rules_of=EvaluationRound)
        .order_by("path")
        .only("pk", "name")[:300]
    )


class RoundListView(ScopedView):
    model = EvaluationRound

    def _render(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        may = self.can(Action.ADD)
        return render(
            request,
            "scoring/evaluation_list.html",
            {
                "page": paginate(request, evaluation.rounds(request.user)),
                "form": form
                or (RoundForm(organizations=_organizations(request.user)) if may else None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        form = RoundForm(request.POST, organizations=_organizations(request.user))
        if not form.is_valid():
            return self._render(request, form, 400)
        data = form.cleaned_data
        org = Organization.objects.get(pk=data.pop("organization"))
        try:
            round_ = evaluation.round_create(actor=request.user, organization=org, **data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, 403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("已发起民主评议，发放投票码后即可开始投票。"))
        return redirect(round_.get_absolute_url())


def round_page(
    request: HttpRequest, round_: EvaluationRound, status: int = 200, **extra: Any
) -> HttpResponse:
    may = evaluation.may_organize(request.user, round_)
    closed = round_.state == EvaluationState.CLOSED
    return render(
        request,
        "scoring/evaluation_detail.html",
        {
            "obj": round_,
            "may_organize": may,
            "turnout": evaluation.ballot_summary(round_) if may else None,
            "codes_form": extra.pop("codes_form", None) or (CodesForm() if may else None),
            "results": paginate(request, evaluation.round_results(request.user, round_))
            if closed
            else None,
            "members": evaluation.round_members(round_).count(),
            "vote_url": reverse("scoring:evaluation_vote", args=[round_.pk]),
            "history": history_rows(round_) if may else [],
            **extra,
        },
        status=status,
    )


class RoundDetailView(ScopedView):
    model = EvaluationRound

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return round_page(request, self.object_for(pk))


class RoundCodesView(ScopedView):
    model = EvaluationRound

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        round_ = self.object_for(pk)
        form = CodesForm(request.POST)
        if not form.is_valid():
            return round_page(request, round_, 400, codes_form=form)
        try:
            codes = evaluation.codes_issue(
                actor=request.user, round_=round_, count=form.cleaned_data["count"]
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            apply_form_errors(form, exc)
            status = 409 if getattr(exc, "code", None) == "invalid_state" else 400
            return round_page(request, round_, status, codes_form=form)
        return round_page(request, round_, codes=codes)


class RoundStepView(StepView):
    model = EvaluationRound

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return round_page(request, obj)


class BallotView(View):
    """The ballot: every member of the round with four grades; residents give their code or
    phone. Open to anyone while the round is voting (the round's page is in scope only)."""

    def _round(self, pk: int) -> EvaluationRound:
        found = EvaluationRound.objects.select_related("organization").filter(pk=pk).first()
        if found is None or found.state == EvaluationState.DRAFT:
            raise Http404(_("民主评议不存在或尚未开始。"))
        return found

    def _render(self, request: HttpRequest, round_: EvaluationRound, status: int = 200, **kw):
        user = request.user
        return render(
            request,
            "scoring/evaluation_vote.html",
            {
                "obj": round_,
                "members": list(evaluation.round_members(round_)),
                "grades": Grade.choices,
                "as_member": user.is_authenticated and member_of(user) is not None,
                "me": member_of(user) if user.is_authenticated else None,
                "voted": user.is_authenticated and evaluation.has_voted(round_, user),
                "open": round_.state == EvaluationState.VOTING,
                "chosen": kw.pop("chosen", {}),
                **kw,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._round(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from xianfeng.core.ratelimit import client_ip

        round_ = self._round(pk)
        grades = {
            key[6:]: value
            for key, value in request.POST.items()
            if key.startswith("grade_") and value
        }
        try:
            evaluation.ballot_cast(
                round_=round_,
                grades=grades,
                client_ip=client_ip(request),
                code=request.POST.get("code", "")[:32],
                phone=request.POST.get("phone", "")[:20],
                user=request.user,
            )
        except evaluation.VoteThrottled as exc:
            response = self._render(request, round_, 429, error=str(exc), chosen=grades)
            response["Retry-After"] = "3600"
            return response
        except PermissionDenied as exc:
            return self._render(request, round_, 403, error=str(exc), chosen=grades)
        except ValidationError as exc:
            codes = {e.code for e in exc.error_list} if hasattr(exc, "error_list") else set()
            if hasattr(exc, "error_dict"):
                codes = {e.code for errs in exc.error_dict.values() for e in errs}
            status = 409 if codes & {"invalid_state", "unique"} else 400
            return self._render(
                request, round_, status, error="；".join(exc.messages), chosen=grades
            )
        return self._render(request, round_, done=True)
