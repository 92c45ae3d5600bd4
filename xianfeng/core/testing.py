"""Helpers for tests: find demo objects by where they sit, not by hard-coded ids.

These know no domain app; ``xianfeng.demo.testing.objects_under`` gives one object of each
domain kind under an organization."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xianfeng.core.models import User

if TYPE_CHECKING:
    from xianfeng.orgs.models import Organization


def role_org(user: User) -> Organization:
    return user.roles.select_related("organization").order_by("id").first().organization


def first_in(model: Any, org: Organization, lookup: str = "organization") -> Any:
    obj = model.objects.filter(**{f"{lookup}__path__startswith": org.path}).order_by("pk").first()
    assert obj is not None, f"demo data has no {model.__name__} under {org}"
    return obj
