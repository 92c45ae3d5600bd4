"""Helpers for tests that need one object of each domain kind from the demo district.

On the top floor because it reads every domain app's models; the helpers that know none of
them are in ``xianfeng.core.testing``."""

from __future__ import annotations

from typing import Any

from xianfeng.core.testing import first_in
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone


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
