"""A team claims an order as one (issue 14): a member on one of the community's teams takes
the ``claim_for_team`` step of the order workflow; the order is the team's, every member of
the team sees it in their orders, and when it is served the team's members who took part each
get the act in the duty ledger (and the hours). A member not on the team, or outside the
order's community, is refused in Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.community import teams
from xianfeng.community.models import ServiceSession, Team
from xianfeng.community.tests import factories as cf
from xianfeng.core.models import DutyRecord
from xianfeng.core.workflow import take
from xianfeng.demo.base import persona_member
from xianfeng.services import selectors
from xianfeng.services.choices import OrderState
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    """The demo's volunteer team in ``shequ``'s community; ``dangyuan`` leads it."""
    found = Team.objects.get(organization=cf.community(), name="在职党员志愿服务队")
    assert found.has_member(persona_member("dangyuan").pk)
    return found


def _other_on(team):
    """Another current member of the team, with their own account."""
    membership = (
        team.memberships.filter(left_on__isnull=True)
        .exclude(member=persona_member("dangyuan"))
        .select_related("member__person")
        .first()
    )
    return membership.member, cf.account_for(membership.member)


def _ledger(order, kind):
    return DutyRecord.objects.filter(object_id=str(order.pk), action=kind)


def test_a_team_member_claims_an_order_that_all_the_team_then_sees(personas, team):
    order = f.order(f.community_of(personas["shequ"]))
    other, other_user = _other_on(team)
    # the community's new orders are there for the team's leader to claim (a plain member of
    # the team whose own scope does not cover the order does not see it: the permission
    # matrix's test_a_waiting_order_answers_a_teams_leader_without_contact_then_the_team)
    assert order in selectors.orders(personas["dangyuan"])
    take(order, "claim_for_team", actor=personas["dangyuan"], team=str(team.pk))
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED
    assert (order.team, order.assignee) == (team, persona_member("dangyuan"))
    claimed = _ledger(order, "order.team_claimed").get()
    assert claimed.member == persona_member("dangyuan") and team.name in claimed.note
    # every member of the team sees it among their own orders (the page, the API, the home)
    assert order in selectors.orders(other_user, mine=True)
    mine = "/api/v1/orders?mine=true&page_size=200"
    client = cf_client(other_user)
    assert order.pk in {row["id"] for row in client.get(mine).json()["results"]}
    assert client.get(f"/services/orders/{order.pk}/").status_code == 200
    # served with the team's members who took part: the act and the hours for each
    take(
        order,
        "serve",
        actor=personas["dangyuan"],
        note="两名队员上门疏通下水道",
        hours="2",
        participants=[other.pk],
    )
    served = _ledger(order, "order.served")
    assert {r.member_id for r in served} == {persona_member("dangyuan").pk, other.pk}
    sessions = ServiceSession.objects.filter(reference=order.code)
    assert {s.member_id for s in sessions} == {persona_member("dangyuan").pk, other.pk}


def cf_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_member_alone_on_one_team_need_not_name_it(personas, team):
    order = f.order(f.community_of(personas["shequ"]))
    take(order, "claim_for_team", actor=personas["dangyuan"])
    order.refresh_from_db()
    assert order.team == team


def test_a_member_not_on_the_team_is_refused_in_chinese(personas, team, client_for):
    order = f.order(f.community_of(personas["shequ"]))
    outsider = cf.in_service_member(5)
    cf.reported(outsider, personas["shequ"])
    user = cf.account_for(outsider)
    with pytest.raises(PermissionDenied, match="只有本社区队伍的队长可以以队伍名义接单"):
        take(order, "claim_for_team", actor=user, team=str(team.pk))
    # a plain member of the team does not claim for it either: its leader does
    _other, plain = _other_on(team)
    with pytest.raises(PermissionDenied, match="只有本社区队伍的队长可以以队伍名义接单"):
        take(order, "claim_for_team", actor=plain, team=str(team.pk))
    # on another team of the community, naming the volunteer team: still not theirs
    patrol = teams.team_create(
        actor=personas["shequ"], organization=cf.community(), name="安全巡查队", kind="patrol"
    )
    teams.team_member_add(actor=personas["shequ"], team=patrol, member=outsider, role="leader")
    user = cf.account_for(outsider)
    with pytest.raises(PermissionDenied, match="只有该队队长可以以队伍名义接单"):
        take(order, "claim_for_team", actor=user, team=str(team.pk))
    answer = cf_client(user).post(
        f"/api/v1/orders/{order.pk}/claim-for-team",
        {"team": team.pk},
        content_type="application/json",
    )
    assert answer.status_code == 403 and "只有该队队长" in answer.json()["detail"]
    # the staff who dispatch are on no team: the step is not theirs either
    answer = client_for("shequ").post(
        f"/api/v1/orders/{order.pk}/claim-for-team", {}, content_type="application/json"
    )
    assert answer.status_code == 403 and "队伍" in answer.json()["detail"]
    order.refresh_from_db()
    assert order.state == OrderState.NEW and order.team is None
    assert not _ledger(order, "order.team_claimed").exists()


def test_only_the_teams_members_are_named_as_taking_part(personas, team):
    order = f.order(f.community_of(personas["shequ"]))
    take(order, "claim_for_team", actor=personas["dangyuan"], team=team.pk)
    stranger = cf.in_service_member(6)
    with pytest.raises(ValidationError, match="不是该队队员") as refused:
        take(order, "serve", actor=personas["dangyuan"], note="已办", participants=[stranger.pk])
    assert str(stranger.pk) in refused.value.message_dict["participants"][0]
    with pytest.raises(ValidationError, match="应填党员编号（数字），以下不是：abc"):
        take(order, "serve", actor=personas["dangyuan"], note="已办", participants="abc")
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and not _ledger(order, "order.served").exists()
    # an order served by one member alone takes no participants
    alone = f.order(f.community_of(personas["shequ"]))
    take(alone, "dispatch", actor=personas["shequ"], member=str(persona_member("dangyuan").pk))
    take(alone, "accept", actor=personas["dangyuan"])
    with pytest.raises(ValidationError, match="只有队伍接的点单可以登记参加的队员"):
        take(alone, "serve", actor=personas["dangyuan"], note="已办", participants=[1])


def test_an_order_of_another_community_is_out_of_reach(personas, team, client_for):
    elsewhere = f.order(f.community_of(personas["shequ2"]))
    answer = client_for("dangyuan").post(
        f"/api/v1/orders/{elsewhere.pk}/claim-for-team",
        {"team": team.pk},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert client_for("dangyuan").get(f"/api/v1/orders/{elsewhere.pk}").status_code == 404
    with pytest.raises(PermissionDenied, match="只有本社区队伍的队长可以以队伍名义接单"):
        take(elsewhere, "claim_for_team", actor=personas["dangyuan"], team=team.pk)
    elsewhere.refresh_from_db()
    assert elsewhere.state == OrderState.NEW and elsewhere.team is None


def test_the_page_offers_the_members_teams_and_claims(personas, team, client_for):
    order = f.order(f.community_of(personas["shequ"]))
    client = client_for("dangyuan")
    page = client.get(f"/services/orders/{order.pk}/").content.decode()
    assert 'id="claim-for-team"' in page and f'<option value="{team.pk}">' in page
    answer = client.post(f"/services/orders/{order.pk}/claim_for_team/", {"team": team.pk})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.team == team and order.state == OrderState.ACCEPTED
    page = client.get(f"/services/orders/{order.pk}/").content.decode()
    assert 'id="participants"' in page


def test_the_team_page_lists_the_orders_the_team_took(personas, team, client_for):
    order = f.order(f.community_of(personas["shequ"]))
    take(order, "claim_for_team", actor=personas["dangyuan"], team=team.pk)
    other = f.order(f.community_of(personas["shequ"]))  # not the team's
    for persona in ("dangyuan", "shequ"):
        section = client_for(persona).get(f"/work/teams/{team.pk}/").content.decode()
        section = section.split('id="team-orders"')[1].split("</section>")[0]
        assert order.code in section and other.code not in section, persona
    assert selectors.team_orders(personas["shequ2"], team) == []


def test_the_order_shows_which_team_members_took_part(personas, team, client_for):
    """Once a team's order is served, its page and ``GET /api/v1/orders/{id}`` name the members
    who took part (the one who served and those ticked), read from the duty ledger; nobody
    before it is served, and nobody else of the team."""
    order = f.order(f.community_of(personas["shequ"]))
    take(order, "claim_for_team", actor=personas["dangyuan"], team=team.pk)
    other, _user = _other_on(team)
    staff = client_for("shequ")
    assert staff.get(f"/api/v1/orders/{order.pk}").json()["participants"] == []
    take(order, "serve", actor=personas["dangyuan"], note="已办", participants=[other.pk])
    took_part = {persona_member("dangyuan").pk, other.pk}
    api = staff.get(f"/api/v1/orders/{order.pk}").json()
    assert {m["id"] for m in api["participants"]} == took_part
    assert {m["name"] for m in api["participants"]} == {
        persona_member("dangyuan").person.name,
        other.person.name,
    }
    page = staff.get(f"/services/orders/{order.pk}/").content.decode()
    shown = page.split('id="order-participants">')[1].split("</dd>")[0]
    assert other.person.name in shown and persona_member("dangyuan").person.name in shown
    left_out = (
        team.memberships.filter(left_on__isnull=True)
        .exclude(member__in=took_part)
        .select_related("member__person")
        .first()
    )
    if left_out is not None:
        assert left_out.member.person.name not in shown
    # a member's own order names no team members
    alone = f.order(f.community_of(personas["shequ"]))
    take(alone, "dispatch", actor=personas["shequ"], member=str(persona_member("dangyuan").pk))
    take(alone, "accept", actor=personas["dangyuan"])
    take(alone, "serve", actor=personas["dangyuan"], note="已办")
    assert staff.get(f"/api/v1/orders/{alone.pk}").json()["participants"] == []
    assert (
        'id="order-participants"' not in staff.get(f"/services/orders/{alone.pk}/").content.decode()
    )


def test_the_dispatch_form_searches_the_communitys_members(personas, client_for):
    """The dispatch form offers the search-as-you-type picker under the order's community
    (its own members and those serving there after 报到) instead of a bare member number; the
    step accepts exactly those, and refuses a member of another community in Chinese, on the
    page and in the API, dispatching nothing."""
    from xianfeng.people.models import PartyMember

    community = f.community_of(personas["shequ"])
    order = f.order(community)
    serving = cf.in_service_member(4)
    cf.reported(serving, personas["shequ"])
    client = client_for("jiedao")  # the street's staff see more than one community
    page = client.get(f"/services/orders/{order.pk}/").content.decode()
    assert 'inputmode="numeric"' not in page and 'id="member-search"' in page
    assert f'"under": "{order.community_id}"' in page
    found = client.get(
        "/members/pick/", {"q": serving.person.name, "under": order.community_id}
    ).content.decode()
    assert f'value="{serving.pk}"' in found
    elsewhere = (
        PartyMember.objects.restrict(personas["jiedao"])
        .exclude(pk__in=PartyMember.objects.acting_under(community).values("pk"))
        .select_related("person")
        .first()
    )
    assert elsewhere is not None
    picked = client.get(
        "/members/pick/", {"q": elsewhere.person.name, "under": order.community_id}
    ).content.decode()
    assert f'value="{elsewhere.pk}"' not in picked
    refused = client.post(f"/services/orders/{order.pk}/dispatch/", {"member": elsewhere.pk})
    assert refused.status_code == 400
    assert "不在这个社区服务" in refused.content.decode()
    api = client.post(
        f"/api/v1/orders/{order.pk}/dispatch",
        {"member": elsewhere.pk},
        content_type="application/json",
    )
    assert api.status_code == 400 and "不在这个社区服务" in str(api.json())
    order.refresh_from_db()
    assert order.state == OrderState.NEW and order.assignee is None
    done = client.post(f"/services/orders/{order.pk}/dispatch/", {"member": serving.pk})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED and order.assignee == serving


def _schema(doc: dict, node: dict) -> dict:
    """An OpenAPI schema with its ``$ref`` followed."""
    while "$ref" in node:
        node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_serve_api_takes_participants_as_a_list_or_a_comma_string(personas, team, client_for):
    """``POST /api/v1/orders/{id}/serve`` (multipart) takes ``participants`` as one repeated
    field per member (an array in the OpenAPI document), and still as one comma-separated
    field; an id that is no number, or no member of the team, answers 400 in Chinese and
    writes nothing."""
    from xianfeng.people.models import PartyMember

    other, _user = _other_on(team)
    third = (
        PartyMember.objects.filter(branch__path__startswith=team.organization.path)
        .exclude(team_memberships__team=team)
        .order_by("pk")
        .first()
    )
    teams.team_member_add(actor=personas["shequ"], team=team, member=third)
    stranger = cf.in_service_member(6)
    leader = client_for("dangyuan")
    took_part = {persona_member("dangyuan").pk, other.pk, third.pk}

    def claimed():
        order = f.order(f.community_of(personas["shequ"]))
        take(order, "claim_for_team", actor=personas["dangyuan"], team=team.pk)
        return order

    order = claimed()
    url = f"/api/v1/orders/{order.pk}/serve"
    refusals = [
        (["abc"], "以下不是：abc"),
        ([str(other.pk), "12x"], "以下不是：12x"),
        ([f"{other.pk},-3"], "以下不是：-3"),
        ([str(other.pk), str(stranger.pk)], f"不是该队队员：{stranger.pk}"),
    ]
    for bad, words in refusals:
        answer = leader.post(url, {"note": "已办", "participants": bad})
        assert answer.status_code == 400, (bad, answer.content)
        assert any(words in m for m in answer.json()["errors"]["participants"]), answer.json()
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and not _ledger(order, "order.served").exists()

    # one field per member: participants=<id>&participants=<id>
    answer = leader.post(url, {"note": "已办", "participants": [str(other.pk), str(third.pk)]})
    assert answer.status_code == 200, answer.content
    assert {m["id"] for m in answer.json()["participants"]} == took_part
    assert _ledger(order, "order.served").count() == 3

    # the older form: one comma-separated field (a full-width comma too)
    for joined in (f"{other.pk},{third.pk}", f"{other.pk}，{third.pk}"):
        order = claimed()
        answer = leader.post(
            f"/api/v1/orders/{order.pk}/serve", {"note": "已办", "participants": joined}
        )
        assert answer.status_code == 200, answer.content
        assert {m["id"] for m in answer.json()["participants"]} == took_part, joined

    doc = leader.get("/api/v1/openapi.json").json()
    body = doc["paths"]["/api/v1/orders/{order_id}/serve"]["post"]["requestBody"]["content"]
    schema = _schema(doc, body["multipart/form-data"]["schema"])
    field = schema["properties"]["participants"]
    kinds = [_schema(doc, f) for f in field.get("anyOf", [field])]
    assert any(k.get("type") == "array" and k["items"]["type"] == "string" for k in kinds), field
    assert "participants=12&participants=15" in field.get("description", ""), field
