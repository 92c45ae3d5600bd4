"""In-service members serving in a community (an accepted 报到) are offered by the pickers that
give the community's work to members: zone membership (page and API), task assignment, and
households in a member's charge; through ``PartyMember.objects.restrict(user, serving=True)``
(the one scoping method), never to a community they do not serve, and no longer once the
报到 is revoked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.community.tests import factories as cf
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take
from xianfeng.people.models import PartyMember
from xianfeng.people.selectors import member_choices
from xianfeng.places.forms import ZoneForm
from xianfeng.places.models import Household, ResponsibilityZone
from xianfeng.visits.models import HouseholdResponsibility
from xianfeng.work.forms import AssignForm
from xianfeng.work.tests.factories import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def serving(personas):
    member = cf.in_service_member()
    case = cf.reported(member, personas["shequ"])
    member.case = case
    return member


def _zone_members(user, org) -> set[int]:
    return set(
        ZoneForm(user=user, organization=org)
        .fields["members"]
        .queryset.values_list("pk", flat=True)
    )


def test_the_zone_picker_offers_members_serving_in_the_community(personas, client_for, serving):
    community = cf.community()
    assert serving.pk in _zone_members(personas["shequ"], community)
    own = PartyMember.objects.filter(branch__path__startswith=community.path).first()
    assert own.pk in _zone_members(personas["shequ"], community)
    # not to a community they do not serve
    assert serving.pk not in _zone_members(personas["shequ2"], role_org(personas["shequ2"]))
    html = client_for("shequ").get(f"/zones/new/{community.pk}/").content.decode()
    assert f'value="{serving.pk}"' in html


def test_a_zone_is_drawn_with_a_serving_member_on_the_page_and_through_the_api(
    personas, client_for, serving
):
    community = cf.community()
    response = client_for("shequ").post(
        "/api/v1/zones",
        data={
            "organization": community.pk,
            "name": "在职党员责任区",
            "kind": "community",
            "members": [serving.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    zone = ResponsibilityZone.objects.get(pk=response.json()["id"])
    assert list(zone.members.all()) == [serving]
    # shequ2 cannot name them: 400 in Chinese, nothing stored
    other = client_for("shequ2").post(
        "/api/v1/zones",
        data={
            "organization": role_org(personas["shequ2"]).pk,
            "name": "越界责任区",
            "kind": "community",
            "members": [serving.pk],
        },
        content_type="application/json",
    )
    assert other.status_code == 400
    assert "不存在或不在您的管辖范围内" in other.json()["errors"]["members"][0]
    assert not ResponsibilityZone.objects.filter(name="越界责任区").exists()


def test_the_task_assignment_picker_offers_them_and_the_page_assigns(personas, client_for, serving):
    task = chain(cf.community())
    form = AssignForm(task=task, user=personas["shequ"])
    assert form.fields["member"].queryset.filter(pk=serving.pk).exists()
    page = client_for("shequ").get(task.get_absolute_url()).content.decode()
    assert f'value="{serving.pk}"' in page
    response = client_for("shequ").post(f"/work/tasks/{task.pk}/assign/", {"member": serving.pk})
    assert response.status_code == 302, response.content.decode()[:500]
    task.refresh_from_db()
    assert task.assignee_id == serving.pk
    # shequ2's task picker does not offer them
    there = chain(role_org(personas["shequ2"]))
    assert (
        not AssignForm(task=there, user=personas["shequ2"])
        .fields["member"]
        .queryset.filter(pk=serving.pk)
        .exists()
    )


def test_the_household_picker_offers_them_and_a_household_is_put_in_their_charge(
    personas, client_for, serving
):
    community = cf.community()
    rows = member_choices(personas["shequ"], serving.person.name, community.pk)["members"]
    assert serving.pk in [m.pk for m in rows]
    html = (
        client_for("shequ")
        .get(f"/members/pick/?under={community.pk}&q={serving.person.name}")
        .content.decode()
    )
    assert f'value="{serving.pk}"' in html
    household = Household.objects.filter(organization__path__startswith=community.path).first()
    response = client_for("shequ").post(
        f"/work/coverage/not-visited/?org={community.pk}",
        {"households": [household.pk], "member": serving.pk},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert HouseholdResponsibility.objects.filter(household=household, member=serving).exists()
    # shequ2 finds no one of that name
    there = role_org(personas["shequ2"])
    assert not member_choices(personas["shequ2"], serving.person.name, there.pk)["members"]


def test_the_picker_reads_in_a_fixed_number_of_queries(personas, serving):
    community = cf.community()
    user = personas["shequ"]
    with CaptureQueriesContext(connection) as few:
        rows = member_choices(user, "", community.pk)["members"]
        [(m.person.name, m.branch.name) for m in rows]
    for i in range(3):
        other = cf.in_service_member(10 + i)
        cf.reported(other, personas["shequ"])
    with CaptureQueriesContext(connection) as more:
        rows = member_choices(user, "", community.pk)["members"]
        [(m.person.name, m.branch.name) for m in rows]
    assert len(more) == len(few)


def test_a_revoked_report_takes_them_out_of_the_pickers(personas, serving):
    take(serving.case, "report_revoke", actor=personas["shequ"], note="搬走了")
    community = cf.community()
    assert serving.pk not in _zone_members(personas["shequ"], community)
    assert (
        not AssignForm(task=chain(community), user=personas["shequ"])
        .fields["member"]
        .queryset.filter(pk=serving.pk)
        .exists()
    )
    assert not member_choices(personas["shequ"], serving.person.name, community.pk)["members"]
