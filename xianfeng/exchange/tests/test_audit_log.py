"""敏感信息审计 (issue 9, item 9): every reveal and every full export, with the reason asked for
the export, in the user's scope, on the page and in the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.models import SensitiveAccess
from xianfeng.exchange.models import ExportRecord
from xianfeng.people.models import PartyMember
from xianfeng.people.services import person_reveal

pytestmark = pytest.mark.django_db


def _reveal(user, n: int = 1) -> list[int]:
    members = PartyMember.objects.restrict(user).select_related("person")[:n]
    for m in members:
        person_reveal(user=user, person=m.person, channel="page")
    return [m.person_id for m in members]


def test_the_log_lists_reveals_and_full_exports_with_their_reason(client_for, personas):
    shequ = personas["shequ"]
    person_ids = _reveal(shequ)
    client_for("shequ").post(
        "/exchange/export/members/", {"full": "1", "reason": "换届选举核对党员名册"}
    )
    client_for("shequ").get("/exchange/export/members/")  # masked: not in the audit's exports
    auditor = client_for("jiancha")
    page = auditor.get("/exchange/audit/").content.decode()
    assert SensitiveAccess.objects.get().person.name in page
    exports = auditor.get("/exchange/audit/?show=exports").content.decode()
    assert "换届选举核对党员名册" in exports
    api = auditor.get("/api/v1/audit/exports").json()
    assert [e["reason"] for e in api["results"]] == ["换届选举核对党员名册"]
    reveals = auditor.get("/api/v1/audit/reveals").json()
    assert [r["person"] for r in reveals["results"]] == person_ids
    assert reveals["results"][0]["user"] == "shequ"
    assert ExportRecord.objects.count() == 2


def test_a_reveal_outside_the_auditors_scope_is_not_listed(client_for, personas):
    _reveal(personas["shequ2"])
    mine = client_for("shequ").get("/api/v1/audit/reveals").json()
    assert mine["count"] == 0
    assert client_for("qu").get("/api/v1/audit/reveals").json()["count"] == 1


def test_the_log_is_refused_to_members_and_liaisons_in_chinese(client_for):
    for persona in ("dangyuan", "danwei", "wangge"):
        page = client_for(persona).get("/exchange/audit/")
        assert page.status_code == 403 and "审计人员" in page.content.decode()
        api = client_for(persona).get("/api/v1/audit/reveals")
        assert api.status_code == 403 and "审计人员" in api.json()["detail"]


@pytest.mark.parametrize("show", ["reveals", "exports"])
def test_the_log_pages_in_the_database_without_a_query_per_row(client_for, personas, show):
    shequ = personas["shequ"]
    client = client_for("jiancha")
    client.get(f"/exchange/audit/?show={show}")  # warm the session and role caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/exchange/audit/?show={show}").status_code == 200
        return len(ctx)

    _reveal(shequ, 2)
    for i in range(2):
        ExportRecord.objects.create(kind="members", revealed=True, reason=f"r{i}", user=shequ)
    few = queries()
    _reveal(shequ, 12)
    for i in range(10):
        ExportRecord.objects.create(kind="members", revealed=True, reason=f"s{i}", user=shequ)
    assert queries() == few
