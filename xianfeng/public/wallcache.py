"""The public pages' cache (issue 13: the public pages hold 200 requests/s). A community's walls
are cached under a version that every change to one of its problems or echo-wall entries
replaces, at once and again once the change commits, so a cached wall is never older than the
last change; the shared cache (Redis in production) makes it hold across server processes.
Zone boards are cached the same way under one version for all boards, replaced whenever a zone,
its members or buildings, a member's board choice, a person's name or an organization changes
(signals, see ``connect_board_signals``); bulk writes that send no signal show after
``WALL_TTL``.

Open311's request list (problems on the wall and orders) is cached under a version per
community (``jurisdiction_id``) and one for the whole district: saving or deleting a problem,
an echo-wall entry or an order replaces its community's version and the district's; a service
(its title shows on orders) replaces them all. Its service list and the public JSON lists of
the three lists are cached under the menu's version (``xianfeng.services.menucache``)."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

#: How long a wall's count and rendered list stay cached when nothing changes (seconds).
WALL_TTL = 300


BOARDS_KEY = "public:boards-version"


def _key(community_id: int) -> str:
    return f"public:wall-version:{community_id}"


def wall_version(community_id: int) -> str:
    """The current version of a community's walls (made on first use)."""
    version = cache.get(_key(community_id))
    if version is None:
        cache.add(_key(community_id), uuid.uuid4().hex[:12], None)
        version = cache.get(_key(community_id)) or "0"
    return version


def wall_changed(community_id: int | None) -> None:
    """A problem or echo entry of this community changed: a new version now (the change's own
    transaction sees it) and again once it commits (a visitor may have cached the old rows
    under the first new version before the commit)."""
    if community_id is None:
        return

    def bump() -> None:
        cache.set(_key(community_id), uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)


def boards_version() -> str:
    """The current version of every zone board."""
    version = cache.get(BOARDS_KEY)
    if version is None:
        cache.add(BOARDS_KEY, uuid.uuid4().hex[:12], None)
        version = cache.get(BOARDS_KEY) or "0"
    return version


def boards_changed(**_signal: object) -> None:
    """Something a board shows changed: a new version now and once it commits."""

    def bump() -> None:
        cache.set(BOARDS_KEY, uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)


def connect_board_signals() -> None:
    """What a board shows: the zone (scope, duties, settings), its members and buildings, each
    member's board choice (name, photo), the members' names and the responsible organization."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember, Person
    from xianfeng.places.models import Building, ResponsibilityZone
    from xianfeng.public.models import BoardChoice

    for model in (ResponsibilityZone, BoardChoice, Person, PartyMember, Building, Organization):
        post_save.connect(boards_changed, sender=model, dispatch_uid=f"boards-{model.__name__}")
        post_delete.connect(boards_changed, sender=model, dispatch_uid=f"boards-d-{model.__name__}")
    for through in (ResponsibilityZone.members.through, ResponsibilityZone.buildings.through):
        m2m_changed.connect(boards_changed, sender=through, dispatch_uid=f"boards-{through}")


REQUESTS_KEY = "public:open311-requests-version"
SERVICES_KEY = "public:open311-services-version"
#: How long a cached Open311 request list stays when nothing changes (seconds): short, since
#: its default window (the last 90 days) moves with the clock.
REQUESTS_TTL = 60


def _version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex[:12], None)
        version = cache.get(key) or "0"
    return version


def _requests_key(community_id: int | None) -> str:
    return REQUESTS_KEY if community_id is None else f"{REQUESTS_KEY}:{community_id}"


def requests_version(community_id: int | None = None) -> str:
    """The current version of Open311's request lists: of one community's list
    (``jurisdiction_id``), or with ``None`` of the district-wide list. A community's version
    also holds the services' version: a service's title shows on every community's orders."""
    if community_id is None:
        return _version(REQUESTS_KEY)
    return f"{_version(_requests_key(community_id))}.{_version(SERVICES_KEY)}"


def requests_changed(*, instance: object = None, **_signal: object) -> None:
    """A problem, an echo entry or an order changed: its community's version and the
    district-wide one are replaced now and once the change commits; a service changed: every
    community's (through the services' version) and the district-wide one."""
    keys = [REQUESTS_KEY]
    community_id = getattr(instance, "community_id", None)
    if community_id is not None:
        keys.append(_requests_key(community_id))
    elif instance is None or not hasattr(instance, "community_id"):
        # A service (or a change we cannot place): every community's list may show it.
        keys.append(SERVICES_KEY)

    def bump() -> None:
        cache.set_many({key: uuid.uuid4().hex[:12] for key in keys}, None)

    bump()
    transaction.on_commit(bump)


def connect_request_signals() -> None:
    """What Open311's request list shows: problems (with their echo entries), orders and the
    services' titles."""
    from django.db.models.signals import post_delete, post_save

    from xianfeng.public.models import EchoEntry, Problem
    from xianfeng.services.models import Order, Service

    for model in (Problem, EchoEntry, Order, Service):
        post_save.connect(requests_changed, sender=model, dispatch_uid=f"o311-{model.__name__}")
        post_delete.connect(requests_changed, sender=model, dispatch_uid=f"o311-d-{model.__name__}")
