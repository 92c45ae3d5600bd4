"""Selections and votes: nomination, opening the vote, one vote per code, phone and member
(twice refused, the first stands), a vote before and after the period, a code that does not
exist, the rate limit per address, results published, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take
from xianfeng.meetings import votes
from xianfeng.meetings.choices import SelectionState, VoterProof
from xianfeng.meetings.models import Ballot, Selection
from xianfeng.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _selection(personas, proof=VoterProof.CODE) -> Selection:
    today = timezone.localdate()
    selection = votes.selection_create(
        actor=personas["shequ"],
        organization=role_org(personas["shequ"]),
        kind="model",
        title="园山榜样网络投票评选",
        nominate_until=today + timedelta(days=1),
        vote_starts=today + timedelta(days=2),
        vote_ends=today + timedelta(days=7),
        proof=proof,
    )
    for name in ("张国强", "李秀英"):
        votes.candidate_nominate(
            actor=personas["shequ"], selection=selection, name=name, deeds="带头开展安全巡查"
        )
    return selection


def _open(selection: Selection, personas) -> Selection:
    take(selection, "open_voting", actor=personas["shequ"])
    today = timezone.localdate()
    Selection.objects.filter(pk=selection.pk).update(
        nominate_until=today - timedelta(days=1), vote_starts=today
    )
    selection.refresh_from_db()
    return selection


def test_one_vote_per_code_and_the_first_one_stands(personas):
    selection = _open(_selection(personas), personas)
    first, second = votes.codes_issue(actor=personas["shequ"], selection=selection, count=2)
    ids = [c.pk for c in selection.candidates.order_by("pk")]
    votes.vote_cast(selection=selection, candidate=ids[0], client_ip="10.0.0.1", code=first)
    with pytest.raises(ValidationError) as twice:
        votes.vote_cast(selection=selection, candidate=ids[1], client_ip="10.0.0.2", code=first)
    assert "每个投票码只能投一次" in twice.value.messages[0]
    with pytest.raises(ValidationError) as forged:
        votes.vote_cast(selection=selection, candidate=ids[1], client_ip="10.0.0.2", code="AAAA")
    assert "投票码无效" in forged.value.message_dict["code"][0]
    votes.vote_cast(
        selection=selection, candidate=ids[1], client_ip="10.0.0.3", code=second.lower()
    )
    counts = {c.name: c.votes for c in votes.results(selection)}
    assert counts == {"张国强": 1, "李秀英": 1}
    assert not Ballot.objects.filter(voter__contains=first).exists()  # only digests kept


def test_one_vote_per_registered_phone(personas):
    selection = _open(_selection(personas, proof=VoterProof.PHONE), personas)
    community = role_org(personas["shequ"])
    person = (
        Person.objects.filter(organization__path__startswith=community.path)
        .exclude(mobile="")
        .first()
    )
    candidate = selection.candidates.first().pk
    votes.vote_cast(
        selection=selection, candidate=candidate, client_ip="10.0.0.1", phone=person.mobile
    )
    with pytest.raises(ValidationError) as twice:
        votes.vote_cast(
            selection=selection, candidate=candidate, client_ip="10.0.0.9", phone=person.mobile
        )
    assert "每人只能投一票" in twice.value.messages[0]
    with pytest.raises(ValidationError) as stranger:
        votes.vote_cast(
            selection=selection, candidate=candidate, client_ip="10.0.0.1", phone="13900000000"
        )
    assert "未在本社区登记" in stranger.value.message_dict["phone"][0]
    assert Ballot.objects.filter(selection=selection).count() == 1


def test_a_member_votes_once_as_a_member(personas):
    selection = _open(_selection(personas), personas)
    candidate = selection.candidates.first().pk
    votes.vote_cast(
        selection=selection, candidate=candidate, client_ip="1.1.1.1", user=personas["dangyuan"]
    )
    with pytest.raises(ValidationError):
        votes.vote_cast(
            selection=selection, candidate=candidate, client_ip="1.1.1.2", user=personas["dangyuan"]
        )
    assert Ballot.objects.get(selection=selection).channel == "member"


def test_no_vote_before_or_after_the_period_and_results_after_it(personas, client):
    selection = _selection(personas)
    code = votes.codes_issue(actor=personas["shequ"], selection=selection, count=1)[0]
    candidate = selection.candidates.first().pk
    with pytest.raises(ValidationError) as early:
        votes.vote_cast(selection=selection, candidate=candidate, client_ip="1.1.1.1", code=code)
    assert "开始，请届时再来" in early.value.messages[0]
    selection = _open(selection, personas)
    with pytest.raises(StateConflict) as not_yet:
        take(selection, "publish", actor=personas["shequ"])
    assert "投票截止" in not_yet.value.messages[0]
    yesterday = timezone.localdate() - timedelta(days=1)
    Selection.objects.filter(pk=selection.pk).update(
        nominate_until=yesterday - timedelta(days=2), vote_starts=yesterday - timedelta(days=1),
        vote_ends=yesterday,
    )  # fmt: skip
    selection.refresh_from_db()
    late = client.post(f"/meetings/vote/{selection.pk}/", {"candidate": candidate, "code": code})
    assert late.status_code == 409 and "投票已于" in late.content.decode()
    take(selection, "publish", actor=personas["shequ"])
    published = DutyRecord.objects.filter(action="selection.publish", object_id=str(selection.pk))
    assert published.count() == 1
    page = client.get(f"/meetings/vote/{selection.pk}/")
    assert 'id="results"' in page.content.decode()


def test_the_rate_limit_per_address_answers_429(personas, client, settings):
    selection = _open(_selection(personas), personas)
    candidate = selection.candidates.first().pk
    settings.XIANFENG_TRUSTED_PROXY_HOPS = 0
    answers = [
        client.post(f"/meetings/vote/{selection.pk}/", {"candidate": candidate, "code": f"X{i}"})
        for i in range(votes.PER_ADDRESS[0] + 1)
    ]
    assert answers[0].status_code == 400  # a code that does not exist
    assert answers[-1].status_code == 429 and "过于频繁" in answers[-1].content.decode()


def test_only_the_organizer_nominates_and_opens(personas, client_for):
    selection = _selection(personas)
    with pytest.raises(PermissionDenied):
        votes.candidate_nominate(
            actor=personas["wangge"], selection=selection, name="王五", deeds="事迹"
        )
    with pytest.raises(ValidationError) as dup:
        votes.candidate_nominate(
            actor=personas["shequ"], selection=selection, name="张国强", deeds="又一次"
        )
    assert "已被提名" in dup.value.message_dict["name"][0]
    # the branch secretary does not see the community's selection; the auditor sees, may not act
    step = f"/meetings/selections/{selection.pk}/open_voting/"
    assert client_for("wangge").post(step).status_code == 404
    assert client_for("jiancha").post(step).status_code == 403
    assert client_for("shequ2").get(f"/meetings/selections/{selection.pk}/").status_code == 404
    assert (
        client_for("shequ").post(f"/meetings/selections/{selection.pk}/open_voting/").status_code
        == 302
    )
    selection.refresh_from_db()
    assert selection.state == SelectionState.VOTING
    assert client_for("jiancha").get(f"/meetings/selections/{selection.pk}/").status_code == 200
    assert client_for("dangyuan").get("/meetings/selections/").status_code == 200
