"""The dashboard page (大屏) of a scope (``xianfeng.scoring.dashboards``): cards and ECharts
charts (served from /static/vendor) over the same figures as tables, every number a link to
the list behind it; ``?wall=1`` is the full-screen layout of a wall display. The page embeds
its figures as JSON and refreshes them from ``GET /api/v1/scoring/dashboard``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xianfeng.core.views import ScopedView
from xianfeng.scoring import dashboards, selectors
from xianfeng.scoring.models import PointEntry
from xianfeng.scoring.views import _period


class DashboardView(ScopedView):
    model = PointEntry

    def get(self, request: HttpRequest) -> HttpResponse:
        period, error = _period(request)
        try:
            org = selectors.org_for(request.user, request.GET.get("org"))
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from None
        if not dashboards.may_see(request.user):
            raise PermissionDenied(_("只有各级管理员和纪检督查可以查看数据大屏。"))
        data = dashboards.dashboard(request.user, org, period)
        up = (
            selectors.orgs_in_scope(request.user).filter(pk=org.parent_id).first()
            if org.parent_id
            else None
        )
        return render(
            request,
            "scoring/dashboard.html",
            {
                "d": data,
                "org": org,
                "up": up,
                "period": period,
                "period_error": error,
                "wall": request.GET.get("wall") == "1",
            },
            status=400 if error else 200,
        )
