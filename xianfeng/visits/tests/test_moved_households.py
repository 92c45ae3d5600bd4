"""Visits that found their household moved (待社区更新住户信息): the community's list (page and
API, scoped, paginated in the database), closing the flag through the workflow (history and
ledger), the count on the home page, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, expected
from xianfeng.visits.choices import HouseholdUpdate
from xianfeng.visits.models import Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db

GRID_WRITERS = {"admin", "qu", "jiedao", "shequ", "shequ2", "wangge"}


def moved_visit(household, member, label: str = "1栋1单元101", days_ago: int = 1) -> Visit:
    """A visit as the API keeps it when the household had moved: at the old building, no
    household, its name then, waiting for the community."""
    visit = f.visit_at(household, member, days_ago=days_ago)
    visit.household = None
    visit.moved_household = label
    visit.household_update = HouseholdUpdate.PENDING
    visit.save()
    return visit


def _pending_under(user) -> int:
    """Pending visits under the user's organization, counted without the selector."""
    path = role_org(user).path
    return Visit.objects.filter(
        household_update=HouseholdUpdate.PENDING, organization__path__startswith=path
    ).count()


@pytest.fixture
def sides(personas):
    """Side A: a moved household's visit in wangge's grid branch; side B: in shequ2's."""
    out = []
    for who in ("wangge", "shequ2"):
        org = role_org(personas[who])
        household = f.household_under(org)
        member = f.dangyuan() if who == "wangge" else f.member_under(household.organization)
        out.append({"visit": moved_visit(household, member, f"{who}的住户").pk})
    return out


def test_a_moved_household_visit_from_the_api_waits_for_the_community(client_for, personas):
    """The API's moved-household path (test_offline_visits) stores the flag as pending."""
    from xianfeng.visits import services

    household = f.household_under(role_org(personas["wangge"]))
    visit, created = services.visit_create(
        actor=personas["dangyuan"],
        household=None,
        building=household.building,
        visited_at=timezone.now() - timedelta(hours=1),
        purposes=["safety"],
        moved_household=str(household),
    )
    assert created and visit.household_update == HouseholdUpdate.PENDING
    plain = f.visit_at(household, f.dangyuan())
    assert plain.household_update == HouseholdUpdate.NONE


