"""base.html's head, banner and menu are rendered once per process and reused
(``{% fragment %}``, issue 11): every page, for every role, must be what it was when rendered
from nothing, whichever role's page filled the store first."""

from __future__ import annotations

import re

import pytest

from xianfeng.core.context_processors import menu_section
from xianfeng.core.templatetags import fragment_tags

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "qu", "shequ", "wangge", "dangyuan", "danwei", "jiancha"]
PAGES = [
    "/",
    "/orgs/",
    "/members/",
    "/places/buildings/",
    "/zones/",
    "/work/tasks/",
    "/safety/",
    "/safety/figures/",
    "/exchange/",
    "/search/?q=a",
]
# What changes from one request to the next whatever the store holds.
PER_REQUEST = re.compile(
    r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|data-rendered-at=")[^"]*'
)


def _page(client, url: str) -> tuple[int, str]:
    answer = client.get(url)
    return answer.status_code, PER_REQUEST.sub(r"\1…", answer.content.decode())


def test_pages_from_the_store_are_the_pages_rendered_from_nothing(client_for):
    clients = {name: client_for(name) for name in PERSONAS}
    cold = {}
    for name, client in clients.items():
        for url in PAGES:
            fragment_tags._store.clear()
            cold[name, url] = _page(client, url)
    assert fragment_tags._store  # the pages did fill it
    # Warm: one page of each role in turn, so each role's menu follows another role's.
    for url in PAGES:
        for name, client in clients.items():
            assert _page(client, url) == cold[name, url], (name, url)
    for name, client in reversed(clients.items()):
        for url in reversed(PAGES):
            assert _page(client, url) == cold[name, url], (name, url)


def test_a_role_without_neighbourhood_items_never_gets_them_from_the_store(client_for):
    fragment_tags._store.clear()
    assert "网格楼栋" in client_for("shequ").get("/members/").content.decode()
    page = client_for("danwei").get("/members/").content.decode()
    assert "网格楼栋" not in page and "安全统计" not in page
    assert "数据</a>" not in page  # 数据 (exports) is not the unit's either
    assert '<a href="/members/" class="on">' in page


def test_the_highlighted_menu_item_follows_the_address():
    assert menu_section("/") == "home"
    assert menu_section("/members/12/") == "members"
    assert menu_section("/safety/figures/") == "figures"
    assert menu_section("/safety/hazards/3/") == "safety"
    assert menu_section("/places/grids/") == "places"
    assert menu_section("/outbox/") == ""
    assert menu_section("/orgsx/") == ""


def test_changed_settings_empty_the_store(settings):
    fragment_tags._store[("x",)] = "old"
    settings.STATIC_URL = "/elsewhere/"
    assert not fragment_tags._store
