"""Every link leads somewhere: from each persona's home page, follow the links a person can
click (breadth first, a bounded number of pages) and assert none answers 404 or 500; an
address that does not exist answers the project's own Chinese page even with DEBUG on.

The same walk reads each page's visible text (not scripts, styles, what the user typed into a
text box, addresses or codes such as XF-S01-C01) and fails on raw text: ``None``, ``null``,
``True``/``False``, an enum value (``lost_contact``) or an English word outside a small list
of terms the pages use on purpose (Excel, CSV, GeoJSON ...)."""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlparse

import pytest

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "qu", "jiedao", "shequ", "shequ2", "wangge", "dangyuan", "danwei", "jiancha"]
HREF = re.compile(r'href="([^"]+)"')
# Downloads and leaving are not pages to walk.
SKIP = ("/logout", "/static/", "/media/", "/api/", "/admin/", ".xlsx", ".csv", ".svg", "download")
MAX_PAGES = 70
PER_SHAPE = 3

# <code> and <kbd> hold machine text shown on purpose (a ledger kind, a field name).
HIDDEN = re.compile(r"<(script|style|textarea|code|kbd)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
ADDRESS = re.compile(r"https?://\S+|/[\w./?=&%-]+")
# Organization and grid codes (XF-S01-C01), and the 8-character order and problem codes
# (点单号 K7QD2MXA, 问题编号 P3KX9QDM) that residents read out or type.
CODE = re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b|\b[A-Z0-9]{8}\b")
WORD = re.compile(r"[A-Za-z][A-Za-z_]*[A-Za-z]")
# Terms the pages use on purpose (file formats, standards, units).
ALLOWED = {
    "Excel", "CSV", "csv", "xlsx", "GeoJSON", "geojson", "Polygon", "MultiPolygon", "UTF", "GBK",
    "MB", "KB", "SVG", "QR", "API", "GPS", "ID", "HTTPS", "Open", "PNG", "JPEG", "JPG", "XF",
}  # fmt: skip


def raw_words(html: str) -> set[str]:
    """ASCII words in the visible text that no person should read there."""
    text = unescape(TAG.sub(" ", HIDDEN.sub(" ", html)))
    text = CODE.sub(" ", ADDRESS.sub(" ", text))
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def _links(html: str) -> list[str]:
    out = []
    for raw in HREF.findall(html):
        url = urldefrag(unescape(raw))[0]
        parsed = urlparse(url)
        if parsed.scheme or parsed.netloc or not url.startswith("/"):
            continue
        if any(s in url for s in SKIP) or "full=1" in url:
            continue
        out.append(url)
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_link_from_home_answers_404_or_500_nor_shows_raw_text(client_for, persona):
    client = client_for(persona)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(["/"])
    broken, raw = [], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        # A few pages per path shape (the 40th household teaches nothing the third did not),
        # but each distinct address once: a parent organization is one of the same shape.
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        if response.status_code in (404, 500):
            broken.append((url, response.status_code))
            continue
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            words = raw_words(html)
            if words:
                raw.append((url, sorted(words)[:8]))
            queue.extend(_links(html))
    assert not broken, f"{persona}: {broken}"
    assert not raw, f"{persona}: raw text {raw[:10]}"
    assert len(seen) > 5, f"{persona} reached only {seen}"


def test_an_unknown_address_answers_the_own_chinese_page_with_debug_on(client_for, settings):
    settings.DEBUG = True
    response = client_for("shequ").get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "找不到" in body and "Page not found" not in body
    response = client_for("shequ").get("/members/999999999/")
    assert response.status_code == 404 and "找不到" in response.content.decode()


def test_the_raw_text_check_finds_codes_none_and_null():
    page = "<p>状态：lost_contact</p><td>None</td><dd>null</dd><p>Excel XF-S01-C01</p>"
    assert raw_words(page) == {"lost_contact", "None", "null"}
    assert (
        raw_words('<textarea>{"type": "Polygon"}</textarea><a href=\'/x\'>http://a/b</a>') == set()
    )
    # a resident's order code and a ledger kind shown as code are meant to be read
    assert raw_words("<p>点单号 K7QD2MXA</p><td>会议 <code>meeting.held</code></td>") == set()
    assert raw_words("<p>状态 accepted</p>") == {"accepted"}


def test_an_empty_boundary_is_an_empty_box_not_null(client_for, personas):
    from xianfeng.core.testing import role_org
    from xianfeng.orgs.models import Organization

    org = role_org(personas["shequ"])
    Organization.objects.filter(pk=org.pk).update(boundary=None)
    page = client_for("qu").get(f"/orgs/{org.pk}/edit/").content.decode()
    box = re.search(r'<textarea name="boundary"[^>]*>(.*?)</textarea>', page, re.S)
    assert box is not None and box.group(1).strip() == ""
    grid_page = client_for("qu").get("/places/grids/new/").content.decode()
    assert "null</textarea>" not in grid_page
