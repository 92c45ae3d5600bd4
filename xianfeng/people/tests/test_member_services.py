import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.models import SensitiveAccess
from xianfeng.core.testing import role_org
from xianfeng.people.models import PartyMember, Person
from xianfeng.people.services import member_create, member_update, person_reveal

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def _person(**overrides):
    data = {"name": "李明", "id_number": VALID_ID, "mobile": "13800138000"}
    data.update(overrides)
    return data


def test_a_grid_secretary_registers_a_member_with_history(personas):
    wangge = personas["wangge"]
    member = member_create(
        actor=wangge, branch=role_org(wangge), person=_person(), kind="community"
    )
    assert member.person.name_initials == "lm"
    assert member.person.gender == "female"
    assert member.history.latest().history_user == wangge
    assert member.person.history.latest().history_user == wangge


@pytest.mark.parametrize(
    ("person", "field", "fragment"),
    [
        (_person(id_number="110105194912310021"), "id_number", "校验位"),
        (_person(mobile="1380013800"), "mobile", "手机号"),
        (_person(name=""), "name", ""),
    ],
)
def test_bad_person_data_is_refused_and_nothing_is_stored(personas, person, field, fragment):
    wangge = personas["wangge"]
    before = (Person.objects.count(), PartyMember.objects.count())
    with pytest.raises(ValidationError) as exc:
        member_create(actor=wangge, branch=role_org(wangge), person=person)
    assert field in exc.value.message_dict
    assert fragment in " ".join(exc.value.message_dict[field])
    assert (Person.objects.count(), PartyMember.objects.count()) == before


def test_a_duplicate_id_number_is_refused(personas):
    wangge = personas["wangge"]
    existing = PartyMember.objects.filter(person__id_number__isnull=False).first().person
    with pytest.raises(ValidationError) as exc:
        member_create(
            actor=wangge, branch=role_org(wangge), person=_person(id_number=existing.id_number)
        )
    assert "已登记" in " ".join(exc.value.message_dict["id_number"])


def test_a_member_placed_in_a_branch_outside_scope_is_refused(personas):
    before = PartyMember.objects.count()
    with pytest.raises(ValidationError) as exc:
        member_create(
            actor=personas["shequ"], branch=role_org(personas["shequ2"]), person=_person()
        )
    assert "管辖范围" in " ".join(exc.value.message_dict["branch"])
    assert PartyMember.objects.count() == before


def test_an_in_service_member_needs_a_work_unit(personas):
    wangge = personas["wangge"]
    with pytest.raises(ValidationError) as exc:
        member_create(actor=wangge, branch=role_org(wangge), person=_person(), kind="in_service")
    assert "work_unit" in exc.value.message_dict


def test_moving_a_member_to_a_branch_outside_scope_is_refused(personas):
    shequ = personas["shequ"]
    member = PartyMember.objects.restrict(shequ, "change").first()
    with pytest.raises(ValidationError):
        member_update(actor=shequ, member=member, branch=role_org(personas["shequ2"]))
    member.refresh_from_db()
    assert member.branch.path.startswith(role_org(shequ).path)


def test_revealing_a_person_is_recorded(personas):
    shequ = personas["shequ"]
    person = PartyMember.objects.restrict(shequ).select_related("person").first().person
    full = person_reveal(user=shequ, person=person, channel="page")
    assert full["id_number"] == person.id_number
    assert SensitiveAccess.objects.filter(user=shequ, person=person, channel="page").exists()


@pytest.mark.parametrize("username", ["jiancha", "dangyuan", "danwei"])
def test_roles_that_do_not_need_full_numbers_cannot_reveal_them(personas, username):
    user = personas[username]
    person = PartyMember.objects.restrict(user).select_related("person").first()
    target = person.person if person else Person.objects.first()
    with pytest.raises(PermissionDenied):
        person_reveal(user=user, person=target, channel="page")
    assert not SensitiveAccess.objects.filter(user=user).exists()
