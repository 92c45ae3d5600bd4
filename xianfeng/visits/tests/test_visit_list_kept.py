"""The visit list's COUNT and page, compiled once per scope and filters
(``selectors.visit_list``, ``core/kept_sql.py``; issue 11): the kept SQL finds what the
selector's queryset finds, for every persona and filter, and a user whose scope changed gets
the SQL of the new scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core import kept_sql
from xianfeng.core.models import User
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.visits import selectors
from xianfeng.visits.api import VISIT_COLUMNS
from xianfeng.visits.models import Visit
from xianfeng.visits.views import VISIT_ROW_FIELDS
from xianfeng.work.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(personas):
    kept_sql.forget()
    member = PartyMember.objects.get(person_id=personas["dangyuan"].person_id)
    households = list(Household.objects.order_by("id")[:3])
    task = Task.objects.order_by("id").first()
    made = []
    for n in range(12):
        household = households[n % 3]
        made.append(
            Visit.objects.create(
                member=member,
                household=household if n % 4 else None,
                building=household.building,
                organization=household.organization,
                visited_at=timezone.now() - timedelta(days=n),
                purposes=["safety", "care"] if n % 2 else ["policy"],
                task=task if n % 3 == 0 else None,
            )
        )
    yield made
    kept_sql.forget()


def fresh(user: User) -> User:
    """The user as a new request loads it (roles and scope read again)."""
    return User.objects.get(pk=user.pk)


def both_ways(user: User, fields: tuple[str, ...], window: slice, **filters) -> tuple:
    """(count, rows) from the kept list the first time (the ORM) and the second (the kept SQL),
    and from the selector's queryset."""
    first = selectors.visit_list(fresh(user), fields, **filters)
    with CaptureQueriesContext(connection) as compiled:
        got_first = (first.count(), first[window])
    second = selectors.visit_list(fresh(user), fields, **filters)
    with CaptureQueriesContext(connection) as kept:
        got_second = (second.count(), second[window])
    # the COUNT and the page, nothing else (none for a queryset that can match nothing)
    assert len(kept.captured_queries) == len(compiled.captured_queries) in (0, 2)
    assert [q["sql"] for q in kept.captured_queries] == [
        q["sql"] for q in compiled.captured_queries
    ]
    queryset = selectors.visits(fresh(user), **filters)
    want = (queryset.count(), list(queryset.values_list(*fields)[window]))
    return got_first, got_second, want


@pytest.mark.parametrize("persona", ["shequ", "qu", "wangge", "dangyuan", "jiancha"])
@pytest.mark.parametrize("fields", [VISIT_ROW_FIELDS, VISIT_COLUMNS])
def test_the_kept_sql_finds_what_the_selector_finds(personas, visits, persona, fields):
    task = visits[0].task
    for filters in (
        {},
        {"mine": True},
        {"household": visits[1].household_id},
        {"task": task},
        {"since": timezone.localdate() - timedelta(days=5)},
    ):
        for window in (slice(0, 5), slice(5, 10), slice(10, 12)):
            first, second, want = both_ways(personas[persona], fields, window, **filters)
            assert first == second == want, (persona, filters, window)
    # the values the rows hold, converted as the ORM converts them
    _count, rows = both_ways(personas["qu"], fields, slice(0, 200))[1]
    purposes = fields.index("purposes")
    assert {("safety", "care"), ("policy",)} <= {tuple(row[purposes]) for row in rows}
    assert all(row[fields.index("visited_at")].tzinfo is not None for row in rows)


def test_a_changed_scope_gets_its_own_sql(personas, visits):
    shequ = personas["shequ"]
    before = selectors.visit_list(fresh(shequ), VISIT_ROW_FIELDS)
    assert before.count() > 0 and before[0:50]
    assert selectors.visit_list(fresh(shequ), VISIT_ROW_FIELDS).count() == before.count()
    shequ.roles.update(is_active=False)  # all roles revoked: nothing in scope
    after = selectors.visit_list(fresh(shequ), VISIT_ROW_FIELDS)
    assert after.count() == 0 and after[0:50] == []
    # the district admin's role given instead: the district's visits
    role = personas["qu"].roles.filter(is_active=True).first()
    shequ.roles.create(kind=role.kind, organization=role.organization)
    wide = selectors.visit_list(fresh(shequ), VISIT_ROW_FIELDS)
    assert wide.count() == Visit.objects.count() > before.count()


def test_household_labels_kept_per_number_of_households(visits):
    """The households of a page, by a statement kept per number of ids: other ids of the same
    number get their own households' labels (the ids are the only parameters)."""
    from xianfeng.places.models import household_label

    households = list(Household.objects.select_related("building").order_by("id")[:7])

    def want(chosen: list[Household]) -> dict[int, str]:
        return {h.pk: household_label(h.building.name, h.unit, h.room) for h in chosen}

    first, other = households[:3], households[3:6]
    assert selectors.household_labels(h.pk for h in first) == want(first)  # compiled
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.household_labels(h.pk for h in other) == want(other)  # kept
        assert selectors.household_labels([other[0].pk, other[0].pk]) == want(other[:1])
        assert selectors.household_labels(h.pk for h in households) == want(households)
    assert len(ctx.captured_queries) == 3
    assert selectors.household_labels([]) == {}
