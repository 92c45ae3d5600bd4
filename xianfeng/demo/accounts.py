"""The demo accounts (personas), their shared zone and the secretaries; ``persona_rows``
for ``manage.py demo_accounts``."""

from __future__ import annotations

from base64 import b32decode
from datetime import date

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xianfeng.core import twofactor
from xianfeng.core.choices import RoleKind
from xianfeng.core.models import Role, User
from xianfeng.demo.base import (
    _PERSONAS,
    BATCH_SIZE,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    PERSONA_ID_NUMBERS,
    WANGGE_BRANCH,
    WANGGE_GRID,
    persona_display_name,
    persona_member,
)
from xianfeng.demo.context import Context, _count
from xianfeng.demo.orgs import _address
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import (
    MemberKind,
)
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.choices import ZoneKind
from xianfeng.places.duty_templates import duties_for
from xianfeng.places.models import (
    Building,
    Household,
    ResponsibilityZone,
)


def build_personas(ctx: Context) -> None:
    """The demo accounts, their roles, and the two personas who are party members."""
    branch = ctx.orgs[WANGGE_BRANCH]
    for username, number in PERSONA_ID_NUMBERS.items():
        person = Person.objects.with_id_number(number).first()
        if person is None:
            person = Person(
                organization=branch,
                name=persona_display_name(username),
                id_number=number,
                mobile="13987100001" if username == "wangge" else "13987100002",
                address=_address("北辰大道", 88),
            )
            person.save()
            _count(ctx, Person, 1)
        if not PartyMember.objects.filter(person=person).exists():
            PartyMember.objects.create(
                person=person,
                branch=branch,
                kind=MemberKind.COMMUNITY,
                joined_on=date(2008, 7, 1) if username == "wangge" else date(2015, 6, 1),
                full_member_on=date(2009, 7, 1) if username == "wangge" else date(2016, 6, 1),
            )
            _count(ctx, PartyMember, 1)
    # The grid secretary is the secretary of the grid branch.
    if branch.secretary_id is None:
        branch.secretary = persona_member("wangge")
        branch.save(update_fields=["secretary"])

    password = None
    for username, (kind, code, display_name) in _PERSONAS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User(
                username=username,
                display_name=display_name,
                password=password,
                is_superuser=kind is None,
                is_staff=kind is None,
            )
            user.save()
            _count(ctx, User, 1)
        if username in PERSONA_ID_NUMBERS and user.person_id is None:
            # The member's own account: "my zones" on the home page come from this link.
            user.person = Person.objects.with_id_number(PERSONA_ID_NUMBERS[username]).get()
            user.save(update_fields=["person"])
        if kind is not None and code is not None:
            _, created = Role.objects.get_or_create(
                user=user, kind=kind, organization=ctx.orgs[code]
            )
            if created:
                _count(ctx, Role, 1)
        if twofactor.otp_required(user) and not twofactor.otp_enrolled(user):
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)


DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET).hex()


def demo_totp_code() -> str:
    """The demo authenticator's code right now (valid for about thirty seconds)."""
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
    return f"{totp.token():06d}"


def two_factor_usernames() -> list[str]:
    """The demo accounts that must pass the second factor."""
    users = User.objects.filter(username__in=list(_PERSONAS)).order_by("pk")
    return [u.username for u in users if twofactor.otp_required(u)]


PERSONA_ZONE_NAME = "北辰大道党员示范责任区"


def build_persona_zone(ctx: Context) -> None:
    """``wangge`` and ``dangyuan`` answer together for a few buildings of their grid, so the
    member's home page has a zone to show."""
    branch = ctx.orgs[WANGGE_BRANCH]
    if ResponsibilityZone.objects.filter(organization=branch, name=PERSONA_ZONE_NAME).exists():
        return
    members = [persona_member(u) for u in PERSONA_ID_NUMBERS]
    buildings = list(Building.objects.filter(grid__code=WANGGE_GRID).order_by("code")[:3])
    zone = ResponsibilityZone.objects.create(
        organization=branch,
        name=PERSONA_ZONE_NAME,
        kind=ZoneKind.COMMUNITY,
        duties=duties_for(ZoneKind.COMMUNITY),
        board_title=PERSONA_ZONE_NAME,
        board_contact_phone="0871-65123456",
    )
    zone.members.set(members)
    zone.buildings.set(buildings)
    zone.households.set(Household.objects.filter(building__in=buildings))
    _count(ctx, ResponsibilityZone, 1)


def set_secretaries(ctx: Context) -> None:
    """Each branch, group and community without a secretary gets its first member."""
    changed = []
    for code, member in ctx.first_member.items():
        org = ctx.orgs[code]
        if org.secretary_id is None and member.pk is not None:
            org.secretary_id = member.pk
            changed.append(org)
    for code, org in ctx.orgs.items():
        if org.kind == OrgKind.COMMUNITY and org.secretary_id is None:
            first_branch = f"{code}-G01"
            member = ctx.first_member.get(first_branch)
            if member is not None and member.pk is not None:
                org.secretary_id = member.pk
                changed.append(org)
    if changed:
        Organization.objects.bulk_update(changed, ["secretary"], batch_size=BATCH_SIZE)


def persona_rows() -> list[tuple[str, str, str, str, str]]:
    """(username, password, name, role, organization) of each demo account in the database."""
    rows = []
    for username, (kind, code, _name) in _PERSONAS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if kind is None:
            role, org_name = str(_("超级管理员")), str(_("（全部）"))
        else:
            role = str(RoleKind(kind).label)
            org = Organization.objects.filter(code=code).first()
            org_name = f"{org.name}（{code}）" if org else str(code)
        rows.append((username, DEMO_PASSWORD, user.display_name, role, org_name))
    return rows
