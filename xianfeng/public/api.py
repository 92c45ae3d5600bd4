"""The public app's staff API under ``/api/v1/``: the problems in scope (the moderation queue
with ``state=pending``), one problem, and one ``POST`` per workflow step from the declarations
in ``public/workflows.py``. Residents and other systems use Open311 (``/open311/v2/``)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from xianfeng.core.api import ListParams, errors_response, page_of, paginate
from xianfeng.core.services import get_object_for
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.public import selectors
from xianfeng.public.models import Problem

router = Router(tags=[gettext_lazy("问题墙")])


class ProblemOut(Schema):
    id: int
    code: str
    title: str
    category: str
    source: str
    state: str
    community_id: int
    organization_id: int
    responsible: str
    deadline: date | None
    supporters: int
    created_at: datetime


class ProblemDetailOut(ProblemOut):
    description: str
    address: str
    measures: str
    result: str
    close_reason: str
    referred_to: str
    moderation_note: str
    merged_into_id: int | None
    reopened: int
    actions: list[str] = []


class ProblemFilters(ListParams):
    state: str | None = None
    community: int | None = None


@router.get(
    "/problems",
    response=errors_response({200: page_of(ProblemOut)}),
    summary=gettext_lazy("问题列表（state=pending 为待审核）"),
)
def problem_list(request: HttpRequest, filters: Query[ProblemFilters]):
    qs = selectors.problems(request.user, state=filters.state, community=filters.community)
    return paginate(qs, filters)


def _problem_for(request: HttpRequest, problem_id: int) -> Problem:
    return get_object_for(user=request.user, model=Problem, pk=problem_id)


def _detail(request: HttpRequest, problem: Problem) -> Problem:
    problem = _problem_for(request, problem.pk)
    problem.actions = actions(request.user, problem)
    return problem


@router.get(
    "/problems/{problem_id}",
    response=errors_response({200: ProblemDetailOut}),
    summary=gettext_lazy("问题详情"),
)
def problem_detail(request: HttpRequest, problem_id: int):
    return _detail(request, _problem_for(request, problem_id))


add_step_endpoints(
    router,
    model=Problem,
    param="problem_id",
    fetch=_problem_for,
    response=ProblemDetailOut,
    result=_detail,
    paths={
        name: f"/problems/{{problem_id}}/{name.replace('_', '-')}"
        for name in ("approve", "reject", "plan", "solve", "verify", "send_back", "close", "merge")
    },
)
