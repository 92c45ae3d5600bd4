"""Member search (issue 11): the page and the API find the same members through the one
selector, and on PostgreSQL a name substring, a pinyin prefix and an initials prefix are
served by indexes (trigram GIN, pattern btree) instead of a scan of every person."""

from __future__ import annotations

import pytest
from django.db import connection

from xianfeng.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["wang", "王", "zs", "li"])
@pytest.mark.parametrize("persona", ["qu", "shequ"])
def test_the_page_and_the_api_find_the_same_members(client_for, persona, q):
    client = client_for(persona)
    page = client.get("/members/", {"q": q})
    api = client.get("/api/v1/members", {"q": q}).json()
    assert page.status_code == 200
    assert page.context["page"].paginator.count == api["count"]


def _plan(sql: str, param: str) -> str:
    with connection.cursor() as cursor:
        # Force the choice: the test tables are small, where a scan is cheaper anyway.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, [param])
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
@pytest.mark.parametrize(
    ("column", "pattern", "index"),
    [
        ("name", "%王%", "person_name_trgm"),
        ("name_pinyin", "wang%", "person_pinyin_prefix"),
        # Django's own pattern index on the indexed column (0008 dropped 0007's twin of it).
        ("name_initials", "zs%", "name_initials_"),
    ],
)
def test_search_is_served_by_an_index_on_postgresql(column, pattern, index):
    assert Person.objects.exists()
    sql = f"SELECT id FROM people_person WHERE {column} LIKE %s"
    assert index in _plan(sql, pattern)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_no_pattern_index_on_a_blind_index_nor_twice_on_the_initials():
    """An import writes every index of every person: the ones no query uses are gone (0008)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes "
            "WHERE tablename IN ('people_person', 'people_historicalperson')"
        )
        defs = cursor.fetchall()
    patterns = [(t, d) for t, d in defs if "varchar_pattern_ops" in d]
    assert not [d for _t, d in patterns if "_index " in d or "_index)" in d]
    assert len([d for t, d in patterns if t == "people_person" and "name_initials" in d]) == 1
    assert not [d for t, d in patterns if t == "people_historicalperson"]
    # The B-trees that find a person by ID number or phone stay.
    assert any("id_number_index" in d and "UNIQUE" in d for t, d in defs if t == "people_person")
    assert any("mobile_index" in d for t, d in defs if t == "people_person")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_the_selectors_query_is_the_one_the_index_serves():
    """Django's ``contains``/``startswith`` compile to plain LIKE on these columns (no UPPER, no
    cast), which is what the indexes serve."""
    qs = Person.objects.filter(name__contains="王")
    sql = str(qs.query)
    assert "LIKE" in sql and "UPPER" not in sql
