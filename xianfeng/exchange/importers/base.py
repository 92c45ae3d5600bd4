"""The importers' common ground: columns, the outcome of a run, the row errors, the base class
every kind extends, and bulk writes with their history rows."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from xianfeng.core.crypto import BlindIndexField, blind_index
from xianfeng.exchange import cells
from xianfeng.exchange.cells import CellError
from xianfeng.orgs.models import Organization

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_STORED_ERRORS = 5000


def insert_rows(model: type, rows: list[dict[str, Any]], user: Any, reason: str) -> None:
    """Insert new rows given as ``{attname: value}`` and their history rows, without building a
    model instance per row (the member import's path: 100,000 instances cost seconds). What
    ``save()`` would fill is filled here: defaults, ``auto_now(_add)`` dates, blind indexes
    (unless the row brings its own, computed by the caller once for lookup and row alike);
    encrypted fields are encrypted once for both tables. Each row gets its primary key
    (``row["id"]``). PostgreSQL: COPY, keys from the sequence; SQLite: ``bulk_create`` with its
    history."""
    if not rows:
        return
    meta = model._meta
    pk = meta.pk.attname
    if connection.vendor != "postgresql" or not isinstance(meta.pk, AutoFieldMixin):
        objs = [model(**row) for row in rows]
        bulk_create_with_history(
            objs, model, batch_size=500, default_user=user, default_change_reason=reason
        )
        for row, obj in zip(rows, objs, strict=True):
            row[pk] = obj.pk
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (value,) in zip(rows, cursor.fetchall(), strict=True):
            row[pk] = value
    db = connections[connection.alias]
    now = timezone.now()
    fields = meta.concrete_fields
    stamps = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    indexes = [f for f in fields if isinstance(f, BlindIndexField)]
    prepared = [f for f in fields if _needs_prep(f)]
    defaults = {
        f.attname: f.get_default()
        for f in fields
        if f.attname != pk and f.attname not in stamps and not isinstance(f, BlindIndexField)
    }

    def complete() -> Iterator[list[Any]]:
        # Rows are completed (and encrypted) while COPY streams the ones before them, so
        # PostgreSQL stores a chunk while Python prepares the next.
        for row in rows:
            full = {**defaults, **row}
            for name in stamps:
                full[name] = now
            for f in indexes:
                if full.get(f.attname) is None:
                    value = blind_index(f.kind, full.get(f.source))
                    full[f.attname] = "" if value is None and not f.null else value
            for f in prepared:
                full[f.attname] = f.get_db_prep_save(full[f.attname], db)
            yield [full[f.attname] for f in fields]

    _copy(meta.db_table, [f.column for f in fields], complete())
    _history_from_rows(model, [row[pk] for row in rows], user, reason)


def _history_from_rows(model: type, pks: list[Any], user: Any, reason: str) -> None:
    """The history rows ("+") of rows just written, copied by PostgreSQL from the stored rows:
    the same values (the ciphertext included) without sending every column a second time
    (formatting the history's COPY was a sixth of the import's Python time)."""
    meta = model._meta
    history = model.history.model
    special = _history_special(user, reason, "+")
    columns = {f.column for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    names, exprs, params = [], [], []
    for f in history._meta.concrete_fields:
        if f.attname == "history_id":
            continue
        names.append(quote(f.column))
        if f.attname in special:
            exprs.append("%s")
            params.append(special[f.attname])
        elif f.column in columns:
            exprs.append(quote(f.column))
        else:  # a history field the model does not have: NULL, as simple_history leaves it
            exprs.append("NULL")
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(names)}) "
            f"SELECT {', '.join(exprs)} FROM {quote(meta.db_table)} "
            f"WHERE {pk} = ANY(%s::bigint[]) ORDER BY {pk}",
            [*params, f"{{{','.join(str(int(p)) for p in pks)}}}"],  # a literal: no list dumper
        )


_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _needs_prep(field: Any) -> bool:
    return getattr(field, "stores_ciphertext", False) or (
        field.get_internal_type() not in _PLAIN_TYPES
    )


@contextmanager
def by_index() -> Iterator[None]:
    """Batch lookups by key during an import (a person by the blind index of an ID number or a
    phone): on PostgreSQL the planner goes by statistics taken before the import's own
    transaction grew the table, and chose to scan every person inserted so far, once per
    batch. Inside the block it takes the index."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")


def _history_special(user: Any, reason: str, kind: str) -> dict[str, Any]:
    return {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": kind,
        "history_user_id": getattr(user, "pk", None),
    }


