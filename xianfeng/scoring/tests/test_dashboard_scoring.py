"""The dashboard (大屏) of a scope: its figures follow the rows (a hazard, a visit, points),
stay inside the scope asked for and the user's reach, link to the lists behind them, refuse
bad input in Chinese, and cost the same number of queries whatever the rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.places.models import Household
from xianfeng.safety.tests.factories import building_under, hazard
from xianfeng.scoring import dashboards
from xianfeng.scoring.periods import parse_period
from xianfeng.scoring.tests.helpers import award, record, rule

pytestmark = pytest.mark.django_db

DAY = date(2031, 11, 3)


def _api(client, org, period=""):
    response = client.get(f"/api/v1/scoring/dashboard?org={org.pk}&period={period}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_points_of_the_period_count_in_the_scope_they_were_earned_in(personas, client_for):
    member = persona_member("dangyuan")
    rule(personas["qu"], points=3, start=date(2031, 1, 1))
    homes = list(Household.objects.filter(organization__path__startswith=member.branch.path)[:2])
    for home in homes:
        record(member, day=DAY, target=home)
    award()
    client = client_for("qu")
    mine = _api(client, role_org(personas["shequ"]), "2031-11")
    other = _api(client, role_org(personas["shequ2"]), "2031-11")
    assert float(mine["points"]["total"]) == 6.0
    assert mine["points"]["members"] == 1
    assert [(r["kind"], float(r["points"]), r["count"]) for r in mine["points"]["by_kind"]] == [
        ("visit.log", 6.0, 2)
    ]
    assert float(other["points"]["total"]) == 0.0 and other["points"]["by_kind"] == []
    assert "/scoring/leaderboard/" in mine["points"]["url"]
    # the district sees the points in the child that holds them, and not in the other
    district = _api(client, role_org(personas["qu"]), "2031-11")
    assert float(district["points"]["total"]) == 6.0
    by_child = {c["name"]: float(c["points"]) for c in district["children"]}
    street = role_org(personas["jiedao"])
    assert by_child[street.name] == 6.0
    assert sum(by_child.values()) == 6.0


def test_a_new_hazard_and_a_visit_move_the_figures_of_their_scope_only(personas, client_for):
    from xianfeng.visits.services import visit_create

    client = client_for("shequ")
    community = role_org(personas["shequ"])
    before = _api(client, community)
    other_before = _api(client_for("shequ2"), role_org(personas["shequ2"]))
    building = building_under(role_org(personas["wangge"]))
    hazard(personas["wangge"], building)
    home = (
        Household.objects.filter(organization__path__startswith=role_org(personas["wangge"]).path)
        .exclude(visits__visited_at__gte=timezone.now().replace(day=1, hour=0, minute=0))
        .first()
    )
    assert home is not None
    visit_create(
        actor=personas["dangyuan"], visited_at=timezone.now(), purposes=["safety"], household=home
    )
    after = _api(client, community)
    assert after["safety"]["open"] == before["safety"]["open"] + 1
    assert after["safety"]["buildings"] == before["safety"]["buildings"] + 1
    reported = {s["state"]: s["count"] for s in after["safety"]["by_state"]}
    was = {s["state"]: s["count"] for s in before["safety"]["by_state"]}
    assert reported["reported"] == was["reported"] + 1
    assert after["safety"]["found"] == before["safety"]["found"] + 1
    assert after["coverage"]["visits"] == before["coverage"]["visits"] + 1
    assert after["coverage"]["visited"] == before["coverage"]["visited"] + 1
    assert after["coverage"]["households"] == before["coverage"]["households"]
    assert 0 <= after["coverage"]["share"] <= 100
    # the other community does not move
    assert (
        _api(client_for("shequ2"), role_org(personas["shequ2"]))["safety"]
        == (other_before["safety"])
    )
    # every count links to its list
    assert after["safety"]["overdue_url"].startswith("/safety/hazards/?")
    assert all(s["url"].startswith("/safety/hazards/?state=") for s in after["safety"]["by_state"])
    assert all("community=" in s["url"] for s in after["orders"]["by_state"])


def test_bad_input_and_out_of_scope_answer_in_chinese(client_for, personas):
    other = role_org(personas["shequ2"])
    response = client_for("shequ").get(f"/api/v1/scoring/dashboard?org={other.pk}")
    assert response.status_code == 404
    assert "管辖范围" in response.json()["detail"]
    page = client_for("shequ").get(f"/scoring/dashboard/?org={other.pk}")
    assert page.status_code == 404
    bad = client_for("shequ").get("/api/v1/scoring/dashboard?period=2031-13")
    assert bad.status_code in (400, 422)
    assert "统计周期" in str(bad.json())
    page = client_for("shequ").get("/scoring/dashboard/?period=abc")
    assert page.status_code == 400
    assert "统计周期" in page.content.decode()
    member = client_for("dangyuan").get("/api/v1/scoring/dashboard")
    assert member.status_code == 403 and "数据大屏" in member.json()["detail"]


def test_queries_do_not_grow_with_the_rows(personas):
    user = personas["qu"]
    district = role_org(user)
    period = parse_period("", today=timezone.localdate())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            data = dashboards.dashboard(user, district, period)
        assert data["children"], "the district has streets"
        return len(ctx.captured_queries)

    count()  # the first read warms per-process caches (content types, roles)
    first = count()
    wangge = personas["wangge"]
    for _ in range(3):
        hazard(wangge, building_under(role_org(wangge)))
    assert count() == first
    assert first <= 25


def test_the_page_draws_from_the_same_figures_with_links_and_a_wall_mode(client_for, personas):
    client = client_for("jiedao")
    street = role_org(personas["jiedao"])
    page = client.get(f"/scoring/dashboard/?org={street.pk}&wall=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dashboard-data"' in html and "dashboard wall" in html
    assert "vendor/echarts.min.js" in html and "cdn" not in html.lower()
    assert f"/api/v1/scoring/dashboard?org={street.pk}" in html
    assert "/safety/hazards/?open=1&amp;overdue=1" in html
    # a community of the street drills down
    assert "/scoring/dashboard/?org=" in html
