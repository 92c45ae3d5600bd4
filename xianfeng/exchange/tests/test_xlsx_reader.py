# ruff: noqa: E501
"""The streaming .xlsx reader answers what openpyxl answers, cell for cell."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook

from xianfeng.exchange import xlsx
from xianfeng.exchange.readers import FileRefused, open_sheet


def _trim(values: list[Any]) -> list[Any]:
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return values


def openpyxl_rows(path: Path) -> dict[int, list[Any]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = {
            number: _trim(values)
            for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1)
        }
    finally:
        book.close()
    return {n: v for n, v in rows.items() if v}


def streamed_rows(path: Path) -> dict[int, list[Any]]:
    rows = {number: _trim(values) for number, values in xlsx.iter_rows(str(path))}
    return {n: v for n, v in rows.items() if v}


TEXTS = [
    "张伟",
    "a & b < c > d \"quoted\" 'single'",
    "  leading and trailing  ",
    "两行\n第二行",
    "XF-S01-C01-G01",
    "110101199003074514",
    "x005F_x000D_ kept as openpyxl keeps it",
    "",
]


def _fill(sheet: Any) -> None:
    sheet.append(["姓名", "数字", "日期", "其他"])
    for i, text in enumerate(TEXTS):
        sheet.append([text or None, i, datetime.datetime(2021, 3, 5 + i), i / 3])
    sheet.append([None, 110101199003074514, 1.5e20, -0.25])  # an ID typed as a number
    sheet.append([True, False, datetime.date(1999, 12, 31), "=1+1"])
    sheet.append([])
    sheet.append([None, None, None, "only the last column"])


def test_a_normal_workbook_reads_the_same(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    _fill(sheet)
    sheet["E2"] = datetime.time(8, 30)
    sheet["F2"] = datetime.timedelta(hours=30, minutes=15)
    sheet["F2"].number_format = "[h]:mm"
    sheet["G3"] = 44000
    sheet["G3"].number_format = 'yyyy"年"m"月"d"日"'
    sheet["H4"] = 44000
    sheet["H4"].number_format = "0.00"
    sheet["A30"] = "after a gap"
    path = tmp_path / "normal.xlsx"
    book.save(path)
    expected = openpyxl_rows(path)
    assert expected[30] == ["after a gap"]
    assert isinstance(expected[3][6], datetime.datetime)
    assert streamed_rows(path) == expected


def test_a_write_only_workbook_with_inline_strings_reads_the_same(tmp_path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员")
    _fill(sheet)
    path = tmp_path / "write_only.xlsx"
    book.save(path)
    assert b"inlineStr" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert streamed_rows(path) == openpyxl_rows(path)


def test_rows_across_many_chunks_read_the_same(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for i in range(6000):
        sheet.append([f"名字{i}" * 20, i, f"第{i}行 & <尾>" * 5, i * 0.5])
    path = tmp_path / "large.xlsx"
    book.save(path)
    size = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    assert size > 2 * xlsx.CHUNK
    assert streamed_rows(path) == openpyxl_rows(path)


CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/strings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/>
<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:numFmts count="1"><x:numFmt formatCode="yyyy/m/d" numFmtId="170"/></x:numFmts>
<x:fonts count="1"><x:font/></x:fonts><x:fills count="1"><x:fill><x:patternFill patternType="none"/></x:fill></x:fills>
<x:borders count="1"><x:border/></x:borders>
<x:cellStyleXfs count="1"><x:xf numFmtId="0"/></x:cellStyleXfs>
<x:cellXfs count="3"><x:xf numFmtId="0" xfId="0"/><x:xf numFmtId="170" xfId="0" applyNumberFormat="1"/><x:xf numFmtId="14" xfId="0"/></x:cellXfs>
</x:styleSheet>"""
STRINGS = """<?xml version="1.0" encoding="UTF-8"?>
<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<x:si><x:t>姓名</x:t></x:si>
<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>王</x:t></x:r><x:r><x:t xml:space="preserve"> 芳</x:t></x:r><x:rPh sb="0" eb="1"><x:t>オウ</x:t></x:rPh></x:si>
<x:si><x:t>A &amp; B&#x4E2D;&#20013;</x:t></x:si>
<x:si/>
</x:sst>""".encode()


