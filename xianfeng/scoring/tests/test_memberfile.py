"""党员年度档案: one member's year with the ledger acts behind every point, hours, meetings,
evaluation and stars — as a page, the API and a PDF with Chinese fonts embedded; the member
reads their own, the secretaries their scope."""

from __future__ import annotations

import re
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from xianfeng.core.services import duty_record
from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.people.models import PartyMember
from xianfeng.scoring import memberfile, services

pytestmark = pytest.mark.django_db

SHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


def _font_objects(pdf: bytes) -> bytes:
    """The PDF's compressed object streams, inflated (where WeasyPrint keeps font objects)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def _earn(personas, member):
    today = timezone.localdate()
    if "visit.log" not in services.rules_in_force(today):
        services.rule_publish(
            actor=personas["qu"],
            kind="visit.log",
            effective_from=today.replace(month=1, day=1),
            points=3,
        )
    record = duty_record(
        actor=None,
        action="visit.log",
        organization=member.branch,
        member=member,
        note="走访独居老人王大爷",
    )
    services.award_pending(lag=timedelta(0))
    return record


def test_the_file_shows_the_points_with_the_acts_behind_them(personas, client_for):
    member = persona_member("dangyuan")
    record = _earn(personas, member)
    page = client_for("dangyuan").get(f"/scoring/files/{member.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"履职记录#{record.pk}" in body and "走访独居老人王大爷" in body
    data = memberfile.member_file(member, timezone.localdate().year)
    visits = {a["kind"]: a["count"] for a in data["acts"]}["visit.log"]
    assert visits >= 1
    api = client_for("dangyuan").get(f"/api/v1/scoring/files/{member.pk}")
    assert api.status_code == 200
    answer = api.json()
    assert answer["entries"] == data["entry_count"] >= 1
    assert {a["kind"]: a["count"] for a in answer["acts"]}["visit.log"] == visits
    assert sum(float(m["points"]) for m in answer["months"]) == float(answer["points"])
    # a bad year answers in Chinese
    bad = client_for("dangyuan").get(f"/api/v1/scoring/files/{member.pk}?year=1999")
    assert bad.status_code == 400 and "年度" in bad.json()["detail"] + str(bad.json())


def test_the_pdf_embeds_chinese_and_renders(personas, client_for):
    member = persona_member("dangyuan")
    _earn(personas, member)
    response = client_for("shequ").get(f"/scoring/files/{member.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(response.content)
    text = pdf[0].get_textpage().get_text_range()
    assert "党员年度档案" in text and member.person.name in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf[0].render(scale=1.2).to_pil().save(SHOTS / "scoring-member-file-pdf.png")
    # A subset of the font embedded (``ABCDEF+``, a FontFile), not a name for the reader to find.
    fonts = _font_objects(response.content)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-Sans-CJK-SC", fonts), fonts[:200]
    assert b"/FontFile" in fonts


def test_who_reads_a_file(personas, client_for):
    member = persona_member("dangyuan")
    colleague = (
        PartyMember.objects.filter(branch=member.branch)
        .exclude(pk=member.pk)
        .order_by("pk")
        .first()
    )
    assert colleague is not None
    # the member: their own only (another member of their branch is seen, not readable)
    assert client_for("dangyuan").get(f"/scoring/files/{colleague.pk}/").status_code == 403
    assert client_for("dangyuan").get(f"/api/v1/scoring/files/{colleague.pk}").status_code == 403
    # the grid secretary, the community, the auditor read it; another community does not see it
    for persona in ("wangge", "shequ", "jiedao", "jiancha"):
        assert client_for(persona).get(f"/scoring/files/{colleague.pk}/").status_code == 200, (
            persona
        )
    assert client_for("shequ2").get(f"/scoring/files/{colleague.pk}/").status_code == 404
    assert client_for("shequ2").get(f"/scoring/files/{colleague.pk}/pdf/").status_code == 404
    # the index: a member goes to their own file, a secretary sees a list of their scope
    assert client_for("dangyuan").get("/scoring/files/").status_code == 302
    listing = client_for("wangge").get("/scoring/files/")
    assert listing.status_code == 200 and colleague.person.name in listing.content.decode()
    grid = role_org(personas["wangge"])
    assert all(
        m.branch.path.startswith(grid.path) for m in memberfile.file_members(personas["wangge"])
    )


def test_the_file_index_reads_in_fixed_queries(personas, client_for, django_assert_max_num_queries):
    client = client_for("shequ")
    with django_assert_max_num_queries(20):
        assert client.get("/scoring/files/").status_code == 200
