"""Each 双领 list that a page and the API show comes from one selector: for the same user and
filter, the page and the endpoint list the same ids (first page) and the same count."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Campaign
from xianfeng.work.tests import factories as f

pytestmark = pytest.mark.django_db


def same_ids(client, page_url: str, api_url: str) -> list[int]:
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    api = client.get(api_url)
    assert api.status_code == 200, api_url
    # the visit and task pages read plain tuples, the id first (issue 11); others model instances
    page_ids = [
        row[0] if isinstance(row, tuple) else row.pk for row in page.context["page"].object_list
    ]
    body = api.json()
    assert page_ids == [row["id"] for row in body["results"]], (page_url, api_url)
    assert page.context["page"].paginator.count == body["count"]
    return page_ids


@pytest.fixture
def tasks(personas):
    task = f.chain(role_org(personas["wangge"]))
    f.task_in(task, state=TaskState.OVERDUE)
    f.submitted(f.task_in(task), f.dangyuan())
    return task


@pytest.mark.parametrize("who", ["qu", "shequ", "wangge", "dangyuan", "jiancha", "shequ2"])
@pytest.mark.parametrize(
    "query",
    ["", "mine=1", "claimable=1", "state=overdue", "state=submitted"],
)
def test_task_list_page_and_api_agree(client_for, tasks, who, query):
    api_query = query.replace("=1", "=true")
    same_ids(client_for(who), f"/work/tasks/?{query}", f"/api/v1/tasks?{api_query}")


@pytest.mark.parametrize("who", ["qu", "shequ", "wangge", "dangyuan", "shequ2"])
def test_campaign_list_page_and_api_agree(client_for, tasks, who):
    same_ids(client_for(who), "/work/campaigns/", "/api/v1/campaigns")


@pytest.mark.parametrize("who", ["qu", "shequ", "wangge", "dangyuan"])
def test_a_campaigns_projects_page_and_api_agree(client_for, tasks, who):
    campaign = Campaign.objects.get(pk=tasks.project.campaign_id)
    same_ids(
        client_for(who),
        f"/work/campaigns/{campaign.pk}/",
        f"/api/v1/projects?campaign={campaign.pk}",
    )