def _package(path: Path, sheet: bytes, date1904: bool = False) -> None:
    pr = '<x:workbookPr date1904="1"/>' if date1904 else ""
    workbook = f"""<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}
<x:sheets><x:sheet name="数据" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>""".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/strings.xml", STRINGS)
        archive.writestr("xl/worksheets/data.xml", sheet)


SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A1:F6"/><x:cols><x:col min="1" max="2" width="12"/></x:cols>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>3</x:v></x:c></x:row>
<x:row r="2"><x:c t="n"><x:v>42</x:v></x:c><x:c><x:v>1.25E3</x:v></x:c><x:c s="1"><x:v>44197</x:v></x:c><x:c s="2"><x:v>44197.5</x:v></x:c></x:row>
<x:row r="3" spans="1:6"><x:c r="A3" t="b"><x:v>1</x:v></x:c><x:c r="B3" t="e"><x:v>#N/A</x:v></x:c><x:c r="C3" t="str"><x:f>A1&amp;"x"</x:f><x:v>姓名x</x:v></x:c><x:c r="F3" t="inlineStr"><x:is><x:r><x:t>行</x:t></x:r><x:r><x:t>内</x:t></x:r></x:is></x:c></x:row>
<x:row r="5"><x:c r="A5" s="0"/><x:c r="B5"><x:v></x:v></x:c><x:c r="C5" t="inlineStr"><x:is><x:t>a\r\nb &lt;c&gt;</x:t></x:is></x:c><x:c r="D5"><x:f>SUM(A2:B2)</x:f><x:v>1292</x:v></x:c></x:row>
<x:row r="6"/>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A6:B6"/></x:mergeCells>
</x:worksheet>""".encode()


@pytest.mark.parametrize("date1904", [False, True])
def test_a_hand_made_package_with_prefixes_rich_text_and_1904_dates(
    tmp_path: Path, date1904: bool
) -> None:
    path = tmp_path / "hand.xlsx"
    _package(path, SHEET, date1904=date1904)
    expected = openpyxl_rows(path)
    assert expected[1] == ["姓名", "王 芳", "A & B中中", ""]
    assert streamed_rows(path) == expected


CDATA_SHEET = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t><![CDATA[a <b> & c]]></x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>A &amp; <![CDATA[<B>&amp;]]> C</x:t></x:is></x:c><x:c r="C1"><x:v><![CDATA[42]]></x:v></x:c><x:c r="D1" t="str"><x:f>A1</x:f><x:v><![CDATA[x&y\r\nz]]></x:v></x:c><x:c r="E1" t="s"><x:v><![CDATA[0]]></x:v></x:c></x:row>
</x:sheetData>
</x:worksheet>"""


def test_cdata_sections_read_as_the_xml_parser_reads_them(tmp_path: Path) -> None:
    """Character data written as CDATA (taken literally, no entities) reads as openpyxl reads
    it: in inline strings, mixed with escaped text, and in values (a noticed item of stop 26:
    the reader returned the markup)."""
    path = tmp_path / "cdata.xlsx"
    _package(path, CDATA_SHEET)
    expected = openpyxl_rows(path)
    assert expected[1] == ["a <b> & c", "A & <B>&amp; C", 42, "x&y\nz", "姓名"]
    assert streamed_rows(path) == expected


def test_a_package_without_a_first_sheet_goes_to_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    _package(path, SHEET)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Id="rId7"', b'Id="rId70"'
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with zipfile.ZipFile(path) as archive, pytest.raises(xlsx.Unsupported):
        xlsx.Workbook(archive)
    # open_sheet still reads it (openpyxl finds the sheet its own way) or refuses it in Chinese.
    try:
        with open_sheet(str(path), "odd.xlsx", {"姓名": "姓名"}, ["姓名"]) as sheet:
            list(sheet.rows)
    except FileRefused as exc:
        assert "表格" in str(exc)


