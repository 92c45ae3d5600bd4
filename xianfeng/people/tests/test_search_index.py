"""Member search (issue 11): the page and the API find the same members through the one
selector, and on PostgreSQL a name substring, a pinyin prefix and an initials prefix are
served by indexes (trigram GIN, pattern btree) instead of a scan of every person."""

from __future__ import annotations

import pytest
from django.db import connection

from xianfeng.people.models import PartyMember, Person
from xianfeng.people.selectors import MemberFilters, member_list, name_search

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
        # 0012: the pattern index carries the id, so the search's subquery can read it alone
        ("name_pinyin", "wang%", "person_pinyin_prefix_id"),
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


def _member_person() -> Person:
    return (
        Person.objects.filter(member__isnull=False, id_number_index__isnull=False)
        .exclude(mobile="")
        .exclude(name_initials="")
        .first()
    )


@pytest.mark.parametrize("q", ["wang", "王", "li", "initials", "mobile", "id_number"])
def test_both_forms_of_the_search_find_the_same_members(personas, q):
    """Hashed (one ``IN (SELECT ...)`` per alternative) or OR-ed over the join, the same members:
    the form only changes the plan."""
    person = _member_person()
    q = {"mobile": person.mobile, "id_number": person.id_number}.get(q, q)
    q = person.name_initials[:2] if q == "initials" else q
    joined = set(PartyMember.objects.filter(name_search(q, "person__")).values_list("pk"))
    hashed = PartyMember.objects.filter(name_search(q, "person__", hashed=True))
    assert joined
    assert set(hashed.values_list("pk")) == joined
    assert " IN (SELECT " in str(hashed.query)
    assert " IN (SELECT " not in str(PartyMember.objects.filter(name_search(q, "person__")).query)


@pytest.mark.parametrize(("persona", "hashed"), [("qu", True), ("jiedao", True), ("shequ", False)])
def test_a_wide_scope_counts_by_hashing_the_matching_persons(personas, persona, hashed):
    """The district's and a street's COUNT of a search hashes the matching persons (a join
    fetched every matching person's row: 11 ms for the district's ``?q=wang``); a community's
    few hundred members look their persons up by key. A page always joins: ordered and cut at
    50 rows, it stops early (the district's ``?q=w``: 0.9 ms joined, 46 ms hashed)."""
    user, filters = personas[persona], MemberFilters(q="wang")
    counted = member_list(user=user, filters=filters, counting=True)
    assert (" IN (SELECT " in str(counted.query)) is hashed
    assert " IN (SELECT " not in str(member_list(user=user, filters=filters).query)
    assert counted.count() == member_list(user=user, filters=filters).count()
