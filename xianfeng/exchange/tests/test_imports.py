"""Imports: previews that change nothing, applies in one transaction, re-imports that change
nothing, and real-world files (encodings, merged headers, dates, mangled ID numbers)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from xianfeng.exchange.importers import run_import
from xianfeng.exchange.readers import FileRefused
from xianfeng.exchange.tests.conftest import MEMBER_HEAD, csv_bytes, make_id, xlsx_bytes
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Building, Grid, Household

pytestmark = pytest.mark.django_db

G01 = "XF-S01-C01-G01"


def member_rows(n: int, start: int = 0, branch: str = G01) -> list[list]:
    return [
        [
            f"测试{i}",
            make_id(start + i),
            branch,
            f"139{i:08d}",
            "社区党员",
            "正式党员",
            "2010-07-01",
        ]
        for i in range(n)
    ]


def run(personas, path, name, kind="members", user="shequ", **kw):
    kw.setdefault("dry_run", False)
    return run_import(kind=kind, path=path, filename=name, user=personas[user], **kw)


def test_a_preview_counts_rows_and_changes_nothing(personas, write_file):
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, *member_rows(5)]))
    before = PartyMember.objects.count()
    outcome = run(personas, path, "m.xlsx", dry_run=True)
    assert (outcome.total, outcome.created, outcome.rejected) == (5, 5, 0)
    assert PartyMember.objects.count() == before


def test_applying_creates_members_with_history_and_reimporting_changes_nothing(
    personas, write_file
):
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, *member_rows(5)]))
    first = run(personas, path, "m.xlsx")
    assert first.created == 5
    person = Person.objects.with_id_number(make_id(0)).get()
    assert person.member.branch.code == G01
    assert person.name_initials == "cs0" or person.name_pinyin.startswith("ce")
    assert person.history.first().history_change_reason == "批量导入"
    again = run(personas, path, "m.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_a_changed_row_updates_the_member_by_id_number(personas, write_file):
    run(personas, write_file("a.xlsx", xlsx_bytes([MEMBER_HEAD, *member_rows(2)])), "a.xlsx")
    rows = member_rows(2)
    rows[1][5] = "预备党员"
    outcome = run(personas, write_file("b.xlsx", xlsx_bytes([MEMBER_HEAD, *rows])), "b.xlsx")
    assert (outcome.updated, outcome.unchanged) == (1, 1)
    assert Person.objects.with_id_number(make_id(1)).get().member.category == "probationary"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_chinese_excel_writes(personas, write_file, encoding):
    path = write_file("m.csv", csv_bytes([MEMBER_HEAD, *member_rows(3)], encoding))
    outcome = run(personas, path, "m.csv", dry_run=True)
    assert (outcome.created, outcome.rejected) == (3, 0)


def test_title_rows_merged_headers_blank_rows_and_columns_are_skipped(personas, write_file):
    rows = [
        ["党员花名册", None, None, None, None, None, None, None],
        [None] * 8,
        ["人员信息", None, "组织", None, None, None, None, None],
        [*MEMBER_HEAD, None],
        [None] * 8,
        [*member_rows(1)[0], None],
        [None] * 8,
    ]
    path = write_file("m.xlsx", xlsx_bytes(rows, merge="A1:G1"))
    outcome = run(personas, path, "m.xlsx", dry_run=True)
    assert (outcome.total, outcome.created) == (1, 1)


def test_a_header_merged_down_two_rows_is_read(personas, write_file):
    rows = [
        ["姓名", "身份证号", "组织", None],
        [None, None, "所在党组织代码", "手机号"],
        ["张三", make_id(7), G01, "13900000001"],
    ]
    path = write_file("m.xlsx", xlsx_bytes(rows, merge="A1:A2"))
    outcome = run(personas, path, "m.xlsx", dry_run=True)
    assert (outcome.created, outcome.rejected) == (1, 0)


def test_dates_serials_full_width_digits_are_understood(personas, write_file):
    rows = [
        [
            "张一",
            make_id(11),
            G01,
            "１３９００００００１１",
            "社区党员",
            "正式党员",
            "2010年7月1日",
        ],
        ["张二", make_id(12), G01, "13900000012", "社区党员", "正式党员", 40360],
        ["张三", f" {make_id(13)} ", G01, "13900000013", "在职党员", "正式党员", "2010/7/1"],
    ]
    rows[2].append("某局")
    head = [*MEMBER_HEAD, "工作单位"]
    path = write_file("m.xlsx", xlsx_bytes([head, *rows]))
    outcome = run(personas, path, "m.xlsx")
    assert outcome.rejected == 0, outcome.errors
    assert Person.objects.with_id_number(make_id(11)).get().mobile == "13900000011"
    assert str(Person.objects.with_id_number(make_id(12)).get().member.joined_on) == "2010-07-01"


def test_mangled_id_numbers_are_rejected_with_the_reason(personas, write_file):
    good = make_id(21)
    rows = [
        ["数字", int(good[:17] + "1"), G01],
        ["少X", good[:17], G01],
        ["少零", "3101011990010100", G01],
        ["科学", "5.30102E+17", G01],
        ["校验", good[:17] + ("1" if good[17] != "1" else "2"), G01],
    ]
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD[:3], *rows]))
    outcome = run(personas, path, "m.xlsx", dry_run=True)
    reasons = {e["row"]: e["reason"] for e in outcome.errors}
    assert outcome.rejected == 5
    assert "存成了数字" in reasons[2]
    assert "17位" in reasons[3] and "X" in reasons[3]
    assert "开头的0" in reasons[4]
    assert "科学计数法" in reasons[5]
    assert "校验位" in reasons[6]
    assert all(e["column"] == "身份证号" for e in outcome.errors)


def test_unknown_and_out_of_scope_codes_and_duplicates_in_the_file(personas, write_file):
    rows = member_rows(2)
    rows.append(["外人", make_id(40), "XF-S02-C01", "", "", "", ""])
    rows.append(["没有", make_id(41), "NO-SUCH-CODE", "", "", "", ""])
    rows.append(["重复", make_id(0), G01, "", "", "", ""])
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, *rows]))
    outcome = run(personas, path, "m.xlsx", dry_run=True)
    reasons = {e["row"]: (e["column"], e["reason"]) for e in outcome.errors}
    assert reasons[4] == ("所在党组织代码", "组织代码“XF-S02-C01”不存在或不在您的管辖范围内。")
    assert reasons[5][0] == "所在党组织代码"
    assert "与本文件第2行重复" in reasons[6][1]


def test_a_person_registered_outside_scope_is_not_touched(personas, write_file):
    outsider = PartyMember.objects.filter(branch__code__startswith="XF-S02").first()
    row = ["改名", outsider.person.id_number, G01, "", "", "", ""]
    outcome = run(
        personas, write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, row])), "m.xlsx", valid_only=True
    )
    assert outcome.rejected == 1 and "管辖范围外" in outcome.errors[0]["reason"]
    outsider.refresh_from_db()
    assert outsider.branch.code.startswith("XF-S02")


def test_all_or_nothing_unless_valid_rows_only_is_chosen(personas, write_file):
    rows = [*member_rows(3), ["坏", "123", G01, "", "", "", ""]]
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, *rows]))
    before = PartyMember.objects.count()
    run(personas, path, "m.xlsx")
    assert PartyMember.objects.count() == before
    outcome = run(personas, path, "m.xlsx", valid_only=True)
    assert outcome.created == 3 and PartyMember.objects.count() == before + 3


def test_a_crash_midway_leaves_the_database_as_it_was(personas, write_file, monkeypatch):
    from xianfeng.exchange.importers import MemberImporter

    calls = {"n": 0}
    original = MemberImporter.flush

    def crash(self, *args, **kwargs):
        calls["n"] += 1
        original(self, *args, **kwargs)  # on PostgreSQL: the batch is being written meanwhile
        if calls["n"] == 1:
            raise RuntimeError("killed")

    monkeypatch.setattr(MemberImporter, "flush", crash)
    monkeypatch.setattr("xianfeng.exchange.importers.members.BATCH", 2)
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, *member_rows(5)]))
    before = (Person.objects.count(), PartyMember.objects.count())
    with pytest.raises(RuntimeError):
        run(personas, path, "m.xlsx")
    assert (Person.objects.count(), PartyMember.objects.count()) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "空的"),
        ("m.xlsm", b"PK..", "宏"),
        ("m.xls", b"\xd0\xcf", ".xls"),
        ("m.txt", b"abc", ".xlsx或.csv"),
        ("broken.xlsx", b"not a zip", "不是有效的.xlsx"),
        ("other.csv", "楼栋编码,单元,房号\r\nB-1,1,101".encode(), "看起来是“住户”"),
        ("partial.csv", "姓名,手机号\r\n张,1".encode(), "缺少必填列：身份证号、所在党组织代码"),
        ("only-head.csv", ",".join(MEMBER_HEAD).encode(), "没有数据行"),
    ],
)
def test_bad_files_are_refused_in_chinese(personas, write_file, name, content, message):
    path = write_file(name, content)
    with pytest.raises(FileRefused) as refused:
        run(personas, path, name)
    assert message in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_reading(personas, write_file, monkeypatch):
    monkeypatch.setattr("xianfeng.exchange.readers.MAX_BYTES", 1024)
    path = write_file("big.csv", b"x" * 2048)
    with pytest.raises(FileRefused) as refused:
        run(personas, path, "big.csv")
    assert "太大" in str(refused.value)


def test_a_workbook_with_macros_inside_is_refused(personas, write_file):
    import io
    import zipfile

    buffer = io.BytesIO(xlsx_bytes([MEMBER_HEAD, *member_rows(1)]))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00")
    path = write_file("m.xlsx", buffer.getvalue())
    with pytest.raises(FileRefused, match="宏"):
        run(personas, path, "m.xlsx")


def test_formulas_are_read_as_their_cached_values(personas, write_file):
    rows = [MEMBER_HEAD, ["公式", make_id(55), G01, "=1+1", "", "", ""]]
    path = write_file("m.xlsx", xlsx_bytes(rows))
    outcome = run(personas, path, "m.xlsx", dry_run=True)
    # openpyxl writes no cached value, as a file never opened in Excel: the cell reads empty.
    assert (outcome.created, outcome.rejected) == (1, 0)


def test_organizations_grids_buildings_and_households_import_and_reimport(personas, write_file):
    orgs = [
        ["组织代码", "组织全称", "组织类型", "上级组织代码", "简称"],
        ["XF-S01-C01-G90", "测试第九十网格党支部", "网格党支部", "XF-S01-C01", "九十支部"],
        ["XF-S01-C01-G90-B01", "测试楼栋党小组", "楼栋党小组", "XF-S01-C01-G90", ""],
    ]
    boundary = (
        '{"type":"Polygon","coordinates":'
        "[[[102.7,25.0],[102.71,25.0],[102.71,25.01],[102.7,25.0]]]}"
    )
    grids = [
        ["网格编码", "网格名称", "所属社区代码", "网格党支部代码", "边界GeoJSON"],
        ["G-TEST-90", "第九十网格", "XF-S01-C01", "XF-S01-C01-G90", boundary],
    ]
    buildings = [
        ["楼栋编码", "楼栋名称", "地址", "网格编码", "楼栋类型", "层数"],
        ["B-TEST-0001", "测试楼", "园山路１号", "G-TEST-90", "出租屋", 6],
        ["", "无编码楼", "园山路2号", "G-TEST-90", "住宅楼", ""],
    ]
    households = [
        [
            "楼栋编码",
            "单元",
            "房号",
            "出租户",
            "关爱标签",
            "成员姓名",
            "成员身份证号",
            "与户主关系",
        ],
        ["B-TEST-0001", "1", "101", "是", "孤老", "王芳", make_id(61), "户主"],
        ["B-TEST-0001", "1", "101", "是", "", "李四", make_id(62), "租户"],
        ["B-TEST-0001", "1", "102", "否", "", "", "", ""],
    ]
    user = "shequ"
    for kind, rows in (
        ("organizations", orgs),
        ("grids", grids),
        ("buildings", buildings),
        ("households", households),
    ):
        path = write_file(f"{kind}.xlsx", xlsx_bytes(rows))
        outcome = run(personas, path, f"{kind}.xlsx", kind=kind, user=user)
        assert outcome.rejected == 0, (kind, outcome.errors)
        assert (
            outcome.created == len(rows) - 1 - (1 if kind == "households" else 0)
            or kind == "households"
        )
        again = run(personas, path, f"{kind}.xlsx", kind=kind, user=user)
        assert (again.created, again.updated, again.rejected) == (0, 0, 0), (kind, again)
    assert Organization.objects.get(code="XF-S01-C01-G90-B01").parent.code == "XF-S01-C01-G90"
    assert Grid.objects.get(code="G-TEST-90").boundary["type"] == "Polygon"
    assert Building.objects.get(code="B-TEST-0001").address == "园山路1号"
    assert Building.objects.filter(name="无编码楼").exists()
    household = Household.objects.get(building__code="B-TEST-0001", unit="1", room="101")
    assert household.residents.count() == 2 and household.is_rental
    assert list(household.care_tags.values_list("name", flat=True)) == ["孤老"]


def test_grids_from_a_geojson_feature_collection(personas, write_file):
    import json

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": "G-GEO-1",
                    "name": "地图网格",
                    "community_code": "XF-S01-C01",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[102.7, 25.0], [102.8, 25.0], [102.8, 25.1], [102.7, 25.0]]],
                },
            }
        ],
    }
    path = write_file("g.geojson", json.dumps(collection).encode())
    outcome = run(personas, path, "g.geojson", kind="grids")
    assert outcome.created == 1, outcome.errors


def test_grid_with_a_bad_boundary_is_rejected(personas, write_file):
    rows = [
        ["网格编码", "网格名称", "所属社区代码", "边界GeoJSON"],
        ["G-BAD", "坏", "XF-S01-C01", '{"type":"Point"}'],
    ]
    outcome = run(
        personas, write_file("g.xlsx", xlsx_bytes(rows)), "g.xlsx", kind="grids", dry_run=True
    )
    assert outcome.rejected == 1 and outcome.errors[0]["column"] == "边界GeoJSON"


def test_the_import_command_shows_progress_and_applies(personas, write_file, capsys):
    path = write_file("m.csv", csv_bytes([MEMBER_HEAD, *member_rows(3, start=300)], "gbk"))
    call_command("import", "members", path, "--user", "shequ")
    out = capsys.readouterr().out
    assert "新建 3" in out
    assert Person.objects.with_id_number(make_id(300)).exists()


def test_the_import_command_dry_run_keeps_nothing(personas, write_file, capsys):
    path = write_file("m.csv", csv_bytes([MEMBER_HEAD, *member_rows(2, start=310)]))
    call_command("import", "members", path, "--user", "shequ", "--dry-run")
    assert not Person.objects.with_id_number(make_id(310)).exists()


def test_template_files_have_chinese_headers_and_an_example_that_is_not_imported_unedited(
    client_for, write_file, personas
):
    response = client_for("shequ").get("/exchange/templates/members.xlsx")
    assert response.status_code == 200
    path = write_file("t.xlsx", response.content)
    sheet = load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["姓名*", "身份证号*", "所在党组织代码*"]
    outcome = run(personas, path, "t.xlsx", dry_run=True)
    assert (outcome.total, outcome.created, outcome.rejected) == (1, 0, 1)
    assert "示例行" in outcome.errors[0]["reason"]
    # The example's values are valid: edited into a real row, it imports.
    example = [c.value for c in sheet[2]]
    example[0] = "真实姓名"
    edited = write_file("e.xlsx", xlsx_bytes([[c.value for c in sheet[1]], example]))
    outcome = run(personas, edited, "e.xlsx", dry_run=True)
    assert (outcome.created, outcome.rejected) == (1, 0), outcome.errors
    csv_response = client_for("shequ").get("/exchange/templates/households.csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")


def test_an_import_with_no_valid_row_offers_no_apply(
    client_for, personas, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.exchange.models import ImportRun

    client = client_for("shequ")
    template = client.get("/exchange/templates/members.csv").content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/exchange/imports/new/",
            {"kind": "members", "file": SimpleUploadedFile("t.csv", template)},
        )
    run = ImportRun.objects.get()
    assert (run.status, run.total, run.rejected) == (ImportRun.Status.PREVIEWED, 1, 1)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "没有可以导入的有效行" in page and "确认导入</button>" not in page
    assert "示例行" in page
    refused = client.post(f"/exchange/imports/{run.pk}/apply/", {"mode": "valid_only"}, follow=True)
    assert "没有可以导入的有效行。" in refused.content.decode()  # the step's own refusal
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED


def test_a_new_person_with_a_known_name_and_mobile_is_flagged(personas, write_file):
    known = Person.objects.filter(organization__code__startswith="XF-S01-C01").first()
    known.mobile = "13911112222"
    known.save()
    row = [known.name, make_id(77), G01, "13911112222", "", "", ""]
    outcome = run(
        personas, write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, row])), "m.xlsx", dry_run=True
    )
    assert outcome.created == 1
    assert f"编号{known.pk}" in outcome.warnings[0]["reason"]


def test_a_choice_column_takes_its_label_or_its_code_and_names_the_options():
    from xianfeng.exchange import cells
    from xianfeng.people.choices import MemberKind

    parse = cells.choice_parser(MemberKind, MemberKind.COMMUNITY)
    assert parse("在职党员") == MemberKind.IN_SERVICE
    assert parse(" in_service ") == MemberKind.IN_SERVICE
    assert parse("") == MemberKind.COMMUNITY
    with pytest.raises(cells.CellError) as refused:
        parse("退休党员")
    assert "退休党员" in refused.value.message and "在职党员" in refused.value.message


def test_an_imported_member_is_stored_as_a_saved_one_would_be(personas, write_file):
    """The import writes rows (COPY on PostgreSQL) without save(): every field save() fills is
    filled alike — dates stamped, blind indexes, the ID number and phone encrypted at rest (the
    history row too), the history row naming the importer and the reason."""
    from django.db import connection

    from xianfeng.core.crypto import blind_index

    rows = member_rows(3)
    rows[0][6] = "2011年7月1日"
    path = write_file("m.xlsx", xlsx_bytes([MEMBER_HEAD, *rows]))
    outcome = run(personas, path, "m.xlsx")
    assert outcome.created == 3
    person = Person.objects.with_id_number(make_id(0)).get()
    assert person.id_number == make_id(0) and person.mobile == "13900000000"
    assert person.id_number_index == blind_index("id_number", make_id(0))
    assert person.mobile_index == blind_index("phone", "13900000000")
    assert person.created_at is not None and person.updated_at is not None
    assert person.gender in ("male", "female") and person.birth_date is not None
    member = person.member
    assert (member.kind, member.category, str(member.joined_on)) == (
        "community",
        "full",
        "2011-07-01",
    )
    assert member.status and member.created_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM people_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()
        cursor.execute("SELECT id_number FROM people_historicalperson WHERE id = %s", [person.pk])
        stored_history = cursor.fetchone()
    assert make_id(0) not in stored and "13900000000" not in stored
    assert make_id(0) not in stored_history
    (entry,) = person.history.all()
    assert entry.history_type == "+" and entry.history_user == personas["shequ"]
    assert entry.history_change_reason == "批量导入" and entry.id_number == make_id(0)
    (member_entry,) = member.history.all()
    assert member_entry.history_type == "+" and member_entry.branch_id == member.branch_id
    # Keys came from the sequence: the next person saved the ordinary way gets a fresh one.
    other = Person.objects.create(organization=person.organization, name="后来者")
    assert other.pk > max(Person.objects.exclude(pk=other.pk).values_list("pk", flat=True))


def test_a_too_long_cell_is_refused_in_its_row_and_the_rest_imports(personas, write_file):
    """A name or address longer than its column is the row's error in Chinese, in the preview
    as in the import (COPY would have failed the whole import on PostgreSQL)."""
    head = [*MEMBER_HEAD, "住址", "工作单位"]
    rows = [[*r, "某某路1号", ""] for r in member_rows(3)]
    rows[1][0] = "张" * 51
    rows[2][7] = "路" * 201
    path = write_file("m.xlsx", xlsx_bytes([head, *rows]))
    preview = run(personas, path, "m.xlsx", dry_run=True)
    reasons = {e["row"]: (e["column"], e["reason"]) for e in preview.errors}
    assert reasons == {
        3: ("姓名", "不能超过50个字符（这一格有51个）。"),
        4: ("住址", "不能超过200个字符（这一格有201个）。"),
    }
    outcome = run(personas, path, "m.xlsx", valid_only=True)
    assert (outcome.created, outcome.rejected) == (1, 2)
    assert outcome.errors == preview.errors
    assert Person.objects.with_id_number(make_id(0)).get().address == "某某路1号"
    assert not Person.objects.with_id_number(make_id(1)).exists()


def test_a_preview_writes_nothing_and_tells_what_the_import_then_does(
    personas, write_file, monkeypatch
):
    """The member preview stops before writing (it decides every count and reason first):
    over batches of two, with new, changed, unchanged, out-of-scope, duplicate and refused
    rows and likely duplicates of a registered person and of earlier rows of the same file
    (in the same batch and in an earlier one), its outcome is the import's, and it ran no
    statement that writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xianfeng.core.crypto import blind_index
    from xianfeng.exchange.importers import members

    monkeypatch.setattr(members, "BATCH", 2)
    run(personas, write_file("a.xlsx", xlsx_bytes([MEMBER_HEAD, *member_rows(3)])), "a.xlsx")
    known = Person.objects.filter(organization__code__startswith="XF-S01-C01").exclude(
        id_number_index__in=[blind_index("id_number", make_id(i)) for i in range(3)]
    )[0]
    known.mobile = "13911112222"
    known.save()
    outsider = PartyMember.objects.filter(branch__code__startswith="XF-S02").first()
    rows = member_rows(3)  # 2: unchanged, 3: changed, 4: unchanged
    rows[1][5] = "预备党员"
    rows += [
        ["新人", make_id(10), G01, "13700000001", "", "", ""],  # 5: created
        [known.name, make_id(11), G01, "13911112222", "", "", ""],  # 6: like a registered one
        ["新人", make_id(12), G01, "13700000001", "", "", ""],  # 7: like row 5 (other batch)
        ["同批", make_id(13), G01, "13700000002", "", "", ""],  # 8
        ["同批", make_id(14), G01, "13700000002", "", "", ""],  # 9: like row 8 (same batch)
        ["改名", outsider.person.id_number, G01, "", "", "", ""],  # 10: out of scope
        ["重复", make_id(10), G01, "", "", "", ""],  # 11: duplicate of row 5
        ["坏", "123", G01, "", "", "", ""],  # 12: bad ID number
    ]
    path = write_file("b.xlsx", xlsx_bytes([MEMBER_HEAD, *rows]))
    persons, members_before = Person.objects.count(), PartyMember.objects.count()
    with CaptureQueriesContext(connection) as queries:
        preview = run(personas, path, "b.xlsx", dry_run=True)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY"))
        or "NEXTVAL(" in q["sql"].upper()
    ]
    assert writes == []
    assert (Person.objects.count(), PartyMember.objects.count()) == (persons, members_before)
    applied = run(personas, path, "b.xlsx", valid_only=True)
    assert (
        preview.as_dict()
        == applied.as_dict()
        == {
            "total": 11,
            "created": 5,
            "updated": 1,
            "unchanged": 2,
            "rejected": 3,
        }
    )
    assert preview.errors == applied.errors
    assert preview.warnings == applied.warnings
    warned = {w["row"]: w["reason"] for w in preview.warnings}
    assert set(warned) == {6, 7, 9}
    assert f"编号{known.pk}" in warned[6]
    assert "与本文件第5行的人员同名同手机号" in warned[7]
    assert "与本文件第8行的人员同名同手机号" in warned[9]
    assert Person.objects.count() == persons + 5
