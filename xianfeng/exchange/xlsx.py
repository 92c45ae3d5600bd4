"""A streaming reader of the cells of an .xlsx sheet: the speed of the file, in flat memory.

openpyxl's read-only mode builds a Python object per cell and reads 100,000 rows x 10 columns
in about 13 s here; python-calamine (Rust) reads them in about 1 s but holds the whole sheet in
memory (about 70 bytes a cell, so a 500,000-row sheet of 14 columns is half a gigabyte), which
the issue's "memory stays flat" forbids. This reader inflates the sheet from the zip a megabyte
at a time and takes rows and cells out of each megabyte with one regular expression (the
tokenising runs in C); memory is the shared strings (as in openpyxl) plus one megabyte.

It answers what openpyxl answers with ``read_only=True, data_only=True`` and
``iter_rows(values_only=True)`` (``xianfeng/exchange/tests/test_xlsx_reader.py`` compares the
two on every cell type): numbers as int or float as written, date-formatted numbers as
``datetime``/``time``/``timedelta`` (openpyxl's own format tables decide which styles are
dates, and its ``from_excel`` converts, 1904 workbooks included), shared and inline strings
(rich text joined, phonetic runs left out), booleans, error codes as their text, the cached
value of a formula. Rows keep their sheet numbers (``<row r>``); rows without cells are not
yielded, which the importer would skip anyway. Unlike openpyxl, rows are not padded to the
sheet's width.

What it does not read is handed to openpyxl (``readers._xlsx_rows``): a workbook whose first
sheet or parts it cannot find through the package relationships raises ``Unsupported``.

A large sheet (``readers.CHILD_READER_BYTES``) is read in a child process
(``rows_in_child``, ``python -m xianfeng.exchange.xlsx FILE``) that sends the rows back a
thousand at a time: the import's checks and writes hold the interpreter's lock for the whole
run, and reading the sheet was a third of that; in its own process it runs beside them on the
other core.
"""

from __future__ import annotations

import html
import os
import pickle
import re
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

CHUNK = 1 << 20


class Unsupported(Exception):
    """A package layout this reader does not follow; openpyxl reads the file instead."""


_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_REL_ATTR = re.compile(rb'\b(Id|Type|Target)="([^"]*)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\b(?:\w+:)?id=\"([^\"]*)\"")
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(1|true)\"")
_NUMFMT = re.compile(
    rb"<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId=\"(\d+)\"[^>]*?\bformatCode=\"([^\"]*)\""
)
_NUMFMT_REVERSED = re.compile(
    rb"<(?:\w+:)?numFmt\b[^>]*?\bformatCode=\"([^\"]*)\"[^>]*?\bnumFmtId=\"(\d+)\""
)
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_XF_NUMFMT = re.compile(rb'\bnumFmtId="(\d+)"')
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_V = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>", re.S)
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_REF = re.compile(rb'\br="([A-Za-z]+)')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')
_CELL_STYLE = re.compile(rb'\bs="(\d+)"')
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)


def _text(raw: bytes) -> str:
    """XML character data as the parser would give it: entities resolved, line ends as \\n,
    CDATA sections (some writers use them for text with markup characters) taken as they are."""
    if b"<![CDATA[" in raw:
        pieces = _CDATA.split(raw)  # text, section, text, section, ..., text
        return "".join(
            _text(piece) if i % 2 == 0 else _line_ends(piece.decode("utf-8"))
            for i, piece in enumerate(pieces)
        )
    text = raw.decode("utf-8")
    if "&" in text:
        text = html.unescape(text)
    return _line_ends(text)


