"""The member list is one selector: the page and the API list the same members, in the same
order, for the same filters and the same user (the export is compared in
``xianfeng/exchange/tests/test_selectors.py``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.pinyin import name_pinyin
from xianfeng.core.testing import role_org
from xianfeng.people.models import PartyMember
from xianfeng.people.selectors import MemberFilters, member_list

pytestmark = pytest.mark.django_db


def page_ids(client, url: str) -> list[int]:
    """Every row of every page of a list page, in order."""
    ids: list[int] = []
    number = 1
    while True:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}page={number}")
        assert response.status_code == 200
        page = response.context["page"]
        # list pages read plain tuples, the id first (issue 11); others model instances
        ids += [row[0] if isinstance(row, tuple) else row.pk for row in page.object_list]
        if not page.has_next():
            return ids
        number += 1


def api_ids(client, url: str) -> list[int]:
    sep = "&" if "?" in url else "?"
    body = client.get(f"{url}{sep}page_size=200").json()
    assert body["count"] == len(body["results"]), "the list should fit one API page here"
    return [row["id"] for row in body["results"]]


def surname_pinyin(user) -> str:
    """The full pinyin of a surname common in the user's scope (e.g. ``wang``)."""
    member = PartyMember.objects.restrict(user).select_related("person").order_by("id").first()
    return name_pinyin(member.person.name[0])


@pytest.mark.parametrize("who", ["shequ", "wangge", "qu"])
def test_page_and_api_list_the_same_members(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    branch = role_org(user)
    wang = surname_pinyin(user)
    first = PartyMember.objects.restrict(user).select_related("person").order_by("id").first()
    combinations = [
        "",
        f"q={wang}",  # full pinyin: the API found nothing for this before the selector
        f"q={first.person.name[0]}&kind=community",
        f"q={first.person.name_initials[:2]}",
        f"branch={branch.pk}&status=normal",
        "category=full&due=1",
        "category=probationary",
    ]
    for params in combinations:
        page = page_ids(client, f"/members/?{params}")
        api = api_ids(client, f"/api/v1/members?{params}")
        assert page == api, params
    assert page_ids(client, f"/members/?q={wang}"), "a full-pinyin search finds members"


def test_the_filters_stay_in_the_users_scope(client_for, personas):
    theirs = role_org(personas["shequ2"])
    client = client_for("shequ")
    assert page_ids(client, f"/members/?branch={theirs.pk}") == []
    assert api_ids(client, f"/api/v1/members?branch={theirs.pk}") == []


def test_a_page_ignores_what_does_not_parse_where_the_api_refuses_it(client_for, personas):
    client = client_for("shequ")
    everyone = page_ids(client, "/members/")
    assert page_ids(client, "/members/?kind=nonsense&branch=abc") == everyone
    assert client.get("/api/v1/members?kind=nonsense").status_code == 422


def test_pinyin_initials_and_chinese_search_the_same_way(personas):
    user = personas["shequ"]
    member = PartyMember.objects.restrict(user).select_related("person").order_by("id").first()
    person = member.person
    for q in (person.name, person.name[1:], person.name_pinyin, person.name_initials):
        found = member_list(user=user, filters=MemberFilters(q=q)).values_list("pk", flat=True)
        assert member.pk in found, q


def test_filtering_by_branch_costs_no_query_of_its_own(client_for, personas):
    client = client_for("shequ")
    branch = role_org(personas["shequ"])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(f"/api/v1/members?branch={branch.pk}") == count("/api/v1/members")


def test_the_page_loads_only_what_it_shows_without_a_query_per_row(client_for, personas):
    # The page reads only the columns it shows (plain tuples); a column read per row would
    # cost one query per row, so one row and a full page must cost the same.
    client = client_for("qu")
    one = PartyMember.objects.select_related("person").order_by("id").first().person.name

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert len(page_ids(client, "/members/")) > 10
    assert count(f"/members/?q={one}") == count("/members/")


def test_the_member_picker_finds_anyone_in_scope_and_says_how_many_more(client_for, personas):
    from xianfeng.core.testing import role_org
    from xianfeng.people.models import PartyMember

    shequ = personas["shequ"]
    community = role_org(shequ)
    client = client_for("shequ")
    everyone = PartyMember.objects.restrict(shequ).filter(branch__path__startswith=community.path)
    last = everyone.select_related("person").order_by("-branch__path", "-id").first()
    page = client.get("/members/pick/", {"under": community.pk}).content.decode()
    if everyone.count() > 20:
        assert f"还有{everyone.count() - 20}人未列出" in page
    found = client.get("/members/pick/", {"q": last.person.name, "under": community.pk})
    assert f'value="{last.pk}"' in found.content.decode()
    by_phone = client.get("/members/pick/", {"q": last.person.mobile}).content.decode()
    assert not last.person.mobile or f'value="{last.pk}"' in by_phone
    # Outside the scope nobody is found, whatever organization is asked for.
    other = client_for("shequ2").get("/members/pick/", {"q": last.person.name}).content.decode()
    assert f'value="{last.pk}"' not in other
    assert client.get("/members/pick/", {"under": "9" * 30}).status_code == 200
