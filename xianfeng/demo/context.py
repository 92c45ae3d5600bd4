"""The build context (what exists, what was created) and the people builders shared by the
other modules."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models
from faker import Faker

from xianfeng.core.pinyin import name_initials, name_pinyin
from xianfeng.core.services import duty_record
from xianfeng.demo.base import (
    BATCH_SIZE,
    DISTRICT_NAME,
    HISTORY_REASON,
    LOCAL_AREAS,
    OTHER_AREAS,
    OUT_PLACES,
    REFERENCE_DATE,
    Scale,
    _with_check,
)
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import (
    Gender,
    MemberCategory,
    MemberKind,
    MemberStatus,
)
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places.choices import CareTagCode
from xianfeng.places.models import (
    Building,
    CareTag,
    Household,
    ResponsibilityZone,
)


@dataclass
class Context:
    scale: Scale
    seed: int
    rng: random.Random
    faker: Faker
    history: bool
    orgs: dict[str, Organization] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    person_ids: dict[str, int] = field(default_factory=dict)  # id_number -> pk
    member_ids: dict[int, int] = field(default_factory=dict)  # person pk -> member pk
    building_ids: dict[str, int] = field(default_factory=dict)  # code -> pk
    household_ids: dict[tuple[int, str, str], int] = field(default_factory=dict)
    resident_pairs: set[tuple[int, int]] = field(default_factory=set)
    care_pairs: set[tuple[int, int]] = field(default_factory=set)
    zone_keys: set[tuple[int, str]] = field(default_factory=set)
    care_tags: list[CareTag] = field(default_factory=list)
    pinyin: dict[str, tuple[str, str]] = field(default_factory=dict)
    first_member: dict[str, PartyMember] = field(default_factory=dict)  # org code -> member
    unit_names: list[str] = field(default_factory=list)
    company_names: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    surname_weights: list[float] = field(default_factory=list)  # cumulative
    male_names: list[str] = field(default_factory=list)
    female_names: list[str] = field(default_factory=list)
    org_members: dict[str, int] = field(default_factory=dict)  # org code -> members to make
    special_zones: dict[str, int] = field(default_factory=dict)  # building code -> number
    created: dict[str, int] = field(default_factory=dict)


@dataclass
class Pending:
    persons: list[Person] = field(default_factory=list)
    members: list[PartyMember] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    residents: list[tuple[Household, Person, str, date]] = field(default_factory=list)
    care: list[tuple[Household, CareTag]] = field(default_factory=list)
    zones: list[tuple[ResponsibilityZone, list[PartyMember], list[Building], list[Household]]] = (
        field(default_factory=list)
    )


def _count(ctx: Context, model: type[models.Model], n: int) -> None:
    key = model._meta.label
    ctx.created[key] = ctx.created.get(key, 0) + n


def _bulk_create(ctx: Context, model: type[models.Model], objs: Sequence[models.Model]) -> None:
    if not objs:
        return
    model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    if ctx.history and hasattr(model, "history"):
        model.history.bulk_history_create(
            objs, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON
        )
    _count(ctx, model, len(objs))


def _through_create(through: type[models.Model], rows: list[models.Model]) -> None:
    if rows:
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _load_existing(ctx: Context) -> None:
    ctx.person_ids = dict(
        Person.objects.exclude(id_number=None).values_list("id_number", "pk").iterator(5000)
    )
    ctx.member_ids = dict(PartyMember.objects.values_list("person_id", "pk").iterator(5000))
    ctx.building_ids = dict(Building.objects.values_list("code", "pk").iterator(5000))
    ctx.household_ids = {
        (b, u, r): pk
        for pk, b, u, r in Household.objects.values_list(
            "pk", "building_id", "unit", "room"
        ).iterator(5000)
    }
    ctx.resident_pairs = set(
        Resident.objects.values_list("household_id", "person_id").iterator(5000)
    )
    ctx.care_pairs = set(
        Household.care_tags.through.objects.values_list("household_id", "caretag_id").iterator(5000)
    )
    ctx.zone_keys = set(ResponsibilityZone.objects.values_list("organization_id", "name"))
    # Migration places 0002 writes the care tags; a test run that emptied the tables (a
    # transactional test's flush) needs them again.
    for code, label in CareTagCode.choices:
        CareTag.objects.get_or_create(code=code, defaults={"name": str(label)})
    ctx.care_tags = list(CareTag.objects.order_by("id"))


def _setup_names(ctx: Context) -> None:
    provider = next(
        p for p in ctx.faker.get_providers() if type(p).__module__.endswith("person.zh_CN")
    )
    last_names = provider.last_names
    ctx.surnames = list(last_names)
    ctx.surname_weights = list(itertools.accumulate(last_names.values()))
    ctx.male_names = list(provider.first_names_male)
    ctx.female_names = list(provider.first_names_female)


def _name(ctx: Context, male: bool) -> str:
    rng = ctx.rng
    surname = rng.choices(ctx.surnames, cum_weights=ctx.surname_weights)[0]
    return surname + rng.choice(ctx.male_names if male else ctx.female_names)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return date.fromordinal(rng.randrange(start.toordinal(), end.toordinal() + 1))


def _years_ago(years: int) -> date:
    return REFERENCE_DATE.replace(year=REFERENCE_DATE.year - years)


def _id_number(ctx: Context, area: str, birth: date, male: bool) -> str:
    seq = ctx.rng.randrange(500) * 2 + (1 if male else 0)  # odd: male, even: female
    while True:
        number = _with_check(f"{area}{birth:%Y%m%d}{seq:03d}")
        if number not in ctx.used_ids:
            ctx.used_ids.add(number)
            return number
        seq = (seq + 2) % 1000


def _person(
    ctx: Context,
    pending: Pending,
    *,
    org_id: int,
    ages: tuple[int, int],
    address: str,
    area: str | None = None,
    male: bool | None = None,
) -> Person:
    """A person, planned from the seed; with its pk set (and not re-created) when it exists."""
    rng = ctx.rng
    if male is None:
        male = rng.random() < 0.5
    name = _name(ctx, male)
    birth = _random_date(rng, _years_ago(ages[1]), _years_ago(ages[0]))
    number = _id_number(ctx, area or rng.choice(LOCAL_AREAS), birth, male)
    person = Person(
        organization_id=org_id,
        name=name,
        gender=Gender.MALE if male else Gender.FEMALE,
        birth_date=birth,
        id_number=number,
        mobile=_mobile(rng),
        address=address,
    )
    existing = ctx.person_ids.get(number)
    if existing is not None:
        person.pk = existing
        return person
    spelled = ctx.pinyin.get(name)
    if spelled is None:
        spelled = ctx.pinyin[name] = (name_pinyin(name), name_initials(name))
    person.name_pinyin, person.name_initials = spelled
    pending.persons.append(person)
    return person


def _member(
    ctx: Context,
    pending: Pending,
    *,
    org: Organization,
    kind: str,
    address: str,
    community: Organization | None,
) -> PartyMember:
    rng = ctx.rng
    area_origin = rng.choice(OTHER_AREAS) if kind == MemberKind.MOBILE else None
    person = _person(
        ctx,
        pending,
        org_id=org.pk,
        ages=(20, 88),
        address=address,
        area=area_origin[0] if area_origin else None,
    )
    roll = rng.random()
    status = (
        MemberStatus.MOBILE
        if roll < 0.02
        else MemberStatus.LOST_CONTACT
        if roll < 0.03
        else MemberStatus.NORMAL
    )
    probationary = rng.random() < 0.04
    joined_age = rng.randint(18, 40)
    work_unit = ""
    residence = None
    origin = current = ""
    if kind == MemberKind.IN_SERVICE:
        work_unit = org.unit_name if org.unit_name else rng.choice(ctx.unit_names)
        residence = community
    elif kind == MemberKind.TWO_NEW:
        work_unit = org.unit_name if org.unit_name else rng.choice(ctx.company_names)
    elif kind == MemberKind.MOBILE:
        origin = area_origin[1] if area_origin else ""
        current = f"云南省昆明市{DISTRICT_NAME}"
    out_place = rng.choice(OUT_PLACES)
    if status == MemberStatus.MOBILE:
        current = out_place
    joined_gap = rng.randint(30, 330)
    birth = person.birth_date or REFERENCE_DATE
    if probationary:
        joined = REFERENCE_DATE - timedelta(days=joined_gap)
        full = None
    else:
        joined = min(
            birth.replace(year=birth.year + joined_age, day=min(birth.day, 28)),
            REFERENCE_DATE - timedelta(days=400),
        )
        full = joined + timedelta(days=365)
    member = PartyMember(
        person=person,
        branch=org,
        kind=kind,
        category=MemberCategory.PROBATIONARY if probationary else MemberCategory.FULL,
        status=status,
        joined_on=joined,
        full_member_on=full,
        work_unit=work_unit,
        residence_community=residence,
        origin=origin,
        current_place=current,
    )
    existing = ctx.member_ids.get(person.pk) if person.pk is not None else None
    if existing is not None:
        member.pk = existing
    else:
        pending.members.append(member)
    return member


_GRID_MEMBER_KINDS = (
    (MemberKind.COMMUNITY, 0.70),
    (MemberKind.IN_SERVICE, 0.15),
    (MemberKind.MOBILE, 0.10),
    (MemberKind.TWO_NEW, 0.05),
)


def _grid_member_kind(rng: random.Random) -> str:
    roll = rng.random()
    for kind, share in _GRID_MEMBER_KINDS:
        if roll < share:
            return kind
        roll -= share
    return MemberKind.COMMUNITY


def _ledger(actor: Any, action: str, org_id: int, target: Any, member: Any, when: Any) -> Any:
    return duty_record(
        actor=actor,
        action=action,
        organization=Organization(pk=org_id),
        target=target,
        member=member,
        occurred_at=when,
    )