def _line_ends(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _string_content(raw: bytes) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>`` and its runs' ``<t>``, not the
    phonetic runs (openpyxl's ``Text.content``)."""
    if b"rPh" in raw:
        raw = _RPH.sub(b"", raw)
    return "".join(_text(t) for t in _T.findall(raw))


def _relationships(archive: zipfile.ZipFile, name: str) -> list[dict[bytes, bytes]]:
    try:
        data = archive.read(name)
    except KeyError:
        return []
    return [dict(_REL_ATTR.findall(m.group(1))) for m in _REL.finditer(data)]


def _target(base: str, target: bytes) -> str:
    value = _text(target)
    if value.startswith("/"):
        return value.lstrip("/")
    return f"{base}/{value}" if not value.startswith(base + "/") else value


class Workbook:
    """The parts of a workbook the first sheet's cells need."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        try:
            workbook = archive.read("xl/workbook.xml")
        except KeyError:
            raise Unsupported("no xl/workbook.xml") from None
        rels = _relationships(archive, "xl/_rels/workbook.xml.rels")
        by_id = {r.get(b"Id"): r for r in rels}
        first = _SHEET.search(workbook)
        rel = by_id.get(first.group(1)) if first else None
        if rel is None or b"Target" not in rel:
            raise Unsupported("first sheet not found")
        self.sheet = _target("xl", rel[b"Target"])
        if self.sheet not in names:
            raise Unsupported(f"{self.sheet} missing")
        self.epoch = CALENDAR_MAC_1904 if _DATE1904.search(workbook) else WINDOWS_EPOCH
        parts = {
            r.get(b"Type", b"").rsplit(b"/", 1)[-1]: _target("xl", r[b"Target"])
            for r in rels
            if b"Target" in r
        }
        self._names, self._strings = names, parts.get(b"sharedStrings")
        self.date_styles, self.timedelta_styles = self._date_styles(parts.get(b"styles"), names)

    @cached_property
    def shared(self) -> list[str]:
        # read when the cells are (not when only the layout is checked, before a child
        # process reads the cells)
        return self._shared_strings(self._strings, self._names)

    def _shared_strings(self, name: str | None, names: set[str]) -> list[str]:
        if name is None or name not in names:
            return []
        strings: list[str] = []
        buffer = b""
        with self.archive.open(name) as fh:
            while True:
                chunk = fh.read(CHUNK)
                buffer += chunk
                cut = len(buffer) if not chunk else buffer.rfind(b"si>") + 3
                if cut > 2:
                    part, buffer = buffer[:cut], buffer[cut:]
                    for match in _SI.finditer(part):
                        body = match.group(1)
                        text = _string_content(body) if body else ""
                        strings.append(text.replace("x005F_", ""))
                if not chunk:
                    return strings

    def _date_styles(self, name: str | None, names: set[str]) -> tuple[set[int], set[int]]:
        if name is None or name not in names:
            return set(), set()
        data = self.archive.read(name)
        custom = {int(i): _text(code) for i, code in _NUMFMT.findall(data)}
        custom.update({int(i): _text(code) for code, i in _NUMFMT_REVERSED.findall(data)})
        dates: set[int] = set()
        durations: set[int] = set()
        block = _CELLXFS.search(data)
        for index, xf in enumerate(_XF.findall(block.group(0)) if block else []):
            found = _XF_NUMFMT.search(xf)
            number = int(found.group(1)) if found else 0
            fmt = custom.get(number) or BUILTIN_FORMATS.get(number, "General")
            if is_date_format(fmt):
                dates.add(index)
            if is_timedelta_format(fmt):
                durations.add(index)
        return dates, durations


_COLUMNS: dict[bytes, int] = {}


def _column(ref: bytes) -> int:
    known = _COLUMNS.get(ref)  # a sheet has few distinct column letters; a file, many cells
    if known is not None:
        return known
    index = 0
    for ch in ref.upper():
        index = index * 26 + ch - 64
    if len(_COLUMNS) < 1024:
        _COLUMNS[ref] = index - 1
    return index - 1


def _number(raw: bytes) -> int | float:
    if b"." in raw or b"E" in raw or b"e" in raw:
        return float(raw)
    return int(raw)


def iter_rows(path: str) -> Iterator[tuple[int, list[Any]]]:
    """(sheet row number, cell values) for each row of the first sheet that has cells."""
    with zipfile.ZipFile(path) as archive:
        yield from rows(archive, Workbook(archive))


def _tokens(head: bytes) -> tuple[re.Pattern[bytes], bytes, bytes]:
    """The row-and-cell pattern for this sheet's element prefix (``<x:c>`` in some writers)."""
    root = _ROOT.search(head)
    prefix = re.escape(root.group(1)) if root and root.group(1) else b""
    # <row ...> opens a row; a cell is <c .../> or <c ...>...</c> (a cell's attributes never
    # hold "/" or ">"). No other element starts with "<c " or "<row " (\b keeps <cols> and
    # <rowBreaks> out).
    pattern = re.compile(
        rb"<" + prefix + rb"(?:(row)\b([^>]*)>|c\b([^>/]*)(?:/>|>(.*?)</" + prefix + rb"c>))",
        re.S,
    )
    return pattern, b"</" + prefix + b"c>", b"</" + prefix + b"row>"


def rows(archive: zipfile.ZipFile, book: Workbook) -> Iterator[tuple[int, list[Any]]]:
    shared, dates, durations = book.shared, book.date_styles, book.timedelta_styles
    epoch = book.epoch
    tokens: re.Pattern[bytes] | None = None
    cell_end = row_end = b""
    number = 0
    values: list[Any] | None = None
    buffer = b""
    with archive.open(book.sheet) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buffer += chunk
            if tokens is None:
                tokens, cell_end, row_end = _tokens(buffer)
            if chunk:
                # Take up to the last closed cell or row; the rest waits for the next chunk.
                ends = (buffer.rfind(cell_end), buffer.rfind(row_end))
                cut = max(
                    ends[0] + len(cell_end) if ends[0] >= 0 else 0,
                    ends[1] + len(row_end) if ends[1] >= 0 else 0,
                )
                if cut == 0:
                    continue
            else:
                cut = len(buffer)
            part, buffer = buffer[:cut], buffer[cut:]
            for is_row, row_attrs, attrs, inner in tokens.findall(part):
                if is_row:
                    if values:
                        yield number, values
                    found = _ROW_NUMBER.search(row_attrs)
                    number = int(found.group(1)) if found else number + 1
                    values = []
                    continue
                if values is None:  # a cell outside any row: not a sheet we know
                    raise Unsupported("cell outside a row")
                if b'r="' in attrs:
                    found = _CELL_REF.search(attrs)
                    if found:
                        index = _column(found.group(1))
                        if index > len(values):
                            values.extend([None] * (index - len(values)))
                        elif index < len(values):
                            del values[index:]
                if not inner:
                    values.append(None)
                    continue
                kind = b"n"
                if b't="' in attrs:
                    found = _CELL_TYPE.search(attrs)
                    kind = found.group(1) if found else b"n"
                if kind == b"inlineStr":
                    if inner[:7] == b"<is><t>" and inner[-9:] == b"</t></is>":
                        body = inner[7:-9]
                        value: Any = _text(body) if b"<" not in body else _string_content(inner)
                    else:
                        value = _string_content(inner)
                    values.append(value)
                    continue
                if inner[:3] == b"<v>" and inner[-4:] == b"</v>":
                    raw = inner[3:-4]
                else:
                    found = _V.search(inner)
                    raw = found.group(1) if found else b""
                if b"<![CDATA[" in raw:
                    raw = _text(raw).encode("utf-8")
                if not raw:
                    values.append(None)  # openpyxl: an empty <v> is no value
                elif kind == b"n":
                    value = _number(raw)
                    if dates:
                        found = _CELL_STYLE.search(attrs) if b's="' in attrs else None
                        style = int(found.group(1)) if found else 0
                        if style in dates:
                            try:
                                value = from_excel(value, epoch, timedelta=style in durations)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    values.append(value)
                elif kind == b"s":
                    index = int(raw)
                    values.append(shared[index] if 0 <= index < len(shared) else None)
                elif kind == b"b":
                    values.append(bool(int(raw)))
                elif kind == b"d":
                    values.append(from_ISO8601(_text(raw)))
                else:  # str (a formula's text), e (an error code)
                    values.append(_text(raw))
            if not chunk:
                break
    if values:
        yield number, values


# --- reading in a child process ----------------------------------------------------------

CHILD_BATCH = 1000  # rows a message
_HELLO = b"XFXLSX1\n"
_ROWS, _ERROR, _DONE = b"R", b"E", b"D"
_FRAME = struct.Struct(">cI")
# Errors the child may meet, raised again here as the first of these classes they belong to
# (the caller turns them into a Chinese refusal); anything else arrives as ValueError.
_ERRORS: dict[str, type[Exception]] = {
    "BadZipFile": zipfile.BadZipFile,
    "EOFError": EOFError,
    "OSError": OSError,
    "KeyError": KeyError,
    "Unsupported": Unsupported,
    "ValueError": ValueError,
}


class ChildUnavailable(Exception):
    """No child process answered (no interpreter to start, or not ours): read here instead."""


def _serve(path: str) -> None:
    """The child: the rows of ``path`` on stdout, ``CHILD_BATCH`` to a pickled frame."""
    out = sys.stdout.buffer
    out.write(_HELLO)

    def send(kind: bytes, body: bytes) -> None:
        out.write(_FRAME.pack(kind, len(body)))
        out.write(body)

    try:
        batch: list[tuple[int, list[Any]]] = []
        for item in iter_rows(path):
            batch.append(item)
            if len(batch) == CHILD_BATCH:
                send(_ROWS, pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
                batch = []
        if batch:
            send(_ROWS, pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        send(_DONE, b"")
    except Exception as exc:  # handed to the parent, which raises it there
        name = next((n for n, cls in _ERRORS.items() if isinstance(exc, cls)), "ValueError")
        send(_ERROR, pickle.dumps((name, str(exc))))
    out.flush()


def _read_exact(stream: Any, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise OSError("the reading process ended early")
    return data


def rows_in_child(path: str) -> Iterator[tuple[int, list[Any]]]:
    """The rows ``iter_rows(path)`` gives, read by a child process. ``ChildUnavailable`` before
    the first row when no child could be started; the child's errors are raised here as their
    own classes. Closing the iterator early ends the child."""
    # started in the directory that holds the package: ``-m`` finds it there, installed or not
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "xianfeng.exchange.xlsx", os.path.abspath(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
        )
    except OSError as exc:
        raise ChildUnavailable(str(exc)) from None
    try:
        stream = child.stdout
        assert stream is not None
        if stream.read(len(_HELLO)) != _HELLO:
            raise ChildUnavailable("the child did not answer")
        while True:
            kind, size = _FRAME.unpack(_read_exact(stream, _FRAME.size))
            body = _read_exact(stream, size)
            if kind == _ROWS:
                yield from pickle.loads(body)  # our own child's rows: plain values
            elif kind == _DONE:
                return
            else:
                name, message = pickle.loads(body)
                raise _ERRORS.get(name, ValueError)(message)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


if __name__ == "__main__":
    _serve(sys.argv[1])