def test_the_list_shows_pending_visits_in_scope_with_a_fixed_number_of_queries(
    client_for, personas, sides
):
    household = f.household_under(role_org(personas["wangge"]))
    for i in range(3):
        moved_visit(household, f.dangyuan(), f"迁走{i}号", days_ago=i + 2)
    done = moved_visit(household, f.dangyuan(), "已处理的户")
    done.household_update = HouseholdUpdate.DONE
    done.household_update_note = "已登记迁出"
    done.save()
    client = client_for("shequ")
    client.get("/work/visits/moved/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        page = client.get("/work/visits/moved/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "wangge的住户" in body and "迁走2号" in body
    assert "shequ2的住户" not in body  # another community's
    assert "已处理的户" not in body
    moved_visit(household, f.dangyuan(), "又一户")
    moved_visit(household, f.dangyuan(), "再一户")
    with CaptureQueriesContext(connection) as more:
        client.get("/work/visits/moved/")
    assert len(more) == len(few), "one query per row"
    done_page = client.get("/work/visits/moved/?state=done").content.decode()
    assert "已处理的户" in done_page and "已登记迁出" in done_page and "迁走2号" not in done_page
    api = client.get("/api/v1/visits/moved-households?page_size=2").json()
    # every pending one of shequ's community (the test database may hold the demo's too)
    assert api["count"] == _pending_under(personas["shequ"]) >= 6
    assert len(api["results"]) == 2  # paginated in the database
    assert {"moved_household", "building", "member", "household_update"} <= set(api["results"][0])
    labels = {
        r["moved_household"]
        for r in client.get("/api/v1/visits/moved-households?page_size=50").json()["results"]
    }
    assert "shequ2的住户" not in labels and "已处理的户" not in labels


def test_closing_the_flag_records_history_and_the_ledger_and_leaves_the_list(
    client_for, personas, sides
):
    visit = Visit.objects.get(pk=sides[0]["visit"])
    client = client_for("wangge")
    empty = client.post(f"/work/visits/{visit.pk}/close_household_update/", {"note": " "})
    assert empty.status_code == 400
    assert "请写明住户信息是怎样处理的" in empty.content.decode()
    response = client.post(
        f"/work/visits/{visit.pk}/close_household_update/", {"note": "已登记迁出到二社区"}
    )
    assert response.status_code == 302 and response.url == "/work/visits/moved/"
    visit.refresh_from_db()
    assert visit.household_update == HouseholdUpdate.DONE
    assert visit.household_update_note == "已登记迁出到二社区"
    last = visit.history.order_by("-history_date").first()
    assert last.history_user == personas["wangge"] and last.household_update == "done"
    record = DutyRecord.objects.get(action="visit.household_updated", object_id=str(visit.pk))
    assert "wangge的住户" in record.note and "已登记迁出到二社区" in record.note
    assert "wangge的住户" not in client.get("/work/visits/moved/").content.decode()
    # a second close (another tab, or the API) is a state conflict, in Chinese
    again = client.post(
        f"/api/v1/visits/{visit.pk}/household-updated",
        {"note": "再次处理"},
        content_type="application/json",
    )
    assert again.status_code == 409 and "已经处理过了" in again.json()["detail"]
    # a visit that never found a moved household has nothing to close
    plain = f.visit_at(f.household_under(role_org(personas["wangge"])), f.dangyuan())
    nothing = client.post(
        f"/api/v1/visits/{plain.pk}/household-updated",
        {"note": "x"},
        content_type="application/json",
    )
    assert nothing.status_code == 409 and "没有需要更新" in nothing.json()["detail"]


def test_the_api_closes_the_flag_and_answers_the_visit(client_for, sides):
    client = client_for("shequ2")
    missing = client.post(
        f"/api/v1/visits/{sides[1]['visit']}/household-updated",
        {},
        content_type="application/json",
    )
    assert missing.status_code == 400 and "note" in missing.json()["errors"]
    detail = client.get(f"/api/v1/visits/{sides[1]['visit']}").json()
    assert detail["actions"] == ["close_household_update"]
    response = client.post(
        f"/api/v1/visits/{sides[1]['visit']}/household-updated",
        {"note": "住户已搬走，已注销"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["household_update"] == "done"
    assert body["household_update_note"] == "住户已搬走，已注销"
    assert body["actions"] == []


def test_the_home_page_counts_the_visits_waiting_for_the_community(client_for, personas, sides):
    page = client_for("shequ").get("/").content.decode()
    assert 'id="home-moved-households"' in page
    waiting = _pending_under(personas["shequ"])
    assert waiting >= 1
    assert f"<b>{waiting}</b>条走访待社区更新住户信息" in page
    member_home = client_for("dangyuan").get("/").content.decode()
    assert 'id="home-moved-households"' not in member_home


# --- permission matrix: every role, inside and outside its scope -------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_page_and_endpoint_answer_by_role(client_for, persona):
    client = client_for(persona)
    want = 200 if persona in GRID_WRITERS else 403
    assert client.get("/work/visits/moved/").status_code == want, persona
    assert client.get("/api/v1/visits/moved-households").status_code == want, persona


@pytest.mark.parametrize("persona", PERSONAS)
def test_closing_the_flag_answers_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    for side in (0, 1):
        visit = sides[side]["visit"]
        want = expected(persona, side, GRID_WRITERS)
        page = client.post(f"/work/visits/{visit}/close_household_update/", {"note": "已更新"})
        assert page.status_code == (302 if want == 200 else want), f"{persona} page {'AB'[side]}"
        Visit.objects.filter(pk=visit).update(household_update=HouseholdUpdate.PENDING)
        api = client.post(
            f"/api/v1/visits/{visit}/household-updated",
            {"note": "已更新"},
            content_type="application/json",
        )
        assert api.status_code == want, f"{persona} api {'AB'[side]}: {api.content[:200]!r}"
        assert "detail" in api.json() or want == 200


def test_anonymous_visitors_are_sent_to_log_in(client, sides):
    response = client.get("/work/visits/moved/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/api/v1/visits/moved-households").status_code == 401
