"""Zone boards (公示牌): the public page of a 党员责任区 by its public code, members shown only
as each chose, no phone number anywhere, a QR code of the public address and a printable
poster in A4 and A3 with the Chinese font embedded (rendered to PNG to be looked at)."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from xianfeng.demo.base import persona_member
from xianfeng.places.models import ResponsibilityZone
from xianfeng.public import boards, services
from xianfeng.public.models import BoardChoice

pytestmark = pytest.mark.django_db

SHOTS = Path("artifacts/screenshots")


@pytest.fixture
def zone(personas):
    member = persona_member("dangyuan")
    found = ResponsibilityZone.objects.filter(members=member).first()
    if found is None:
        found = ResponsibilityZone.objects.filter(
            organization__path__startswith=member.branch.path
        ).first()
        found.members.add(member)
    found.duties = ["宣传政策，收集民意", "排查安全隐患", "帮扶困难群众"]
    found.board_contact_phone = "13812345678"
    found.save()
    return found


def png(color: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), color).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def _font_objects(pdf: bytes) -> bytes:
    """The PDF's compressed object streams, inflated (where WeasyPrint keeps font objects)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def test_a_member_is_shown_only_as_they_chose(personas, zone):
    member = persona_member("dangyuan")
    name = member.person.name
    BoardChoice.objects.filter(member=member).delete()
    url = f"/public/zones/{zone.public_code}/"
    page = Client().get(url).content.decode()
    assert name not in page and "未公开姓名" in page
    services.board_choice_set(
        actor=personas["dangyuan"], member=member, show_name=True, show_photo=True, photo=png()
    )
    page = Client().get(url).content.decode()
    assert name in page and "/media/public/board/" in page
    for number in (member.person.mobile, zone.board_contact_phone):
        if number:
            assert number not in page
    assert "给责任党员留言" in page and f"?zone={zone.public_code}" in page
    assert "宣传政策，收集民意" in page


def test_a_cached_board_reads_only_the_zone_and_a_change_shows_at_once(personas, zone):
    member = persona_member("dangyuan")
    name = member.person.name
    services.board_choice_set(
        actor=personas["dangyuan"], member=member, show_name=True, show_photo=False
    )
    url = f"/public/zones/{zone.public_code}/"
    with CaptureQueriesContext(connection) as cold:
        assert name in Client().get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        assert name in Client().get(url).content.decode()
    assert len(cold.captured_queries) > len(warm.captured_queries) == 1  # the zone by its code
    # The member withdraws their name: gone at once.
    services.board_choice_set(
        actor=personas["dangyuan"], member=member, show_name=False, show_photo=False
    )
    assert name not in Client().get(url).content.decode()
    services.board_choice_set(
        actor=personas["dangyuan"], member=member, show_name=True, show_photo=False
    )
    assert name in Client().get(url).content.decode()
    # Taken off the zone, or the duties changed: at once too.
    zone.members.remove(member)
    assert name not in Client().get(url).content.decode()
    zone.duties = ["巡查楼道消防通道"]
    zone.save()
    assert "巡查楼道消防通道" in Client().get(url).content.decode()


def test_only_the_member_sets_their_own_choice(personas, client_for):
    member = persona_member("dangyuan")
    with pytest.raises(Exception, match="只能设置自己"):
        services.board_choice_set(
            actor=personas["wangge"], member=member, show_name=True, show_photo=False
        )
    client = client_for("dangyuan")
    response = client.post("/public/board/", {"show_photo": "on"})
    assert response.status_code == 400 and "请先上传一张照片" in response.content.decode()
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post("/public/board/", {"show_photo": "on", "photo": bad})
    assert response.status_code == 400 and "JPG或PNG" in response.content.decode()
    client.post("/public/board/", {"show_name": "on"})
    assert BoardChoice.objects.get(member=member).show_name


def test_a_resident_orders_from_the_board_in_the_zones_community(personas, zone):
    community = services.community_of(zone.organization)
    body = Client().get(f"/public/zones/{zone.public_code}/").content.decode()
    link = re.search(r'id="board-order" href="([^"]+)"', body).group(1)
    assert link == f"/services/public/order/?community={community.pk}"
    form = Client().get(link).content.decode()
    assert re.search(rf'<option value="{community.pk}" selected>', form)


def test_a_wrong_code_is_not_found(personas):
    assert Client().get("/public/zones/not-a-uuid/").status_code == 404
    assert Client().get("/public/zones/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert Client().get("/public/zones/nope/poster.pdf").status_code == 404


def test_the_qr_code_carries_the_public_address(personas, zone, settings):
    settings.XIANFENG_PUBLIC_BASE_URL = "https://xf.example.gov.cn"
    assert boards.board_url(zone) == f"https://xf.example.gov.cn/public/zones/{zone.public_code}/"
    response = Client().get(f"/public/zones/{zone.public_code}/qr.svg", HTTP_HOST="localhost")
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content
    from xianfeng.core.publicurl import qr_svg

    assert response.content == qr_svg(boards.board_url(zone))


@pytest.mark.parametrize(("size", "width_mm"), [("A4", 210), ("A3", 297)])
def test_the_poster_is_a_pdf_of_the_size_with_the_chinese_font_embedded(
    personas, zone, size, width_mm
):
    import pypdfium2 as pdfium

    services.board_choice_set(
        actor=personas["dangyuan"],
        member=persona_member("dangyuan"),
        show_name=True,
        show_photo=False,
    )
    response = Client().get(f"/public/zones/{zone.public_code}/poster.pdf?size={size}")
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    fonts = _font_objects(data)
    # A subset of the font embedded (``ABCDEF+``, a FontFile), not a name for the reader to find.
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-Sans-CJK-SC", fonts), fonts[:200]
    assert b"/FontFile" in fonts
    pdf = pdfium.PdfDocument(data)
    page = pdf[0]
    width_pt, _height = page.get_size()
    assert abs(width_pt / 72 * 25.4 - width_mm) < 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.render(scale=1).to_pil().save(SHOTS / f"public-poster-{size}.png")
    text = page.get_textpage().get_text_range()
    assert "责任党组织" in text and persona_member("dangyuan").person.name in text
    assert "宣传政策，收集民意" in text and "13812345678" not in text
