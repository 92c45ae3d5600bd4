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
from xianfeng.core.models import SensitiveAccess
from xianfeng.core.roles import AUDIT_READERS
from xianfeng.core.scope import ScopedQuerySet, active_roles
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


def own_export(*, user: User, pk: int) -> ExportRecord:
    """A background export, for the one who asked for it (or a superuser) only: the page and
    the API both read it here. Its job is marked failed if its process died."""
    from django.http import Http404
    from django.utils.translation import gettext as _

    from xianfeng.core.jobs import check_stale

    records = ExportRecord.objects.select_related("job", "user").filter(job__isnull=False)
    if not user.is_superuser:
        records = records.filter(user=user)
    record = records.filter(pk=pk).first()
    if record is None:
        raise Http404(_("导出记录不存在。"))
    check_stale(record.job)
    return record


def may_read_audit_log(user: User) -> bool:
    """Administrators and auditors read the log of reveals and full exports (敏感信息审计)."""
    return user.is_superuser or any(r.kind in AUDIT_READERS for r in active_roles(user))


def audit_paths(user: User) -> list[str] | None:
    """The organizations whose audit log the user reads: those where they hold an admin or
    auditor role (``None``: everything, for a superuser). Not the whole view scope: a user who
    is an admin in one community and a member in another reads the first community's log
    only, not the second's, where they are a member."""
    if user.is_superuser:
        return None
    paths = sorted({r.path for r in active_roles(user) if r.kind in AUDIT_READERS})
    return [p for p in paths if not any(p != k and p.startswith(k) for k in paths)]


def _audited(qs: ScopedQuerySet, user: User) -> ScopedQuerySet:
    paths = audit_paths(user)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(qs.scope_condition(paths))


def reveal_list(*, user: User) -> QuerySet[SensitiveAccess]:
    """Every time someone saw a full ID number or phone, where the user reads the audit log
    (``audit_paths``), newest first."""
    qs = SensitiveAccess.objects.restrict(user, Action.VIEW)
    return _audited(qs, user).select_related("user", "person").order_by("-at", "-id")


def full_export_list(*, user: User) -> QuerySet[ExportRecord]:
    """The exports that carried full numbers, with their reasons, where the user reads the
    audit log (``audit_paths``)."""
    return _audited(export_record_list(user=user), user).filter(revealed=True)


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
