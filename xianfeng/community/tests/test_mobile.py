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


def _home_and_member():
    home = Organization.objects.filter(kind="mobile_home").order_by("path").first()
    member = PartyMember.objects.filter(branch__path__startswith=home.path).order_by("pk").first()
    return home, member


def test_the_service_form_offers_the_homes_mobile_members_to_pick(personas, client_for):
    """The form lists the mobile members the user's homes serve (through restrict) instead of
    asking for an internal number; a member not on that list is refused in Chinese, on the page
    and in the API, and nothing is stored."""
    home, member = _home_and_member()
    client = client_for("qu")
    page = client.get("/work/mobile-services/").content.decode()
    assert f'name="member" value="{member.pk}"' in page and 'inputmode="numeric"' not in page
    assert 'hx-get="/work/mobile-services/pick/"' in page
    offered = {m.pk for m in mobile.service_member_choices(personas["qu"])["members"]}
    assert member.pk in offered
    outsider = f.dangyuan()  # a community member, not mobile: not on the list
    assert outsider.pk not in offered
    form = {
        "home": home.pk,
        "kind": "training",
        "served_on": timezone.localdate().isoformat(),
        "content": "电工技能培训",
    }
    before = mobile.mobile_services(personas["qu"]).count()
    for bad in (outsider.pk, "", "abc", 10**12):
        refused = client.post("/work/mobile-services/", {**form, "member": bad})
        assert refused.status_code == 400
        assert "请从名单中选择本流动党员之家服务的流动党员" in refused.content.decode()
    api = client.post(
        "/api/v1/mobile-services",
        {**form, "member": outsider.pk},
        content_type="application/json",
    )
    assert api.status_code == 400 and "member" in api.json()["errors"]
    assert mobile.mobile_services(personas["qu"]).count() == before
    # a refused form comes back with the member already chosen still ticked
    again = client.post("/work/mobile-services/", {**form, "member": member.pk, "kind": "x"})
    assert again.status_code == 400
    assert f'value="{member.pk}" checked' in again.content.decode()
    done = client.post("/work/mobile-services/", {**form, "member": member.pk})
    assert done.status_code == 302
    service = mobile.mobile_services(personas["qu"]).first()
    assert (service.member, service.organization, service.kind) == (member, home, "training")


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


def test_the_mobile_member_picker_searches_the_whole_list_and_caps_nothing(
    personas, client_for, django_assert_max_num_queries
):
    """No fixed cap: the picker shows the first rows by name and says how many more a search
    finds; searching by name reaches any mobile member the home serves, the API accepts the
    one found, and a member outside the list is neither offered nor accepted (in Chinese)."""
    from xianfeng.people.selectors import PICKER_ROWS

    qu = personas["qu"]
    ids = list(
        PartyMember.objects.restrict(qu)
        .exclude(status__in=["transferred_out", "deceased"])
        .order_by("pk")
        .values_list("pk", flat=True)[: PICKER_ROWS + 5]
    )
    PartyMember.objects.filter(pk__in=ids).update(kind=MemberKind.MOBILE)
    total = mobile.mobile_members(qu).count()
    assert total > PICKER_ROWS
    client = client_for("qu")
    with django_assert_max_num_queries(12):
        first = client.get("/work/mobile-services/pick/").content.decode()
    assert first.count('name="member"') == PICKER_ROWS
    assert f"还有{total - PICKER_ROWS}人未列出" in first
    # the last by name is not among the first rows, but a search finds it
    last = (
        mobile.mobile_members(qu)
        .select_related("person")
        .order_by("-person__name_pinyin", "-pk")[0]
    )
    assert f'value="{last.pk}"' not in first
    found = client.get("/work/mobile-services/pick/", {"q": last.person.name}).content.decode()
    assert f'value="{last.pk}"' in found
    # the page's form and the API accept the one found (the same list)
    assert mobile.service_member(qu, last.pk) == last
    # out of scope: another community's admin finds nobody of this list outside its own
    # scope, by search, and may not name them (the same Chinese refusal, page and API)
    theirs = set(mobile.mobile_members(personas["shequ2"]).values_list("pk", flat=True))
    foreign = mobile.mobile_members(qu).exclude(pk__in=theirs).select_related("person").first()
    shequ2 = client_for("shequ2")
    other = shequ2.get("/work/mobile-services/pick/", {"q": foreign.person.name}).content.decode()
    assert f'value="{foreign.pk}"' not in other
    with pytest.raises(ValidationError, match="请从名单中选择本流动党员之家服务的流动党员"):
        mobile.service_member(personas["shequ2"], foreign.pk)
