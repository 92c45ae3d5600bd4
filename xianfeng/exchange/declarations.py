"""房东自主申报: a landlord declares rooms and tenants from the building's QR code; the grid
worker reviews it; only an accepted declaration changes the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from xianfeng.core.validators import normalize_text
from xianfeng.core.workflow import take
from xianfeng.exchange import cells
from xianfeng.exchange.models import LandlordDeclaration
from xianfeng.people.choices import ResidentRelation
from xianfeng.people.models import Person, Resident
from xianfeng.places.identity import match_household, split_unit_room
from xianfeng.places.models import Building

if TYPE_CHECKING:
    from xianfeng.core.models import User

SALT = "xianfeng.landlord-declaration"
MAX_ROWS = 50


def token_for(building: Building) -> str:
    return signing.Signer(salt=SALT).sign(str(building.pk))


def public_url(building: Building) -> str:
    return reverse("declare", args=[token_for(building)])


def declaration_submit(
    *, building: Building, landlord_name: str, landlord_mobile: str, rows: list[dict[str, Any]]
) -> LandlordDeclaration:
    """Check and keep a declaration; nothing else changes. ``rows``: one tenant a row
    (unit, room, name, id_number, mobile); a row with only a room declares an empty room."""
    errors: dict[str, list[str]] = {}
    name = normalize_text(landlord_name)
    if not name:
        errors.setdefault("landlord_name", []).append(_("请填写房东姓名。"))
    try:
        mobile = cells.mobile(landlord_mobile)
        if not mobile:
            errors.setdefault("landlord_mobile", []).append(_("请填写房东手机号，以便网格员核实。"))
    except cells.CellError as exc:
        mobile = ""
        errors.setdefault("landlord_mobile", []).append(exc.message)
    rooms: dict[tuple[str, str], dict[str, Any]] = {}
    seen: set[str] = set()
    for index, row in enumerate(rows[:MAX_ROWS]):
        unit, room = cells.text(row.get("unit")), cells.text(row.get("room"))
        tenant = cells.text(row.get("name"))
        raw_id, raw_mobile = row.get("id_number") or "", row.get("mobile") or ""
        if not (unit or room or tenant or cells.text(raw_id) or cells.text(raw_mobile)):
            continue
        label = _("第%(n)d行") % {"n": index + 1}
        if not room:
            errors.setdefault(f"row-{index}", []).append(label + _("：请填写房号。"))
            continue
        entry = rooms.setdefault((unit, room), {"unit": unit, "room": room, "tenants": []})
        if not tenant:
            continue
        try:
            id_number = cells.id_number(raw_id)
            if not id_number:
                raise cells.CellError(_("请填写租户的身份证号。"))
            tenant_mobile = cells.mobile(raw_mobile)
        except cells.CellError as exc:
            errors.setdefault(f"row-{index}", []).append(label + "：" + exc.message)
            continue
        if id_number in seen:
            errors.setdefault(f"row-{index}", []).append(label + _("：这位租户已经填过了。"))
            continue
        seen.add(id_number)
        entry["tenants"].append({"name": tenant, "id_number": id_number, "mobile": tenant_mobile})
    if not rooms and not errors:
        errors.setdefault("__all__", []).append(_("请至少填写一间房。"))
    if errors:
        raise ValidationError(errors)
    return LandlordDeclaration.objects.create(
        building=building, landlord_name=name, landlord_mobile=mobile, rooms=list(rooms.values())
    )


def write_declared_rooms(*, actor: User, declaration: LandlordDeclaration) -> None:
    """Write the declared rooms (as rental households) and tenants (persons, residents) into
    the registry; existing rows are matched by (building, unit, room) and ID number. Run by
    the ``accept`` step (exchange/workflows.py), inside its transaction."""
    from xianfeng.people import services as people
    from xianfeng.places import services as places

    building = declaration.building
    for entry in declaration.rooms:
        # The same door however it is written (1单元101, 1-101, or 101 in a building that
        # has one room 101): never a second household beside the registered one.
        household = match_household(building, entry["unit"], entry["room"])
        if household is None:
            unit, room = split_unit_room(entry["unit"], entry["room"])
            household = places.household_create(
                actor=actor, building=building, unit=unit, room=room, is_rental=True
            )
        elif not household.is_rental:
            places.household_update(actor=actor, household=household, is_rental=True)
        for tenant in entry.get("tenants") or []:
            person = Person.objects.filter(id_number=tenant["id_number"]).first()
            if person is None:
                person = people.person_create(
                    actor=actor,
                    organization=household.organization,
                    name=tenant["name"],
                    id_number=tenant["id_number"],
                    mobile=tenant.get("mobile") or "",
                )
            if not Resident.objects.filter(household=household, person=person).exists():
                people.resident_add(
                    actor=actor,
                    household=household,
                    person=person,
                    relation=ResidentRelation.TENANT,
                )


def proposed_matches(declaration: LandlordDeclaration) -> list[dict[str, Any]]:
    """For the review page: each declared room and the registered household it will be
    written to (or None: a new household)."""
    return [
        {**entry, "household": match_household(declaration.building, entry["unit"], entry["room"])}
        for entry in declaration.rooms
    ]


def declaration_accept(*, actor: User, declaration: LandlordDeclaration) -> LandlordDeclaration:
    return take(declaration, "accept", actor=actor)


def declaration_reject(
    *, actor: User, declaration: LandlordDeclaration, note: str
) -> LandlordDeclaration:
    return take(declaration, "reject", actor=actor, note=note)
