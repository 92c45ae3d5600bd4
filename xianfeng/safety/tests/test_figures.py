"""Safety in figures (xianfeng/safety/figures.py): the counts are the rows', they move with the
data, they stay within the user's scope, a fixed number of queries whatever the rows, and a bad
period or a scope out of sight is refused (Chinese messages, the API's JSON errors)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.orgs.models import Organization
from xianfeng.places.models import Building
from xianfeng.safety import figures
from xianfeng.safety.choices import OPEN_STATES, HazardState
from xianfeng.safety.models import Hazard
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db


def _figures(user, scope):
    today = timezone.localdate()
    return figures.figures(user, scope=scope, period=figures.Period.parse("", "", today))


def _category(data, category):
    return next(c for c in data["hazards"]["by_category"] if c["category"] == category)


def test_figures_count_the_rows_and_move_with_them(personas):
    user, scope = personas["shequ"], role_org(personas["wangge"])
    before = _figures(user, scope)
    hazards = Hazard.objects.filter(organization__path__startswith=scope.path)
    assert (
        before["buildings"]["total"]
        == Building.objects.filter(organization__path__startswith=scope.path).count()
    )
    assert before["hazards"]["open"] == hazards.filter(state__in=OPEN_STATES).count()

    building = f.building_under(scope)
    f.inspect(personas["wangge"], building, fail=2)  # yellow, two hazards
    made = list(Hazard.objects.filter(building=building).order_by("pk"))
    assert len(made) == 2
    Hazard.objects.filter(pk=made[0].pk).update(state=HazardState.CLOSED, closed_at=timezone.now())
    Hazard.objects.filter(pk=made[1].pk).update(
        state=HazardState.CONFIRMED, deadline=timezone.localdate() - timedelta(days=1)
    )
    after = _figures(user, scope)
    assert after["buildings"]["total"] == before["buildings"]["total"] + 1
    assert after["buildings"]["inspected"] == before["buildings"]["inspected"] + 1
    colours = {c["colour"]: c["count"] for c in after["buildings"]["by_colour"]}
    colours_before = {c["colour"]: c["count"] for c in before["buildings"]["by_colour"]}
    assert colours["yellow"] == colours_before["yellow"] + 1
    assert after["hazards"]["found"] == before["hazards"]["found"] + 2
    assert after["hazards"]["removed"] == before["hazards"]["removed"] + 1
    assert after["hazards"]["overdue"] == before["hazards"]["overdue"] + 1
    assert after["hazards"]["open"] == before["hazards"]["open"] + 1
    month = timezone.localdate().strftime("%Y-%m")
    this_month = {m["month"]: m for m in after["months"]}[month]
    last = {m["month"]: m for m in before["months"]}[month]
    assert (this_month["found"], this_month["removed"]) == (last["found"] + 2, last["removed"] + 1)
    for category in {h.category for h in made}:
        n = sum(1 for h in made if h.category == category)
        assert _category(after, category)["found"] == _category(before, category)["found"] + n
    states = {s["state"]: s["count"] for s in after["hazards"]["by_state"]}
    assert states["closed"] >= 1 and states["confirmed"] >= 1


def test_a_community_is_the_sum_of_its_grids(personas):
    community = role_org(personas["shequ"])
    data = _figures(personas["shequ"], community)
    children = data["children"]
    assert children
    assert sum(c["buildings"] for c in children) == data["buildings"]["total"]
    assert sum(c["open"] for c in children) == data["hazards"]["open"]


def test_each_child_row_equals_the_figures_of_that_child(personas):
    """The child rows come from one grouping by path prefix: each must match the figures asked
    of the child itself (its own whole subtree, grandchildren included)."""
    district = figures.default_scope(personas["qu"])
    community = role_org(personas["shequ"])
    f.inspect(personas["wangge"], f.building_under(role_org(personas["wangge"])), fail=2)
    for scope in (district, community):
        data = _figures(personas["qu"], scope)
        assert data["children"]
        for row in data["children"]:
            child = Organization.objects.get(pk=row["id"])
            own = _figures(personas["qu"], child)
            colours = {c["colour"]: c["count"] for c in own["buildings"]["by_colour"]}
            assert (row["buildings"], row["red"], row["yellow"]) == (
                own["buildings"]["total"],
                colours["red"],
                colours["yellow"],
            ), child.name
            for k in ("found", "removed", "open", "overdue"):
                assert row[k] == own["hazards"][k], (child.name, k)
    assert any(row["found"] for row in _figures(personas["qu"], district)["children"])


def test_figures_stay_in_scope(personas, client_for):
    side_a = role_org(personas["wangge"])
    mine = _figures(personas["wangge"], side_a)
    outsider = client_for("shequ2").get(f"/api/v1/safety/figures?org={side_a.pk}")
    assert outsider.status_code == 404 and outsider.json()["detail"]
    assert client_for("shequ2").get(f"/safety/figures/?org={side_a.pk}").status_code == 404
    assert client_for("shequ").get("/safety/figures/?org=abc").status_code == 404
    nothing = client_for("danwei").get("/api/v1/safety/figures").json()
    assert nothing["hazards"]["open"] == 0 and nothing["hazards"]["found"] == 0
    assert mine["buildings"]["total"] == Building.objects.restrict(personas["wangge"]).count()


def test_the_api_counts_in_a_fixed_number_of_queries(client_for, personas):
    client = client_for("admin")
    client.get("/api/v1/safety/figures")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/safety/figures").json()
    sql = "\n".join(q["sql"][:200] for q in ctx.captured_queries)
    assert body["scope"] is not None and body["children"]
    assert len(ctx) <= 14, sql  # session and user, the scope, five aggregates, the children


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("since=2026-05-01&until=2026-04-01", 400, "开始日期不能晚于结束日期"),
        ("since=2010-01-01&until=2026-04-01", 400, "统计时段最长五年"),
        ("since=2026-02-30", 422, ""),
        ("org=99999999999999999999", 422, ""),
    ],
)
def test_a_bad_period_is_refused(client_for, personas, query, status, message):
    response = client_for("shequ").get(f"/api/v1/safety/figures?{query}")
    assert response.status_code == status
    assert message in str(response.json())


def test_the_page_explains_a_bad_period_in_chinese(client_for, personas):
    page = client_for("shequ").get("/safety/figures/?since=2026-05-01&until=2026-04-01")
    assert page.status_code == 400
    assert "开始日期不能晚于结束日期。" in page.content.decode()
    page = client_for("shequ").get("/safety/figures/?since=2026-13-01")
    assert page.status_code == 400 and "日期格式应为年-月-日" in page.content.decode()


def test_the_default_period_is_twelve_months():
    period = figures.Period.parse("", "", date(2026, 3, 15))
    assert (period.since, period.until) == (date(2025, 4, 1), date(2026, 3, 15))
    assert len(figures._months(period)) == 12
