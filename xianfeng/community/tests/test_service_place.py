"""An accepted 报到 gives an in-service member a service place in the residence community:
they claim its tasks, join its teams and zones and log visits there, all through the one
scoping method; revoking the 报到 or a transfer ends it. Their branch keeps their membership."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.community import teams
from xianfeng.community.tests import factories as cf
from xianfeng.core.workflow import take
from xianfeng.people import lifecycle
from xianfeng.people.models import PartyMember, ServicePlace
from xianfeng.places.models import Household
from xianfeng.work.models import Task
from xianfeng.work.tests.factories import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(personas):
    return cf.in_service_member()


def test_before_the_report_the_community_is_closed_to_the_member(personas, member):
    task = chain(cf.community())
    user = cf.account_for(member)
    assert not Task.objects.claimable_by(member).filter(pk=task.pk).exists()
    assert (
        not Household.objects.restrict(user)
        .filter(organization__path__startswith=cf.community().path)
        .exists()
    )
    with pytest.raises(PermissionDenied):
        take(task, "claim", actor=user)


def test_an_accepted_report_opens_the_community_s_work(personas, member):
    task = chain(cf.community())
    cf.reported(member, personas["shequ"])
    place = ServicePlace.objects.get(member=member)
    assert place.community == cf.community() and place.current
    user = cf.account_for(member)
    member = PartyMember.objects.select_related("branch").get(pk=member.pk)
    assert Task.objects.claimable_by(member).filter(pk=task.pk).exists()
    assert Household.objects.restrict(user).filter(organization=cf.community()).exists() or (
        Household.objects.restrict(user)
        .filter(organization__path__startswith=cf.community().path)
        .exists()
    )
    take(task, "claim", actor=user)
    task.refresh_from_db()
    assert task.assignee_id == member.pk
    team = teams.team_create(
        actor=personas["shequ"],
        organization=cf.community(),
        name="在职党员志愿队",
        kind="volunteer",
    )
    teams.team_member_add(actor=personas["shequ"], team=team, member=member)
    # the branch still owns the membership; the community sees the service place
    assert member.branch.path.startswith(cf.unit().path)
    assert ServicePlace.objects.restrict(personas["shequ"]).filter(member=member).exists()
    assert ServicePlace.objects.restrict(personas["danwei"]).filter(member=member).exists()
    assert not ServicePlace.objects.restrict(personas["shequ2"]).filter(member=member).exists()


def test_revoking_the_report_ends_the_service_place(personas, member):
    case = cf.reported(member, personas["shequ"])
    lifecycle.member_report_revoke(actor=personas["shequ"], case=case)
    place = ServicePlace.objects.get(member=member)
    assert place.ended_on is not None and place.end_reason == "revoked"
    task = chain(cf.community())
    member = PartyMember.objects.select_related("branch").get(pk=member.pk)
    assert not Task.objects.claimable_by(member).filter(pk=task.pk).exists()
    with pytest.raises(PermissionDenied):
        take(task, "claim", actor=cf.account_for(member))


def test_a_report_to_what_is_not_a_community_is_refused(personas, member):
    with pytest.raises(ValidationError) as exc:
        lifecycle.member_report_register(
            actor=cf.account_for(member), member=member, community=cf.community().parent
        )
    assert "不是社区党组织" in exc.value.message_dict["community"][0]


def test_a_second_active_report_is_refused(personas, member):
    cf.reported(member, personas["shequ"])
    with pytest.raises(ValidationError) as exc:
        lifecycle.member_report_register(
            actor=cf.account_for(member), member=member, community=cf.community()
        )
    assert "该党员已在社区报到，请先撤销原报到。" in exc.value.messages


def test_a_retired_member_is_handed_over_through_the_same_workflow(personas):
    member = cf.in_service_member(1, kind="retired")
    with pytest.raises(ValidationError) as exc:
        lifecycle.member_report_register(
            actor=cf.account_for(member), member=member, community=cf.community()
        )
    assert "只有在职党员需要进社区报到。" in exc.value.messages
    case = lifecycle.member_handover_register(
        actor=personas["danwei"], member=member, community=cf.community()
    )
    assert case.get_kind_display() == "离退休、下岗党员对接社区"
    lifecycle.member_report_accept(actor=personas["shequ"], case=case)
    assert ServicePlace.objects.filter(member=member, ended_on__isnull=True).exists()
    with pytest.raises(ValidationError):
        lifecycle.member_handover_register(
            actor=personas["danwei"], member=member, community=cf.community()
        )


def test_the_unit_hands_a_laid_off_member_over_from_the_member_page(personas, client_for):
    member = cf.in_service_member(2, kind="laid_off")
    panel = client_for("danwei").get(f"/members/{member.pk}/cases/").content.decode()
    assert "离退休、下岗党员对接社区" in panel
    response = client_for("danwei").post(
        f"/members/{member.pk}/do/handover/", {"community_code": cf.community().code}
    )
    assert response.status_code == 302
    case = member.cases.get(kind="handover")
    assert case.state == "registered" and case.organization == cf.community()
    # a second one is refused in Chinese on the page
    again = client_for("danwei").post(
        f"/members/{member.pk}/do/handover/", {"community_code": cf.community().code}, follow=True
    )
    assert "该党员已在社区报到，请先撤销原报到。" in again.content.decode()
