"""安全结对检查 reported upward: the visits an organization's members made in the communities
it is paired with, per pairing and period, as the paired unit (or its working committee)
reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.orgs.choices import PairingKind
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Household
from xianfeng.visits.models import Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(personas):
    return role_org(personas["danwei"])


@pytest.fixture
def community(personas):
    return role_org(personas["shequ"])


@pytest.fixture
def checks(unit, community):
    """Three visits of the unit's members in the paired community this month, one of them with
    a hazard, one long ago, and one ordinary visit (not reported to the unit)."""
    assert Pairing.objects.filter(
        Q(org_a=unit, org_b=community) | Q(org_a=community, org_b=unit)
    ).exists()
    person = Person.objects.create(organization=unit, name="驻区党员")
    member = PartyMember.objects.create(person=person, branch=unit)
    households = list(
        Household.objects.filter(organization__path__startswith=community.path)
        .select_related("building")
        .order_by("pk")[:2]
    )
    now = timezone.now()
    made = []
    for household, ago, hazard in (
        (households[0], 0, True),
        (households[0], 0, False),
        (households[1], 0, False),
        (households[1], 400, False),
    ):
        made.append(
            Visit.objects.create(
                member=member,
                household=household,
                building=household.building,
                organization=household.organization,
                reported_to=unit,
                visited_at=now - timedelta(days=ago, minutes=1),
                purposes=["safety"],
                raises_hazard=hazard,
            )
        )
    f.visit_at(households[0], f.dangyuan(), days_ago=0)
    return made


def row_for(body, community):
    return next(r for r in body["results"] if r["partner"]["id"] == community.pk)


def test_the_unit_reads_its_checks_per_paired_community(client_for, unit, community, checks):
    body = client_for("danwei").get("/api/v1/paired-checks").json()
    assert body["organization"]["id"] == unit.pk
    row = row_for(body, community)
    assert row["ours"]["id"] == unit.pk
    assert (row["visits"], row["households_visited"], row["members"], row["hazards"]) == (
        3,
        2,
        1,
        1,
    )
    assert (
        row["households"]
        == Household.objects.filter(organization__path__startswith=community.path).count()
    )
    start = str(timezone.localdate() - timedelta(days=500))
    longer = client_for("danwei").get(f"/api/v1/paired-checks?start={start}").json()
    assert row_for(longer, community)["visits"] == 4


def test_the_page_and_the_visit_list(client_for, community, checks):
    client = client_for("danwei")
    body = client.get("/work/paired-checks/").content.decode()
    assert community.display_name in body and "2/" in body and "驻区党员" in body
    listed = client.get(f"/api/v1/paired-checks/visits?partner={community.pk}").json()
    assert listed["count"] == 3
    assert {v["id"] for v in listed["results"]} <= {v.pk for v in checks}
    page = client.get(f"/work/paired-checks/?partner={community.pk}")
    assert page.status_code == 200 and "驻区党员" in page.content.decode()


def test_the_paired_community_sees_the_visits_too(client_for, unit, community, checks):
    # shequ reads them as visits to its households; it is not the unit's committee.
    assert client_for("shequ").get(f"/api/v1/visits/{checks[0].pk}").status_code == 200
    assert client_for("shequ").get(f"/api/v1/paired-checks?org={unit.pk}").status_code == 404
    assert client_for("shequ2").get(f"/work/paired-checks/?org={unit.pk}").status_code == 404


def test_the_committee_above_reads_every_unit_below(client_for, unit, community, checks):
    # The district sees the unit's subtree and reads the same figures for it.
    body = client_for("qu").get(f"/api/v1/paired-checks?org={unit.pk}").json()
    assert row_for(body, community)["visits"] == 3
    # A pairing with both sides inside the organization read is not a check reported upward.
    district = Organization.objects.get(pk=int(unit.path.split(".")[0] or unit.path.split(".")[1]))
    assert community.path.startswith(district.path)
    inside = client_for("qu").get(f"/api/v1/paired-checks?org={district.pk}").json()
    assert not any(r["ours"]["id"] == unit.pk for r in inside["results"])


@pytest.mark.parametrize(
    ("query", "words"),
    [("start=2026-11-20&end=2026-11-01", "结束日期不能早于开始日期"), ("start=11/01", "日期")],
)
def test_bad_periods_are_refused_in_chinese(client_for, checks, query, words):
    client = client_for("danwei")
    page = client.get(f"/work/paired-checks/?{query}")
    assert page.status_code == 400 and words in page.content.decode()
    api = client.get(f"/api/v1/paired-checks?{query}")
    assert api.status_code in (400, 422)
    assert "detail" in api.json()


def test_a_partner_that_is_not_paired_is_not_found(client_for, personas, checks):
    other = role_org(personas["shequ2"])
    client = client_for("danwei")
    assert client.get(f"/api/v1/paired-checks/visits?partner={other.pk}").status_code == 404
    assert client.get(f"/work/paired-checks/?partner={other.pk}").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/work/paired-checks/", "/api/v1/paired-checks", "/api/v1/paired-checks/visits"]
)
def test_queries_do_not_grow_with_pairings_or_visits(client_for, unit, personas, checks, url):
    client = client_for("danwei")
    small = _queries(client, url)
    for org in Organization.objects.filter(kind="community").exclude(path__startswith=unit.path)[
        :5
    ]:
        Pairing.objects.get_or_create(
            org_a=unit,
            org_b=org,
            defaults={"kind": PairingKind.SAFETY_PAIRING, "starts_on": timezone.localdate()},
        )
        household = f.household_under(org)
        if household is not None:
            Visit.objects.create(
                member=checks[0].member,
                household=household,
                building=household.building,
                organization=household.organization,
                reported_to=unit,
                visited_at=timezone.now() - timedelta(minutes=2),
                purposes=["safety"],
            )
    large = _queries(client, url)
    assert small == large, (small, large)
    assert len(client.get("/api/v1/paired-checks").json()["results"]) >= 2
