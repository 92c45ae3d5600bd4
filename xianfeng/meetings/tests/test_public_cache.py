"""The public JSON of 组织生活 is cached like the other public JSON (``meetings.publiccache``): a
community's published decisions (议事公开) and a public selection. A warm answer reads nothing
from the database and is the cold answer's bytes; every change a resident would read shows at
once; another community's change leaves a community's cache alone; unknown ids answer 404 every
time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take
from xianfeng.meetings import publiccache, services, votes
from xianfeng.meetings.choices import MeetingKind
from xianfeng.meetings.models import Decision, Selection
from xianfeng.meetings.tests import factories as f
from xianfeng.meetings.tests.test_services_meetings import _units
from xianfeng.meetings.tests.test_votes import _open, _selection

pytestmark = pytest.mark.django_db


def _published_joint_meeting(personas, community, text: str, starts_in=timedelta(minutes=30)):
    units = _units(community)
    meeting = f.meeting(
        personas["admin"], community, kind=MeetingKind.JOINT, units=units, invite=[],
        starts_in=starts_in,
    )  # fmt: skip
    take(meeting, "hold", actor=personas["shequ"])
    services.minutes_save(actor=personas["shequ"], meeting=meeting, minutes="议定停车难问题")
    services.decision_add(actor=personas["shequ"], meeting=meeting, text=text)
    take(meeting, "publish", actor=personas["shequ"])
    meeting.refresh_from_db()
    return meeting


def _decisions(community) -> list[dict]:
    answer = Client().get(
        f"/api/v1/public/communities/{community.pk}/decisions", {"page_size": 200}
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def test_a_warm_decisions_page_reads_nothing_and_answers_the_same_bytes(personas):
    community = role_org(personas["shequ"])
    _published_joint_meeting(personas, community, "共享单位车位夜间开放")
    url = f"/api/v1/public/communities/{community.pk}/decisions?page_size=200"
    cold = Client().get(url)
    assert cold.status_code == 200 and cold["Content-Type"].startswith("application/json")
    with CaptureQueriesContext(connection) as warm_queries:
        warm = Client().get(url)
    assert warm.content == cold.content
    assert not [
        q
        for q in warm_queries.captured_queries
        if "meetings_" in q["sql"] or "orgs_organization" in q["sql"]
    ]
    other = Client().get(url.replace("page_size=200", "page_size=1"))
    assert other.json()["page_size"] == 1 and len(other.json()["results"]) == 1


def test_every_change_to_the_public_decisions_shows_at_once(personas):
    community = role_org(personas["shequ"])
    meeting = _published_joint_meeting(personas, community, "共享单位车位夜间开放")
    assert "共享单位车位夜间开放" in [d["text"] for d in _decisions(community)]  # warm

    decision = Decision.objects.get(meeting=meeting)
    decision.responsible = "物业公司"
    decision.save()
    shown = {d["text"]: d for d in _decisions(community)}
    assert shown["共享单位车位夜间开放"]["responsible"] == "物业公司"

    later = _published_joint_meeting(
        personas, community, "楼道照明改造", starts_in=timedelta(days=30)
    )
    assert "楼道照明改造" in [d["text"] for d in _decisions(community)]

    # the convener's new name shows on its decisions
    convener = later.convener
    convener.short_name = "改名后的成员单位"
    convener.save()
    topics = {d["text"]: d["convener"] for d in _decisions(community)}
    assert topics["楼道照明改造"] == convener.display_name

    # a decision removed: gone at once
    decision.delete()
    texts = [d["text"] for d in _decisions(community)]
    assert "共享单位车位夜间开放" not in texts and "楼道照明改造" in texts


def test_another_communitys_meeting_leaves_a_communitys_cache_alone(personas):
    community = role_org(personas["shequ"])
    before = publiccache.decisions_version(community.pk)
    f.meeting(personas["shequ2"], role_org(personas["shequ2"]))
    assert publiccache.decisions_version(community.pk) == before
    f.meeting(personas["shequ"], community)
    assert publiccache.decisions_version(community.pk) != before


def test_unknown_ids_answer_404_every_time(personas):
    branch = role_org(personas["wangge"])  # an organization, not a community
    for _ in range(2):
        for url in (
            "/api/v1/public/communities/999999/decisions",
            f"/api/v1/public/communities/{branch.pk}/decisions",
            "/api/v1/public/selections/999999",
        ):
            assert Client().get(url).status_code == 404, url


def _shown(selection: Selection) -> dict:
    answer = Client().get(f"/api/v1/public/selections/{selection.pk}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_every_change_to_a_public_selection_shows_at_once(personas):
    selection = _selection(personas)
    url = f"/api/v1/public/selections/{selection.pk}"
    cold = Client().get(url)
    with CaptureQueriesContext(connection) as warm_queries:
        warm = Client().get(url)
    assert warm.content == cold.content
    assert not [q for q in warm_queries.captured_queries if "meetings_" in q["sql"]]

    votes.candidate_nominate(
        actor=personas["shequ"], selection=selection, name="王建华", deeds="调解邻里纠纷"
    )
    assert "王建华" in [c["name"] for c in _shown(selection)["candidates"]]

    selection = _open(selection, personas)
    assert _shown(selection)["state"] == "voting"
    code = votes.codes_issue(actor=personas["shequ"], selection=selection, count=1)[0]
    chosen = selection.candidates.get(name="王建华")
    votes.vote_cast(selection=selection, candidate=chosen.pk, client_ip="10.9.0.1", code=code)
    assert all(c["votes"] is None for c in _shown(selection)["candidates"])  # no running count

    yesterday = timezone.localdate() - timedelta(days=1)
    Selection.objects.filter(pk=selection.pk).update(
        nominate_until=yesterday - timedelta(days=2), vote_starts=yesterday - timedelta(days=1),
        vote_ends=yesterday,
    )  # fmt: skip
    take(selection, "publish", actor=personas["shequ"])
    shown = _shown(selection)
    assert shown["state"] == "published"
    assert {c["name"]: c["votes"] for c in shown["candidates"]}["王建华"] == 1

    organizer = selection.organization
    organizer.short_name = "改名后的社区"
    organizer.save()
    assert _shown(selection)["organization"] == organizer.display_name
