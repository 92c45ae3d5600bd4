"""The lists of members in the community run a fixed number of queries, whatever the number
of rows (pages and API alike)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.community.models import ServiceSession, Team
from xianfeng.core.testing import role_org
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def _rows(personas, n: int) -> None:
    community = role_org(personas["shequ"])
    members = list(
        PartyMember.objects.filter(branch__path__startswith=community.path).order_by("pk")[:n]
    )
    for i, member in enumerate(members):
        ServiceSession.objects.create(
            member=member,
            organization=community,
            branch=member.branch,
            source="self",
            served_on=timezone.localdate(),
            hours=Decimal("1"),
            content=f"服务{i}",
            state="pending" if i % 2 else "confirmed",
        )
        Team.objects.create(organization=community, name=f"队伍{n}-{i}", kind="patrol")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/work/sessions/", "/api/v1/sessions", "/work/teams/", "/api/v1/teams", "/work/records/"],
)
def test_community_lists_do_not_grow_with_the_rows(personas, client_for, url):
    client = client_for("shequ")
    _rows(personas, 2)
    few = _queries(client, url)
    _rows(personas, 12)
    assert _queries(client, url) == few
