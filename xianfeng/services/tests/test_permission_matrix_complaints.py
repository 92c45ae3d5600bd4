"""Every complaint page and endpoint × every role, inside and outside its scope (the rules of
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A is a complaint on an order of ``wangge``'s grid branch (``shequ``'s community), held by
``dangyuan``; side B one under ``shequ2``'s community."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.demo.base import persona_member
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.services import complaints, services
from xianfeng.services.choices import ComplaintState, OrderState
from xianfeng.services.models import Complaint, Order
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
GRID_WRITERS = {"admin", "qu", "jiedao", "shequ", "shequ2", "wangge"}
JSON = "application/json"


@pytest.fixture
def sides(personas):
    community_b = role_org(personas["shequ2"])
    branch_b = (
        Organization.objects.filter(parent=community_b, kind=OrgKind.GRID_BRANCH)
        .order_by("pk")
        .first()
    )
    out = []
    for i, org in enumerate((role_org(personas["wangge"]), branch_b)):
        building = f.building_under(org)
        assignee = (
            persona_member("dangyuan")
            if i == 0
            else PartyMember.objects.filter(branch__path__startswith=org.path).order_by("pk")[0]
        )
        order = f.order(org.community(), address=building.address)
        Order.objects.filter(pk=order.pk).update(state=OrderState.DONE, assignee=assignee)
        order.refresh_from_db()
        complaint = complaints.complaint_from_resident(
            order=order, content="办理不及时", throttle=False
        )
        out.append({"complaint": complaint.pk, "order": order.pk, "code": order.code})
    return out


OBJECT_PAGES = [
    ("complaint detail", "/services/complaints/{complaint}/", ANYONE),
    ("complaint api", "/api/v1/complaints/{complaint}", ANYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "allowed"), OBJECT_PAGES)
def test_complaint_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        assert response.status_code == expected(persona, side, allowed), f"{persona} {name} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/services/complaints/", ANYONE),
        ("/services/complaints/?state=pending", ANYONE),
        ("/api/v1/complaints", ANYONE),
        ("/services/complaints/new/", GRID_WRITERS),
    ],
)
def test_complaint_lists_and_the_record_form_answer_by_role(
    client_for, sides, persona, url, allowed
):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {url}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_shows_only_complaints_in_scope(client_for, sides, persona):
    body = client_for(persona).get("/api/v1/complaints?page_size=100").json()
    ids = {row["id"] for row in body["results"]}
    for side in (0, 1):
        assert (sides[side]["complaint"] in ids) == SEES[persona][side], f"{persona} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("verb", "body"), [("confirm", {"finding": "属实"}), ("dismiss", {"reason": "不属实"})]
)
def test_verifying_answers_by_scope_and_role_on_api_and_page(
    client_for, sides, persona, verb, body
):
    client = client_for(persona)
    for side in (0, 1):
        pk = sides[side]["complaint"]
        want = expected(persona, side, GRID_WRITERS)
        response = client.post(f"/api/v1/complaints/{pk}/{verb}", body, content_type=JSON)
        assert response.status_code == want, f"{persona} api {verb} {side} {response.content!r}"
        assert want == 200 or "detail" in response.json()
        Complaint.objects.filter(pk=pk).update(state=ComplaintState.PENDING)
        response = client.post(f"/services/complaints/{pk}/{verb}/", body)
        assert response.status_code == (302 if want == 200 else want), f"{persona} page {side}"
        Complaint.objects.filter(pk=pk).update(state=ComplaintState.PENDING)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_phone_complaint_answers_by_scope_and_role(client_for, sides, persona):
    """Staff who may record but do not see side A's order are told the code is unknown (400),
    a role that never records is refused (403)."""
    body = {"subject": "order", "order_code": sides[0]["code"], "content": "电话投诉"}
    response = client_for(persona).post("/api/v1/complaints", body, content_type=JSON)
    if persona not in GRID_WRITERS:
        want = 403
    else:
        want = 201 if SEES[persona][0] else 400
    assert response.status_code == want, f"{persona} {response.content!r}"
    assert want == 201 or "detail" in response.json()


def test_the_public_complaint_pages_answer_anyone(client, client_for, sides):
    order = Order.objects.get(pk=sides[0]["order"])
    token = services.rating_token(order)
    for c in (client, client_for("danwei"), client_for("jiancha")):
        assert c.get(f"/services/r/{token}/").status_code == 200
        assert c.get(f"/api/v1/public/orders/{token}/complaints").status_code == 200


def test_staff_pages_send_the_anonymous_to_the_login(client, sides):
    for url in [
        "/services/complaints/",
        "/services/complaints/new/",
        f"/services/complaints/{sides[0]['complaint']}/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
