"""驻区单位述职评议: one page for the resident units' reports and ratings, built on the
assessment (``scoring/assessment.py``): each unit's 述职 report, total, rank, stars and
outcome per cycle, and whether the ranking went up to the organization above."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xianfeng.core.views import ScopedView, paginate
from xianfeng.scoring import assessment as svc
from xianfeng.scoring import awards
from xianfeng.scoring.models import Assessment


class UnitReviewView(ScopedView):
    model = Assessment

    def get(self, request: HttpRequest) -> HttpResponse:
        page = paginate(request, svc.resident_unit_reviews(request.user))
        # The community's opinions on the unit's award candidacies of the cycle's year
        # (评优评先征求社区意见), beside its 述职评议: one query for the page.
        found = awards.opinions_by_unit(
            request.user,
            [a.organization_id for a in page],
            {a.cycle.end.year for a in page},
        )
        for a in page:
            a.award_opinions = found.get((a.organization_id, a.cycle.end.year), [])
        return render(request, "scoring/unit_reviews.html", {"page": page})
