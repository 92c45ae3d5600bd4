"""API of safety in figures (``xianfeng.safety.figures``): one endpoint, per scope and period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from xianfeng.core.api import errors_response
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import DbInt
from xianfeng.orgs.models import Organization
from xianfeng.safety import figures

router = Router(tags=[gettext_lazy("安全统计")])


class FiguresParams(Schema):
    org: DbInt | None = Field(
        None, description=gettext_lazy("统计范围（组织编号），默认为可见的最上级组织")
    )
    since: date | None = Field(None, description=gettext_lazy("开始日期，默认十二个月前的月初"))
    until: date | None = Field(None, description=gettext_lazy("结束日期（含），默认今天"))


class FiguresOut(Schema):
    scope: dict[str, Any] | None
    since: date
    until: date
    today: date
    buildings: dict[str, Any]
    hazards: dict[str, Any]
    months: list[dict[str, Any]]
    children: list[dict[str, Any]]


def figures_for(user: Any, org: int | None, since: Any, until: Any) -> dict[str, Any]:
    """The figures of ``org`` (or the user's widest organization) for the period; a scope out
    of sight is a 404, a bad period a ``ValidationError`` (400)."""
    today = timezone.localdate()
    period = figures.Period.parse(since, until, today)
    if org is not None:
        scope = get_object_for(user=user, model=Organization, pk=org)
    else:
        scope = figures.default_scope(user)
    if scope is None:
        return figures.empty(period, today)
    return figures.figures(user, scope=scope, period=period, today=today)


@router.get(
    "/safety/figures",
    response=errors_response({200: FiguresOut}),
    summary=gettext_lazy("安全统计：楼栋等级、检查、隐患发现与销号"),
)
def safety_figures(request: HttpRequest, params: Query[FiguresParams]) -> Any:
    """Buildings by colour and inspected, hazards found and removed (closed), open and overdue,
    by category, by status and by month, and per organization one level down; counted in the
    database within the user's scope. ``since`` after ``until`` or a period over five years
    answers 400 in Chinese."""
    return figures_for(request.user, params.org, params.since, params.until)
