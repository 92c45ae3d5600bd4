"""评优评先征求社区意见 (seed 002): a resident unit asks the community for its opinion on an
award candidacy (the unit's or an in-service member's); an administrator of the community or
above, never the one who asked, agrees or disagrees with a reason; each act is a duty record;
the opinion shows in the unit's 述职评议 and the member's annual file; pages and endpoints
answer by scope and role; bad input is refused in Chinese and nothing is stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.community.tests import factories as cf
from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.scoring import awards, memberfile
from xianfeng.scoring.models import AwardOpinion

pytestmark = pytest.mark.django_db
JSON = "application/json"
PERSONAS = ["admin", "qu", "jiedao", "shequ", "shequ2", "wangge", "dangyuan", "danwei", "jiancha"]
# Side A: the demo unit (danwei's) asks shequ's community; side B: a unit of the other street
# asks shequ2's community.
SEES = {
    "admin": (True, True),
    "qu": (True, True),
    "jiedao": (True, False),
    "shequ": (True, False),
    "shequ2": (False, True),
    "wangge": (False, False),
    "dangyuan": (False, False),
    "danwei": (True, False),
    "jiancha": (True, True),
}
ANSWER = {"admin", "qu", "jiedao", "shequ", "shequ2"}


def _expected(persona: str, side: int, allowed: set[str]) -> int:
    if not SEES[persona][side]:
        return 404
    return 200 if persona in allowed else 403


def _ask(personas, member=None, award="优秀共产党员", **kw):
    values = {
        "actor": personas["danwei"],
        "unit": cf.unit(),
        "community": cf.community(),
        "award": award,
        "year": timezone.localdate().year,
        "member": member,
        "reason": "常年参加社区志愿服务",
    }
    values.update(kw)
    return awards.opinion_request(**values)


@pytest.fixture
def serving(personas):
    member = cf.in_service_member(7)
    cf.reported(member, personas["shequ"])
    return member


@pytest.fixture
def sides(personas):
    a = _ask(personas, award="先进基层党组织")
    street_b = role_org(personas["shequ2"]).parent
    unit_b = Organization.objects.filter(
        kind=OrgKind.RESIDENT_UNIT, path__startswith=street_b.path
    ).first()
    assert unit_b is not None, "the demo has a resident unit in the other street"
    # recorded as asked by danwei (who sees neither it nor its unit): every answerer may answer
    b = AwardOpinion.objects.create(
        organization=unit_b,
        community=role_org(personas["shequ2"]),
        award="先进基层党组织",
        year=timezone.localdate().year,
        requested_by=personas["danwei"],
    )
    return [a.pk, b.pk]


def test_the_unit_asks_and_the_community_agrees_each_a_duty_record(personas, serving):
    # the street's admin asks for the unit: an admin over the community, yet not to answer
    obj = _ask(personas, member=serving, actor=personas["jiedao"])
    assert obj.state == "asked" and obj.organization == cf.unit()
    asked = DutyRecord.objects.get(action="award_opinion.request", object_id=str(obj.pk))
    assert asked.member_id == serving.pk
    with pytest.raises(PermissionDenied, match="不能对自己发起的征求意见"):
        take(obj, "agree", actor=personas["jiedao"])
    with pytest.raises(PermissionDenied, match="只有被征求意见的社区党组织"):
        take(obj, "agree", actor=personas["danwei"])  # the unit does not answer itself
    with pytest.raises(PermissionDenied):
        take(obj, "agree", actor=personas["wangge"])  # a grid secretary does not speak for it
    take(obj, "agree", actor=personas["shequ"], note="服务积极，群众认可")
    obj.refresh_from_db()
    assert obj.state == "agreed" and obj.answer == "服务积极，群众认可"
    assert obj.answered_by == personas["shequ"]
    record = DutyRecord.objects.get(action="award_opinion.agree", object_id=str(obj.pk))
    assert record.member_id == serving.pk
    with pytest.raises(StateConflict):
        take(obj, "disagree", actor=personas["shequ"], note="改变主意")
    # the member's annual file shows the community's opinion
    file = memberfile.member_file(serving, obj.year)
    assert [o.pk for o in file["award_opinions"]] == [obj.pk]


def test_disagreeing_needs_a_reason_and_keeps_it(personas):
    obj = _ask(personas)
    with pytest.raises(ValidationError, match="请写明不同意推荐的理由"):
        take(obj, "disagree", actor=personas["shequ"], note=" ")
    obj.refresh_from_db()
    assert obj.state == "asked"
    take(obj, "disagree", actor=personas["shequ"], note="本年度报到党员参与活动不足")
    obj.refresh_from_db()
    assert obj.state == "disagreed" and obj.answer == "本年度报到党员参与活动不足"


def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(personas, serving):
    before = AwardOpinion.objects.count()
    with pytest.raises(ValidationError) as exc:
        _ask(personas, award="", year=1990, community=role_org(personas["wangge"]))
    errors = exc.value.message_dict
    assert "请填写评选项目" in errors["award"][0] and "年度请填" in errors["year"][0]
    assert "请选择征求意见的社区" in errors["community"][0]
    with pytest.raises(ValidationError, match="请选择驻区单位"):
        _ask(personas, unit=role_org(personas["shequ"]))
    with pytest.raises(PermissionDenied):
        _ask(personas, actor=personas["shequ"])  # the community does not ask itself
    other = cf.in_service_member(8)  # of the unit, but reported nowhere
    with pytest.raises(ValidationError, match="没有在这个社区报到"):
        _ask(personas, member=other)
    assert AwardOpinion.objects.count() == before
    _ask(personas, member=serving)
    with pytest.raises(ValidationError, match="已就这一评选项目征求过") as twice:
        _ask(personas, member=serving)
    assert twice.value.error_dict["award"][0].code == "unique"


def test_the_unit_asks_on_the_page_and_the_community_answers_by_api(client_for, serving):
    unit_page = client_for("danwei")
    page = unit_page.get("/scoring/awards/")
    assert page.status_code == 200 and 'id="award-opinion-form"' in page.content.decode()
    year = timezone.localdate().year
    bad = unit_page.post(
        "/scoring/awards/",
        {"unit": cf.unit().pk, "community": cf.community().pk, "award": "", "year": year},
    )
    assert bad.status_code == 400 and "请填写评选项目" in bad.content.decode()
    done = unit_page.post(
        "/scoring/awards/",
        {
            "unit": cf.unit().pk,
            "community": cf.community().pk,
            "member": serving.pk,
            "award": "优秀共产党员",
            "year": year,
        },
    )
    assert done.status_code == 302
    obj = AwardOpinion.objects.get(member=serving)
    waiting = unit_page.get(f"/scoring/awards/{obj.pk}/").content.decode()
    assert 'id="award-opinion-waiting"' in waiting and 'data-step="agree"' not in waiting
    # the community: no reason, a 400 in Chinese; with one, the opinion is kept
    community = client_for("shequ")
    refused = community.post(f"/api/v1/scoring/award-opinions/{obj.pk}/disagree", {}, JSON)
    assert refused.status_code == 400 and refused.json()["detail"]
    answer = community.post(
        f"/api/v1/scoring/award-opinions/{obj.pk}/agree", {"note": "表现突出"}, JSON
    )
    assert answer.status_code == 200 and answer.json()["state"] == "agreed"
    assert answer.json()["member_name"] == serving.person.name
    # an API request twice: 409
    payload = {
        "unit_id": cf.unit().pk,
        "community_id": cf.community().pk,
        "member_id": serving.pk,
        "award": "优秀共产党员",
        "year": year,
    }
    again = unit_page.post("/api/v1/scoring/award-opinions", payload, JSON)
    assert again.status_code == 409 and again.json()["detail"]
    missing = unit_page.post(
        "/api/v1/scoring/award-opinions", {**payload, "member_id": 999999, "award": "x"}, JSON
    )
    assert missing.status_code == 400 and "党员" in str(missing.json())
    created = unit_page.post(
        "/api/v1/scoring/award-opinions", {**payload, "member_id": None, "award": "文明单位"}, JSON
    )
    assert created.status_code == 201 and created.json()["member_id"] is None


def test_the_unit_review_page_shows_the_communitys_opinion(client_for, personas):
    obj = _ask(personas, award="先进基层党组织")
    take(obj, "agree", actor=personas["shequ"])
    # the page reads the opinions of the whole page in one query, whatever the rows
    page = client_for("danwei").get("/scoring/assessment/units/")
    assert page.status_code == 200
    unit = cf.unit()
    awards.opinions_by_unit(personas["danwei"], [], set())  # warms the per-process role cache
    with CaptureQueriesContext(connection) as ctx:
        found = awards.opinions_by_unit(personas["danwei"], [unit.pk], {obj.year})
    assert len(ctx.captured_queries) == 1
    # the unit's candidacies of the year (the demo's two and this one), in order
    mine = AwardOpinion.objects.filter(organization=unit, year=obj.year).order_by("pk")
    assert [o.pk for o in found[(unit.pk, obj.year)]] == [o.pk for o in mine]
    assert obj.pk in [o.pk for o in mine]


def test_the_list_reads_in_the_database_without_n_plus_1(client_for, personas):
    client = client_for("qu")
    _ask(personas, award="项目0")
    client.get("/scoring/awards/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/scoring/awards/").status_code == 200
    for i in range(1, 4):
        _ask(personas, award=f"项目{i}")
    with CaptureQueriesContext(connection) as four:
        assert client.get("/scoring/awards/").status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_opinion_is_read_and_answered_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        want = _expected(persona, side, set(PERSONAS))
        for url in (
            f"/scoring/awards/{sides[side]}/",
            f"/api/v1/scoring/award-opinions/{sides[side]}",
        ):
            response = client.get(url)
            assert response.status_code == want, f"{persona} {url}"
            if want != 200 and "/api/" in url:
                assert response.json()["detail"]
        want = _expected(persona, side, ANSWER)
        api = client.post(
            f"/api/v1/scoring/award-opinions/{sides[side]}/disagree", {"note": "不同意"}, JSON
        )
        assert api.status_code == want, f"{persona} api disagree {'AB'[side]}"
        if want != 200:
            page = client.post(f"/scoring/awards/{sides[side]}/agree/")
            assert page.status_code == want, f"{persona} page agree {'AB'[side]}"
            assert AwardOpinion.objects.get(pk=sides[side]).state == "asked"
    # the lists answer everyone, holding what they see
    assert client.get("/scoring/awards/").status_code == 200
    ids = {r["id"] for r in client.get("/api/v1/scoring/award-opinions").json()["results"]}
    assert (sides[1] in ids) == SEES[persona][1], persona
    # asking: the unit's liaison and the admins above it
    asks = client.post(
        "/api/v1/scoring/award-opinions",
        {
            "unit_id": cf.unit().pk,
            "community_id": cf.community().pk,
            "award": f"矩阵{persona}",
            "year": timezone.localdate().year,
        },
        JSON,
    )
    if persona in {"admin", "qu", "jiedao", "danwei"}:
        assert asks.status_code == 201, persona
    else:  # refused: the unit is not theirs (403), or not even in their sight (400)
        assert asks.status_code in (400, 403) and asks.json()["detail"], persona
        assert not AwardOpinion.objects.filter(award=f"矩阵{persona}").exists()


def test_the_form_offers_only_communities_in_scope_and_picks_the_member_by_search(
    client_for, personas, serving
):
    """The liaison's unit stands in ``shequ``'s street: its communities are offered, the
    other street's (``shequ2``'s) is not, and choosing it anyway is refused in Chinese on the
    page, the API and the service; the member is picked with the search-as-you-type picker."""
    own, other = cf.community(), role_org(personas["shequ2"])
    offered = set(awards.communities_for(personas["danwei"]).values_list("pk", flat=True))
    assert own.pk in offered and other.pk not in offered
    assert offered <= set(
        Organization.objects.filter(kind=OrgKind.COMMUNITY).values_list("pk", flat=True)
    )
    unit_page = client_for("danwei")
    html = unit_page.get("/scoring/awards/").content.decode()
    assert f'<option value="{own.pk}"' in html and f'<option value="{other.pk}"' not in html
    assert 'id="member-search"' in html and 'name="member"' in html
    assert 'id="id_member"' not in html  # no number to type
    year = timezone.localdate().year
    form = {"unit": cf.unit().pk, "award": "优秀共产党员", "year": year}
    refused = unit_page.post("/scoring/awards/", {**form, "community": other.pk})
    assert refused.status_code == 400 and "不在您的管辖范围内" in refused.content.decode()
    api = unit_page.post(
        "/api/v1/scoring/award-opinions",
        {"unit_id": cf.unit().pk, "community_id": other.pk, "award": "优秀共产党员", "year": year},
        JSON,
    )
    assert api.status_code == 400 and "不在您的管辖范围内" in str(api.json())
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        _ask(personas, community=other)
    assert not AwardOpinion.objects.filter(community=other, organization=cf.unit()).exists()
    # the picked member (a radio named ``member``) is kept
    done = unit_page.post("/scoring/awards/", {**form, "community": own.pk, "member": serving.pk})
    assert done.status_code == 302
    assert AwardOpinion.objects.filter(member=serving, community=own).exists()


def test_a_street_admin_is_offered_the_communities_of_their_street(personas):
    street = role_org(personas["jiedao"])
    offered = awards.communities_for(personas["jiedao"])
    assert offered.exists()
    assert all(c.path.startswith(street.path) for c in offered)
