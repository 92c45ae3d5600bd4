"""Safety in figures (xianfeng/safety/figures.py): the counts are the rows', they move with the
data, they stay within the user's scope, a fixed number of queries whatever the rows, and a bad
period or a scope out of sight is refused (Chinese messages, the API's JSON errors)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take
from xianfeng.orgs.models import Organization
from xianfeng.places.models import Building
from xianfeng.safety import figures, summary
from xianfeng.safety.choices import OPEN_STATES, HazardState
from xianfeng.safety.models import Hazard, HazardDay, HazardDue
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
    # Saved (not ``.update()``): the per-day summary the figures read moves with every save.
    made[0].state, made[0].closed_at = HazardState.CLOSED, timezone.now()
    made[0].save()
    made[1].state = HazardState.CONFIRMED
    made[1].deadline = timezone.localdate() - timedelta(days=1)
    made[1].save()
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


def _same(user, scope, today=None):
    """The figures from the summary tables and from the hazards themselves, side by side."""
    today = today or timezone.localdate()
    period = figures.Period.parse("", "", today)
    fast = figures.figures(user, scope=scope, period=period, today=today, direct=False)
    slow = figures.figures(user, scope=scope, period=period, today=today, direct=True)
    return fast, slow


def _table(model, *fields):
    return sorted(model.objects.filter(**{f"{fields[-1]}__gt": 0}).values_list(*fields))


def test_the_summary_gives_the_direct_figures_through_the_workflow(personas):
    """Hazards reported, moved through every kind of step, closed, dismissed, merged, past
    their deadline and in other months: the summary's figures equal the direct count's for
    the district, a street and a community, and a rebuild gives the same tables as the saves
    kept."""
    wangge = personas["wangge"]
    building = f.building_under(role_org(wangge))
    f.inspect(wangge, building, fail=2)
    for state in ("reported", "dismissed", "referred", "assigned", "returned", "closed"):
        if state == "returned":
            h = f.hazard_in("submitted", personas, building)
            take(h, "return", actor=wangge, reason="整改不到位")
        else:
            f.hazard_in(state, personas, building)
    keep = f.hazard_in("confirmed", personas, building)
    take(f.hazard_in("reported", personas, building), "merge", actor=wangge, into=keep.pk)
    keep.refresh_from_db()
    keep.deadline = timezone.localdate() - timedelta(days=3)  # overdue now
    keep.save()
    old = f.hazard(wangge, building, category="gas")
    old.reported_at = timezone.now() - timedelta(days=70)  # another month
    old.save()

    district = figures.default_scope(personas["qu"])
    street = district.children.order_by("path").first()
    for user, scope in (
        (personas["qu"], district),
        (personas["qu"], street),
        (personas["shequ"], role_org(personas["shequ"])),
    ):
        fast, slow = _same(user, scope)
        assert fast == slow, scope.name
    fast, _ = _same(personas["qu"], district)
    assert fast["hazards"]["found"] and fast["hazards"]["removed"] and fast["hazards"]["overdue"]
    # Forty days on, more are overdue; both ways agree on that too.
    later = timezone.localdate() + timedelta(days=40)
    fast, slow = _same(personas["qu"], district, today=later)
    assert fast == slow and fast["hazards"]["overdue"] > 0

    kept = (
        _table(HazardDay, "organization_id", "day", "category", "state", "found"),
        _table(HazardDay, "organization_id", "day", "category", "state", "removed"),
        _table(HazardDue, "organization_id", "category", "state", "deadline", "count"),
    )
    written = summary.rebuild()
    assert written["days"] > 0 and written["due"] > 0
    rebuilt = (
        _table(HazardDay, "organization_id", "day", "category", "state", "found"),
        _table(HazardDay, "organization_id", "day", "category", "state", "removed"),
        _table(HazardDue, "organization_id", "category", "state", "deadline", "count"),
    )
    assert kept == rebuilt


def test_a_write_that_bypasses_save_is_put_right_by_the_rebuild(personas):
    user = personas["qu"]
    district = figures.default_scope(user)
    hazard = f.hazard(personas["shequ"], f.building_under(role_org(personas["wangge"])))
    Hazard.objects.filter(pk=hazard.pk).update(state=HazardState.CLOSED, closed_at=timezone.now())
    fast, slow = _same(user, district)
    assert fast["hazards"]["removed"] == slow["hazards"]["removed"] - 1  # stale until rebuilt
    call_command("rebuild_safety_summary", stdout=StringIO())
    fast, slow = _same(user, district)
    assert fast == slow


def test_a_member_who_sees_less_than_the_scope_gets_the_direct_count(personas):
    """A branch member's reach is narrower than a community: the figures of what they see are
    counted from the hazards (责任领办 hazards are seen through the branch, not the summary)."""
    member = personas["dangyuan"]
    scope = figures.default_scope(member)
    assert figures._summary_covers(member, scope)
    parent = scope.parent
    if parent is not None:
        assert not figures._summary_covers(member, parent)
    assert figures._summary_covers(personas["qu"], figures.default_scope(personas["qu"]))


def test_the_district_figures_read_the_summary_not_the_hazards(client_for):
    client = client_for("qu")
    client.get("/api/v1/safety/figures")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/safety/figures").status_code == 200
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "safety_hazardday" in tables and "safety_hazarddue" in tables
    assert 'FROM "safety_hazard" ' not in tables


def test_the_hazard_lists_count_up_to_a_cap_in_a_fixed_number_of_queries(
    client_for, personas, monkeypatch
):
    """The open list counts at most ``COUNT_CAP`` matches (a LIMIT inside the COUNT) and says
    so; the page of rows is still the first ``page_size`` by deadline."""
    from xianfeng.safety import selectors

    building = f.building_under(role_org(personas["wangge"]))
    for _ in range(4):
        f.hazard(personas["wangge"], building)
    open_ids = list(
        selectors.hazards(personas["shequ"], open_only=True).values_list("pk", flat=True)
    )
    assert len(open_ids) > 3
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    client = client_for("shequ")
    client.get("/api/v1/hazards?open=true&page_size=2")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/hazards?open=true&page_size=2").json()
    assert (body["count"], body["count_capped"]) == (3, True)
    assert [h["id"] for h in body["results"]] == open_ids[:2]
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 4" in counts[0]
    assert len(ctx) <= 10, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/safety/hazards/?open=1")
    assert page.status_code == 200 and "只计到 3 条" in page.content.decode()
    assert len(ctx) <= 16, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    monkeypatch.setattr(selectors, "COUNT_CAP", 1000)
    body = client.get("/api/v1/hazards?open=true&page_size=2").json()
    assert (body["count"], body["count_capped"]) == (len(open_ids), False)
