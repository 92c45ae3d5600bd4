"""Reading spreadsheets as they come from real offices, in constant memory.

* ``.xlsx`` through the streaming reader of ``xlsx.py`` (rows stream from the zip in flat
  memory; openpyxl in read-only mode for a package layout it does not follow). Formulas are not
  evaluated: the value Excel cached when it last saved the file is read (``data_only``); a
  formula cell with no cached value reads as empty. ``.xlsm``/``.xls`` and workbooks that carry
  macros (``xl/vbaProject.bin``) are refused.
* ``.csv`` in UTF-8 (with or without BOM) or GBK/GB18030 (what Chinese Excel writes), streamed
  line by line; the encoding is decided by a first pass that only decodes.
* ``.geojson``/``.json`` (grids only): a FeatureCollection whose features' properties are the
  template's columns and whose geometry is the boundary.

The header row is the first of the first ten rows that names the most template columns, so a
title row, a merged group header above the real one and blank rows before it are skipped.
Blank rows and columns without a header are ignored.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from xianfeng.core.validators import normalize_text
from xianfeng.exchange import xlsx

MAX_BYTES = settings.XIANFENG_IMPORT_MAX_BYTES
HEADER_SCAN_ROWS = 10
ALLOWED_SUFFIXES = (".xlsx", ".csv", ".geojson", ".json")


class FileRefused(Exception):
    """The whole file cannot be read as an import of this kind; the message is for the user."""


@dataclass
class Sheet:
    headers: dict[int, str]  # column index -> template header it matched
    header_row: int
    rows: Iterator[tuple[int, list[Any]]]  # (1-based row number, cell values)
    total_hint: int


def check_upload(name: str, size: int) -> str:
    """Refuse by name and size before reading a byte; answers the lower-case suffix."""
    suffix = os.path.splitext(name or "")[1].lower()
    if suffix in (".xlsm", ".xltm", ".xlsb"):
        raise FileRefused(
            _("不接受带宏的表格文件（%(suffix)s），请另存为.xlsx后再上传。") % {"suffix": suffix}
        )
    if suffix == ".xls":
        raise FileRefused(_("不支持旧版.xls文件，请在Excel中另存为.xlsx后再上传。"))
    if suffix not in ALLOWED_SUFFIXES:
        raise FileRefused(_("只接受.xlsx或.csv文件（网格边界另可用.geojson）。"))
    if size == 0:
        raise FileRefused(_("文件是空的，请检查后重新上传。"))
    if size > MAX_BYTES:
        raise FileRefused(
            _("文件太大（%(size)s MB），单个文件不能超过%(max)s MB，请拆分后分批导入。")
            % {"size": round(size / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024}
        )
    return suffix


def _clean_header(value: Any) -> str:
    text = normalize_text(str(value)) if value is not None else ""
    return text.replace(" ", "").replace("*", "").replace("（必填）", "").replace("(必填)", "")


def _match_headers(cells: list[Any], aliases: dict[str, str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        header = aliases.get(_clean_header(cell))
        if header and header not in found.values():
            found[index] = header
    return found


def _guess(scanned: list[list[Any]], others: dict[str, dict[str, str]]) -> str:
    scores = {
        label: max((len(_match_headers(cells, aliases)) for cells in scanned), default=0)
        for label, aliases in others.items()
    }
    label, score = max(scores.items(), key=lambda kv: kv[1], default=("", 0))
    if score >= 2:
        return _("这个文件看起来是“%(kind)s”的模板，请在导入时选择对应的数据类型。") % {
            "kind": label
        }
    return ""


def _find_header(
    rows: Iterator[tuple[int, list[Any]]],
    aliases: dict[str, str],
    required: list[str],
    others: dict[str, dict[str, str]] | None = None,
) -> tuple[dict[int, str], int]:
    best: tuple[dict[int, str], int] = ({}, 0)
    previous: dict[int, str] = {}
    scanned: list[list[Any]] = []
    for number, cells in rows:
        scanned.append(cells)
        matched = _match_headers(cells, aliases)
        # A header merged down over two rows keeps its text in the upper row only.
        for index, header in previous.items():
            blank = index >= len(cells) or cells[index] in (None, "")
            if blank and index not in matched and header not in matched.values():
                matched[index] = header
        previous = matched
        if len(matched) > len(best[0]):
            best = (matched, number)
        if required and all(h in matched.values() for h in required):
            return matched, number
        if number >= HEADER_SCAN_ROWS:
            break
    hint = _guess(scanned, others or {})
    if not best[0]:
        raise FileRefused(
            hint
            or _("没有找到表头：前%(n)d行里没有本模板的列名。") % {"n": HEADER_SCAN_ROWS}
            + _("请确认选择的数据类型与文件一致，或下载模板对照填写。")
        )
    missing = [h for h in required if h not in best[0].values()]
    if missing:
        raise FileRefused(
            _("表头缺少必填列：%(cols)s。") % {"cols": "、".join(missing)}
            + (hint or _("请确认选择的数据类型与文件一致，或下载模板对照填写。"))
        )
    return best


def _nonblank(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if any(c is not None and str(c).strip() != "" for c in cells):
            yield number, cells


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}" if n >= 1024 * 1024 else f"{n / 1024 / 1024:.1f}"


def _too_many_rows(rows: int) -> FileRefused:
    limit = settings.XIANFENG_IMPORT_MAX_ROWS
    return FileRefused(
        _("表格有%(rows)d行，超过了单个文件%(limit)d行的上限，请拆分后分批导入。")
        % {"rows": rows, "limit": limit}
    )


# A member that inflates to less than this is never called a bomb, whatever its ratio (an
# empty sheet compresses a hundred times).
RATIO_FLOOR_BYTES = 1024 * 1024
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]*)(\d+))?\"")


def _first_sheet_member(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The zip member of the workbook's first sheet (workbook.xml order, through its rels)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    match = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\b(?:r:)?id=\"(rId[^\"]*)\"", workbook)
    if not match:
        return None
    for rel in re.finditer(rb"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        if re.search(rb'\bId="' + re.escape(match.group(1)) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target:
                value = target.group(1).decode("utf-8", "replace").lstrip("/")
                member = value if value.startswith("xl/") else f"xl/{value}"
                return member if member in names else None
    return None


def _declared_rows(archive: zipfile.ZipFile, member: str) -> int | None:
    """The last row of the sheet's ``<dimension ref="A1:P3000000"/>``, read from the first
    kilobytes of the member (the element comes before the rows), or None."""
    with archive.open(member) as fh:
        head = fh.read(64 * 1024)
    match = _DIMENSION_RE.search(head)
    if not match:
        return None
    last = match.group(4) or match.group(2)
    return int(last) if last else None


def check_xlsx(path: str) -> None:
    """Refuse a workbook before openpyxl reads a byte of it: not a zip, macros, members that
    inflate past ``XIANFENG_IMPORT_MAX_INFLATED_BYTES`` in all, a large member inflating more
    than ``XIANFENG_IMPORT_MAX_RATIO`` times (a zip bomb), or a first sheet whose
    ``<dimension>`` declares more than ``XIANFENG_IMPORT_MAX_ROWS`` rows. Only the zip's
    directory and the first kilobytes of the sheet are read."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise FileRefused(
                    _("表格里带有宏，出于安全考虑不予导入。请删除宏、另存为.xlsx后再上传。")
                )
            inflated = sum(i.file_size for i in infos)
            limit = settings.XIANFENG_IMPORT_MAX_INFLATED_BYTES
            if inflated > limit:
                raise FileRefused(
                    _(
                        "表格解压后有%(size)s MB，超过了%(max)s MB的上限（可能是压缩炸弹，"
                        "或数据太多），请拆分后分批导入。"
                    )
                    % {"size": _mb(inflated), "max": _mb(limit)}
                )
            ratio = settings.XIANFENG_IMPORT_MAX_RATIO
            for info in infos:
                if info.file_size > RATIO_FLOOR_BYTES and (
                    info.file_size > ratio * max(info.compress_size, 1)
                ):
                    raise FileRefused(
                        _(
                            "表格里的“%(name)s”解压后是压缩时的%(ratio)d倍，超过了%(max)d倍的上限"
                            "（可能是压缩炸弹），不予导入。"
                        )
                        % {
                            "name": info.filename,
                            "ratio": info.file_size // max(info.compress_size, 1),
                            "max": ratio,
                        }
                    )
            member = _first_sheet_member(archive, names)
            members = (
                [member]
                if member
                else sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[:1]
            )
            for name in members:
                declared = _declared_rows(archive, name)
                if declared is not None and declared - 1 > settings.XIANFENG_IMPORT_MAX_ROWS:
                    raise _too_many_rows(declared - 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, KeyError, EOFError):
        raise FileRefused(_("文件不是有效的.xlsx表格（可能已损坏，或扩展名被改过）。")) from None
    except (NotImplementedError, RuntimeError, ValueError):
        # Encrypted members, unknown compression methods.
        raise FileRefused(_("无法读取这个.xlsx表格，文件可能已损坏或已加密。")) from None


