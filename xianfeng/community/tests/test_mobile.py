"""Mobile members: the twenty-townsmen goal (configurable, no cap) with contacts per month; the
流动党员之家 records services that the flow-out branch sees."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.community import mobile, services
from xianfeng.core.testing import role_org
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import MemberKind
from xianfeng.people.models import PartyMember
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def mobile_user(personas):
    member = f.dangyuan()
    member.kind = MemberKind.MOBILE
    member.save()
    return personas["dangyuan"]


def test_a_twenty_first_townsman_is_welcome_and_counted_beyond_the_goal(mobile_user, settings):
    settings.XIANFENG_TOWNSMEN_GOAL = 20
    for i in range(21):
        services.townsman_add(actor=mobile_user, name=f"老乡{i}", phone="")
    progress = mobile.townsmen_progress(f.dangyuan())
    assert progress["paired"] == 21 and progress["beyond"] == 1 and progress["left"] == 0
    settings.XIANFENG_TOWNSMEN_GOAL = 30
    assert mobile.townsmen_progress(f.dangyuan())["left"] == 9


def test_contacts_are_counted_per_month(mobile_user):
    t = services.townsman_add(actor=mobile_user, name="老乡", phone="")
    services.townsman_contact_log(
        actor=mobile_user, townsman=t, way="phone", contacted_at=timezone.now(), purposes=["policy"]
    )
    assert mobile.townsmen_progress(f.dangyuan())["contacts_this_month"] == 1
    assert mobile.contacts_per_month(f.dangyuan())[0]["count"] == 1


def test_the_home_records_services_the_flow_out_branch_sees(personas):
    home = Organization.objects.filter(kind="mobile_home").order_by("pk").first()
    member = PartyMember.objects.filter(branch__path__startswith=home.path).first()
    service = mobile.mobile_service_record(
        actor=personas["qu"],
        member=member,
        home=home,
        kind="job",
        served_on=timezone.localdate(),
        content="介绍到工业园区就业",
    )
    assert service in mobile.mobile_services(personas["qu"])
    with pytest.raises(ValidationError, match="请选择服务类型"):
        mobile.mobile_service_record(
            actor=personas["qu"],
            member=member,
            home=home,
            kind="x",
            served_on=timezone.localdate(),
            content="x",
        )
    with pytest.raises(PermissionDenied):
        mobile.mobile_service_record(
            actor=personas["dangyuan"],
            member=member,
            home=home,
            kind="job",
            served_on=timezone.localdate(),
            content="x",
        )


def test_the_home_and_the_flow_out_branch_track_every_mobile_member(
    mobile_user, personas, settings, client_for, django_assert_max_num_queries
):
    """Per mobile member: townsmen paired against the goal (21 of 20 counted, not capped), this
    month's contacts and the home's services, the furthest from the goal first; a member
    received elsewhere (an active flow case) is tracked by the receiving side too."""
    from xianfeng.people.choices import CaseKind, CaseState
    from xianfeng.people.models import MemberCase

    settings.XIANFENG_TOWNSMEN_GOAL = 20
    for i in range(21):
        t = services.townsman_add(actor=mobile_user, name=f"老乡{i}", phone="")
    services.townsman_contact_log(
        actor=mobile_user, townsman=t, way="phone", contacted_at=timezone.now(), purposes=["policy"]
    )
    rows = list(mobile.mobile_members_progress(personas["shequ"]))
    mine = next(m for m in rows if m.pk == f.dangyuan().pk)
    assert mine.paired == 21 and mine.contacts_this_month == 1 and mine.home_services == 0
    assert [m.paired for m in rows] == sorted(m.paired for m in rows)
    assert all(m.pk != mine.pk for m in mobile.mobile_members_progress(personas["shequ2"]))
    # Received by an organization on the other side: it tracks the member too, while it lasts.
    other = role_org(personas["shequ2"])
    case = MemberCase.objects.create(
        member=f.dangyuan(), kind=CaseKind.FLOW_IN, state=CaseState.ACTIVE, organization=other
    )
    assert any(m.pk == mine.pk for m in mobile.mobile_members_progress(personas["shequ2"]))
    MemberCase.objects.filter(pk=case.pk).update(state=CaseState.ENDED)
    assert all(m.pk != mine.pk for m in mobile.mobile_members_progress(personas["shequ2"]))
    # The page: the twenty-first counted beyond the goal, in a fixed number of queries.
    client = client_for("shequ")
    with django_assert_max_num_queries(15):
        body = client.get("/work/mobile-members/").content.decode()
    assert "超出目标1名" in body and f.dangyuan().person.name in body
    assert 'href="/work/mobile-members/"' in client.get("/work/mobile-services/").content.decode()
