"""The member page's queries (issue 11): a fixed number whatever the page size, and a COUNT
that joins only what its filter needs (it joined every person for the district: 7-12 ms)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _queries(client, url: str, page_size: int, settings) -> list[str]:
    settings.PAGE_SIZE = page_size
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("persona", ["qu", "jiedao", "shequ"])
@pytest.mark.parametrize("url", ["/members/", "/members/?q=wang", "/members/?status=normal"])
def test_the_member_page_runs_fixed_queries_and_counts_without_the_shown_joins(
    client_for, settings, persona, url
):
    client = client_for(persona)
    client.get(url)  # the session's first read of the roles
    small = _queries(client, url, 2, settings)
    large = _queries(client, url, 50, settings)
    # session, user, roles, COUNT, the page
    assert len(small) == len(large) == 5
    (count,) = [sql for sql in large if "COUNT(" in sql]
    page = large[-1]
    assert "people_person" in page and "LIMIT" in page
    # the name and mobile are shown, not counted; a search finds persons in a subquery or
    # by the join (a community's scope), never both
    joined, hashed = 'JOIN "people_person"' in count, " IN (SELECT " in count
    if "?q=" in url:
        assert joined != hashed
        assert hashed is (persona != "shequ")  # a street's and the district's are wide
    else:
        assert not joined and not hashed
    assert " IN (SELECT " not in page  # a page joins and stops at its last row