def _copy(table: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


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
    special = _history_special(user, reason, kind)
    _copy(
        history._meta.db_table,
        [f.column for f in fields],
        ([_copy_value(f, obj, special) for f in fields] for obj in objs),
    )


def _copy_value(f: Any, obj: Any, special: dict[str, Any]) -> Any:
    if f.attname in special:
        return special[f.attname]
    value = getattr(obj, f.attname)
    if getattr(f, "stores_ciphertext", False):
        # COPY bypasses the field: an encrypted column gets the token, never the plain value.
        return f.get_prep_value(value)
    return value


# While a batch is written, the helper thread waits on PostgreSQL a dozen times (lookup,
# keys, COPY, history) and each time must then take the GIL back from the reading thread,
# which holds it for the whole switch interval (5 ms by default): up to 60 ms a batch of
# waiting for nothing. A shorter interval while batches are written bounds each wait.
_FAST_SWITCH = 0.0005
_switch_lock = threading.Lock()
_switch_state = {"users": 0, "saved": 0.005}


def _fast_switching(on: bool) -> None:
    """Shorten the interpreter's switch interval while any batch is being written (counted, so
    overlapping imports in one process restore it once, after the last)."""
    with _switch_lock:
        if on:
            if _switch_state["users"] == 0:
                _switch_state["saved"] = sys.getswitchinterval()
                sys.setswitchinterval(min(_FAST_SWITCH, _switch_state["saved"]))
            _switch_state["users"] += 1
        else:
            _switch_state["users"] -= 1
            if _switch_state["users"] == 0:
                sys.setswitchinterval(_switch_state["saved"])


class BatchWriter:
    """One batch's database work on a helper thread while the caller reads and checks the next
    batch (PostgreSQL only). The two sides take turns on the CPU less than it seems: the helper
    mostly waits for PostgreSQL to store the batch (COPY into the tables, their indexes and
    the history), and on a machine with two cores PostgreSQL works on the other one. The helper
    uses this thread's connection, so the batch lands in the import's one transaction (a
    connection of its own could not: the preview rolls the whole run back).

    Sharing is made safe, not left to care: while a batch is being written, the connection
    carries a guard (an execute wrapper) that makes any query from another thread, a savepoint
    included, first wait until the batch is written. A check that reads the database while the
    helper writes is therefore correct, only without the overlap for that batch; it can never
    interleave with the batch's statements. Elsewhere (SQLite) the work runs at once, in this
    thread."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @staticmethod
    def available() -> bool:
        return connection.vendor == "postgresql"

    def start(self, work: Callable[[], None]) -> None:
        self.wait()
        if not self.available():
            work()
            return
        shared = connections[DEFAULT_DB_ALIAS]
        shared.inc_thread_sharing()
        language = translation.get_language()

        def run() -> None:
            connections[DEFAULT_DB_ALIAS] = shared  # this thread's queries: the import's
            translation.activate(language)  # the reasons in the caller's language
            try:
                work()
            except BaseException as exc:  # handed to the caller by wait()
                self._error = exc

        self._thread = threading.Thread(target=run, name="import-batch", daemon=True)
        shared.execute_wrappers.append(self._guard)
        _fast_switching(True)
        try:
            self._thread.start()
        except BaseException:
            _fast_switching(False)
            shared.execute_wrappers.remove(self._guard)
            shared.dec_thread_sharing()
            self._thread = None
            raise

    def _guard(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        """Every query on the shared connection while a batch is written: the helper's go on;
        any other thread's waits for the batch first (errors included, raised to it)."""
        helper = self._thread
        if helper is not None and threading.current_thread() is not helper:
            self.wait()
        return execute(sql, params, many, context)

    def wait(self, *, quiet: bool = False) -> None:
        """Until the batch is written; its error is raised here (``quiet``: dropped, when
        another error is already on its way out and rolls the transaction back)."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        _fast_switching(False)
        shared = connections[DEFAULT_DB_ALIAS]
        shared.execute_wrappers.remove(self._guard)
        shared.dec_thread_sharing()
        error, self._error = self._error, None
        if error is not None and not quiet:
            raise error


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

    def merge(self, other: Outcome) -> None:
        """Add a batch's own outcome (written on the helper thread) to this one."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        for mine, theirs in ((self.errors, other.errors), (self.warnings, other.warnings)):
            mine.extend(theirs[: max(0, MAX_STORED_ERRORS - len(mine))])

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
        # A preview (set by the engine): a kind that decides every count before writing may
        # skip its writes; the others write and the engine rolls back.
        self.dry_run = False
        self.seen: dict[Any, int] = {}
        self._empty: dict[str, tuple[Any, Any, str | None]] = {}

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
            header = column.header
            raw = values.get(header)
            parser = spec.get(header, cells.text)
            if raw is None and not column.required:
                # An empty cell (most of an optional column): the parser's answer to it is
                # worked out once per column, not once per row.
                known = self._empty.get(header)
                if known is None or known[0] is not parser:
                    try:
                        known = (parser, parser(None), None)
                    except CellError as exc:
                        known = (parser, None, exc.message)
                    self._empty[header] = known
                if known[2] is None:
                    out[header] = known[1]
                else:
                    errors.append((header, known[2]))
                continue
            try:
                value = parser(raw)
            except CellError as exc:
                if column.required and cells.text(raw) == "":
                    errors.append((header, _("必填项不能为空。")))
                else:
                    errors.append((header, exc.message))
                continue
            # A required cell is checked on the parsed value when the parser is ``text`` (its
            # answer is the same text); other parsers' answers are checked on the cell.
            if column.required and (value == "" if parser is cells.text else cells.text(raw) == ""):
                errors.append((header, _("必填项不能为空。")))
                continue
            out[header] = value
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

    def close(self) -> None:
        """Called whatever happens, before the transaction ends: no write still running."""


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
