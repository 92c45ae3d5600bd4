"""The public JSON lists of the three lists (``/api/v1/public/{services,resources,coprojects}``)
are cached under the menu's version like the public menu page: a warm page reads nothing from
the database, its bytes are the cold page's, and every change shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.services.choices import ProjectStatus, ResourceKind
from xianfeng.services.models import CoProject, Resource
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(personas):
    return role_org(personas["wangge"]).community()


def _titles(kind: str, community, **params) -> dict[str, dict]:
    query = {"community": community.pk, "page_size": 200, **params}
    response = Client().get(f"/api/v1/public/{kind}", query)
    assert response.status_code == 200, response.content
    return {row["title"]: row for row in response.json()["results"]}


def test_a_warm_public_list_reads_nothing_and_answers_the_same_bytes(personas, community):
    f.service_at(community, title="缓存测试服务")
    url = f"/api/v1/public/services?community={community.pk}&page_size=200"
    cold = Client().get(url)
    assert cold.status_code == 200
    assert cold["Content-Type"].startswith("application/json")
    with CaptureQueriesContext(connection) as warm_queries:
        warm = Client().get(url)
    assert warm.content == cold.content
    assert not [q for q in warm_queries.captured_queries if "services_" in q["sql"]]
    # Another page is another entry, not the first page's bytes.
    other = Client().get(url.replace("page_size=200", "page_size=1"))
    assert other.json()["page_size"] == 1 and len(other.json()["results"]) == 1


def test_every_change_to_the_three_lists_shows_at_once(personas, community):
    service = f.service_at(community, title="上门理发", description="每周三上午")
    resource = Resource.objects.create(
        organization=community, kind=ResourceKind.ROOM, title="社区阅览室", address="党群中心二楼"
    )
    project = CoProject.objects.create(organization=community, title="楼道微改造")
    # Warm all three.
    assert _titles("services", community)["上门理发"]["description"] == "每周三上午"
    assert "社区阅览室" in _titles("resources", community)
    assert _titles("coprojects", community)["楼道微改造"]["status"] == ProjectStatus.PLANNED

    service.description = "每周四下午"
    service.save()
    assert _titles("services", community)["上门理发"]["description"] == "每周四下午"
    f.service_at(community, title="代缴水电费")
    assert "代缴水电费" in _titles("services", community)

    resource.hours = "9:00-17:00"
    resource.save()
    assert _titles("resources", community)["社区阅览室"]["hours"] == "9:00-17:00"
    resource.is_active = False
    resource.save()
    assert "社区阅览室" not in _titles("resources", community)

    project.status = ProjectStatus.ACTIVE
    project.save()
    assert _titles("coprojects", community)["楼道微改造"]["status"] == ProjectStatus.ACTIVE
    project.delete()
    assert "楼道微改造" not in _titles("coprojects", community)

    # The organization's new name shows on its lines at once too.
    community.short_name = "改名后的社区"
    community.save()
    assert _titles("services", community)["上门理发"]["organization_name"] == (
        community.display_name
    )


def test_an_unknown_community_answers_404_every_time(personas, community):
    for _ in range(2):
        assert Client().get("/api/v1/public/services", {"community": 999999}).status_code == 404
