"""Every link leads somewhere: from each persona's home page, follow the links a person can
click (breadth first, a bounded number of pages) and assert none answers 404 or 500; an
address that does not exist answers the project's own Chinese page even with DEBUG on."""

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
def test_no_link_from_home_answers_404_or_500(client_for, persona):
    client = client_for(persona)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(["/"])
    broken = []
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
            queue.extend(_links(response.content.decode()))
    assert not broken, f"{persona}: {broken}"
    assert len(seen) > 5, f"{persona} reached only {seen}"


def test_an_unknown_address_answers_the_own_chinese_page_with_debug_on(client_for, settings):
    settings.DEBUG = True
    response = client_for("shequ").get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "找不到" in body and "Page not found" not in body
    response = client_for("shequ").get("/members/999999999/")
    assert response.status_code == 404 and "找不到" in response.content.decode()
