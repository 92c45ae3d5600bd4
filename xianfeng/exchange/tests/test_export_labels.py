"""The export log and the auditor's pages read in Chinese (issue 10, raw text): the list's
title instead of ``members``, 状态：失联 instead of ``status=lost_contact``, 页面 instead of
``page``; organization filters by name, in one query for the whole page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.exchange.models import ExportRecord
from xianfeng.people.models import PartyMember
from xianfeng.people.services import person_reveal

pytestmark = pytest.mark.django_db


def test_the_export_log_shows_labels_not_codes(client_for, personas):
    shequ = personas["shequ"]
    client = client_for("shequ")
    client.get("/exchange/export/members/?status=lost_contact")
    client.get(f"/exchange/export/members/?branch={role_org(shequ).pk}&due=1")
    client.get("/exchange/export/buildings/?safety_colour=red")
    page = client.get("/exchange/exports/").content.decode()
    assert "状态：失联" in page and "status=lost_contact" not in page
    assert f"党组织（含下级）：{role_org(shequ).display_name}" in page
    assert "预备期将满或已满一年：是" in page
    assert "安全等级：红" in page
    assert ">members<" not in page and ">buildings<" not in page
    assert ">党员<" in page and ">楼栋<" in page


def test_the_export_log_names_organizations_without_a_query_per_record(client_for, personas):
    shequ = personas["shequ"]
    client = client_for("shequ")
    client.get("/exchange/exports/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/exchange/exports/").status_code == 200
        return len(ctx)

    org = role_org(shequ)
    ExportRecord.objects.create(kind="members", filters={"branch": str(org.pk)}, user=shequ)
    few = queries()
    for child in org.children.all()[:5]:
        ExportRecord.objects.create(kind="members", filters={"branch": str(child.pk)}, user=shequ)
    assert queries() == few


def test_the_auditors_home_panel_says_how_a_number_was_seen(client_for, personas):
    member = PartyMember.objects.restrict(personas["shequ"]).select_related("person").first()
    person_reveal(user=personas["shequ"], person=member.person, channel="page")
    home = client_for("jiancha").get("/").content.decode()
    assert ">页面<" in home and ">page<" not in home
    audit = client_for("jiancha").get("/exchange/audit/").content.decode()
    assert "身份证号、手机号" in audit and ">页面<" in audit


@pytest.mark.parametrize("persona", ["dangyuan", "danwei"])
def test_a_member_or_liaison_has_no_data_menu_no_export_button_and_no_export(client_for, persona):
    client = client_for(persona)
    home = client.get("/").content.decode()
    assert 'href="/exchange/"' not in home
    members = client.get("/members/").content.decode()
    assert "/exchange/export/" not in members
    refused = client.get("/exchange/export/members/")
    assert refused.status_code == 403 and "不能导出名单" in refused.content.decode()
    assert ExportRecord.objects.count() == 0


def test_a_grid_secretary_keeps_the_data_menu_and_exports(client_for):
    client = client_for("wangge")
    assert 'href="/exchange/"' in client.get("/").content.decode()
    assert "/exchange/export/members/" in client.get("/members/").content.decode()
    assert client.get("/exchange/export/members/").status_code == 200


def test_exported_sheets_carry_labels_not_codes(client_for, personas):
    """Choice columns of the members' and buildings' exports read as their labels (from the
    per-language dicts), the same words as the pages; an unset colour reads 未评定."""
    from io import BytesIO

    from openpyxl import load_workbook

    from xianfeng.places.choices import SafetyColour
    from xianfeng.places.models import Building

    client = client_for("shequ")
    unset = Building.objects.restrict(personas["shequ"]).order_by("pk").first()
    Building.objects.filter(pk=unset.pk).update(safety_colour=SafetyColour.UNRATED)

    def rows(url: str) -> list[tuple]:
        response = client.get(url)
        assert response.status_code == 200
        book = load_workbook(BytesIO(response.content), read_only=True)
        return list(book.worksheets[0].iter_rows(values_only=True))

    members = rows("/exchange/export/members/")
    head, body = members[0], members[1:]
    gender, kind, category, status = (
        head.index(h) for h in ("性别", "党员类型", "党员类别", "状态")
    )
    assert body and {r[gender] for r in body} <= {"男", "女", None, ""}
    assert {r[kind] for r in body} <= {"社区党员", "在职党员", "流动党员", "两新党员"}
    assert {r[category] for r in body} <= {"正式党员", "预备党员"}
    assert not {r[status] for r in body} & {"normal", "lost_contact", "moved_out"}
    buildings = rows("/exchange/export/buildings/")
    colour = buildings[0].index("安全等级")
    row = next(r for r in buildings[1:] if r[0] == unset.code)
    assert row[colour] == "未评定"
    assert {r[colour] for r in buildings[1:]} <= {"红色", "黄色", "绿色", "未评定"}
