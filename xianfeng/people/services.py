"""Writes for persons, party members and residents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.models import SensitiveAccess
from xianfeng.core.services import apply_fields, require_org_in_scope, save_with_history
from xianfeng.core.validators import normalize_id_number
from xianfeng.people.choices import MemberCategory, MemberKind
from xianfeng.people.models import PartyMember, Person, Resident

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.places.models import Household

PERSON_FIELDS = ("name", "gender", "birth_date", "id_number", "mobile", "address", "note")
MEMBER_FIELDS = (
    "kind",
    "category",
    "status",
    "joined_on",
    "full_member_on",
    "work_unit",
    "residence_community",
    "origin",
    "current_place",
)


def _check_member_rules(member: PartyMember) -> None:
    errors: dict[str, str] = {}
    if member.category == MemberCategory.FULL and member.joined_on and member.full_member_on:
        if member.full_member_on < member.joined_on:
            errors["full_member_on"] = _("转正日期不能早于入党日期。")
    if member.category == MemberCategory.PROBATIONARY and member.full_member_on:
        errors["full_member_on"] = _("预备党员还没有转正日期。")
    if member.kind == MemberKind.IN_SERVICE and not member.work_unit:
        errors["work_unit"] = _("在职党员请填写工作单位。")
    if member.kind == MemberKind.MOBILE and not member.origin:
        errors["origin"] = _("流动党员请填写流出地。")
    if errors:
        raise ValidationError(errors)


def _check_id_unique(id_number: str | None, exclude_pk: int | None = None) -> None:
    if not id_number:
        return
    qs = Person.objects.with_id_number(normalize_id_number(id_number))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"id_number": _("该身份证号已登记，请勿重复录入。")})


@transaction.atomic
def person_create(*, actor: User, organization: Organization, **fields: Any) -> Person:
    require_org_in_scope(
        user=actor, org=organization, model=Person, action=Action.ADD, field="organization"
    )
    _check_id_unique(fields.get("id_number"))
    person = Person(organization=organization, **fields)
    save_with_history(instance=person, actor=actor, reason=_("新建人员"))
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, **fields: Any) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    apply_fields(person, fields, PERSON_FIELDS)
    _check_id_unique(person.id_number, exclude_pk=person.pk)
    save_with_history(instance=person, actor=actor, reason=_("修改人员信息"))
    return person


@transaction.atomic
def member_create(
    *, actor: User, branch: Organization, person: dict[str, Any], **fields: Any
) -> PartyMember:
    """Register a party member: the person and the membership, in one go."""
    require_org_in_scope(
        user=actor, org=branch, model=PartyMember, action=Action.ADD, field="branch"
    )
    id_number = person.get("id_number")
    if (
        id_number
        and PartyMember.objects.filter(
            person__in=Person.objects.with_id_number(normalize_id_number(id_number))
        ).exists()
    ):
        raise ValidationError({"id_number": _("该身份证号已登记为党员，请勿重复录入。")})
    _check_id_unique(id_number)
    new_person = Person(organization=branch, **person)
    member = PartyMember(branch=branch, **fields)
    errors: dict[str, list[str]] = {}
    for obj, exclude in ((new_person, []), (member, ["person"])):
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
    try:
        _check_member_rules(member)
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    save_with_history(instance=new_person, actor=actor, reason=_("登记党员"))
    member.person = new_person
    save_with_history(instance=member, actor=actor, reason=_("登记党员"))
    return member


@transaction.atomic
def member_update(
    *,
    actor: User,
    member: PartyMember,
    person: dict[str, Any] | None = None,
    branch: Organization | None = None,
    **fields: Any,
) -> PartyMember:
    member = PartyMember.objects.select_for_update().select_related("person").get(pk=member.pk)
    if branch is not None and branch.pk != member.branch_id:
        require_org_in_scope(
            user=actor, org=branch, model=PartyMember, action=Action.ADD, field="branch"
        )
        member.branch = branch
    apply_fields(member, fields, MEMBER_FIELDS)
    _check_member_rules(member)
    if person:
        person_update(actor=actor, person=member.person, **person)
    save_with_history(instance=member, actor=actor, reason=_("修改党员信息"))
    return member


@transaction.atomic
def resident_add(
    *, actor: User, household: Household, person: Person, relation: str, **fields: Any
) -> Resident:
    require_org_in_scope(
        user=actor,
        org=household.organization,
        model=Resident,
        action=Action.ADD,
        field="household",
    )
    if Resident.objects.filter(household=household, person=person).exists():
        raise ValidationError({"person": _("此人已是该户的成员。")})
    resident = Resident(household=household, person=person, relation=relation, **fields)
    save_with_history(instance=resident, actor=actor, reason=_("登记住户成员"))
    return resident


def person_reveal(*, user: User, person: Person, channel: str) -> dict[str, str]:
    """Full ID number and phone for roles that need them; every reveal is recorded."""
    if not Person.objects.restrict(user, Action.VIEW_SENSITIVE).filter(pk=person.pk).exists():
        raise PermissionDenied(_("您的角色无权查看完整的身份证号和手机号。"))
    SensitiveAccess.objects.create(
        user=user, person=person, fields="id_number,mobile", channel=channel
    )
    return {"id_number": person.id_number or "", "mobile": person.mobile}
