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


def test_the_community_lists_the_yearly_records_to_write(personas, serving, client_for):
    """The members who served in the community during the year, with the year's hours there,
    those without the year's record first; a written record moves its member to 已填写."""
    from datetime import date

    from xianfeng.people.models import ServicePlace

    year = timezone.localdate().year
    due = list(records.places_due(personas["shequ"], year))
    mine = next(p for p in due if p.member_id == serving.pk)
    assert mine.year_hours == 3 and not mine.written
    assert [p.written for p in due] == sorted(p.written for p in due)  # to write first
    before = records.unwritten_count(personas["shequ"], year)
    assert before == sum(1 for p in due if not p.written)
    # Another community's staff, the member's own branch and a plain member list nothing here.
    assert not records.places_due(personas["shequ2"], year).filter(member=serving).exists()
    assert not records.places_due(personas["danwei"], year).exists()
    write(personas, serving)
    again = records.places_due(personas["shequ"], year).get(member=serving)
    assert again.written and records.unwritten_count(personas["shequ"], year) == before - 1
    # A place that ended before the year is not due; a year before it opened neither.
    place = ServicePlace.objects.get(member=serving, ended_on__isnull=True)
    ServicePlace.objects.filter(pk=place.pk).update(ended_on=date(year - 1, 6, 30))
    assert not records.places_due(personas["shequ"], year).filter(pk=place.pk).exists()
    assert not records.places_due(personas["shequ"], year - 5).filter(pk=place.pk).exists()


def test_the_record_year_and_the_season_of_the_reminder():
    from datetime import date

    assert records.record_year(date(2026, 1, 20)) == 2025
    assert records.record_year(date(2026, 6, 1)) == 2026
    assert records.record_year(date(2026, 12, 31)) == 2026
    assert records.record_season(date(2026, 12, 1)) and records.record_season(date(2027, 1, 31))
    assert not records.record_season(date(2026, 2, 1))


def test_the_home_reminds_the_community_of_hours_and_records(personas, serving):
    """ "今天需要我处理": self-reported hours to confirm (never one's own), and in December and
    January the yearly records not yet written."""
    from datetime import date

    from xianfeng.core import home

    user = cf.account_for(serving, "zaizhi-home")
    session = hours.session_log(
        actor=user,
        served_on=timezone.localdate(),
        hours="1",
        content="楼道宣传",
        photo=SimpleUploadedFile("p.jpg", JPEG),
    )
    assert session in hours.pending_to_confirm(personas["shequ"])
    assert session not in hours.pending_to_confirm(personas["shequ2"])
    assert session not in hours.pending_to_confirm(personas["danwei"])  # the branch reads only
    assert session not in hours.pending_to_confirm(user)  # not one's own

    def line(day: date) -> dict | None:
        urls = {t["url"]: t for t in home.todo_lines(personas["shequ"], day)}
        return urls.get("/work/records/due/")

    assert line(date(timezone.localdate().year, 6, 1)) is None
    december = line(date(timezone.localdate().year, 12, 1))
    assert december is not None and december["count"] == records.unwritten_count(
        personas["shequ"], timezone.localdate().year
    )
    pending = {t["url"]: t["count"] for t in home.todo_lines(personas["shequ"], date.today())}
    assert (
        pending["/work/sessions/?state=pending"]
        == hours.pending_to_confirm(personas["shequ"]).count()
    )


def test_the_due_page_and_the_form_for_the_year(
    personas, serving, client_for, django_assert_max_num_queries
):
    from xianfeng.people.models import ServicePlace

    year = timezone.localdate().year
    shequ = client_for("shequ")
    listing = shequ.get("/work/records/")
    assert 'href="/work/records/due/"' in listing.content.decode()
    assert 'id="records-due"' not in client_for("danwei").get("/work/records/").content.decode()
    with django_assert_max_num_queries(20):
        page = shequ.get(f"/work/records/due/?year={year}")
    body = page.content.decode()
    place = ServicePlace.objects.get(member=serving, ended_on__isnull=True)
    assert page.status_code == 200 and serving.person.name in body
    assert f'href="/work/records/new/{place.pk}/?year={year}"' in body
    assert client_for("danwei").get("/work/records/due/").status_code == 403
    assert shequ.get("/work/records/due/?year=abc").status_code == 200  # the record year
    last = year - 1
    form = shequ.get(f"/work/records/new/{place.pk}/?year={last}").content.decode()
    assert f'name="year" value="{last}"' in form
    later = shequ.get(f"/work/records/new/{place.pk}/?year={year + 5}").content.decode()
    assert f'name="year" value="{records.record_year()}"' in later
