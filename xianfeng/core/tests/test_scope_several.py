"""``restrict`` on a model with several organizations (a visit's own and the one it was reported
to, a pairing's two sides, a member case's branch and handler): the organizations in scope are
one subquery that each foreign key is tested against (issue 11), and the rows are exactly those
with any of their organizations in the user's subtree."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.scope import scope_paths
from xianfeng.orgs.models import Pairing
from xianfeng.people.models import MemberCase
from xianfeng.visits.models import Visit
from xianfeng.visits.tests.factories import visit_at

pytestmark = pytest.mark.django_db


def expected(model, user, lookups) -> set[int]:
    """By the definition, in Python: any of the row's organizations under a scope path."""
    paths = scope_paths(user, model, "view")
    seen = set()
    for row in model.objects.all():
        for lookup in lookups:
            org = row
            for name in lookup.split("__"):
                org = getattr(org, name) if org is not None else None
            if org is not None and any(org.path.startswith(p) for p in paths):
                seen.add(row.pk)
    return seen


@pytest.mark.parametrize("persona", ["qu", "jiedao", "shequ", "shequ2", "wangge", "dangyuan"])
def test_rows_with_several_organizations_are_seen_through_any(personas, persona):
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember
    from xianfeng.places.models import Household

    # a visit reported to an organization outside the household's subtree
    household = Household.objects.order_by("id").first()
    member = PartyMember.objects.exclude(branch=household.organization).order_by("-id").first()
    visit = visit_at(household, member)
    Visit.objects.filter(pk=visit.pk).update(
        reported_to=Organization.objects.exclude(pk=household.organization_id).order_by("-id")[0]
    )
    user = personas[persona]
    for model in (Visit, Pairing, MemberCase):
        got = set(model.objects.restrict(user).values_list("pk", flat=True))
        assert got == expected(model, user, model.scope_lookups), (persona, model)


def test_the_organizations_are_not_joined(personas):
    with CaptureQueriesContext(connection) as ctx:
        Visit.objects.restrict(personas["shequ"]).count()
    sql = ctx.captured_queries[-1]["sql"].upper()
    assert " JOIN " not in sql
    if connection.vendor == "postgresql":
        # the index of each foreign key is probed with the array of organizations in scope
        assert sql.count(" = ANY(ARRAY(SELECT") == 2
    else:
        assert sql.count(" IN (SELECT") == 2
