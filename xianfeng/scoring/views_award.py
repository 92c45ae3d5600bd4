"""Pages of 评优评先征求社区意见: the list in scope with the unit's request form, and one
consultation with the buttons its workflow declares. Reads through ``scoring.awards``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.people.models import PartyMember
from xianfeng.people.selectors import member_choices
from xianfeng.scoring import awards
from xianfeng.scoring.choices import AwardOpinionState
from xianfeng.scoring.forms_award import AwardOpinionForm
from xianfeng.scoring.models import AwardOpinion


class OpinionListView(ScopedView):
    model = AwardOpinion

    def _render(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        state = request.GET.get("state", "")
        units = list(awards.units_for(request.user))
        if form is None and units:
            communities = awards.communities_for(request.user, units)
            form = AwardOpinionForm(units=units, communities=communities)
        # the search-as-you-type picker: the unit's members when the user speaks for one unit
        under = units[0].pk if len(units) == 1 else None
        picker = member_choices(request.user, "", under) if units else {}
        return render(
            request,
            "scoring/award_opinions.html",
            {
                "page": paginate(request, awards.opinions(request.user, state=state)),
                "state": state,
                "states": AwardOpinionState.choices,
                "form": form,
                "under": under,
                **picker,
                "chosen": request.POST.get("member", "") if request.method == "POST" else "",
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        units = list(awards.units_for(request.user))
        if not units:
            raise PermissionDenied(_("只有驻区单位的联络人或上级管理员可以发起评优评先征求意见。"))
        communities = list(awards.communities_for(request.user, units))
        form = AwardOpinionForm(request.POST, units=units, communities=communities)
        if not form.is_valid():
            return self._render(request, form, 400)
        data = form.cleaned_data
        member = None
        if data.get("member"):
            member = (
                PartyMember.objects.restrict(request.user)
                .select_related("branch")
                .filter(pk=data["member"])
                .first()
            )
            if member is None:
                form.add_error("member", _("所选党员不存在或不在您的管辖范围内。"))
                return self._render(request, form, 400)
        try:
            obj = awards.opinion_request(
                actor=request.user,
                unit=next((u for u in units if u.pk == data["unit"]), None),
                community=next((c for c in communities if c.pk == data["community"]), None),
                member=member,
                award=data["award"],
                year=data["year"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("已发起征求意见，等待社区党组织反馈。"))
        return redirect(obj.get_absolute_url())


def _detail(request: HttpRequest, obj: AwardOpinion) -> HttpResponse:
    return render(
        request, "scoring/award_opinion_detail.html", {"obj": obj, "history": history_rows(obj)}
    )


class OpinionDetailView(ScopedView):
    model = AwardOpinion

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object_for(pk))


class OpinionStepView(StepView):
    model = AwardOpinion

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _detail(request, obj)
