"""The safety figures page (``xianfeng.safety.figures``): cards, ECharts charts (served from
/static/vendor) and the same figures as tables, per scope (drilling down one level at a time)
and period."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xianfeng.core.views import ScopedView
from xianfeng.orgs.models import Organization
from xianfeng.safety.api_figures import figures_for
from xianfeng.safety.figures import Period
from xianfeng.safety.models import Hazard


class FiguresView(ScopedView):
    model = Hazard

    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        raw_org = g.get("org", "")
        org = (
            int(raw_org) if raw_org.isascii() and raw_org.isdigit() and len(raw_org) < 18 else None
        )
        if raw_org and org is None:
            org = 0  # no such organization: answers 404 like one out of sight
        errors: list[str] = []
        since, until = g.get("since", ""), g.get("until", "")
        try:
            Period.parse(since, until, timezone.localdate())
        except ValidationError as exc:
            errors = [m for messages in exc.message_dict.values() for m in messages]
            since = until = ""
        data = figures_for(request.user, org, since, until)
        scope = data["scope"]
        up = None
        if scope is not None:
            parent_id = (
                Organization.objects.filter(pk=scope["id"])
                .values_list("parent_id", flat=True)
                .first()
            )
            up = Organization.objects.restrict(request.user).filter(pk=parent_id).first()
        return render(
            request,
            "safety/figures.html",
            {"figures": data, "errors": errors, "up": up},
            status=400 if errors else 200,
        )
