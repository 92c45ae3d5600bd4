"""Coverage (走村不漏户，户户见干部) figures, the not-visited list, and list query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.places.models import Household
from xianfeng.visits import selectors
from xianfeng.visits.models import Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


def test_coverage_counts_each_visited_household_once_in_the_period(personas):
    branch = role_org(personas["wangge"])
    Visit.objects.all().delete()
    households = list(Household.objects.filter(organization__path__startswith=branch.path)[:3])
    f.visit_at(households[0], f.dangyuan(), days_ago=1)
    f.visit_at(households[0], f.wangge(), days_ago=2)
    f.visit_at(households[1], f.dangyuan(), days_ago=40)
    start, end = selectors.period(30)
    cov = selectors.coverage(org=branch, start=start, end=end)
    total = Household.objects.filter(organization__path__startswith=branch.path).count()
    assert (cov.visited, cov.households) == (1, total)
    cov90 = selectors.coverage(org=branch, start=start - timedelta(days=60), end=end)
    assert cov90.visited == 2
    street = role_org(personas["jiedao"])
    assert selectors.coverage(org=street, start=start, end=end).visited == 1


def test_coverage_of_a_zone_uses_its_households_and_buildings(personas):
    Visit.objects.all().delete()
    zone = f.dangyuan().zones.first()
    household = Household.objects.filter(building__in=zone.buildings.all()).first()
    f.visit_at(household, f.dangyuan())
    start, end = selectors.period(30)
    cov = selectors.coverage(zone=zone, start=start, end=end)
    assert cov.visited == 1 and cov.households >= 1


def test_not_visited_lists_households_nobody_saw_in_n_days(personas):
    branch = role_org(personas["wangge"])
    Visit.objects.all().delete()
    households = list(
        Household.objects.filter(organization__path__startswith=branch.path).order_by("pk")
    )
    f.visit_at(households[0], f.dangyuan(), days_ago=5)
    f.visit_at(households[1], f.dangyuan(), days_ago=100)
    rows = list(selectors.not_visited(org=branch, days=30))
    ids = {h.pk for h in rows}
    assert households[0].pk not in ids and households[1].pk in ids
    assert len(rows) == len(households) - 1
    by_pk = {h.pk: h for h in rows}
    assert by_pk[households[1].pk].last_visited_at < timezone.now() - timedelta(days=99)
    assert by_pk[households[2].pk].last_visited_at is None


def test_coverage_by_child_matches_each_child(personas):
    community = role_org(personas["shequ"])
    start, end = selectors.period(150)
    rows = selectors.coverage_by_child(org=community, start=start, end=end)
    assert rows
    for row in rows:
        one = selectors.coverage(org=row["org"], start=start, end=end)
        assert (row["coverage"].visited, row["coverage"].households) == (
            one.visited,
            one.households,
        )


def test_the_coverage_page_shows_the_share_and_the_children(client_for, personas):
    response = client_for("jiedao").get("/work/coverage/?days=90")
    assert response.status_code == 200
    assert response.context["children"]
    assert "住户走访覆盖率" in response.content.decode()


def test_the_home_page_shows_the_work_section(client_for):
    body = client_for("wangge").get("/").content.decode()
    assert "双领：任务与走访" in body and "近30天走访覆盖" in body
    body = client_for("dangyuan").get("/").content.decode()
    assert "项任务可以认领" in body and "登记走访" in body
    assert "双领：任务与走访" not in client_for("danwei").get("/").content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/work/tasks/?page_size={n}",
        "/work/visits/",
        "/work/campaigns/",
        "/work/coverage/not-visited/?days=1",
        "/api/v1/tasks?page_size={n}",
        "/api/v1/visits?page_size={n}",
        "/api/v1/projects?page_size={n}",
        "/api/v1/campaigns?page_size={n}",
        "/api/v1/supervisions?page_size={n}",
        "/api/v1/coverage/not-visited?days=1&page_size={n}",
    ],
)
def test_lists_query_counts_do_not_grow_with_the_page(client_for, personas, settings, url):
    # Enough rows of every kind for both page sizes to differ.
    community, branch = role_org(personas["shequ"]), role_org(personas["wangge"])
    for _ in range(3):
        task = f.chain(community, branch)
        f.supervision(community, branch, task)
    client = client_for("qu")
    settings.PAGE_SIZE = 2
    small = _queries(client, url.format(n=2))
    settings.PAGE_SIZE = 40
    large = _queries(client, url.format(n=40))
    assert small == large, (small, large)
