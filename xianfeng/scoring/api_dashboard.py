"""``GET /api/v1/scoring/dashboard``: the figures of one scope's dashboard (大屏), the same
the page draws and refreshes with (``xianfeng.scoring.dashboards``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from xianfeng.core.api import errors_response
from xianfeng.scoring import dashboards
from xianfeng.scoring.api import BoardParams, _org, _period

router = Router(tags=[gettext_lazy("积分与先锋指数")])


class DashboardOut(Schema):
    scope: dict[str, Any]
    period: str
    period_label: str
    generated_at: str
    refresh_seconds: int
    coverage: dict[str, Any]
    safety: dict[str, Any]
    orders: dict[str, Any]
    meetings: dict[str, Any]
    points: dict[str, Any]
    children: list[dict[str, Any]]


@router.get(
    "/scoring/dashboard",
    url_name="scoring_dashboard",
    response=errors_response({200: DashboardOut}),
    summary=gettext_lazy("数据大屏（管辖范围内一个组织的统计）"),
)
def dashboard(request: HttpRequest, params: Query[BoardParams]) -> Any:
    org = _org(request, params.org)
    if not dashboards.may_see(request.user):
        raise PermissionDenied(_("只有各级管理员和纪检督查可以查看数据大屏。"))
    return dashboards.dashboard(request.user, org, _period(params.period))