# A sheet this large inflated (about 20,000 rows and up; many writers declare no size, so not
# by rows) is read in a child process (``xlsx.rows_in_child``): starting it costs about a
# fifth of a second, reading 100,000 rows here about two seconds of the interpreter's lock
# that the checks and writes then wait for.
CHILD_READER_BYTES = 8 * 1024 * 1024


def _limited(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Rows up to ``XIANFENG_IMPORT_MAX_ROWS`` (plus a few for the header): a sheet that lied
    about its size, or a CSV of millions of lines, is refused when it passes the limit."""
    limit = settings.XIANFENG_IMPORT_MAX_ROWS + HEADER_SCAN_ROWS
    for number, cells in rows:
        if number > limit:
            raise _too_many_rows(number)
        yield number, cells


def _xlsx_rows(path: str) -> tuple[Iterator[tuple[int, list[Any]]], int, Any]:
    """The first sheet's rows through the streaming reader (``xlsx.py``), or through openpyxl
    for a package layout that reader does not follow."""
    check_xlsx(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(_("文件不是有效的.xlsx表格（可能已损坏，或扩展名被改过）。")) from None
    try:
        book = xlsx.Workbook(archive)
    except xlsx.Unsupported:
        archive.close()
        return _openpyxl_rows(path)
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, EOFError, ValueError):
        archive.close()
        raise FileRefused(_("无法读取这个.xlsx表格，文件可能已损坏。")) from None
    declared = _declared_rows(archive, book.sheet)
    total = max((declared or 1) - 1, 0)

    def cells() -> Iterator[tuple[int, list[Any]]]:
        if archive.getinfo(book.sheet).file_size >= CHILD_READER_BYTES:
            try:
                yield from xlsx.rows_in_child(path)
                return
            except xlsx.ChildUnavailable:
                pass  # nothing read yet: read here
        yield from xlsx.rows(archive, book)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from cells()
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            UnicodeDecodeError,
            xlsx.Unsupported,
        ):
            raise FileRefused(_("无法读取这个.xlsx表格，文件可能已损坏。")) from None

    reading = rows()
    return reading, total, _Closing(reading, archive)


class _Closing:
    """Closes the rows (a child process reading them ends) and then the archive."""

    def __init__(self, *parts: Any) -> None:
        self.parts = parts

    def close(self) -> None:
        for part in self.parts:
            part.close()


def _openpyxl_rows(path: str) -> tuple[Iterator[tuple[int, list[Any]]], int, Any]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise FileRefused(_("无法读取这个.xlsx表格，文件可能已损坏。")) from None
    sheet = book.worksheets[0]
    total = max((sheet.max_row or 1) - 1, 0)
    if total > settings.XIANFENG_IMPORT_MAX_ROWS:
        book.close()
        raise _too_many_rows(total)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)

    return rows(), total, book


def _csv_encoding(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(3)
    if head == b"\xef\xbb\xbf":
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            with open(path, encoding=encoding, newline="") as fh:
                for _line in fh:
                    pass
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("CSV文件的编码无法识别，请用UTF-8或GBK编码保存。"))


def _csv_rows(path: str) -> tuple[Iterator[tuple[int, list[Any]]], int, Any]:
    encoding = _csv_encoding(path)
    fh = open(path, encoding=encoding, newline="")
    sample = fh.read(4096)
    fh.seek(0)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(fh, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, values in enumerate(reader, start=1):
            yield number, list(values)

    return rows(), 0, fh


def _geojson_rows(path: str) -> tuple[Iterator[tuple[int, list[Any]]], int, Any]:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except (ValueError, UnicodeDecodeError):
        raise FileRefused(_("GeoJSON文件无法解析，请检查格式。")) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise FileRefused(_("GeoJSON文件应为包含网格要素的FeatureCollection。"))
    keys: list[str] = []
    for feature in features:
        for key in (feature.get("properties") or {}) if isinstance(feature, dict) else {}:
            if key not in keys:
                keys.append(key)
    keys.append("边界GeoJSON")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield 1, list(keys)
        for number, feature in enumerate(features, start=2):
            props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            values = [props.get(k) for k in keys[:-1]]
            yield number, [*values, json.dumps(geometry, ensure_ascii=False) if geometry else ""]

    return rows(), len(features), io.StringIO()


class open_sheet:
    """``with open_sheet(path, name, aliases, required) as sheet:`` rows after the header."""

    def __init__(
        self,
        path: str,
        name: str,
        aliases: dict[str, str],
        required: list[str],
        others: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.path, self.name, self.aliases, self.required = path, name, aliases, required
        self.others = others
        self._closable: Any = None

    def __enter__(self) -> Sheet:
        suffix = check_upload(self.name, os.path.getsize(self.path))
        if suffix == ".xlsx":
            rows, total, self._closable = _xlsx_rows(self.path)
        elif suffix == ".csv":
            rows, total, self._closable = _csv_rows(self.path)
        else:
            rows, total, self._closable = _geojson_rows(self.path)
        rows = _nonblank(_limited(rows))
        headers, header_row = _find_header(rows, self.aliases, self.required, self.others)
        return Sheet(headers=headers, header_row=header_row, rows=rows, total_hint=total)

    def __exit__(self, *exc: Any) -> None:
        if self._closable is not None:
            self._closable.close()
