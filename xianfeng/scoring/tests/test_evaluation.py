"""民主评议党员: a round prepared, opened, voted once per member, code and phone, counted; the
results feed the year's star ratings; bad input answers in Chinese and loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take
from xianfeng.demo.base import persona_member
from xianfeng.scoring import evaluation
from xianfeng.scoring.models import (
    EvaluationBallot,
    EvaluationMark,
    EvaluationResult,
    EvaluationRound,
    StarRating,
)

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _round(personas, **kw):
    today = timezone.localdate()
    values = {
        "actor": personas["wangge"],
        "organization": role_org(personas["wangge"]),
        "year": today.year,
        "title": "年度民主评议党员",
        "vote_starts": today,
        "vote_ends": today + timedelta(days=7),
    }
    values.update(kw)
    return evaluation.round_create(**values)


def _others(round_, me):
    return [m for m in evaluation.round_members(round_) if m.pk != me.pk]


def test_a_round_is_voted_once_per_voter_and_counted_into_the_stars(personas, client_for):
    round_ = _round(personas)
    assert DutyRecord.objects.filter(action="evaluation.create").exists()
    me = persona_member("dangyuan")
    others = _others(round_, me)
    assert others, "the grid branch needs more than one member"
    target = others[0]
    # not open yet: the ballot page is not there, the API answers 409
    client = client_for("dangyuan")
    assert client.get(f"/scoring/evaluate/{round_.pk}/").status_code == 404
    body = {"grades": [{"member_id": target.pk, "grade": "excellent"}]}
    early = client.post(f"/api/v1/scoring/evaluations/{round_.pk}/ballot", body, content_type=JSON)
    assert early.status_code == 409 and "开始" in early.json()["detail"]
    round_ = take(round_, "open", actor=personas["wangge"])
    codes = evaluation.codes_issue(actor=personas["wangge"], round_=round_, count=3)
    # the member votes once; themselves refused; a second ballot refused, the first stands
    mine = client.post(
        f"/api/v1/scoring/evaluations/{round_.pk}/ballot",
        {"grades": [{"member_id": me.pk, "grade": "excellent"}]},
        content_type=JSON,
    )
    assert mine.status_code == 400 and "不能评议自己" in str(mine.json())
    ok = client.post(f"/api/v1/scoring/evaluations/{round_.pk}/ballot", body, content_type=JSON)
    assert ok.status_code == 201, ok.content
    again = client.post(f"/api/v1/scoring/evaluations/{round_.pk}/ballot", body, content_type=JSON)
    assert again.status_code == 409 and "只能投一次" in again.json()["detail"]
    assert EvaluationBallot.objects.filter(round=round_).count() == 1
    votes = DutyRecord.objects.filter(action="evaluation.vote", member=me, object_id=str(round_.pk))
    assert votes.count() == 1
    # residents vote on the page with their codes, one each
    page = client_for("dangyuan").get(f"/scoring/evaluate/{round_.pk}/")
    assert page.status_code == 200 and "已参加" in page.content.decode()
    from django.test import Client

    resident = Client()
    for code in codes:
        answer = resident.post(
            f"/scoring/evaluate/{round_.pk}/", {"code": code, f"grade_{target.pk}": "excellent"}
        )
        assert answer.status_code == 200 and "投票成功" in answer.content.decode()
    reused = resident.post(
        f"/scoring/evaluate/{round_.pk}/", {"code": codes[0], f"grade_{target.pk}": "poor"}
    )
    assert reused.status_code == 409 and "只能投一次" in reused.content.decode()
    wrong = resident.post(
        f"/scoring/evaluate/{round_.pk}/", {"code": "WRONG123", f"grade_{target.pk}": "poor"}
    )
    assert wrong.status_code == 400 and "投票码无效" in wrong.content.decode()
    empty = resident.post(f"/scoring/evaluate/{round_.pk}/", {"code": "X"})
    assert empty.status_code == 400 and "至少评议一名党员" in empty.content.decode()
    assert EvaluationMark.objects.filter(ballot__round=round_).count() == 4
    # counting: four 优秀 give the target five evaluation stars, blended with the index
    round_ = take(round_, "close", actor=personas["wangge"])
    result = EvaluationResult.objects.get(round=round_, member=target)
    assert (result.excellent, result.poor, result.member_votes, result.resident_votes) == (
        4,
        0,
        1,
        3,
    )
    assert result.score == 100 and result.evaluation_stars == 5
    rating = StarRating.objects.get(member=target, year=round_.year)
    assert rating.stars == evaluation.combined_stars(rating.index_stars, 5) == result.stars
    assert "优秀4票" in rating.review_note and rating.reviewed_by == personas["wangge"]
    # a member nobody graded keeps the index's stars, with the reason
    quiet = EvaluationResult.objects.get(round=round_, member=me)
    assert quiet.evaluation_stars is None and "有效票不足" in quiet.note
    assert StarRating.objects.get(member=me, year=round_.year).stars == quiet.index_stars
    # counted: no more votes, no second count
    late = resident.post(f"/scoring/evaluate/{round_.pk}/", {f"grade_{target.pk}": "poor"})
    assert "已结束" in late.content.decode()
    with pytest.raises(StateConflict):
        take(round_, "close", actor=personas["wangge"])


def test_more_than_a_third_poor_gives_one_star(personas):
    round_ = _round(personas)
    round_ = take(round_, "open", actor=personas["wangge"])
    target = _others(round_, persona_member("dangyuan"))[0]
    codes = evaluation.codes_issue(actor=personas["wangge"], round_=round_, count=3)
    for code, grade in zip(codes, ["poor", "poor", "excellent"], strict=True):
        evaluation.ballot_cast(
            round_=round_, grades={target.pk: grade}, client_ip="10.0.0.1", code=code
        )
    take(round_, "close", actor=personas["wangge"])
    result = EvaluationResult.objects.get(round=round_, member=target)
    assert result.stars == 1 and "三分之一" in result.note
    assert StarRating.objects.get(member=target, year=round_.year).stars == 1


def test_bad_rounds_and_ballots_answer_in_chinese(personas):
    round_ = _round(personas)
    with pytest.raises(ValidationError) as err:
        _round(personas)
    assert "已有一轮民主评议" in str(err.value)
    with pytest.raises(ValidationError) as err:
        _round(
            personas,
            year=timezone.localdate().year - 1,
            vote_ends=timezone.localdate() - timedelta(days=3),
        )
    assert "截止日期不能早于开始日期" in str(err.value)
    with pytest.raises(PermissionDenied):
        _round(personas, actor=personas["dangyuan"], year=timezone.localdate().year - 1)
    with pytest.raises(PermissionDenied):
        _round(personas, actor=personas["shequ2"], year=timezone.localdate().year - 2)
    round_ = take(round_, "open", actor=personas["wangge"])
    member = _others(round_, persona_member("dangyuan"))[0]
    with pytest.raises(ValidationError) as err:
        evaluation.ballot_cast(
            round_=round_, grades={member.pk: "superb"}, client_ip="10.0.0.2", code="AAAA"
        )
    assert "评议等次" in str(err.value)
    outsider = EvaluationRound.objects.none()
    from xianfeng.people.models import PartyMember

    stranger = (
        PartyMember.objects.exclude(branch__path__startswith=round_.organization.path)
        .order_by("pk")
        .first()
    )
    with pytest.raises(ValidationError) as err:
        evaluation.ballot_cast(
            round_=round_, grades={stranger.pk: "poor"}, client_ip="10.0.0.3", code="AAAA"
        )
    assert "不属于本次评议" in str(err.value)
    assert not outsider.exists()
    with pytest.raises(ValidationError) as err:
        take(round_, "cancel", actor=personas["wangge"], reason=" ")
    assert "取消理由" in str(err.value)
    take(round_, "cancel", actor=personas["wangge"], reason="时间冲突，改期")
    # a cancelled round frees the year for a new one
    assert _round(personas).pk != round_.pk


def test_the_round_list_reads_in_fixed_queries(personas, client_for, django_assert_max_num_queries):
    client = client_for("shequ")
    before = client.get("/api/v1/scoring/evaluations").json()["count"]
    for years_back in (2, 3, 4):
        _round(personas, year=timezone.localdate().year - years_back)
    with django_assert_max_num_queries(20):
        response = client.get("/scoring/evaluations/")
    assert response.status_code == 200 and response.content.decode().count("年度民主评议党员") >= 3
    assert client.get("/api/v1/scoring/evaluations").json()["count"] == before + 3
