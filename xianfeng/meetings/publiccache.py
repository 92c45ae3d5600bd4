"""The public JSON of 组织生活, cached like the other public JSON (issue 13: the public pages hold
200 requests/s): a community's published decisions (议事公开, ``/public/communities/{id}/
decisions``) and a selection with its candidates (``/public/selections/{id}``).

Each is cached under a version of its own that every change replaces, at once and again once
the change commits (``xianfeng.public.wallcache`` does the same for the walls), so what a
resident reads is never older than the last change; the shared cache (Redis in production)
makes it hold across server processes:

- a community's decisions: saving or deleting one of its meetings or a decision of one;
- a selection: saving or deleting it or one of its candidates. Ballots change nothing the
  public reads until the results are published, and the results are published by saving the
  selection (votes are refused once they are);
- both: any organization saved or deleted (the convener's and the organizer's names).

Bulk writes that send no signal show after ``PUBLIC_TTL``."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

#: How long a cached answer stays when nothing changes (seconds).
PUBLIC_TTL = 300
ORGS_KEY = "meetings:public-orgs-version"


def _decisions_key(community_id: int) -> str:
    return f"meetings:public-decisions-version:{community_id}"


def _selection_key(selection_id: int) -> str:
    return f"meetings:public-selection-version:{selection_id}"


def _version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex[:12], None)
        version = cache.get(key) or "0"
    return version


def _bump(key: str) -> None:
    """A new version now (the change's own transaction sees it) and again once it commits (a
    visitor may have cached the old rows under the first new version before the commit)."""

    def bump() -> None:
        cache.set(key, uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)


def decisions_version(community_id: int) -> str:
    """The current version of a community's public decisions."""
    return f"{_version(_decisions_key(community_id))}.{_version(ORGS_KEY)}"


def selection_version(selection_id: int) -> str:
    """The current version of a selection as the public reads it."""
    return f"{_version(_selection_key(selection_id))}.{_version(ORGS_KEY)}"


def _meeting_changed(instance: Any, **_signal: object) -> None:
    _bump(_decisions_key(instance.organization_id))


def _decision_changed(instance: Any, **_signal: object) -> None:
    from xianfeng.meetings.models import Meeting

    # A decision deleted with its meeting finds no meeting: the meeting's own signal bumps.
    holder = Meeting.objects.filter(pk=instance.meeting_id).values_list(
        "organization_id", flat=True
    )
    for community_id in holder:
        _bump(_decisions_key(community_id))


def _selection_changed(instance: Any, **_signal: object) -> None:
    _bump(_selection_key(instance.pk))


def _candidate_changed(instance: Any, **_signal: object) -> None:
    _bump(_selection_key(instance.selection_id))


def _organization_changed(**_signal: object) -> None:
    _bump(ORGS_KEY)


def connect_public_signals() -> None:
    """What the public JSON shows: meetings and their decisions, selections and their
    candidates, and the organizations' names."""
    from django.db.models.signals import post_delete, post_save

    from xianfeng.meetings.models import Candidate, Decision, Meeting, Selection
    from xianfeng.orgs.models import Organization

    handlers = {
        Meeting: _meeting_changed,
        Decision: _decision_changed,
        Selection: _selection_changed,
        Candidate: _candidate_changed,
        Organization: _organization_changed,
    }
    for model, handler in handlers.items():
        for signal, kind in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                handler, sender=model, dispatch_uid=f"meetings-public-{kind}-{model.__name__}"
            )
