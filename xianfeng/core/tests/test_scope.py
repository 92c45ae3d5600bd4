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


def test_scope_paths_are_worked_out_once_per_user_object(personas, monkeypatch):
    """A page asks for the same scope several times (filter, COUNT, buttons, menu): the roles
    are read once and the paths worked out once per user object, model and action (issue 11);
    a caller changing the list it got does not change the next answer, and a new user object
    (the next request) sees a role given meanwhile."""
    from xianfeng.core import scope

    user = User.objects.get(username="shequ")
    calls = []
    original = scope.allowed_role_kinds
    monkeypatch.setattr(
        scope, "allowed_role_kinds", lambda m, a: calls.append((m, a)) or original(m, a)
    )
    first = scope.scope_paths(user, PartyMember, Action.CHANGE)
    first.append("999")
    assert scope.scope_paths(user, PartyMember, Action.CHANGE) == first[:-1]
    assert calls == [(PartyMember, Action.CHANGE)]
    scope.scope_paths(user, Building, Action.CHANGE)
    assert len(calls) == 2
    other = role_org(personas["shequ2"])
    Role.objects.create(user=user, organization=other, kind=RoleKind.COMMUNITY_ADMIN)
    assert other.path not in scope.scope_paths(user, PartyMember, Action.CHANGE)
    fresh = User.objects.get(pk=user.pk)
    assert other.path in scope.scope_paths(fresh, PartyMember, Action.CHANGE)


def test_active_roles_are_what_the_orm_reads_for_every_persona(personas):
    from xianfeng.core.scope import active_roles, roles_queryset

    community = role_org(personas["shequ"])
    # an inactive role is left out
    Role.objects.create(
        user=personas["qu"], kind=RoleKind.AUDITOR, organization=community, is_active=False
    )
    for person in personas.values():
        fresh = User.objects.get(pk=person.pk)  # no roles cached on it
        expected = [tuple(row) for row in roles_queryset(fresh)]
        got = [
            (r.kind, r.organization_id, r.path, r.organization_name) for r in active_roles(fresh)
        ]
        assert got == expected, person.username
    qu = active_roles(User.objects.get(pk=personas["qu"].pk))
    assert qu and (RoleKind.AUDITOR, community.pk) not in {(r.kind, r.organization_id) for r in qu}
