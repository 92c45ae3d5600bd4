"""A community forms teams from its own members and the in-service members serving there."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.community import teams
from xianfeng.community.models import Team
from xianfeng.core.models import DutyRecord
from xianfeng.demo.base import SHEQU2_COMMUNITY, SHEQU_COMMUNITY
from xianfeng.orgs.models import Organization
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(personas):
    return Organization.objects.get(code=SHEQU_COMMUNITY)


def test_a_community_forms_a_team_and_a_member_joins(personas, community):
    team = teams.team_create(
        actor=personas["shequ"], organization=community, name="夜间巡查队", kind="patrol"
    )
    membership = teams.team_member_add(actor=personas["shequ"], team=team, member=f.dangyuan())
    assert team.has_member(f.dangyuan().pk)
    assert DutyRecord.objects.filter(action="team.join", object_id=str(membership.pk)).exists()
    assert team not in Team.objects.restrict(personas["shequ2"])
    assert team in Team.objects.restrict(personas["jiedao"])


def test_a_second_team_of_the_same_name_is_refused(personas, community):
    teams.team_create(
        actor=personas["shequ"], organization=community, name="宣传队", kind="publicity"
    )
    with pytest.raises(ValidationError) as exc:
        teams.team_create(
            actor=personas["shequ"], organization=community, name="宣传队", kind="publicity"
        )
    assert "本社区已有同名队伍。" in exc.value.message_dict["name"]


def test_only_a_community_forms_a_team_and_only_its_staff(personas, community):
    street = community.parent
    with pytest.raises(ValidationError) as exc:
        teams.team_create(actor=personas["qu"], organization=street, name="队", kind="patrol")
    assert "队伍只能由社区组建。" in exc.value.message_dict["organization"]
    with pytest.raises(PermissionDenied):
        teams.team_create(
            actor=personas["shequ2"], organization=community, name="队", kind="patrol"
        )
    with pytest.raises(PermissionDenied):
        teams.team_create(
            actor=personas["dangyuan"], organization=community, name="队", kind="patrol"
        )


def test_a_member_from_elsewhere_or_twice_is_refused(personas, community):
    team = teams.team_create(
        actor=personas["shequ"], organization=community, name="督查队", kind="supervision"
    )
    outsider = f.member_under(Organization.objects.get(code=SHEQU2_COMMUNITY))
    with pytest.raises(ValidationError) as exc:
        teams.team_member_add(actor=personas["shequ"], team=team, member=outsider)
    assert "只有本社区党员" in exc.value.message_dict["member"][0]
    teams.team_member_add(actor=personas["shequ"], team=team, member=f.dangyuan())
    with pytest.raises(ValidationError) as exc:
        teams.team_member_add(actor=personas["shequ"], team=team, member=f.dangyuan())
    assert "已经是该队队员" in exc.value.message_dict["member"][0]


def _activity(client, team, participants):
    from django.utils import timezone

    return client.post(
        f"/api/v1/teams/{team.pk}/activities",
        data={
            "kind": "patrol",
            "held_on": timezone.localdate().isoformat(),
            "hours": "2",
            "content": "夜间安全巡查",
            "participants": participants,
        },
        content_type="application/json",
    )


def test_a_team_activity_names_only_the_team_s_own_members(personas, client_for, community):
    """The participants are read among the team's current members: anyone else's id (a member
    of the community not on the team, or a member out of scope) is refused with a Chinese 400
    naming the number only, never the person, and nothing is stored."""
    from xianfeng.community.models import ServiceSession, TeamActivity

    team = teams.team_create(
        actor=personas["shequ"], organization=community, name="巡查一队", kind="patrol"
    )
    teams.team_member_add(actor=personas["shequ"], team=team, member=f.dangyuan())
    neighbour = f.member_under(community)
    outsider = f.member_under(Organization.objects.get(code=SHEQU2_COMMUNITY))
    for stranger in (neighbour, outsider):
        response = _activity(client_for("dangyuan"), team, [f.dangyuan().pk, stranger.pk])
        assert response.status_code == 400, response.content
        errors = response.json()["errors"]["participants"]
        assert errors == [f"以下编号的党员不是该队队员：{stranger.pk}"]
        assert stranger.person.name not in response.content.decode("unicode_escape")
    assert not TeamActivity.objects.filter(team=team).exists()
    assert not ServiceSession.objects.filter(activity__team=team).exists()
    # a non-member of the team logging it is refused first (403), whoever they name
    response = _activity(client_for("wangge"), team, [outsider.pk])
    assert response.status_code in (403, 404)
    ok = _activity(client_for("dangyuan"), team, [f.dangyuan().pk])
    assert ok.status_code == 201, ok.content
    assert ServiceSession.objects.filter(activity__team=team, member=f.dangyuan()).count() == 1


def test_the_team_page_refuses_a_non_member_participant_too(personas, client_for, community):
    from django.utils import timezone

    team = teams.team_create(
        actor=personas["shequ"], organization=community, name="宣传一队", kind="publicity"
    )
    teams.team_member_add(actor=personas["shequ"], team=team, member=f.dangyuan())
    neighbour = f.member_under(community)
    response = client_for("shequ").post(
        f"/work/teams/{team.pk}/",
        {
            "do": "activity",
            "kind": "publicity",
            "held_on": timezone.localdate().isoformat(),
            "hours": "1",
            "content": "宣传防火知识",
            "participants": [f.dangyuan().pk, neighbour.pk],
        },
    )
    assert response.status_code == 400
    assert f"以下编号的党员不是该队队员：{neighbour.pk}" in response.content.decode()


def test_the_team_page_picks_new_members_instead_of_asking_a_number(
    personas, client_for, community
):
    """The community's staff add a member with the people app's picker (searched as one types,
    read through restrict(serving=True) under the team's community); the members of the team
    get no picker; someone from another community is refused in Chinese."""
    from xianfeng.community.tests import factories as cf

    team = teams.team_create(
        actor=personas["shequ"], organization=community, name="督查一队", kind="supervision"
    )
    serving = cf.in_service_member(7)
    cf.reported(serving, personas["shequ"])
    page = client_for("shequ").get(f"/work/teams/{team.pk}/").content.decode()
    assert 'id="member-search"' in page and 'inputmode="numeric"' not in page
    found = client_for("shequ").get(
        "/members/pick/", {"q": serving.person.name, "under": community.pk}
    )
    assert f'value="{serving.pk}"' in found.content.decode()
    teams.team_member_add(actor=personas["shequ"], team=team, member=f.dangyuan())
    assert (
        'id="member-search"'
        not in client_for("dangyuan").get(f"/work/teams/{team.pk}/").content.decode()
    )
    added = client_for("shequ").post(
        f"/work/teams/{team.pk}/", {"do": "member", "member": serving.pk}
    )
    assert added.status_code == 302 and team.has_member(serving.pk)
    elsewhere = f.member_under(Organization.objects.get(code=SHEQU2_COMMUNITY))
    for bad, message in (
        (elsewhere.pk, "只有本社区党员和在本社区报到的在职党员可以加入队伍"),
        ("", "请选择要加入队伍的党员"),
    ):
        refused = client_for("shequ").post(
            f"/work/teams/{team.pk}/", {"do": "member", "member": bad}
        )
        assert refused.status_code == 400 and message in refused.content.decode()
    assert not team.has_member(elsewhere.pk)
