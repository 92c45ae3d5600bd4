"""Each visits list that a page and the API show comes from one selector: for the same user and
filter, the page and the endpoint list the same ids (first page) and the same count."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.visits.tests import factories as f
from xianfeng.work.tests.test_selectors_work import same_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(personas):
    household = f.household_under(role_org(personas["wangge"]))
    f.visit_at(household, f.dangyuan(), days_ago=1)
    f.visit_at(household, f.dangyuan(), days_ago=200)
    return household


@pytest.mark.parametrize("who", ["qu", "shequ", "wangge", "dangyuan", "jiancha", "shequ2"])
@pytest.mark.parametrize("query", ["", "mine=1", "household"])
def test_visit_list_page_and_api_agree(client_for, visits, who, query):
    if query == "household":
        query = f"household={visits.pk}"
    api_query = query.replace("mine=1", "mine=true")
    same_ids(client_for(who), f"/work/visits/?{query}", f"/api/v1/visits?{api_query}")


@pytest.mark.parametrize("who", ["qu", "jiedao", "shequ", "wangge", "jiancha"])
@pytest.mark.parametrize("days", [1, 90, 365])
def test_not_visited_page_and_api_agree(client_for, visits, who, days):
    same_ids(
        client_for(who),
        f"/work/coverage/not-visited/?days={days}",
        f"/api/v1/coverage/not-visited?days={days}",
    )


@pytest.mark.parametrize("who", ["qu", "shequ", "danwei"])
def test_paired_check_visits_page_and_api_agree(client_for, visits, who):
    same_ids(client_for(who), "/work/paired-checks/", "/api/v1/paired-checks/visits")
