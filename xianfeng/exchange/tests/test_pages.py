"""Pages and endpoints of the exchange app: upload → preview → apply as background jobs,
reports, exports with masking and records, duplicates and merging, landlords' declarations."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from xianfeng.core.models import JobRun, SensitiveAccess
from xianfeng.exchange.declarations import public_url
from xianfeng.exchange.models import ExportRecord, ImportRun, LandlordDeclaration, PersonMerge
from xianfeng.exchange.tests.conftest import MEMBER_HEAD, make_id, xlsx_bytes
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places.models import Building, Household

pytestmark = pytest.mark.django_db

G01 = "XF-S01-C01-G01"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def members_file(rows: list[list]) -> SimpleUploadedFile:
    return upload("党员.xlsx", xlsx_bytes([MEMBER_HEAD, *rows]))


def test_upload_preview_then_apply_through_background_jobs(
    client_for, django_capture_on_commit_callbacks
):
    client = client_for("shequ")
    rows = [["甲", make_id(501), G01, "", "", "", ""], ["乙", "12345", G01, "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/exchange/imports/new/", {"kind": "members", "file": members_file(rows)}
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    assert (run.created, run.rejected) == (1, 1)
    assert not Person.objects.with_id_number(make_id(501)).exists()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "只导入有效行" in page and "身份证号只有5位" in page
    report = client.get(f"/exchange/imports/{run.pk}/report.xlsx")
    sheet = load_workbook(io.BytesIO(report.content)).worksheets[0]
    assert sheet.cell(2, 1).value == 3
    assert sheet.cell(2, 3).fill.fgColor.rgb.endswith("FFC7CE")
    # all or nothing is refused while rows are rejected
    client.post(f"/exchange/imports/{run.pk}/apply/", {"mode": "all"})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/imports/{run.pk}/apply/", {"mode": "valid_only"})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED and run.created == 1
    assert Person.objects.with_id_number(make_id(501)).exists()
    assert JobRun.objects.filter(name="exchange.import_apply", status="done").exists()
    assert run.filename in client.get("/exchange/").content.decode()


def test_the_progress_partial_polls_while_busy(client_for, personas):
    run = ImportRun.objects.create(
        kind="members", filename="x.xlsx", stored_path="/nonexistent", created_by=personas["shequ"]
    )
    partial = (
        client_for("shequ").get(run.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    )
    assert 'hx-trigger="every 1s"' in partial


def test_another_users_import_is_not_found(client_for, personas):
    run = ImportRun.objects.create(
        kind="members", filename="x.xlsx", stored_path="/x", created_by=personas["shequ"]
    )
    assert client_for("jiedao").get(run.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "空的"),
        ("macro.xlsm", b"PK", "宏"),
    ],
)
def test_bad_uploads_are_refused_on_the_form(client_for, name, content, message):
    response = client_for("shequ").post(
        "/exchange/imports/new/", {"kind": "members", "file": upload(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_wrong_template_is_refused_after_upload(client_for, django_capture_on_commit_callbacks):
    content = xlsx_bytes([["楼栋编码", "单元", "房号"], ["B-1", "1", "101"]])
    with django_capture_on_commit_callbacks(execute=True):
        client_for("shequ").post(
            "/exchange/imports/new/", {"kind": "members", "file": upload("a.xlsx", content)}
        )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and "住户" in run.message


def test_the_api_uploads_and_applies(client_for, django_capture_on_commit_callbacks):
    client = client_for("shequ")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports",
            {"kind": "members", "file": members_file([["丙", make_id(502), G01, "", "", "", ""]])},
        )
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    assert client.get(f"/api/v1/imports/{run_id}").json()["status"] == "previewed"
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(
            f"/api/v1/imports/{run_id}/apply", data={}, content_type="application/json"
        )
    assert applied.status_code == 202
    assert client.get(f"/api/v1/imports/{run_id}").json()["created"] == 1
    assert client.get("/api/v1/imports").json()["count"] == 1


def test_the_member_export_follows_the_page_filters_and_masks(client_for, personas):
    client = client_for("shequ")
    response = client.get("/exchange/export/members/?kind=community")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    visible = PartyMember.objects.restrict(personas["shequ"]).filter(kind="community").count()
    assert len(rows) == visible
    assert all("*" in (r[3] or "*") for r in rows)
    record = ExportRecord.objects.get()
    assert (record.kind, record.rows, record.revealed, record.filters) == (
        "members",
        visible,
        False,
        {"kind": "community"},
    )


def test_a_full_export_asks_why_then_is_a_recorded_reveal_and_refused_to_the_auditor(
    client_for, personas
):
    client = client_for("shequ")
    asked = client.get("/exchange/export/members/?full=1&kind=community")
    assert asked.status_code == 200 and "导出用途" in asked.content.decode()
    assert 'name="kind" value="community"' in asked.content.decode()  # the filter carried on
    assert ExportRecord.objects.count() == 0  # asking exports nothing
    full = client.post(
        "/exchange/export/members/", {"full": "1", "kind": "community", "reason": " 换届  核对 "}
    )
    sheet = load_workbook(io.BytesIO(full.content)).worksheets[0]
    numbers = [r[3] for r in sheet.iter_rows(min_row=2, values_only=True) if r[3]]
    assert numbers and all("*" not in n for n in numbers)
    record = ExportRecord.objects.get()
    assert (record.revealed, record.reason, record.filters) == (
        True,
        "换届 核对",
        {"kind": "community"},
    )
    assert client_for("jiancha").get("/exchange/export/members/?full=1").status_code == 403
    refused = client_for("jiancha").post("/exchange/export/members/", {"full": "1", "reason": "x"})
    assert refused.status_code == 403
    assert SensitiveAccess.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   ", "用" * 201, "bad\x00reason"])
def test_a_full_export_without_a_proper_reason_is_refused_in_chinese(client_for, reason):
    response = client_for("shequ").post(
        "/exchange/export/members/", {"full": "1", "reason": reason}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "用途" in text or "控制字符" in text or "字符" in text
    assert response["Content-Type"].startswith("text/html")
    assert ExportRecord.objects.count() == 0


def test_a_masked_export_needs_no_reason_and_a_post_without_full_is_masked(client_for):
    response = client_for("shequ").post("/exchange/export/members/", {"kind": "community"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert all("*" in (r[3] or "*") for r in sheet.iter_rows(min_row=2, values_only=True))
    assert ExportRecord.objects.get().reason == ""


@pytest.mark.parametrize("kind", ["buildings", "households", "organizations"])
def test_other_lists_export_within_scope(client_for, personas, kind):
    response = client_for("shequ2").get(f"/exchange/export/{kind}/")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    codes = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes and not any("S01" in (c or "") for c in codes)


def test_export_queries_do_not_grow_with_rows(client_for):
    client = client_for("qu")
    with CaptureQueriesContext(connection) as small:
        client.get("/exchange/export/members/?branch=999999")
    with CaptureQueriesContext(connection) as large:
        client.get("/exchange/export/members/")
    assert len(large) <= len(small) + 2


def test_duplicates_are_found_and_merged_keeping_every_reference(client_for, personas):
    member = PartyMember.objects.filter(branch__code=G01, person__user__isnull=True).first()
    keep = member.person
    keep.mobile = "13912345678"
    keep.save()
    twin = Person.objects.create(
        organization=keep.organization, name=keep.name, mobile="13912345678", address="旧地址"
    )
    household = Household.objects.filter(organization__path__startswith=member.branch.path).first()
    Resident.objects.create(household=household, person=twin, relation="head")
    client = client_for("wangge")
    page = client.get("/exchange/duplicates/").content.decode()
    assert f"#{twin.pk}" in page
    response = client.post("/exchange/duplicates/merge/", {"keep": keep.pk, "drop": twin.pk})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=twin.pk).exists()
    assert Resident.objects.filter(household=household, person=keep).exists()
    merge = PersonMerge.objects.get()
    assert merge.merged_snapshot["address"] == "旧地址"
    assert Person.history.filter(id=twin.pk, history_type="-").exists()
    keep.refresh_from_db()
    assert keep.address  # filled from the merged record when empty


def test_two_members_are_not_merged_automatically(client_for):
    a, b = PartyMember.objects.filter(branch__code=G01)[:2]
    response = client_for("wangge").post(
        "/exchange/duplicates/merge/", {"keep": a.person_id, "drop": b.person_id}, follow=True
    )
    assert "不能自动合并" in response.content.decode()


def test_a_landlord_declares_and_nothing_changes_until_accepted(client, client_for):
    building = Building.objects.filter(code__startswith="B-S01-C01-G01").first()
    url = public_url(building)
    assert client.get(url).status_code == 200
    before = Household.objects.count()
    response = client.post(
        url,
        {
            "landlord_name": "房东甲",
            "landlord_mobile": "13700000000",
            "n": "2",
            "unit": "",
            "unit-0": "2",
            "room-0": "201",
            "name-0": "租客一",
            "id-0": make_id(601),
            "mobile-0": "13600000001",
            "unit-1": "2",
            "room-1": "202",
        },
    )
    assert response.status_code == 200 and "已提交" in response.content.decode()
    declaration = LandlordDeclaration.objects.get()
    assert Household.objects.count() == before
    assert (
        client_for("jiancha").post(f"/exchange/declarations/{declaration.pk}/accept/").status_code
        == 403
    )
    client_for("wangge").post(f"/exchange/declarations/{declaration.pk}/accept/")
    declaration.refresh_from_db()
    assert declaration.status == "accepted"
    household = Household.objects.get(building=building, unit="2", room="201")
    assert household.is_rental and household.residents.get().person.name == "租客一"


def test_a_declaration_with_bad_numbers_is_refused_in_chinese(client):
    building = Building.objects.first()
    response = client.post(
        public_url(building),
        {
            "landlord_name": "",
            "landlord_mobile": "123",
            "n": "1",
            "room-0": "1",
            "name-0": "某",
            "id-0": "123",
        },
    )
    body = response.content.decode()
    assert (
        response.status_code == 400
        and "请填写房东姓名" in body
        and "手机号" in body
        and "身份证号只有3位" in body
    )
    assert not LandlordDeclaration.objects.exists()


def test_a_forged_qr_code_is_not_found(client):
    assert client.get("/declare/1:forged/").status_code == 404


def test_the_qr_page_renders_an_svg(client_for):
    building = Building.objects.filter(code__startswith="B-S01-C01-G01").first()
    page = client_for("wangge").get(f"/exchange/buildings/{building.pk}/qr/")
    assert "<svg" in page.content.decode()
    assert (
        client_for("wangge").get(f"/exchange/buildings/{building.pk}/qr/?format=svg")[
            "Content-Type"
        ]
        == "image/svg+xml"
    )


def test_a_100_mb_upload_is_refused_before_it_is_read(client_for):
    response = client_for("shequ").post(
        "/exchange/imports/new/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "文件太大" in response.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "url",
    [
        "/exchange/",
        "/exchange/exports/",
        "/exchange/declarations/",
        "/api/v1/imports",
        "/api/v1/exports",
        "/api/v1/declarations",
    ],
)
def test_list_queries_stay_flat_as_rows_grow(client_for, personas, url):
    user = personas["shequ"]
    building = Building.objects.restrict(user).first()

    def add(n: int) -> None:
        for i in range(n):
            ImportRun.objects.create(
                kind="members",
                filename=f"{i}.xlsx",
                stored_path="/x",
                created_by=user,
                status="applied",
            )
            ExportRecord.objects.create(
                kind="members", rows=i, user=user, organization=building.organization
            )
            LandlordDeclaration.objects.create(
                building=building, landlord_name="甲", landlord_mobile="13700000000", rooms=[]
            )

    client = client_for("shequ")
    add(2)
    few = _queries(client, url)
    add(10)
    assert _queries(client, url) == few


def test_a_declaration_refused_for_one_bad_id_number_keeps_every_row_typed(client):
    building = Building.objects.first()
    typed = {
        "landlord_name": "房东乙",
        "landlord_mobile": "13700000009",
        "n": "3",
        "unit-0": "1",
        "room-0": "101",
        "name-0": "租客甲",
        "id-0": make_id(611),
        "mobile-0": "13600000011",
        "unit-1": "1",
        "room-1": "102",
        "name-1": "租客乙",
        "id-1": "12345",
        "mobile-1": "13600000012",
        "unit-2": "2",
        "room-2": "201",
    }
    response = client.post(public_url(building), typed)
    body = response.content.decode()
    assert response.status_code == 400 and "第2行" in body
    for name, value in typed.items():
        if name != "n":
            assert re.search(rf'name="{name}"[^>]* value="{value}"', body), name
    assert not LandlordDeclaration.objects.exists()
    # Corrected, the same form goes through with all three rows.
    response = client.post(public_url(building), {**typed, "id-1": make_id(612)})
    assert response.status_code == 200
    rooms = LandlordDeclaration.objects.get().rooms
    assert {r["room"] for r in rooms} == {"101", "102", "201"}


def test_adding_rows_keeps_what_was_typed_and_submits_nothing(client):
    building = Building.objects.first()
    typed = {
        "landlord_name": "房东丙",
        "landlord_mobile": "13700000019",
        "n": "3",
        "room-0": "101",
        "name-0": "租客丙",
        "id-0": "12345",
        "more": "1",
    }
    response = client.post(public_url(building), typed)
    body = response.content.decode()
    assert response.status_code == 200 and 'name="room-8"' in body
    assert 'name="n" value="9"' in body
    for name in ("landlord_name", "landlord_mobile", "room-0", "name-0", "id-0"):
        assert re.search(rf'name="{name}"[^>]* value="{typed[name]}"', body), name
    assert "身份证号只有" not in body and not LandlordDeclaration.objects.exists()
