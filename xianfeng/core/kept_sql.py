"""A list's queries compiled once per key: the SQL the ORM writes for a queryset, kept for the
next request that would build the same queryset (issue 11).

Building a scoped list's queryset and compiling its COUNT and its page were about a fifth of a
request's CPU (the visit list, whose scope has two organization subqueries).
``KeptList(key, model, build, fields)`` runs ``build()`` (the selector's queryset, through
``restrict()`` as always) only the first time a key is asked for; later it runs the same SQL
with the same parameters and applies the same converters. ``rows_by_ids`` does the same for a
query by a page's ids, kept per number of ids.

The key must name everything the queryset's SQL depends on: the scope
(``scope_key(user, model)``: the organization paths of ``restrict()``), each filter's value and
the database. The page's offset and size are added here. A queryset that can match nothing
(``none()``: no scope, no member) is not compiled and not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router

from xianfeng.core.choices import Action
from xianfeng.core.scope import scope_paths

KEPT = 2048  # statements per process; the least recently used go first


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]
    # (position, converter functions, expression) as the compiler applies them to each row
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...] = ()


_kept: OrderedDict[Hashable, Statement] = OrderedDict()
_lock = threading.Lock()


def scope_key(user: Any, model: type[models.Model], action: str = Action.VIEW) -> Hashable:
    """What ``restrict(user, action)`` makes of the user for ``model``'s SQL: the organization
    paths (``None`` for everything); two users with the same paths get the same SQL."""
    paths = scope_paths(user, model, action)
    return None if paths is None else tuple(paths)


def _get(key: Hashable) -> Statement | None:
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
        return found


def _put(key: Hashable, statement: Statement) -> None:
    with _lock:
        _kept[key] = statement
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def forget() -> None:
    """Drop every kept statement (tests)."""
    with _lock:
        _kept.clear()


class KeptList:
    """``count()`` and slices (``values_list`` tuples of ``fields``) of ``build()``'s queryset
    of ``model``, each compiled once per key. A ``Paginator`` takes it as its object list."""

    ordered = True  # the selector orders its queryset (Paginator warns otherwise)

    def __init__(
        self,
        key: Hashable,
        model: type[models.Model],
        build: Callable[[], models.QuerySet],
        fields: tuple[str, ...],
    ) -> None:
        self.key, self.build, self.fields = key, build, fields
        self.db = router.db_for_read(model)
        self._queryset: models.QuerySet | None = None

    def queryset(self) -> models.QuerySet:
        if self._queryset is None:
            self._queryset = self.build()
        return self._queryset

    def count(self) -> int:
        key = ("count", self.db, self.key)
        statement = _get(key)
        if statement is not None:
            with connections[self.db].cursor() as cursor:
                cursor.execute(statement.sql, statement.params)
                return cursor.fetchone()[0]
        queryset = self.queryset()
        if queryset.query.is_empty():
            return queryset.count()
        captured: list[tuple[str, Any]] = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connections[queryset.db].execute_wrapper(capture):
            number = queryset.count()
        if len(captured) == 1:  # the ORM's own COUNT (without the select_related joins)
            sql, params = captured[0]
            _put(key, Statement(sql, tuple(params or ())))
        return number

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[tuple]:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("KeptList takes a slice without a step")
        start, stop = window.start or 0, window.stop
        key = ("rows", self.db, self.key, self.fields, start, stop)
        statement = _get(key)
        if statement is None:
            rows = self.queryset().prefetch_related(None).values_list(*self.fields)[start:stop]
            statement = _compiled(rows)
            if statement is not None:
                _put(key, statement)
            return list(rows)  # the first time, the ORM's own rows
        return _run(self.db, statement, statement.params)


def rows_by_ids(
    key: Hashable,
    model: type[models.Model],
    build: Callable[[list[Any]], models.QuerySet],
    ids: Iterable[Any],
    fields: tuple[str, ...],
) -> list[tuple]:
    """``values_list`` tuples of ``fields`` of ``build(ids)`` (a queryset filtered by
    ``pk__in=ids`` and nothing that depends on the ids' values), compiled once per key and
    number of ids: the ids are the statement's only parameters, which is checked when it is
    compiled (else it is not kept)."""
    ids = sorted(set(ids))
    if not ids:
        return []
    db = router.db_for_read(model)
    key = ("ids", db, key, fields, len(ids))
    statement = _get(key)
    if statement is None:
        rows = build(ids).values_list(*fields)
        statement = _compiled(rows)
        if statement is not None and statement.params == tuple(ids):
            _put(key, statement)
        return list(rows)
    return _run(db, statement, tuple(ids))


def _compiled(rows: models.QuerySet) -> Statement | None:
    """The SQL, parameters and converters of a ``values_list`` queryset; ``None`` for one
    that cannot match (``none()``) or that reorders its columns (extra or annotations)."""
    query = rows.query
    if query.is_empty() or query.extra_select or query.annotation_select:
        return None
    compiler = query.get_compiler(rows.db)
    sql, params = compiler.as_sql()
    columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    )
    return Statement(sql, tuple(params), converters)


def _run(db: str, statement: Statement, params: tuple[Any, ...]) -> list[tuple]:
    """The statement's rows, converted as the ORM converts them."""
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    if not statement.converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for position, functions, expression in statement.converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        converted.append(tuple(values))
    return converted
