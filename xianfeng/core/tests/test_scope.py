import pytest
from django.contrib.auth.models import AnonymousUser

from xianfeng.core.choices import Action, RoleKind
from xianfeng.core.models import Role, User
from xianfeng.core.testing import role_org
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Household

pytestmark = pytest.mark.django_db


def _paths(qs, lookup):
    return set(qs.values_list(lookup, flat=True))


def test_a_community_admin_sees_only_their_community(personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    members = PartyMember.objects.restrict(shequ)
    assert members.exists()
    assert all(p.startswith(community.path) for p in _paths(members, "branch__path"))
    other = role_org(personas["shequ2"])
    assert not members.filter(branch__path__startswith=other.path).exists()


def test_the_district_admin_sees_every_member(personas):
    qu = User.objects.get(username="qu")
    assert PartyMember.objects.restrict(qu).count() == PartyMember.objects.count()


def test_the_auditor_reads_everything_and_changes_nothing(personas):
    jiancha = personas["jiancha"]
    assert Household.objects.restrict(jiancha).count() == Household.objects.count()
    for model in (Organization, PartyMember, Building, Household):
        for action in (Action.ADD, Action.CHANGE, Action.DELETE):
            assert not model.objects.restrict(jiancha, action).exists()


def test_a_member_reads_their_branch_but_cannot_change_it(personas):
    dangyuan = personas["dangyuan"]
    assert PartyMember.objects.restrict(dangyuan).exists()
    assert not PartyMember.objects.restrict(dangyuan, Action.CHANGE).exists()


def test_a_unit_liaison_sees_no_community_households(personas):
    assert not Household.objects.restrict(personas["danwei"]).exists()


def test_anonymous_and_roleless_users_see_nothing():
    roleless = User.objects.create_user("nobody", password="x-long-password-1")
    for user in (AnonymousUser(), roleless):
        assert not PartyMember.objects.restrict(user).exists()
        assert not Organization.objects.restrict(user).exists()


def test_an_inactive_role_gives_no_scope(personas):
    user = User.objects.create_user("former", password="x-long-password-1")
    Role.objects.create(
        user=user,
        kind=RoleKind.COMMUNITY_ADMIN,
        organization=role_org(personas["shequ"]),
        is_active=False,
    )
    assert not PartyMember.objects.restrict(user).exists()


def test_a_user_with_two_roles_sees_both_subtrees(personas):
    user = User.objects.create_user("both", password="x-long-password-1")
    a, b = role_org(personas["shequ"]), role_org(personas["shequ2"])
    for org in (a, b):
        Role.objects.create(user=user, kind=RoleKind.COMMUNITY_ADMIN, organization=org)
    seen = PartyMember.objects.restrict(user)
    assert seen.filter(branch__path__startswith=a.path).exists()
    assert seen.filter(branch__path__startswith=b.path).exists()
    assert (
        seen.count()
        == PartyMember.objects.filter(branch__path__startswith=a.path).count()
        + PartyMember.objects.filter(branch__path__startswith=b.path).count()
    )
