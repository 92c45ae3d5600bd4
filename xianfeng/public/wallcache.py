"""The public pages' cache (issue 13: the public pages hold 200 requests/s). A community's walls
are cached under a version that every change to one of its problems or echo-wall entries
replaces, at once and again once the change commits, so a cached wall is never older than the
last change; the shared cache (Redis in production) makes it hold across server processes.
Zone boards are cached the same way under one version for all boards, replaced whenever a zone,
its members or buildings, a member's board choice, a person's name or an organization changes
(signals, see ``connect_board_signals``); bulk writes that send no signal show after
``WALL_TTL``.

Open311's request list (problems on the wall and orders, across the district) is cached under
its own version, replaced whenever a problem, an echo-wall entry or an order is saved or
deleted; its service list under the menu's version (``xianfeng.services.menucache``)."""

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
#: How long a cached Open311 request list stays when nothing changes (seconds): short, since
#: its default window (the last 90 days) moves with the clock.
REQUESTS_TTL = 60


def requests_version() -> str:
    """The current version of Open311's request lists."""
    version = cache.get(REQUESTS_KEY)
    if version is None:
        cache.add(REQUESTS_KEY, uuid.uuid4().hex[:12], None)
        version = cache.get(REQUESTS_KEY) or "0"
    return version


def requests_changed(**_signal: object) -> None:
    """A problem, an echo entry or an order changed: a new version now and once it commits."""

    def bump() -> None:
        cache.set(REQUESTS_KEY, uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)


def connect_request_signals() -> None:
    """What Open311's request list shows: problems (with their echo entries) and orders."""
    from django.db.models.signals import post_delete, post_save

    from xianfeng.public.models import EchoEntry, Problem
    from xianfeng.services.models import Order, Service

    for model in (Problem, EchoEntry, Order, Service):
        post_save.connect(requests_changed, sender=model, dispatch_uid=f"o311-{model.__name__}")
        post_delete.connect(requests_changed, sender=model, dispatch_uid=f"o311-d-{model.__name__}")
