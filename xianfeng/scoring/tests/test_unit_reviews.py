"""驻区单位述职评议: a community (or street) assesses the resident units under it; the unit's
liaison writes its 述职 report, the assessor rates it, the cycle is closed (ranking, stars); the
dedicated page and its API list each unit's report, total, rank and the cycle's state, to the
assessing organization and those above it and to the unit itself, and to nobody else."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS
from xianfeng.core.workflow import take
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.scoring import assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(personas):
    unit = role_org(personas["danwei"])
    # the organization the unit belongs to (a community or a street) assesses it
    community = unit.parent
    year = timezone.localdate().year
    found = assessment.indicator_set_create(
        actor=personas["qu"],
        organization=community,
        target_kind=OrgKind.RESIDENT_UNIT,
        year=year,
        title="驻区单位共建述职评议",
    )
    indicator = assessment.indicator_add(
        actor=personas["qu"], indicator_set=found, name="述职评议", kind="qual", weight=1
    )
    cycle = assessment.cycle_open(
        actor=personas["qu"], indicator_set=found, kind="year", period=str(year)
    )
    mine = cycle.assessments.get(organization=unit)
    assessment.report_submit(
        actor=personas["danwei"], assessment=mine, text="本年度开放会议室12次，组织职工进社区服务"
    )
    for one in cycle.assessments.all():
        assessment.review_score(
            actor=personas["qu"],
            assessment=one,
            indicator=indicator,
            score=95 if one.pk == mine.pk else 70,
        )
    cycle = take(cycle, "close", actor=personas["qu"])
    return {"cycle": cycle, "unit": unit, "community": community, "mine": mine.pk}


def _sees(persona_user, org) -> bool:
    return Organization.objects.restrict(persona_user).filter(pk=org.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_unit_reviews_page_and_api_show_each_unit_in_scope(
    client_for, personas, review, persona
):
    client = client_for(persona)
    page = client.get("/scoring/assessment/units/")
    api = client.get("/api/v1/scoring/assessment/resident-units")
    assert page.status_code == 200 and api.status_code == 200
    rows = {r["id"]: r for r in api.json()["results"]}
    # seen by whoever sees the assessing community (its admins and those above) or the unit
    user = personas[persona]
    want = _sees(user, review["community"]) or _sees(user, review["unit"])
    assert (review["mine"] in rows) == want, persona
    assert (review["unit"].name in page.content.decode()) == want, persona
    if want:
        row = rows[review["mine"]]
        assert row["rank"] == 1 and row["stars"] and row["cycle_state"] == "closed"
        assert row["reported_at"] and row["organization_name"] == review["unit"].name


def test_the_liaison_and_the_district_see_it(client_for, review):
    for persona, want in (("danwei", True), ("qu", True)):
        ids = {
            r["id"]
            for r in client_for(persona)
            .get("/api/v1/scoring/assessment/resident-units")
            .json()["results"]
        }
        assert (review["mine"] in ids) == want, persona


def test_the_list_reads_in_a_fixed_number_of_queries(
    client_for, review, django_assert_max_num_queries
):
    client = client_for("qu")
    client.get("/scoring/assessment/units/")
    with django_assert_max_num_queries(12):
        assert client.get("/scoring/assessment/units/").status_code == 200
