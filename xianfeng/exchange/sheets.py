"""Writing .xlsx files: import templates, preview reports and exports (write-only, streamed).

Every cell written goes through ``inert()`` (``append()`` does it for a row): control
characters are removed (one would make openpyxl refuse the whole file, and they have no place
in a spreadsheet), and text that a spreadsheet would take for a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) gets a leading single quote, as OWASP's
CSV-injection guidance says; numbers, dates and booleans stay what they are, so a negative
number stored as a number is still a number.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from xianfeng.exchange.importers import IMPORTERS
from xianfeng.exchange.models import ImportRun
from xianfeng.exchange.readers import open_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD = PatternFill("solid", fgColor="FFC7CE")
HEAD = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)

# C0 controls but tab, newline and carriage return, DEL and the C1 controls.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def strip_controls(value: str) -> str:
    return _CONTROL_RE.sub("", value)


def inert(value: Any) -> Any:
    """A value safe to write into a cell: text without control characters, never a formula."""
    if isinstance(value, str):
        value = strip_controls(value)
        if value.startswith(FORMULA_START):
            value = "'" + value
    return value


def safe_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    return WriteOnlyCell(sheet, value=inert(value))


def inert_row(row: Iterable[Any]) -> list[Any]:
    out = []
    for value in row:
        if isinstance(value, Cell):
            value.value = inert(value.value)
        else:
            value = inert(value)
        out.append(value)
    return out


def append(sheet: Any, row: Iterable[Any]) -> None:
    """``sheet.append(row)`` with every cell made inert."""
    sheet.append(inert_row(row))


def _save(book: Workbook) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as fh:
        book.save(fh)
        fh.seek(0)
        return fh.read()


def _head_cells(sheet: Any, headers: Iterable[str]) -> list[WriteOnlyCell]:
    out = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = BOLD, HEAD
        out.append(cell)
    return out


def template_xlsx(kind: str) -> bytes:
    """Chinese headers (required ones marked *), one example row, ID columns as text."""
    importer = IMPORTERS[kind]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("导入数据"))
    for index, _column in enumerate(importer.columns):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = 20
        sheet.column_dimensions[letter].number_format = "@"
    append(
        sheet,
        _head_cells(sheet, [c.header + ("*" if c.required else "") for c in importer.columns]),
    )
    example = []
    for column in importer.columns:
        cell = WriteOnlyCell(sheet, value=column.example)
        cell.number_format = "@"
        example.append(cell)
    append(sheet, example)
    notes = book.create_sheet(_("填写说明"))
    append(notes, [_("带*的列必须填写；示例行请删除或改成真实数据。")])
    append(notes, [_("身份证号、手机号、编码等列请设为“文本”格式，以免Excel丢掉末位X或开头的0。")])
    append(notes, [_("日期可写成2021-03-05、2021/3/5或2021年3月5日。")])
    append(
        notes,
        [
            _(
                "同一个文件重复导入不会重复录入：按组织代码、身份证号、网格编码、楼栋编码或地址、楼栋+单元+房号更新。"
            )
        ],
    )
    return _save(book)


def template_csv(kind: str) -> bytes:
    importer = IMPORTERS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(inert_row(c.header + ("*" if c.required else "") for c in importer.columns))
    writer.writerow(inert_row(c.example for c in importer.columns))
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(run: ImportRun) -> bytes:
    """The rejected rows as they were in the file, bad cells filled red with the reason as a
    comment, plus a sheet listing every reason (row, column, reason)."""
    importer = IMPORTERS[run.kind]
    by_row: dict[int, dict[str, str]] = {}
    for error in run.errors:
        cols = by_row.setdefault(int(error["row"]), {})
        cols[error["column"]] = (cols.get(error["column"], "") + " " + error["reason"]).strip()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("被拒绝的行"))
    headers = [c.header for c in importer.columns]
    append(sheet, _head_cells(sheet, [_("原行号"), *headers, _("原因")]))
    if by_row:
        with open_sheet(
            run.stored_path, run.filename, importer.aliases(), importer.required()
        ) as src:
            for number, values in src.rows:
                problems = by_row.get(number)
                if not problems:
                    continue
                row_values = {h: values[i] for i, h in src.headers.items() if i < len(values)}
                out = [WriteOnlyCell(sheet, value=number)]
                for header in headers:
                    value = row_values.get(header)
                    cell = WriteOnlyCell(sheet, value=value if value is None else str(value))
                    if header in problems:
                        cell.fill = BAD
                        cell.comment = Comment(strip_controls(problems[header]), _("先锋"))
                    out.append(cell)
                out.append(
                    WriteOnlyCell(sheet, value="；".join(f"{k}：{v}" for k, v in problems.items()))
                )
                append(sheet, out)
    listing = book.create_sheet(_("错误列表"))
    append(listing, _head_cells(listing, [_("行号"), _("列"), _("原因")]))
    for error in run.errors:
        append(listing, [error["row"], error["column"], error["reason"]])
    summary = book.create_sheet(_("汇总"))
    for label, value in (
        (_("文件"), run.filename),
        (_("数据行"), run.total),
        (_("新建"), run.created),
        (_("更新"), run.updated),
        (_("无变化"), run.unchanged),
        (_("拒绝"), run.rejected),
    ):
        append(summary, [label, value])
    return _save(book)


head_cells = _head_cells


def rows_xlsx(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    append(sheet, _head_cells(sheet, headers))
    for row in rows:
        append(sheet, row)
    return _save(book)
