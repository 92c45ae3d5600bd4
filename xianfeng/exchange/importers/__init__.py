"""What each kind of import reads, checks and writes.

One engine (``run_import``) streams the rows, asks the kind's importer to ``prepare`` each row
(parse and check it; a problem is a ``RowErrors`` naming the column) and to ``add`` it (write
it, or buffer and write a batch). Everything happens inside one transaction: a preview is the
same run rolled back at the end, so its counts are exactly what applying would do (the member
import, which decides every count and reason before it writes a batch, skips the writes); an apply
with rejected rows is rolled back too unless the user chose to import only the valid rows.
Rows are upserted by natural keys (organization code, ID number, grid code, building code or
normalised address, household building + unit + room), so importing the same file again
changes nothing.

The engine and the list of kinds are here; ``base`` holds what every kind shares (columns, the
outcome, row errors, the ``Importer`` class, bulk writes with history), and each kind has its
module: ``organizations``, ``members``, ``places`` (grids and buildings), ``households``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.choices import Action
from xianfeng.core.scope import user_can
from xianfeng.exchange.importers.base import (
    MAX_STORED_ERRORS,
    Column,
    Importer,
    Outcome,
    RowErrors,
)
from xianfeng.exchange.importers.households import HouseholdImporter
from xianfeng.exchange.importers.members import MemberImporter
from xianfeng.exchange.importers.organizations import OrganizationImporter
from xianfeng.exchange.importers.places import BuildingImporter, GridImporter
from xianfeng.exchange.readers import FileRefused, open_sheet

if TYPE_CHECKING:
    from xianfeng.core.models import User


class _Rollback(Exception):
    pass


IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (
        OrganizationImporter,
        MemberImporter,
        GridImporter,
        BuildingImporter,
        HouseholdImporter,
    )
}


def import_allowed(user: User, kind: str) -> bool:
    importer = IMPORTERS.get(kind)
    return importer is not None and user_can(user, Action.ADD, importer.model)


EXAMPLE_ROW = gettext_lazy("这是导入模板里的示例行，未导入：请删除示例行或改成真实数据。")


def is_example_row(cls: type, values: dict[str, Any]) -> bool:
    """The template's example row left as it was (every example cell unchanged): an unedited
    template imports nothing, rather than a made-up member."""
    examples = _examples(cls)
    return bool(examples) and all(
        str(values.get(header) if values.get(header) is not None else "").strip() == example
        for header, example in examples
    )


@cache
def _examples(cls: type) -> tuple[tuple[str, str], ...]:
    # once per kind, not once per row (the import's profile)
    return tuple((c.header, c.example) for c in cls.columns if c.example)


def run_import(
    *,
    kind: str,
    path: str,
    filename: str,
    user: User,
    dry_run: bool,
    valid_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Read the file and upsert its rows in one transaction. Raises ``FileRefused`` when the
    file as a whole cannot be read as this kind. Nothing is kept when ``dry_run``, nor when a
    row was rejected and ``valid_only`` is false."""
    if kind not in IMPORTERS:
        raise FileRefused(_("未知的数据类型。"))
    cls = IMPORTERS[kind]
    outcome = Outcome()
    others = {
        str(other.model._meta.verbose_name): other.aliases()
        for other in IMPORTERS.values()
        if other is not cls
    }
    with open_sheet(path, filename, cls.aliases(), cls.required(), others) as sheet:
        total = sheet.total_hint
        try:
            with transaction.atomic():
                importer = cls(user, outcome)
                importer.dry_run = dry_run
                try:
                    _read_all(cls, importer, sheet, outcome, progress, total)
                    importer.flush()
                finally:
                    importer.close()
                if outcome.total == 0:
                    raise FileRefused(_("文件里除了表头没有数据行。"))
                if dry_run or (outcome.rejected and not valid_only):
                    raise _Rollback
        except _Rollback:
            pass
    if progress is not None:
        progress(outcome.total, outcome.total)
    return outcome


def _read_all(
    cls: type[Importer],
    importer: Importer,
    sheet: Any,
    outcome: Outcome,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> None:
    for number, cells_ in sheet.rows:
        outcome.total += 1
        values = {h: cells_[i] for i, h in sheet.headers.items() if i < len(cells_)}
        try:
            if is_example_row(cls, values):
                raise RowErrors([(cls.columns[0].header, str(EXAMPLE_ROW))])
            item = importer.prepare(number, values)
        except RowErrors as exc:
            outcome.reject(number, exc.errors)
        else:
            importer.add(number, item)
        if progress is not None and outcome.total % 500 == 0:
            progress(outcome.total, max(total, outcome.total))


__all__ = [
    "IMPORTERS",
    "MAX_STORED_ERRORS",
    "BuildingImporter",
    "Column",
    "GridImporter",
    "HouseholdImporter",
    "Importer",
    "MemberImporter",
    "OrganizationImporter",
    "Outcome",
    "RowErrors",
    "import_allowed",
    "run_import",
]
