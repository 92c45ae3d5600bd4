"""Reads of the exchange app's own lists: import runs, export records, landlords' declarations.

The data home page and ``GET /imports``, the export records page and ``GET /exports``, the
declarations page and ``GET /declarations`` each call one function here (see
``xianfeng/core/selectors.py``). The lists that exports write come from the selectors of the
apps they belong to (``xianfeng/exchange/exports.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from xianfeng.core.choices import Action
from xianfeng.core.selectors import ListFilters
from xianfeng.exchange.models import ExportRecord, ImportRun, LandlordDeclaration

if TYPE_CHECKING:
    from xianfeng.core.models import User


def import_run_list(*, user: User) -> QuerySet[ImportRun]:
    """The user's own uploads, newest first. Not ``restrict``: an upload belongs to the one who
    made it (only they preview and apply it), a narrower rule than scope."""
    return (
        ImportRun.objects.filter(created_by=user)
        .select_related("preview_job", "apply_job")
        .order_by("-created_at", "-id")
    )


def export_record_list(*, user: User) -> QuerySet[ExportRecord]:
    """Exports recorded in the user's scope (who exported what), newest first."""
    return (
        ExportRecord.objects.restrict(user, Action.VIEW)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class DeclarationFilters(ListFilters):
    status: str = field(default="", metadata={"choices": LandlordDeclaration.Status.values})


def declaration_list(*, user: User, filters: DeclarationFilters) -> QuerySet[LandlordDeclaration]:
    """Landlords' declarations on buildings in the user's scope, newest first."""
    qs = (
        LandlordDeclaration.objects.restrict(user, Action.VIEW)
        .select_related("building")
        .order_by("-submitted_at", "-id")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs
