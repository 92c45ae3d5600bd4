"""Photos are decoded and re-encoded by Pillow (issue 9, item 6): EXIF (and its GPS location)
is gone, the stored name is generated, what Pillow cannot read is refused in Chinese, and a
decompression bomb is refused before its pixels are decoded."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xianfeng.core.testing import role_org
from xianfeng.visits import services
from xianfeng.visits.models import Photo, Visit
from xianfeng.visits.tests import factories as f
from xianfeng.work.tests.factories import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    return f.household_under(role_org(personas["wangge"]))


def visit(actor, household, **kw):
    fields = {"visited_at": timezone.now(), "purposes": ["safety"], "household": household, **kw}
    return services.visit_create(actor=actor, **fields)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to be upright
    gps = {1: "N", 2: (25.0, 2.0, 30.0), 3: "E", 4: (102.0, 42.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def gif_polyglot() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (4, 4), 1).save(buffer, format="GIF")
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def stored(photo: Photo) -> bytes:
    with photo.image.open("rb") as fh:
        return fh.read()


def test_a_jpeg_is_re_encoded_without_exif_or_gps_under_a_generated_name(personas, household):
    upload = SimpleUploadedFile("我的位置.jpg", jpeg_with_gps(), content_type="image/jpeg")
    v, _ = visit(personas["dangyuan"], household, photos=[upload])
    photo = Photo.objects.get(visit=v)
    name = os.path.basename(photo.image.name)
    assert "我的位置" not in photo.image.name and name.endswith(".jpg") and len(name) == 36
    content = stored(photo)
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and photo.content_type == "image/jpeg"
    assert not image.getexif() and b"Exif" not in content and b"PhoneMaker" not in content
    assert image.size == (30, 40)  # turned upright as its orientation said
    assert photo.size == len(content)


def test_a_png_stays_a_png(personas, household):
    upload = SimpleUploadedFile("a.png", f.PNG, content_type="image/png")
    v, _ = visit(personas["dangyuan"], household, photos=[upload])
    photo = Photo.objects.get(visit=v)
    assert Image.open(io.BytesIO(stored(photo))).format == "PNG"
    assert photo.image.name.endswith(".png")


def test_a_gif_headed_polyglot_html_keeps_nothing_of_its_html(personas, household):
    upload = SimpleUploadedFile("polyglot.html", gif_polyglot(), content_type="text/html")
    v, _ = visit(personas["dangyuan"], household, photos=[upload])
    photo = Photo.objects.get(visit=v)
    assert not photo.image.name.endswith(".html") and "polyglot" not in photo.image.name
    content = stored(photo)
    assert b"<html" not in content and b"script" not in content
    assert Image.open(io.BytesIO(content)).format == "PNG"


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a<html><script>alert(1)</script></html>",  # the header only
        f.JPEG[:40] + b"garbage" * 20,  # a truncated JPEG
        b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64,  # HEIC, which Pillow does not read
    ],
)
def test_what_pillow_cannot_read_is_refused_in_chinese(personas, household, content):
    upload = SimpleUploadedFile("polyglot.html", content, content_type="image/gif")
    with pytest.raises(ValidationError, match="无法识别"):
        visit(personas["dangyuan"], household, photos=[upload])
    assert not Visit.objects.filter(household=household).exists()
    assert not Photo.objects.exists()


def test_a_decompression_bomb_is_refused_before_decoding(personas, household):
    upload = SimpleUploadedFile("bomb.png", png_header_only(100_000, 100_000), "image/png")
    with pytest.raises(ValidationError, match="万像素"):
        visit(personas["dangyuan"], household, photos=[upload])
    assert not Visit.objects.filter(household=household).exists()


def test_the_pixel_limit_is_a_setting(personas, household, settings):
    settings.XIANFENG_PHOTO_MAX_PIXELS = 100
    upload = SimpleUploadedFile("a.jpg", image_bytes("JPEG", (20, 20)), "image/jpeg")
    with pytest.raises(ValidationError, match="上限"):
        visit(personas["dangyuan"], household, photos=[upload])


def test_the_api_refuses_an_unreadable_photo_with_a_chinese_detail(client_for, household):
    data = {
        "household": household.pk,
        "purposes": ["safety"],
        "photos": SimpleUploadedFile("polyglot.html", b"GIF89a<html></html>", "text/html"),
    }
    response = client_for("dangyuan").post("/api/v1/visits", data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert "无法识别" in body["detail"] and "无法识别" in body["errors"]["photos"][0]
    assert not Visit.objects.filter(household=household).exists()


def test_the_api_stores_a_re_encoded_photo(client_for, household):
    data = {
        "household": household.pk,
        "purposes": ["safety"],
        "photos": SimpleUploadedFile("gps.jpg", jpeg_with_gps(), "image/jpeg"),
    }
    response = client_for("dangyuan").post("/api/v1/visits", data)
    assert response.status_code == 201, response.content
    photo = Photo.objects.get(visit_id=response.json()["id"])
    assert b"Exif" not in stored(photo)


def test_the_page_refuses_an_unreadable_photo_on_the_form(client_for, household):
    response = client_for("dangyuan").post(
        "/work/visits/new/",
        {
            "household": household.pk,
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "purposes": ["safety"],
            "client_key": "photo-key-1",
            "photos": SimpleUploadedFile("polyglot.html", b"GIF89a<html></html>", "text/html"),
        },
    )
    assert response.status_code == 400
    assert "无法识别" in response.content.decode()
    assert not Visit.objects.filter(household=household).exists()
