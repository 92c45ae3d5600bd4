"""The public app's staff API under ``/api/v1/``: the problems in scope (the moderation queue
with ``state=pending``), one problem, and one ``POST`` per workflow step from the declarations
in ``public/workflows.py``. Residents and other systems use Open311 (``/open311/v2/``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from xianfeng.core.api import ListParams, errors_response, page_of, paginate, require_can
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.orgs.models import Organization
from xianfeng.public import selectors, services
from xianfeng.public.choices import ADDRESS_MAX, TEXT_MAX, TITLE_MAX
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
    visit_id: int | None
    text_edited_at: datetime | None
    actions: list[str] = []


class ProblemRaiseIn(Schema):
    """A problem raised in a meeting (``meeting``), found on a visit (``visit``, with
    ``visit_id``) or left by an order (``order``): on the wall at once, no moderation."""

    organization: DbInt
    source: Text(12)
    category: Text(16)
    title: Text(TITLE_MAX) = Field(max_length=TITLE_MAX)
    description: Text(TEXT_MAX) = ""
    address: Text(ADDRESS_MAX) = ""
    source_note: Text(120) = ""
    visit_id: DbInt | None = None


class ProblemTextIn(Schema):
    """What the wall shows of a problem, and why a moderator changed it (kept in the
    history, not shown)."""

    title: Text(TITLE_MAX) = Field(max_length=TITLE_MAX)
    description: Text(TEXT_MAX) = ""
    address: Text(ADDRESS_MAX) = ""
    reason: Text(services.EDIT_REASON_MAX) = Field(max_length=services.EDIT_REASON_MAX)


class EchoResultIn(Schema):
    result: Text(TEXT_MAX) = Field(max_length=TEXT_MAX)
    reason: Text(services.EDIT_REASON_MAX) = Field(max_length=services.EDIT_REASON_MAX)


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


@router.post(
    "/problems",
    response=errors_response({201: ProblemDetailOut}),
    summary=gettext_lazy("登记会议、走访或点单中的问题（直接公开）"),
)
def problem_raise(request: HttpRequest, payload: ProblemRaiseIn) -> Any:
    # Not seen answers 404 before a role that may not raise answers 403 (the matrix's rule).
    organization = get_object_for(user=request.user, model=Organization, pk=payload.organization)
    require_can(request.user, Action.ADD, Problem)
    visit = None
    if payload.visit_id is not None:
        from xianfeng.visits.models import Visit

        visit = get_object_for(user=request.user, model=Visit, pk=payload.visit_id)
    problem = services.problem_raise(
        actor=request.user,
        organization=organization,
        source=payload.source,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        address=payload.address,
        source_note=payload.source_note,
        visit=visit,
    )
    return Status(201, _detail(request, problem))


@router.post(
    "/problems/{problem_id}/edit-text",
    response=errors_response({200: ProblemDetailOut}),
    summary=gettext_lazy("编辑问题的公开内容（原内容留在历史中）"),
)
def problem_edit_text(request: HttpRequest, problem_id: int, payload: ProblemTextIn) -> Any:
    problem = get_object_for(user=request.user, model=Problem, pk=problem_id, action=Action.CHANGE)
    services.problem_text_edit(actor=request.user, problem=problem, **payload.model_dump())
    return _detail(request, problem)


@router.post(
    "/problems/{problem_id}/edit-result",
    response=errors_response({200: ProblemDetailOut}),
    summary=gettext_lazy("编辑回音壁公开的办理结果（原内容留在历史中）"),
)
def problem_edit_result(request: HttpRequest, problem_id: int, payload: EchoResultIn) -> Any:
    problem = get_object_for(user=request.user, model=Problem, pk=problem_id, action=Action.CHANGE)
    services.echo_result_edit(actor=request.user, problem=problem, **payload.model_dump())
    return _detail(request, problem)


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
