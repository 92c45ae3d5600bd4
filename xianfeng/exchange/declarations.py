"""房东自主申报: a landlord declares rooms and tenants from the building's QR code; the grid
worker reviews it; only an accepted declaration changes the registry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.validators import normalize_text, validate_no_controls
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


def _signer() -> signing.TimestampSigner:
    """Links are signed with the secret key, a version (raising
    ``XIANFENG_DECLARE_LINK_VERSION`` voids every printed link at once) and the time of
    signing (a link older than ``XIANFENG_DECLARE_LINK_DAYS`` is refused; 0: never)."""
    return signing.TimestampSigner(salt=f"{SALT}.v{settings.XIANFENG_DECLARE_LINK_VERSION}")


def token_for(building: Building) -> str:
    return _signer().sign(str(building.pk))


def link_expires() -> date | None:
    """The day a link signed now stops working, or None (links never expire)."""
    days = settings.XIANFENG_DECLARE_LINK_DAYS
    return timezone.localdate() + timedelta(days=days) if days > 0 else None


def building_pk(token: str) -> str:
    """The building of a link's token; ``signing.BadSignature`` when it is forged, of an old
    version, or expired (``signing.SignatureExpired``)."""
    days = settings.XIANFENG_DECLARE_LINK_DAYS
    return _signer().unsign(token, max_age=timedelta(days=days) if days > 0 else None)


def public_url(building: Building) -> str:
    return reverse("declare", args=[token_for(building)])


# The longest each field of the public form may be (the columns they end up in), checked
# before anything else: the public page takes no more than its columns hold.
LANDLORD_LIMITS = (("landlord_name", 50), ("landlord_mobile", 20))
ROW_LIMITS = (("unit", 20), ("room", 20), ("name", 50), ("id_number", 32), ("mobile", 20))


def _check_text(errors: dict[str, list[str]], key: str, value: Any, limit: int, label: str) -> None:
    text = "" if value is None else str(value)
    try:
        validate_no_controls(text)
    except ValidationError as exc:
        errors.setdefault(key, []).append(label + exc.messages[0])
        return
    if len(text) > limit:
        errors.setdefault(key, []).append(
            label + _("最多%(limit)d个字符（现在有%(n)d个）。") % {"limit": limit, "n": len(text)}
        )


def declaration_submit(
    *, building: Building, landlord_name: str, landlord_mobile: str, rows: list[dict[str, Any]]
) -> LandlordDeclaration:
    """Check and keep a declaration; nothing else changes. ``rows``: one tenant a row
    (unit, room, name, id_number, mobile); a row with only a room declares an empty room."""
    errors: dict[str, list[str]] = {}
    for key, limit in LANDLORD_LIMITS:
        value = landlord_name if key == "landlord_name" else landlord_mobile
        _check_text(errors, key, value, limit, "")
    for index, row in enumerate(rows[:MAX_ROWS]):
        for key, limit in ROW_LIMITS:
            label = _("第%(n)d行") % {"n": index + 1} + "："
            _check_text(errors, f"row-{index}", row.get(key), limit, label)
    if errors:
        raise ValidationError(errors)
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
            person = Person.objects.with_id_number(tenant["id_number"]).first()
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
