"""The API of the 不合格党员 procedure under ``/api/v1/``: cases in scope, one case, and one
endpoint per workflow step (talk, rectified, dispose)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from xianfeng.core.api import ListParams, choice_label, errors_response, page_of, paginate
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.scoring import conduct
from xianfeng.scoring.models import ConductCase

router = Router(tags=[gettext_lazy("不合格党员处置")])


class ConductCaseOut(Schema):
    id: int
    member_id: int
    organization_id: int
    record_id: int
    reason: str
    location: str
    state: str
    state_label: str
    opened_at: datetime
    talk_note: str
    rectify_by: date | None
    outcome: str
    actions: list[str] = []

    resolve_state_label = choice_label("state")


class ConductFilters(ListParams):
    state: Text(20) | None = None


@router.get(
    "/scoring/conduct-cases",
    response=errors_response({200: page_of(ConductCaseOut)}),
    summary=gettext_lazy("不合格党员处置案件（管辖范围内）"),
)
def case_list(request: HttpRequest, filters: Query[ConductFilters]) -> Any:
    return paginate(conduct.conduct_cases(request.user, state=filters.state or ""), filters)


def _case(request: HttpRequest, pk: int) -> ConductCase:
    obj = get_object_for(user=request.user, model=ConductCase, pk=pk)
    obj.actions = actions(request.user, obj)
    return obj


@router.get(
    "/scoring/conduct-cases/{case_id}",
    response=errors_response({200: ConductCaseOut}),
    summary=gettext_lazy("一件不合格党员处置案件"),
)
def case_detail(request: HttpRequest, case_id: DbInt) -> Any:
    return _case(request, case_id)


add_step_endpoints(
    router,
    model=ConductCase,
    param="case_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=ConductCase, pk=pk),
    response=ConductCaseOut,
    result=lambda request, obj: _case(request, obj.pk),
    paths={
        "talk": "/scoring/conduct-cases/{case_id}/talk",
        "rectified": "/scoring/conduct-cases/{case_id}/rectified",
        "dispose": "/scoring/conduct-cases/{case_id}/dispose",
    },
)
