"""The public walls' cache (issue 13: the public pages hold 200 requests/s). A community's walls
are cached under a version that every change to one of its problems or echo-wall entries
replaces, at once and again once the change commits, so a cached wall is never older than the
last change; the shared cache (Redis in production) makes it hold across server processes."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

#: How long a wall's count and rendered list stay cached when nothing changes (seconds).
WALL_TTL = 300


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
