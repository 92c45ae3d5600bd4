"""Every services page and endpoint × every role, inside and outside its scope (the rules of
xianfeng/core/tests/test_permission_matrix.py: 404 outside scope, 403 seen but not allowed).
Side A lies in ``wangge``'s grid branch (the community of ``shequ``), side B under ``shequ2``'s
community. The public pages answer everyone, logged in or not."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.demo.base import persona_member
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.services import services
from xianfeng.services.choices import OrderState
from xianfeng.services.models import CoProject, Order, Resource
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db

ANYONE = set(PERSONAS)
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}
GRID_WRITERS = ADMINS | {"wangge"}
WRITERS = ANYONE - {"jiancha"}
LIST_WRITERS = {
    "services": GRID_WRITERS,
    "resources": GRID_WRITERS | {"danwei"},
    "projects": GRID_WRITERS,
}


def _state(order: Order, state: str, **fields) -> Order:
    Order.objects.filter(pk=order.pk).update(state=state, **fields)
    return order


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
        community = org.community()
        if i == 0:
            assignee = persona_member("dangyuan")
        else:
            assignee = PartyMember.objects.filter(branch__path__startswith=org.path).order_by("pk")[
                0
            ]

        def make(c=community, b=building):
            return f.order(c, address=b.address)

        out.append(
            {
                "new": make().pk,
                "dispatched": _state(make(), OrderState.DISPATCHED, assignee=assignee).pk,
                "accepted": _state(make(), OrderState.ACCEPTED, assignee=assignee).pk,
                "member": assignee.pk,
                "service": f.service_at(org).pk,
                "resource": Resource.objects.create(
                    organization=org, kind="room", title="阅览室", address="活动中心二楼"
                ).pk,
                "project": CoProject.objects.create(organization=org, title="楼道微改造").pk,
                "community": community.pk,
            }
        )
    assert Order.objects.get(pk=out[0]["new"]).organization == role_org(personas["wangge"])
    return out


OBJECT_PAGES = [
    ("order detail", "/services/orders/{new}/", ANYONE),
    ("service edit", "/services/lists/services/{service}/", LIST_WRITERS["services"]),
    ("resource edit", "/services/lists/resources/{resource}/", LIST_WRITERS["resources"]),
    ("project edit", "/services/lists/projects/{project}/", LIST_WRITERS["projects"]),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "allowed"), OBJECT_PAGES)
def test_services_object_pages_answer_by_scope_and_role(
    client_for, sides, persona, name, template, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        response = client.get(template.format(**sides[side]))
        assert response.status_code == expected(persona, side, allowed), f"{persona} {name} {side}"


LIST_PAGES = [
    ("/services/lists/services/", ANYONE),
    ("/services/lists/resources/", ANYONE),
    ("/services/lists/projects/", ANYONE),
    ("/services/orders/", ANYONE),
    ("/services/orders/?open=1&overdue=1&mine=1", ANYONE),
    ("/services/orders/queue/", ANYONE),
    ("/services/lists/services/new/", LIST_WRITERS["services"]),
    ("/services/lists/resources/new/", LIST_WRITERS["resources"]),
    ("/services/lists/projects/new/", LIST_WRITERS["projects"]),
    ("/services/orders/new/", WRITERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "allowed"), LIST_PAGES)
def test_services_list_and_form_pages_answer_by_role(client_for, sides, persona, url, allowed):
    response = client_for(persona).get(url)
    assert response.status_code == (200 if persona in allowed else 403), f"{persona} {url}"


def test_staff_pages_send_the_anonymous_to_the_login(client, sides):
    for url in [
        "/services/orders/",
        "/services/orders/queue/",
        "/services/lists/services/",
        f"/services/orders/{sides[0]['new']}/",
        "/services/orders/new/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_public_pages_answer_anyone_without_login(client, client_for, sides):
    order = Order.objects.get(pk=sides[0]["accepted"])
    token = services.rating_token(order)
    urls = [
        "/services/public/",
        f"/services/public/?community={sides[0]['community']}",
        f"/services/public/order/?community={sides[0]['community']}",
        "/services/public/rate/",
        f"/services/r/{token}/",
        f"/api/v1/public/services?community={sides[0]['community']}",
        f"/api/v1/public/resources?community={sides[0]['community']}",
        f"/api/v1/public/coprojects?community={sides[0]['community']}",
        f"/api/v1/public/orders/{token}",
    ]
    for c in (client, client_for("danwei"), client_for("jiancha")):
        for url in urls:
            assert c.get(url).status_code == 200, url


# (step, which order, body, who may): each transition, one API endpoint and one page.
TRANSITIONS = [
    ("dispatch", "new", "member", GRID_WRITERS),
    ("reject", "new", {"reason": "不属于社区服务范围"}, GRID_WRITERS),
    ("accept", "dispatched", None, {"dangyuan"}),
    ("decline", "dispatched", {"reason": "出差"}, {"dangyuan"}),
    ("recall", "accepted", {"reason": "改派他人"}, GRID_WRITERS),
]


def _body(data, ids):
    return {"member": ids["member"]} if data == "member" else data


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data", "allowed"), TRANSITIONS)
def test_api_order_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, data, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        body = _body(data, ids)
        url = f"/api/v1/orders/{ids[which]}/{verb}"
        if body is None:
            response = client.post(url)
        else:
            response = client.post(url, data=body, content_type="application/json")
        want = expected(persona, side, allowed)
        assert response.status_code == want, (
            f"{persona} {verb} {'AB'[side]}: {response.status_code} {response.content[:200]!r}"
        )
        assert "detail" in response.json() or want == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("verb", "which", "data", "allowed"), TRANSITIONS)
def test_page_order_transitions_answer_by_scope_and_role(
    client_for, sides, persona, verb, which, data, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = sides[side]
        response = client.post(
            f"/services/orders/{ids[which]}/{verb}/", data=_body(data, ids) or {}
        )
        want = expected(persona, side, allowed)
        assert response.status_code == (302 if want == 200 else want), f"{persona} {verb} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_serve_answers_by_scope_and_role_on_api_and_page(client_for, sides, persona):
    allowed = GRID_WRITERS | {"dangyuan"}
    for side in (0, 1):
        want = expected(persona, side, allowed)
        response = client_for(persona).post(
            f"/api/v1/orders/{sides[side]['accepted']}/serve", {"note": "已办好"}
        )
        assert response.status_code == want, f"{persona} api {side} {response.content[:200]!r}"
    for side in (0, 1):
        Order.objects.filter(pk=sides[side]["accepted"]).update(state=OrderState.ACCEPTED)
        want = expected(persona, side, allowed)
        response = client_for(persona).post(
            f"/services/orders/{sides[side]['accepted']}/serve/", {"note": "已办好"}
        )
        assert response.status_code == (302 if want == 200 else want), f"{persona} page {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_claiming_for_a_team_answers_by_scope_and_role_on_api_and_page(client_for, sides, persona):
    """Only the leader of one of the order's community's teams (``dangyuan``, leading the
    demo's volunteer team in side A's community) claims it for the team; others who see the order
    are refused (403), those who do not see it get 404."""
    allowed = {"dangyuan"}
    for side in (0, 1):
        want = expected(persona, side, allowed)
        response = client_for(persona).post(
            f"/api/v1/orders/{sides[side]['new']}/claim-for-team",
            {},
            content_type="application/json",
        )
        assert response.status_code == want, f"{persona} api {side} {response.content[:200]!r}"
        assert want == 200 or "detail" in response.json()
    for side in (0, 1):
        Order.objects.filter(pk=sides[side]["new"]).update(
            state=OrderState.NEW, assignee=None, team=None
        )
        want = expected(persona, side, allowed)
        response = client_for(persona).post(
            f"/services/orders/{sides[side]['new']}/claim_for_team/"
        )
        assert response.status_code == (302 if want == 200 else want), f"{persona} page {side}"


API_OBJECTS = [
    ("get", "/api/v1/orders/{new}", ANYONE),
    ("put-service", "/api/v1/services/{service}", LIST_WRITERS["services"]),
    ("put-resource", "/api/v1/resources/{resource}", LIST_WRITERS["resources"]),
    ("put-project", "/api/v1/coprojects/{project}", LIST_WRITERS["projects"]),
]
BODIES = {
    "put-service": lambda ids: {
        "organization": ids["org"],
        "code": f"put-{ids['service']}",
        "title": "改过的服务",
    },
    "put-resource": lambda ids: {
        "organization": ids["org"],
        "kind": "venue",
        "title": "广场",
        "address": "社区广场",
    },
    "put-project": lambda ids: {"organization": ids["org"], "title": "改过的项目"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "template", "allowed"), API_OBJECTS)
def test_api_services_objects_answer_by_scope_and_role(
    client_for, sides, persona, name, template, allowed
):
    client = client_for(persona)
    for side in (0, 1):
        ids = dict(sides[side])
        ids["org"] = Order.objects.get(pk=ids["new"]).organization_id
        url = template.format(**ids)
        if name == "get":
            response = client.get(url)
        else:
            response = client.put(url, data=BODIES[name](ids), content_type="application/json")
        # A role that may never change the list answers 403 before its scope is looked at.
        want = 403 if name != "get" and persona not in allowed else expected(persona, side, allowed)
        assert response.status_code == want, f"{persona} {name} {side} {response.content[:200]!r}"


API_LISTS = [
    "/api/v1/orders",
    "/api/v1/orders?open=true&overdue=true&mine=true",
    "/api/v1/orders/queue",
    "/api/v1/services",
    "/api/v1/resources",
    "/api/v1/coprojects",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_services_lists_answer_everyone_within_scope(client_for, sides, persona):
    client = client_for(persona)
    for url in API_LISTS:
        response = client.get(url)
        assert response.status_code == 200, f"{persona} {url}"
        ids = {row["id"] for row in response.json()["results"]}
        if url == "/api/v1/orders/queue":
            for side in (0, 1):
                assert (sides[side]["new"] in ids) == SEES[persona][side], f"{persona} {side}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_proxy_order_and_list_creates_answer_by_role(client_for, sides, persona):
    client = client_for(persona)
    body = {
        "community": sides[0]["community"],
        "name": "李奶奶",
        "address": "幸福里",
        "content": "代买米面",
    }
    response = client.post("/api/v1/orders", data=body, content_type="application/json")
    if persona in {"jiancha"}:
        assert response.status_code == 403
    elif SEES[persona][0]:
        assert response.status_code == 201, f"{persona} {response.content[:200]!r}"
    else:
        assert response.status_code == 403, f"{persona} {response.content[:200]!r}"
    org = Order.objects.get(pk=sides[0]["new"]).organization_id
    created = client.post(
        "/api/v1/coprojects",
        data={"organization": org, "title": "新项目"},
        content_type="application/json",
    )
    want = (
        201
        if persona in LIST_WRITERS["projects"] and SEES[persona][0]
        else (403 if persona not in LIST_WRITERS["projects"] else 400)
    )
    assert created.status_code == want, f"{persona} {created.content[:200]!r}"


LOG_READERS = ADMINS | {"jiancha"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_contact_log_page_and_api_answer_admins_and_the_auditor_within_scope(
    client_for, personas, sides, persona
):
    from xianfeng.services.services import contact_access_record

    # One look on each side, by the staff of that side.
    for side, viewer in ((0, "shequ"), (1, "shequ2")):
        contact_access_record(
            user=personas[viewer],
            order=Order.objects.get(pk=sides[side]["accepted"]),
            fields="phone,address",
            channel="page",
        )
    client = client_for(persona)
    page = client.get("/services/orders/contact-log/")
    api = client.get("/api/v1/orders/contact-log")
    if persona not in LOG_READERS:
        assert page.status_code == 403, persona
        assert api.status_code == 403 and "detail" in api.json(), persona
        return
    assert page.status_code == 200, persona
    assert api.status_code == 200, persona
    seen = {row["order_id"] for row in api.json()["results"]}
    for side in (0, 1):
        assert (sides[side]["accepted"] in seen) == SEES[persona][side], f"{persona} {side}"
        code = Order.objects.get(pk=sides[side]["accepted"]).code
        assert (code in page.content.decode()) == SEES[persona][side], f"{persona} page {side}"


def test_a_waiting_order_answers_a_teams_leader_without_contact_then_the_team(personas, client_for):
    """Who of a community's team sees its waiting orders (issue 14): the team's leader
    (``dangyuan`` leads the demo's volunteer team), to claim them for the team, with neither
    the resident's phone nor address before the claim (no contact-log row either); a plain
    member of the team does not (404), nor claims. Once the team has claimed it, every member
    sees it, the phone masked; the leader, now its member, the full contact. Every other role
    answers by its scope."""
    from django.test import Client

    from xianfeng.community.models import Team
    from xianfeng.community.tests import factories as cf
    from xianfeng.core.validators import mask_phone
    from xianfeng.services.models import ContactAccess

    team = Team.objects.get(name="在职党员志愿服务队")
    community = team.organization
    order = f.order(community, address="幸福里小区某栋")
    assert order.organization == community  # at the community: not in a grid's scope
    from xianfeng.community import teams

    # a plain member of the team whose own scope (a grid branch) does not cover the order (a
    # member whose scope covers it does not read it either while it waits: see
    # test_a_plain_member_reads_no_waiting_order_until_it_leaves_the_queue)
    leader_member = persona_member("dangyuan")
    plain = (
        PartyMember.objects.filter(branch__path__startswith=community.path)
        .exclude(branch=community)
        .exclude(branch=leader_member.branch)
        .exclude(team_memberships__team=team)
        .order_by("pk")
        .first()
    )
    teams.team_member_add(actor=personas["shequ"], team=team, member=plain)
    plain_client = Client()
    plain_client.force_login(cf.account_for(plain))
    readers = {"admin", "qu", "jiedao", "shequ", "jiancha", "dangyuan"}
    for persona in PERSONAS:
        want = 200 if persona in readers else 404
        client = client_for(persona)
        for url in (f"/services/orders/{order.pk}/", f"/api/v1/orders/{order.pk}"):
            assert client.get(url).status_code == want, (persona, url)
    for url in (f"/services/orders/{order.pk}/", f"/api/v1/orders/{order.pk}"):
        assert plain_client.get(url).status_code == 404, url
    leader = client_for("dangyuan")
    page = leader.get(f"/services/orders/{order.pk}/").content.decode()
    assert "队伍接单后可见电话和地址" in page and 'id="claim-for-team"' in page
    for secret in (order.phone, mask_phone(order.phone), order.address[:4]):
        assert secret not in page
    api = leader.get(f"/api/v1/orders/{order.pk}").json()
    assert (api["phone"], api["address"]) == ("", "")
    assert (
        not ContactAccess.objects.filter(order=order).exclude(user__username__in=readers).exists()
    )
    assert not ContactAccess.objects.filter(order=order, user__username="dangyuan").exists()
    refused = plain_client.post(f"/services/orders/{order.pk}/claim_for_team/")
    assert refused.status_code == 404
    claimed = leader.post(f"/services/orders/{order.pk}/claim_for_team/")
    assert claimed.status_code == 302
    order.refresh_from_db()
    assert order.team == team and order.state == OrderState.ACCEPTED
    seen = plain_client.get(f"/api/v1/orders/{order.pk}").json()
    assert seen["phone"] == mask_phone(order.phone) and order.address not in seen["address"]
    assert leader.get(f"/api/v1/orders/{order.pk}").json()["phone"] == order.phone


def test_a_plain_member_reads_no_waiting_order_until_it_leaves_the_queue(personas, client_for):
    """A community's waiting orders (new) are read by its staff, the auditor and a team's
    leader only: a plain member whose scope covers the order's place (their grid branch) gets
    404 on the page and the API and finds it in no list while it waits. Dispatched to another
    member, it is theirs to read (phone masked). An order the member entered (代办) stays
    theirs to read; one they give back (退单) leaves them, and the API's answer to the step
    says so without the resident's contact."""
    from django.test import Client

    from xianfeng.community.tests import factories as cf
    from xianfeng.core.validators import mask_phone
    from xianfeng.core.workflow import take

    community = role_org(personas["shequ2"])
    branch = (
        Organization.objects.filter(parent=community, kind=OrgKind.GRID_BRANCH)
        .order_by("pk")
        .first()
    )
    order = f.order(community, address=f.building_under(branch).address)
    assert order.organization.path.startswith(branch.path) and order.state == OrderState.NEW
    members = (
        PartyMember.objects.filter(branch=branch)
        .exclude(team_memberships__role="leader")
        .order_by("pk")
    )
    plain_member, other = members[0], members[1]
    plain = Client()
    plain.force_login(cf.account_for(plain_member))
    order_urls = (f"/services/orders/{order.pk}/", f"/api/v1/orders/{order.pk}")

    for url in order_urls:
        assert plain.get(url).status_code == 404, url
    for url in ("/api/v1/orders", "/api/v1/orders/queue", "/api/v1/orders?state=new"):
        ids = {row["id"] for row in plain.get(url).json()["results"]}
        assert order.pk not in ids, url
    assert order.code not in plain.get("/services/orders/queue/").content.decode()
    # the community's staff and the auditor read the queue; staff elsewhere do not
    for persona, want in (("shequ2", 200), ("jiancha", 200), ("qu", 200), ("shequ", 404)):
        assert client_for(persona).get(order_urls[1]).status_code == want, persona
    queue = client_for("shequ2").get("/api/v1/orders/queue").json()["results"]
    assert order.pk in {row["id"] for row in queue}

    # an order the member enters for a resident (代办) is theirs to follow
    entered = plain.post(
        "/api/v1/orders",
        {"community": community.pk, "name": "李奶奶", "address": "幸福里", "content": "代买米面"},
        content_type="application/json",
    )
    assert entered.status_code == 201, entered.content
    assert entered.json()["state"] == OrderState.NEW
    assert plain.get(f"/api/v1/orders/{entered.json()['id']}").status_code == 200

    # dispatched to another member, the order has left the queue: the member reads it, masked
    take(order, "dispatch", actor=personas["shequ2"], member=str(other.pk))
    seen = plain.get(order_urls[1])
    assert seen.status_code == 200
    assert seen.json()["phone"] == mask_phone(order.phone)
    assert plain.get(order_urls[0]).status_code == 200

    # dispatched to the member, then given back: it waits again and is theirs no more
    take(order, "recall", actor=personas["shequ2"], reason="改派")
    take(order, "dispatch", actor=personas["shequ2"], member=str(plain_member.pk))
    assert plain.get(order_urls[1]).json()["phone"] == order.phone  # theirs: in full
    given_back = plain.post(
        f"/api/v1/orders/{order.pk}/decline", {"reason": "出差"}, content_type="application/json"
    )
    assert given_back.status_code == 200, given_back.content
    answer = given_back.json()
    assert answer["state"] == OrderState.NEW and answer["actions"] == []
    assert (answer["phone"], answer["address"]) == ("", "")
    for url in order_urls:
        assert plain.get(url).status_code == 404, url
