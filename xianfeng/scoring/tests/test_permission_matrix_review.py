"""The democratic evaluation, assessment and member-file pages and endpoints × every role,
inside and outside its scope (the rules of xianfeng/core/tests/test_permission_matrix.py: 404
outside scope, 403 seen but not allowed). Side A is under ``shequ`` (``wangge``'s grid branch
for the rounds, ``jiedao``'s street for the assessment), side B under ``shequ2``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.demo.base import persona_member
from xianfeng.orgs.choices import OrgKind
from xianfeng.people.models import PartyMember
from xianfeng.scoring import assessment, evaluation

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
ORGANIZERS = ADMINS | {"wangge"}
JSON = "application/json"


def _street_of(org):
    from xianfeng.orgs.models import Organization

    return Organization.objects.filter(
        pk__in=[int(p) for p in org.path.split(".") if p], kind=OrgKind.STREET
    ).get()


@pytest.fixture
def sides(personas):
    today = timezone.localdate()
    community_b = role_org(personas["shequ2"])
    member_b = PartyMember.objects.filter(branch__path__startswith=community_b.path).order_by("pk")[
        0
    ]
    out = []
    for org, organizer, member, street_admin in (
        (
            role_org(personas["wangge"]),
            personas["wangge"],
            persona_member("dangyuan"),
            personas["jiedao"],
        ),
        (member_b.branch, personas["shequ2"], member_b, personas["qu"]),
    ):
        round_ = evaluation.round_create(
            actor=organizer,
            organization=org,
            year=today.year,
            title="民主评议",
            vote_starts=today,
            vote_ends=today + timedelta(days=5),
        )
        street = _street_of(org)
        found = assessment.indicator_set_create(
            actor=street_admin,
            organization=street,
            target_kind=OrgKind.COMMUNITY,
            year=today.year,
            title=f"考核{street.pk}",
        )
        assessment.indicator_add(
            actor=street_admin, indicator_set=found, name="述职评议", kind="qual", weight=1
        )
        cycle = assessment.cycle_open(
            actor=street_admin, indicator_set=found, kind="year", period=str(today.year)
        )
        community = role_org(personas["shequ"]) if not out else community_b
        one = cycle.assessments.get(organization=community)
        out.append(
            {
                "round": round_.pk,
                "set": found.pk,
                "cycle": cycle.pk,
                "assessment": one.pk,
                "member": member.pk,
                "org": org.pk,
                "street": street.pk,
                "indicator": found.indicators.get().pk,
            }
        )
    return out


PAGES = [
    ("round", "/scoring/evaluations/{round}/", ANYONE),
    ("api round", "/api/v1/scoring/evaluations/{round}", ANYONE),
    ("api round results", "/api/v1/scoring/evaluations/{round}/results", ANYONE),
    ("indicator set", "/scoring/assessment/sets/{set}/", ANYONE),
    ("cycle", "/scoring/assessment/cycles/{cycle}/", ANYONE),
    ("api cycle", "/api/v1/scoring/assessment/cycles/{cycle}", ANYONE),
    ("assessment", "/scoring/assessment/{assessment}/", ANYONE),
    ("api assessment", "/api/v1/scoring/assessments/{assessment}", ANYONE),
]

# Side A's set and cycle belong to jiedao's street, which shequ and those below do not see
# (their organization lies under it, not above it); side B's to shequ2's street.
STREET_LEVEL = {"set", "cycle"}


COMMUNITY_SEES = {
    0: {"admin", "qu", "jiedao", "shequ", "jiancha"},
    1: {"admin", "qu", "shequ2", "jiancha"},
}


def _sees(persona: str, side: int, template: str) -> bool:
    if "{assessment}" in template:
        return persona in COMMUNITY_SEES[side]
    if any("{" + k + "}" in template for k in STREET_LEVEL):
        return {
            0: persona in {"admin", "qu", "jiedao", "jiancha"},
            1: persona in {"admin", "qu", "jiancha"},
        }[side]
    return SEES[persona][side]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "allowed"), PAGES)
def test_review_reads_answer_by_scope_and_role(client_for, sides, persona, name, template, allowed):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        want = (200 if persona in allowed else 403) if _sees(persona, side, template) else 404
        assert response.status_code == want, f"{persona} {name} {'AB'[side]}"
        if want != 200 and "/api/" in template:
            assert response.json()["detail"]


LISTS = [
    ("rounds", "/scoring/evaluations/", ANYONE),
    ("api rounds", "/api/v1/scoring/evaluations", ANYONE),
    ("assessment", "/scoring/assessment/", ANYONE),
    ("sets", "/scoring/assessment/sets/", ANYONE),
    ("api sets", "/api/v1/scoring/indicator-sets", ANYONE),
    ("api cycles", "/api/v1/scoring/assessment/cycles", ANYONE),
    ("files", "/scoring/files/", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "allowed"), LISTS)
def test_review_lists_answer_by_role(client_for, sides, persona, name, url, allowed):
    response = client_for(persona).get(url)
    assert response.status_code in ((200, 302) if persona in allowed else (403,)), (
        f"{persona} {name}"
    )


FILE_READERS = {"admin", "qu", "jiedao", "shequ", "shequ2", "wangge", "jiancha"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_member_files_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        member = sides[side]["member"]
        # dangyuan is side A's member: their own file
        allowed = FILE_READERS | ({"dangyuan"} if side == 0 else set())
        want = expected(persona, side, allowed)
        for url in (
            f"/scoring/files/{member}/",
            f"/scoring/files/{member}/pdf/",
            f"/api/v1/scoring/files/{member}",
        ):
            assert client.get(url).status_code == want, f"{persona} {url} {'AB'[side]}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_evaluation_writes_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        want = expected(persona, side, ORGANIZERS if side == 0 else ADMINS)
        codes = client.post(
            f"/api/v1/scoring/evaluations/{ids['round']}/codes", {"count": 2}, content_type=JSON
        )
        assert codes.status_code == (201 if want == 200 else want), f"{persona} codes {'AB'[side]}"
        page = client.post(f"/scoring/evaluations/{ids['round']}/codes/", {"count": 2})
        assert page.status_code == want, f"{persona} page codes {'AB'[side]}"
        opened = client.post(
            f"/api/v1/scoring/evaluations/{ids['round']}/open", {}, content_type=JSON
        )
        assert opened.status_code == want, f"{persona} open {'AB'[side]}"
        if want != 200:
            step = client.post(f"/scoring/evaluations/{ids['round']}/open/")
            assert step.status_code == want, f"{persona} page open {'AB'[side]}"
        create = client.post(
            "/api/v1/scoring/evaluations",
            {
                "organization_id": ids["org"],
                "year": timezone.localdate().year - 3,
                "title": "补评",
                "vote_starts": timezone.localdate().isoformat(),
                "vote_ends": timezone.localdate().isoformat(),
            },
            content_type=JSON,
        )
        if persona not in ORGANIZERS:
            want_create = 403
        else:
            want_create = 201 if SEES[persona][side] else 400
        assert create.status_code == want_create, (
            f"{persona} create {'AB'[side]} {create.content[:200]!r}"
        )


@pytest.mark.parametrize("persona", PERSONAS)
def test_assessment_writes_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        assessors = {"admin", "qu", "jiedao"} if side == 0 else {"admin", "qu"}
        sees_assessment = persona in COMMUNITY_SEES[side]
        want = (200 if persona in assessors else 403) if sees_assessment else 404
        score = client.post(
            f"/api/v1/scoring/assessments/{ids['assessment']}/score",
            {"indicator_id": ids["indicator"], "score": 80},
            content_type=JSON,
        )
        assert score.status_code == want, f"{persona} score {'AB'[side]} {score.content[:200]!r}"
        reporters = {"admin", "shequ"} if side == 0 else {"admin", "shequ2"}
        report = client.post(
            f"/api/v1/scoring/assessments/{ids['assessment']}/report",
            {"text": "述职"},
            content_type=JSON,
        )
        want_report = (200 if persona in reporters else 403) if sees_assessment else 404
        assert report.status_code == want_report, f"{persona} report {'AB'[side]}"
        page = client.post(f"/scoring/assessment/{ids['assessment']}/report/", {"text": "述职"})
        assert page.status_code == (302 if want_report == 200 else want_report), (
            f"{persona} page report"
        )
        sees_cycle = _sees(persona, side, "{cycle}")
        refresh = client.post(
            f"/api/v1/scoring/assessment/cycles/{ids['cycle']}/refresh", {}, content_type=JSON
        )
        want_cycle = (200 if persona in assessors else 403) if sees_cycle else 404
        assert refresh.status_code == want_cycle, f"{persona} refresh {'AB'[side]}"
        from xianfeng.scoring.models import Assessment

        unscored = Assessment.objects.filter(cycle=ids["cycle"], total__isnull=True).exists()
        close = client.post(
            f"/api/v1/scoring/assessment/cycles/{ids['cycle']}/close", {}, content_type=JSON
        )
        want_close = (400 if unscored else 200) if want_cycle == 200 else want_cycle
        assert close.status_code == want_close, (
            f"{persona} close {'AB'[side]} {close.content[:200]!r}"
        )
        indicator = client.post(
            f"/api/v1/scoring/indicator-sets/{ids['set']}/indicators",
            {"name": "新指标", "kind": "qual", "weight": 1},
            content_type=JSON,
        )
        set_admins = assessors
        want_ind = (409 if persona in set_admins else 403) if sees_cycle else 404
        assert indicator.status_code == want_ind, (
            f"{persona} indicator {'AB'[side]} {indicator.content[:200]!r}"
        )
