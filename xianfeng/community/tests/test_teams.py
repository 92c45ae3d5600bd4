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
