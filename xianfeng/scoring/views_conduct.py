"""Pages of the 不合格党员 procedure: the list of cases in scope and one case with the
buttons its workflow declares. Reads through ``scoring.conduct``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.scoring import conduct
from xianfeng.scoring.choices import ConductState
from xianfeng.scoring.models import ConductCase


class CaseListView(ScopedView):
    model = ConductCase

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        return render(
            request,
            "scoring/conduct_list.html",
            {
                "page": paginate(request, conduct.conduct_cases(request.user, state=state)),
                "state": state,
                "states": ConductState.choices,
            },
        )


def _detail(request: HttpRequest, obj: ConductCase) -> HttpResponse:
    return render(
        request, "scoring/conduct_detail.html", {"obj": obj, "history": history_rows(obj)}
    )


class CaseDetailView(ScopedView):
    model = ConductCase

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object_for(pk))


class CaseStepView(StepView):
    model = ConductCase

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _detail(request, obj)
