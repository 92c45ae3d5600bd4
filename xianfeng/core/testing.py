"""Helpers for tests: find demo objects by where they sit, not by hard-coded ids."""

from __future__ import annotations

from typing import Any

from xianfeng.core.models import User
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone


def role_org(user: User) -> Organization:
    return user.roles.select_related("organization").order_by("id").first().organization


def first_in(model: Any, org: Organization, lookup: str = "organization") -> Any:
    obj = model.objects.filter(**{f"{lookup}__path__startswith": org.path}).order_by("pk").first()
    assert obj is not None, f"demo data has no {model.__name__} under {org}"
    return obj


def objects_under(org: Organization) -> dict[str, Any]:
    """One of each kind of domain object under an organization."""
    return {
        "org": org,
        "member": first_in(PartyMember, org, "branch"),
        "grid": first_in(Grid, org),
        "building": first_in(Building, org),
        "household": first_in(Household, org),
        "zone": first_in(ResponsibilityZone, org),
    }