def test_a_corrupt_sheet_is_refused_in_chinese(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["姓名"])
    for i in range(2000):
        book.active.append([f"张{i}"])
    path = tmp_path / "good.xlsx"
    book.save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Flip bytes inside the sheet's compressed data: the CRC or inflate fails while streaming.
    start = info.header_offset + 30 + len(info.filename) + 40
    for i in range(start, start + 30):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(FileRefused) as refused:
        with open_sheet(str(path), "good.xlsx", {"姓名": "姓名"}, ["姓名"]) as sheet:
            list(sheet.rows)
    assert "xlsx" in str(refused.value)


def _child_rows(path: Path) -> dict[int, list[Any]]:
    rows = {number: _trim(values) for number, values in xlsx.rows_in_child(str(path))}
    return {n: v for n, v in rows.items() if v}


@pytest.mark.parametrize("date1904", [False, True])
def test_a_child_process_reads_what_this_one_reads(tmp_path: Path, date1904: bool) -> None:
    """Every kind of cell comes back from the child process as it is read here, across
    several of its messages (rows in batches of CHILD_BATCH), shared strings and dates too."""
    path = tmp_path / "hand.xlsx"
    _package(path, SHEET, date1904=date1904)
    assert _child_rows(path) == streamed_rows(path) == openpyxl_rows(path)
    book = Workbook()
    sheet = book.active
    _fill(sheet)
    for i in range(2 * xlsx.CHILD_BATCH + 7):
        sheet.append([f"名字{i}", i, datetime.datetime(2020, 1, 1) + datetime.timedelta(i)])
    big = tmp_path / "big.xlsx"
    book.save(big)
    child = _child_rows(big)
    assert len(child) > 2 * xlsx.CHILD_BATCH and child == streamed_rows(big)


def test_the_childs_error_is_raised_here_and_an_early_stop_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    popen = xlsx.subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> Any:
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(xlsx.subprocess, "Popen", recording)
    book = Workbook()
    for i in range(3000):
        book.active.append([f"张{i}"])
    path = tmp_path / "good.xlsx"
    book.save(path)
    rows = xlsx.rows_in_child(str(path))
    assert next(rows) == (1, ["张0"])
    rows.close()  # the import refused the file at its header, say
    assert started[0].returncode is not None  # ended and waited for, not left running
    with pytest.raises(OSError):
        list(xlsx.rows_in_child(str(tmp_path / "missing.xlsx")))  # the child's own error
    (tmp_path / "text.xlsx").write_text("不是表格")
    with pytest.raises(zipfile.BadZipFile):
        list(xlsx.rows_in_child(str(tmp_path / "text.xlsx")))
    assert all(p.returncode is not None for p in started)


def test_a_large_sheet_is_read_by_a_child_unless_none_can_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """open_sheet hands a sheet of CHILD_READER_BYTES or more to a child process; when no child
    answers (an interpreter that is not Python, say) it reads the sheet itself, and a corrupt
    sheet is refused in Chinese either way."""
    from xianfeng.exchange import readers

    calls: list[str] = []
    real = xlsx.rows_in_child

    def counting(path: str) -> Any:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(xlsx, "rows_in_child", counting)
    monkeypatch.setattr(readers, "CHILD_READER_BYTES", 500)
    book = Workbook()
    book.active.append(["姓名"])
    for i in range(40):
        book.active.append([f"张{i}"])
    path = tmp_path / "members.xlsx"
    book.save(path)
    with open_sheet(str(path), "members.xlsx", {"姓名": "姓名"}, ["姓名"]) as sheet:
        names = [cells[0] for _n, cells in sheet.rows]
    assert calls and names == [f"张{i}" for i in range(40)]
    monkeypatch.setattr(xlsx.sys, "executable", "/bin/true")  # starts, answers nothing
    with open_sheet(str(path), "members.xlsx", {"姓名": "姓名"}, ["姓名"]) as sheet:
        assert [cells[0] for _n, cells in sheet.rows] == names
    assert len(calls) == 2
