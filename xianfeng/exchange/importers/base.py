"""The importers' common ground: columns, the outcome of a run, the row errors, the base class
every kind extends, and bulk writes with their history rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from xianfeng.core.crypto import BlindIndexField
from xianfeng.exchange import cells
from xianfeng.exchange.cells import CellError
from xianfeng.orgs.models import Organization

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_STORED_ERRORS = 5000


def bulk_create(model: type, objs: list, user: Any, reason: str) -> None:
    """``bulk_create`` and the history rows beside it (type "+"). On PostgreSQL the history rows
    go in through COPY, which is several times faster than INSERT for a batch."""
    if connection.vendor != "postgresql":
        bulk_create_with_history(
            objs, model, batch_size=500, default_user=user, default_change_reason=reason
        )
        return
    model.objects.bulk_create(objs, batch_size=1000)
    _copy_history(model, objs, user, reason, "+")


def bulk_update(model: type, objs: list, fields: list[str], user: Any, reason: str) -> None:
    now = timezone.now()
    # bulk_update calls no pre_save: the blind index of an encrypted field is computed here.
    indexes = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, BlindIndexField) and f.source in fields
    ]
    fields = [*fields, *(f.name for f in indexes)]
    for obj in objs:
        obj.updated_at = now  # bulk_update does not apply auto_now
        for f in indexes:
            f.pre_save(obj, add=False)
    fields = [*fields, "updated_at"]
    if connection.vendor != "postgresql":
        bulk_update_with_history(
            objs, model, fields, batch_size=500, default_user=user, default_change_reason=reason
        )
        return
    model.objects.bulk_update(objs, fields, batch_size=500)
    _copy_history(model, objs, user, reason, "~")


def _copy_history(model: type, objs: list, user: Any, reason: str, kind: str) -> None:
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(history._meta.db_table)
    now = timezone.now()
    special = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": kind,
        "history_user_id": getattr(user, "pk", None),
    }
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([_copy_value(f, obj, special) for f in fields])


def _copy_value(f: Any, obj: Any, special: dict[str, Any]) -> Any:
    if f.attname in special:
        return special[f.attname]
    value = getattr(obj, f.attname)
    if getattr(f, "stores_ciphertext", False):
        # COPY bypasses the field: an encrypted column gets the token, never the plain value.
        return f.get_prep_value(value)
    return value


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    example: str = ""
    aliases: tuple[str, ...] = ()


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, errors: list[tuple[str, str]]) -> None:
        self.rejected += 1
        for column, reason in errors:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "column": column, "reason": reason})

    def count(self, result: str) -> None:
        setattr(self, result, getattr(self, result) + 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def in_paths(path: str, paths: list[str] | None) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


class Importer:
    kind: str
    model: type
    columns: tuple[Column, ...]

    def __init__(self, user: User, outcome: Outcome) -> None:
        self.user = user
        self.outcome = outcome
        self.seen: dict[Any, int] = {}

    # --- helpers ----------------------------------------------------------------------
    @classmethod
    def aliases(cls) -> dict[str, str]:
        found: dict[str, str] = {}
        for column in cls.columns:
            for name in (column.header, *column.aliases):
                found[name.replace(" ", "")] = column.header
        return found

    @classmethod
    def required(cls) -> list[str]:
        return [c.header for c in cls.columns if c.required]

    def parse(self, values: dict[str, Any], spec: dict[str, Callable[[Any], Any]]) -> dict:
        out: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for column in self.columns:
            raw = values.get(column.header)
            if column.required and cells.text(raw) == "":
                errors.append((column.header, _("必填项不能为空。")))
                continue
            try:
                out[column.header] = spec.get(column.header, cells.text)(raw)
            except CellError as exc:
                errors.append((column.header, exc.message))
        if errors:
            raise RowErrors(errors)
        return out

    def once(self, key: Any, row: int, column: str) -> None:
        """Duplicates inside one file: the later row is rejected, naming the earlier one."""
        if key in self.seen:
            raise RowErrors([(column, _("与本文件第%(row)d行重复。") % {"row": self.seen[key]})])
        self.seen[key] = row

    def org_map(self, action: str, rules_of: type) -> dict[str, Organization]:
        return {
            o.code: o
            for o in Organization.objects.restrict(self.user, action, rules_of=rules_of).only(
                "id", "code", "path", "kind", "name", "depth"
            )
        }

    @staticmethod
    def org_error(column: str, code: str) -> RowErrors:
        return RowErrors(
            [(column, _("组织代码“%(code)s”不存在或不在您的管辖范围内。") % {"code": code})]
        )

    # --- to override --------------------------------------------------------------------
    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def add(self, row: int, item: Any) -> None:
        """Write one prepared row (in a savepoint, so a refused row leaves nothing behind)."""
        try:
            with transaction.atomic():
                self.outcome.count(self.write(item))
        except ValidationError as exc:
            self.outcome.reject(row, validation_errors(exc, self.columns[0].header))
        except IntegrityError:
            self.outcome.reject(row, [(self.columns[0].header, _("与已有数据冲突，未能写入。"))])

    def write(self, item: Any) -> str:
        raise NotImplementedError

    def flush(self) -> None:
        pass


def validation_errors(exc: ValidationError, column: str) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (column, f"{k}: {m}" if k != "__all__" else m)
            for k, ms in exc.message_dict.items()
            for m in ms
        ]
    return [(column, m) for m in exc.messages]


def apply_changes(obj: Any, fields: dict[str, Any]) -> bool:
    """Set the fields whose values differ; whether there were any."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
