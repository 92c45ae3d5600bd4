"""Writes for mobile members and their fellow townsmen (流动党员结对老乡): pairing, contacts,
ending a pairing. A door-to-door contact with a registered household is also a visit
(``xianfeng.visits.services.visit_create``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.community.choices import ContactWay, PairingState
from xianfeng.community.models import Townsman, TownsmanContact
from xianfeng.core.crypto import blind_index
from xianfeng.core.services import duty_record, save_with_history
from xianfeng.core.workflow import take, write_ledger
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.visits.choices import VisitPurpose
from xianfeng.visits.services import visit_create
from xianfeng.work.services import FUTURE_TOLERANCE, field_member

if TYPE_CHECKING:
    from xianfeng.core.models import User


LEDGER_TOWNSMAN_CONTACT = "townsman.contact"


def is_mobile_member(member: PartyMember) -> bool:
    from xianfeng.orgs.choices import OrgKind
    from xianfeng.people.choices import MemberKind, MemberStatus

    return (
        member.kind == MemberKind.MOBILE
        or member.status == MemberStatus.MOBILE
        or member.branch.kind in (OrgKind.MOBILE, OrgKind.MOBILE_HOME)
    )


def mobile_member(user: User) -> PartyMember:
    member = field_member(user)
    if not is_mobile_member(member):
        raise PermissionDenied(_("只有流动党员可以结对老乡。"))
    return member


@transaction.atomic
def townsman_add(
    *,
    actor: User,
    name: str = "",
    phone: str = "",
    person: Any = None,
    hometown: str = "",
    whereabouts: str = "",
    note: str = "",
) -> Townsman:
    """A mobile member pairs with a fellow townsman: a registered person (name and phone from
    the registry) or a name and phone. The phone is checked; the same person twice is not."""
    from xianfeng.core.validators import normalize_text, validate_phone

    member = mobile_member(actor)
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()
    if person is not None:
        name = name.strip() or person.name
        phone = phone.strip() or (person.mobile or "")
    name, phone = normalize_text(name or "").strip(), normalize_text(phone or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("请填写老乡的姓名。"))
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    mine = Townsman.objects.filter(member=member, state=PairingState.ACTIVE)
    if not errors and (
        mine.filter(name=name, phone_index=blind_index("phone", phone) or "").exists()
        or (person is not None and mine.filter(person=person).exists())
    ):
        errors.setdefault("name", []).append(_("%(n)s已经在您的老乡名单里了。") % {"n": name})
    # No cap: the goal (xianfeng.community.mobile.townsmen_goal) is a target, and a townsman
    # beyond it is welcome and counted beyond the goal.
    if errors:
        raise ValidationError(errors)
    townsman = Townsman(
        member=member,
        organization=member.branch,
        person=person,
        name=name,
        phone=phone,
        hometown=hometown.strip(),
        whereabouts=whereabouts.strip(),
        note=note.strip(),
    )
    save_with_history(instance=townsman, actor=actor, reason=_("结对老乡"))
    write_ledger(townsman, "townsman.add", actor=actor, note=name)
    return townsman


def _own_townsman(actor: User, townsman: Townsman) -> PartyMember:
    member = field_member(actor)
    if townsman.member_id != member.pk:
        raise PermissionDenied(_("只有结对的流动党员本人可以登记与这位老乡的联系。"))
    return member


def townsman_end(*, actor: User, townsman: Townsman) -> Townsman:
    """The pairing ends (the townsman moved home, say); the list and contacts stay."""
    return take(townsman, "end", actor=actor)


def townsman_contact_log(
    *,
    actor: User,
    townsman: Townsman,
    way: str,
    contacted_at: datetime,
    purposes: Sequence[str],
    findings: str = "",
    raises_hazard: bool = False,
    household: Household | None = None,
    client_key: str = "",
) -> tuple[Any, bool]:
    """Log a contact with a fellow townsman; answers ``(contact, created)`` and, like a visit,
    stores a resubmit with the same ``client_key`` once. A door-to-door visit to a registered
    household is also stored as a ``Visit`` (the same record as every other visit), linked."""
    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = TownsmanContact.objects.filter(recorded_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    member = _own_townsman(actor, townsman)
    errors: dict[str, list[str]] = {}
    if not townsman.active:
        errors.setdefault("townsman", []).append(_("这位老乡已经不在结对名单中。"))
    if way not in ContactWay.values:
        errors.setdefault("way", []).append(_("请选择联系方式。"))
    if contacted_at > timezone.now() + FUTURE_TOLERANCE:
        errors.setdefault("contacted_at", []).append(_("联系时间不能晚于现在。"))
    wrong = [p for p in purposes if p not in VisitPurpose.values]
    if not purposes or wrong:
        errors.setdefault("purposes", []).append(_("请至少选择一项事项。"))
    if household is not None and way != ContactWay.VISIT:
        errors.setdefault("household", []).append(_("只有上门走访才关联住户。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = None
        if household is not None:
            visit, _created = visit_create(
                actor=actor,
                visited_at=contacted_at,
                purposes=purposes,
                household=household,
                findings=findings,
                raises_hazard=raises_hazard,
                outside_reason=_("走访结对老乡%(n)s") % {"n": townsman.name},
            )
        try:
            with transaction.atomic():
                contact = TownsmanContact.objects.create(
                    townsman=townsman,
                    member=member,
                    organization=townsman.organization,
                    visit=visit,
                    way=way,
                    contacted_at=contacted_at,
                    purposes=list(dict.fromkeys(purposes)),
                    findings=findings.strip(),
                    raises_hazard=raises_hazard,
                    recorded_by=actor,
                    client_key=client_key,
                )
        except IntegrityError:
            existing = TownsmanContact.objects.filter(
                recorded_by=actor, client_key=client_key
            ).first()
            if client_key and existing is not None:
                return existing, False
            raise
        duty_record(
            actor=actor,
            action=LEDGER_TOWNSMAN_CONTACT,
            organization=townsman.organization,
            target=contact,
            member=member,
            occurred_at=contacted_at,
            location=townsman.whereabouts,
            note=(f"{townsman.name}：{findings.strip()}")[:500],
        )
    return contact, True
