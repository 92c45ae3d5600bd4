"""The record for the work unit (进社区现实表现鉴定): written by the community from what the
member did, read by the work unit's liaison, downloaded as a PDF (rendered here and looked at);
the work unit sees its in-service members who reported nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.community import hours, records
from xianfeng.community.tests import factories as cf
from xianfeng.work.tests.factories import JPEG

pytestmark = pytest.mark.django_db
SHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


@pytest.fixture
def serving(personas):
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    user = cf.account_for(member)
    session = hours.session_log(
        actor=user,
        served_on=timezone.localdate(),
        hours="3",
        content="社区文明劝导",
        photo=SimpleUploadedFile("p.jpg", JPEG),
    )
    hours.session_confirm(actor=personas["shequ"], session=session)
    return member


def write(personas, member, **kw):
    fields = {
        "rating": "excellent",
        "opinion": "积极参加社区服务，表现突出。",
        "positives": "参加安全巡查\n文明劝导",
        "negatives": "",
        "year": timezone.localdate().year,
        **kw,
    }
    return records.record_write(
        actor=personas["shequ"], member=member, community=cf.community(), **fields
    )


def test_the_community_writes_the_record_from_what_the_member_did(personas, serving):
    record = write(personas, serving)
    assert record.hours == 3 and record.sessions == 1 and record.yearly
    with pytest.raises(ValidationError, match="年度的鉴定已经填写过了") as twice:
        write(personas, serving)
    assert twice.value.error_dict["year"][0].code == "unique"  # the API answers 409
    on_demand = write(
        personas,
        serving,
        year=None,
        period_start=timezone.localdate().replace(day=1),
        period_end=timezone.localdate(),
    )
    assert not on_demand.yearly and on_demand.hours == 3
    with pytest.raises(PermissionDenied):
        records.record_write(
            actor=personas["shequ2"],
            member=serving,
            community=cf.community(),
            rating="good",
            opinion="x",
            year=2020,
        )
    with pytest.raises(ValidationError, match="请选择鉴定等次"):
        write(personas, serving, rating="great", year=2020)


def test_the_liaison_reads_and_downloads_the_record(personas, serving, client_for):
    record = write(personas, serving)
    assert record in records.records(personas["danwei"])
    assert record not in records.records(personas["shequ2"])
    response = client_for("danwei").get(f"/work/records/{record.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(response.content)
    page = pdf[0]
    assert "进社区现实表现鉴定" in page.get_textpage().get_text_range()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.2).to_pil().save(SHOTS / "community-record-pdf.png")
    assert client_for("shequ2").get(f"/work/records/{record.pk}/pdf/").status_code == 404


def test_the_work_unit_sees_members_who_reported_nowhere(personas, serving):
    unreported = records.unreported_members(personas["danwei"])
    assert serving.pk not in set(unreported.values_list("pk", flat=True))
    assert unreported.exists()
    assert all(m.branch.path.startswith(cf.unit().path) for m in unreported[:20])
