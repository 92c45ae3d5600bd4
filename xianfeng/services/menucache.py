"""The public side of the three lists, cached (issue 13: the public pages hold 200 requests/s).

Like the problem wall and the zone boards (``xianfeng.public.wallcache``): what the public menu
shows — its services, resources and projects, the organizations and named members offering
them — is cached under one version that every change replaces, at once and again once the
change commits, so a cached menu is never older than the last change; the shared cache (Redis
in production) makes it hold across server processes. Bulk writes that send no signal show
after ``MENU_TTL``. Open311's service list (the menu's services) reads the same version."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

#: How long a cached menu stays when nothing changes (seconds).
MENU_TTL = 300
MENU_KEY = "services:menu-version"


def menu_version() -> str:
    """The current version of every community's public menu."""
    version = cache.get(MENU_KEY)
    if version is None:
        cache.add(MENU_KEY, uuid.uuid4().hex[:12], None)
        version = cache.get(MENU_KEY) or "0"
    return version


def menu_changed(**_signal: object) -> None:
    """Something the menu shows changed: a new version now (the change's own transaction
    sees it) and once it commits (a visitor may have cached the old rows meanwhile)."""

    def bump() -> None:
        cache.set(MENU_KEY, uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)


def connect_menu_signals() -> None:
    """What the menu shows: the three lists, the organizations offering them and the names of
    the members named on a service."""
    from django.db.models.signals import post_delete, post_save

    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember, Person
    from xianfeng.services.models import CoProject, Resource, Service

    for model in (Service, Resource, CoProject, Organization, PartyMember, Person):
        post_save.connect(menu_changed, sender=model, dispatch_uid=f"menu-{model.__name__}")
        post_delete.connect(menu_changed, sender=model, dispatch_uid=f"menu-d-{model.__name__}")
