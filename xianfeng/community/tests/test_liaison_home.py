"""The unit liaison's home (issue 10): its pairings with both sides' commitments, and its
in-service members' record in the communities (报到, visits this year, tasks done), in a fixed
number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.orgs.models import Pairing
from xianfeng.people.choices import CaseKind, CaseState, MemberKind
from xianfeng.people.models import MemberCase, PartyMember
from xianfeng.visits.models import Visit

pytestmark = pytest.mark.django_db


def _unit_members(personas):
    unit = role_org(personas["danwei"])
    return unit, PartyMember.objects.filter(
        kind=MemberKind.IN_SERVICE, branch__path__startswith=unit.path
    ).select_related("person")


def test_the_liaison_sees_commitments_and_its_members_record(client_for, personas):
    unit, members = _unit_members(personas)
    member = members.order_by("person__name_pinyin", "id").first()
    assert member is not None  # the demo unit has in-service members
    pairing = (
        Pairing.objects.filter(org_a=unit).first() or Pairing.objects.filter(org_b=unit).first()
    )
    if pairing is not None:
        Pairing.objects.filter(pk=pairing.pk).update(commitments_a="每季度一次义诊进社区")
    MemberCase.objects.create(
        member=member, kind=CaseKind.REPORT, state=CaseState.ACCEPTED, organization=member.branch
    )
    visits_this_year = Visit.objects.filter(
        member=member, visited_at__year=timezone.localdate().year
    ).count()
    home = client_for("danwei").get("/").content.decode()
    assert "本单位在职党员进社区" in home and member.person.name in home
    assert "社区已接收" in home
    if pairing is not None:
        assert "每季度一次义诊进社区" in home
    row = home[home.index(f"<td>{member.person.name}</td>") :].split("</tr>")[0]
    assert f'<td data-label="今年走访">{visits_this_year}</td>' in row
    # Another role does not get the section.
    assert "本单位在职党员进社区" not in client_for("shequ").get("/").content.decode()


def test_the_section_costs_the_same_queries_for_more_members(client_for, personas):
    _unit, members = _unit_members(personas)
    members = members.filter(pk__in=PartyMember.objects.restrict(personas["danwei"]))
    assert members.count() >= 2
    client = client_for("danwei")
    client.get("/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx)

    first = queries()
    for m in members:
        MemberCase.objects.create(
            member=m, kind=CaseKind.REPORT, state=CaseState.REGISTERED, organization=m.branch
        )
    assert queries() == first
