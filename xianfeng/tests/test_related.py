"""What the higher apps add to the lower apps' objects through ``core/related.py`` (the layers
forbid the imports): facts on detail pages and the reasons a delete is refused."""

import pytest
from django.core.exceptions import ValidationError

from xianfeng.core import related
from xianfeng.core.testing import role_org
from xianfeng.orgs.models import Organization
from xianfeng.orgs.services import organization_delete, organization_delete_blockers
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Building, Grid, ResponsibilityZone


def test_an_org_with_grids_and_buildings_names_each_of_them_when_delete_is_refused(personas):
    grid = Grid.objects.select_related("organization").first()
    assert grid is not None
    org = grid.organization
    reasons = organization_delete_blockers(org)
    counts = {
        "个网格": Grid.objects.filter(organization=org).count(),
        "栋楼": Building.objects.filter(organization=org).count(),
        "名登记人员": Person.objects.filter(organization=org).count(),
        "名党员": PartyMember.objects.filter(branch=org).count(),
    }
    assert counts["个网格"]
    for words, n in counts.items():
        assert (f"{n}{words}" in reasons) == bool(n), (words, reasons)
    with pytest.raises(ValidationError) as exc:
        organization_delete(actor=personas["qu"], org=org)
    assert f"{counts['个网格']}个网格" in str(exc.value)
    assert Organization.objects.filter(pk=org.pk).exists()
    assert Grid.objects.filter(pk=grid.pk).exists()


def test_the_orgs_own_children_are_named_first(personas):
    community = role_org(personas["shequ"])
    reasons = organization_delete_blockers(community)
    assert reasons[0].endswith("个下级组织")


def test_a_branch_with_members_but_no_children_is_refused_for_its_members(personas):
    member = PartyMember.objects.select_related("branch").filter(branch__children=None).first()
    assert member is not None
    n = PartyMember.objects.filter(branch=member.branch).count()
    assert f"{n}名党员" in organization_delete_blockers(member.branch)


def test_detail_context_of_an_organization_counts_members_in_the_users_scope(personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    context = related.detail_context(shequ, community)
    assert context["subtree_members"] == (
        PartyMember.objects.restrict(shequ).filter(branch__path__startswith=community.path).count()
    )
    assert context["member_count"] == PartyMember.objects.filter(branch=community).count()


def test_detail_context_of_a_member_lists_their_zones(personas):
    zone = ResponsibilityZone.objects.exclude(members=None).first()
    assert zone is not None
    member = zone.members.first()
    context = related.detail_context(personas["qu"], member)
    assert zone in list(context["zones"])


def test_member_page_shows_the_zone_and_org_page_the_member_count(client_for, personas):
    zone = ResponsibilityZone.objects.exclude(members=None).first()
    member = zone.members.first()
    page = client_for("qu").get(f"/members/{member.pk}/")
    assert page.status_code == 200
    assert zone.name in page.content.decode()
    org_page = client_for("qu").get(f"/orgs/{member.branch_id}/")
    assert org_page.status_code == 200
    n = PartyMember.objects.filter(branch=member.branch).count()
    assert f"<dd>{n}</dd>" in org_page.content.decode()


def test_a_model_without_registrations_has_an_empty_context_and_no_blockers(personas):
    building = Building.objects.first()
    assert related.detail_context(personas["qu"], building) == {}
    assert related.delete_blockers(building) == []
