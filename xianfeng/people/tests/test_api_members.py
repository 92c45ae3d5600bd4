"""The member endpoints: scope, masking, pagination, filters, writes and refusals."""

from __future__ import annotations

import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.core.validators import id_check_digit
from xianfeng.people import services
from xianfeng.people.models import PartyMember, Person

pytestmark = pytest.mark.django_db

_serial = itertools.count(random.randint(100, 800))


def new_id_number() -> str:
    """A valid ID number that nobody in the database has yet."""
    while True:
        n = next(_serial)
        first17 = f"530102{1960 + n % 40:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        value = first17 + id_check_digit(first17)
        if not Person.objects.with_id_number(value).exists():
            return value


def person_payload(**overrides) -> dict:
    data = {"name": "赵建国", "id_number": new_id_number(), "mobile": "13987654321"}
    data.update(overrides)
    return data


def make_member(actor, branch, name: str = "", **fields) -> PartyMember:
    return services.member_create(
        actor=actor, branch=branch, person=person_payload(name=name or "钱学明"), **fields
    )


def counts() -> tuple[int, int]:
    return Person.objects.count(), PartyMember.objects.count()


def queries_for(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def result_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- reading -----------------------------------------------------------------------------


def test_the_list_is_paginated_and_does_not_query_per_row(
    client_for, personas, django_assert_max_num_queries
):
    community = role_org(personas["shequ"])
    for _ in range(6):
        make_member(personas["admin"], community)
    client = client_for("shequ")
    small, small_body = queries_for(client, "/api/v1/members?page_size=5")
    big, big_body = queries_for(client, "/api/v1/members?page_size=50")
    assert len(small_body["results"]) == 5
    assert len(big_body["results"]) > 5
    assert small == big
    assert (
        big_body["count"]
        == PartyMember.objects.filter(branch__path__startswith=community.path).count()
    )
    with django_assert_max_num_queries(10):
        client.get("/api/v1/members?page_size=50")


def test_a_bearer_client_lists_with_as_few_queries(personas, django_assert_max_num_queries):
    from django.test import Client

    from xianfeng.core.models import ApiToken

    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(personas['shequ'])}"})
    client.get("/api/v1/me")  # the first use records last_used_at
    small, _ = queries_for(client, "/api/v1/members?page_size=5")
    big, _ = queries_for(client, "/api/v1/members?page_size=50")
    assert small == big
    with django_assert_max_num_queries(6):
        client.get("/api/v1/members?page_size=50")


def test_a_community_admin_does_not_see_another_communitys_members(client_for, personas):
    theirs = PartyMember.objects.filter(
        branch__path__startswith=role_org(personas["shequ2"]).path
    ).first()
    client = client_for("shequ")
    assert client.get(f"/api/v1/members/{theirs.pk}").status_code == 404
    seen = set()
    page = 1
    while True:
        body = client.get(f"/api/v1/members?page_size=200&page={page}").json()
        seen |= {row["id"] for row in body["results"]}
        if page * 200 >= body["count"]:
            break
        page += 1
    assert theirs.pk not in seen
    assert client_for("shequ2").get(f"/api/v1/members/{theirs.pk}").status_code == 200


def test_missing_and_out_of_scope_members_get_the_same_answer(client_for, personas):
    theirs = PartyMember.objects.filter(
        branch__path__startswith=role_org(personas["shequ2"]).path
    ).first()
    missing = PartyMember.objects.order_by("-pk").first().pk + 1000
    client = client_for("shequ")
    a = client.get(f"/api/v1/members/{theirs.pk}")
    b = client.get(f"/api/v1/members/{missing}")
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json() == {"detail": "对象不存在或不在您的管辖范围内"}


def test_id_numbers_and_phones_are_always_masked(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["shequ"]))
    person = member.person
    client = client_for("shequ")
    detail = client.get(f"/api/v1/members/{member.pk}")
    listing = client.get(f"/api/v1/members?q={person.name}&page_size=200")
    for response in (detail, listing):
        text = response.content.decode()
        assert person.id_number not in text
        assert person.mobile not in text
    assert detail.json()["person"]["id_number_masked"] == person.id_number_masked
    assert detail.json()["person"]["mobile_masked"] == "139****4321"
    assert "id_number" not in detail.json()["person"]


def test_the_list_filters_by_branch_including_its_subtree(client_for, personas):
    community = role_org(personas["shequ"])
    branch = role_org(personas["wangge"])
    assert branch.path.startswith(community.path) and branch != community
    response = client_for("shequ").get(f"/api/v1/members?branch={community.pk}&page_size=200")
    assert (
        response.json()["count"]
        == PartyMember.objects.filter(branch__path__startswith=community.path).count()
    )
    assert {r["branch"]["id"] for r in response.json()["results"]} - {community.pk}


def test_filtering_by_a_branch_outside_scope_finds_nothing(client_for, personas):
    other = role_org(personas["shequ2"])
    body = client_for("shequ").get(f"/api/v1/members?branch={other.pk}").json()
    assert body["count"] == 0


def test_the_list_filters_by_kind_category_and_status(client_for, personas):
    branch = role_org(personas["wangge"])
    mobile = make_member(personas["admin"], branch, kind="mobile", origin="四川省宜宾市")
    probationary = make_member(personas["admin"], branch, category="probationary")
    client = client_for("shequ")
    kinds = client.get("/api/v1/members?kind=mobile&page_size=200").json()["results"]
    assert mobile.pk in {r["id"] for r in kinds}
    assert {r["kind"] for r in kinds} == {"mobile"}
    cats = client.get("/api/v1/members?category=probationary&page_size=200").json()["results"]
    assert probationary.pk in {r["id"] for r in cats}
    assert {r["category"] for r in cats} == {"probationary"}
    statuses = client.get("/api/v1/members?status=deceased&page_size=200").json()["results"]
    assert {r["status"] for r in statuses} <= {"deceased"}


def test_the_search_matches_names_and_pinyin_initials(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["wangge"]), name="欧阳明珠")
    client = client_for("shequ")
    assert member.pk in result_ids(client.get("/api/v1/members?q=明珠&page_size=200"))
    assert member.pk in result_ids(client.get("/api/v1/members?q=OYMZ&page_size=200"))
    assert member.pk not in result_ids(client.get("/api/v1/members?q=ymz&page_size=200"))


# --- creating ----------------------------------------------------------------------------


def test_a_community_admin_registers_a_member_with_history(client_for, personas):
    branch = role_org(personas["wangge"])
    person = person_payload(name="孙红梅", gender="female")
    response = client_for("shequ").post(
        "/api/v1/members",
        {
            "branch": branch.pk,
            "person": person,
            "kind": "in_service",
            "category": "full",
            "joined_on": "2010-07-01",
            "full_member_on": "2011-07-01",
            "work_unit": "区卫生健康局",
            "residence_community": role_org(personas["shequ"]).pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["branch"]["id"] == branch.pk
    assert body["kind_label"] == "在职党员"
    assert body["person"]["id_number_masked"].endswith(person["id_number"][-4:])
    assert person["id_number"] not in response.content.decode()
    member = PartyMember.objects.select_related("person").get(pk=body["id"])
    assert member.person.id_number == person["id_number"]
    assert member.history.get().history_user == personas["shequ"]
    assert member.person.history.get().history_user == personas["shequ"]


def test_a_grid_secretary_may_register_members_in_the_grid(client_for, personas):
    branch = role_org(personas["wangge"])
    response = client_for("wangge").post(
        "/api/v1/members",
        {"branch": branch.pk, "person": person_payload()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("person", "field", "fragment"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"id_number": "1101051949"}, "id_number", "18位"),
        ({"mobile": "1380013800"}, "mobile", "手机号"),
        ({"mobile": "23800138000"}, "mobile", "手机号"),
    ],
)
def test_bad_person_data_answers_400_and_stores_nothing(
    client_for, personas, person, field, fragment
):
    before = counts()
    response = client_for("shequ").post(
        "/api/v1/members",
        {"branch": role_org(personas["shequ"]).pk, "person": person_payload(**person)},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert fragment in " ".join(body["errors"][field])
    assert "提交的数据有误" in body["detail"]
    assert counts() == before


def test_a_duplicate_id_number_answers_409_and_stores_nothing(client_for, personas):
    existing = make_member(personas["admin"], role_org(personas["shequ"])).person
    before = counts()
    response = client_for("shequ").post(
        "/api/v1/members",
        {
            "branch": role_org(personas["shequ"]).pk,
            "person": person_payload(id_number=existing.id_number),
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "已登记" in response.json()["errors"]["id_number"][0]
    assert counts() == before


def test_a_duplicate_written_in_lower_case_is_still_a_duplicate(client_for, personas):
    id_number = next(n for n in iter(new_id_number, None) if n.endswith("X"))
    services.member_create(
        actor=personas["admin"],
        branch=role_org(personas["shequ"]),
        person=person_payload(id_number=id_number),
    )
    before = counts()
    response = client_for("shequ").post(
        "/api/v1/members",
        {
            "branch": role_org(personas["shequ"]).pk,
            "person": person_payload(id_number=id_number.lower()),
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert counts() == before


def test_a_branch_outside_scope_answers_400_on_the_branch_field(client_for, personas):
    before = counts()
    response = client_for("shequ").post(
        "/api/v1/members",
        {"branch": role_org(personas["shequ2"]).pk, "person": person_payload()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["errors"]["branch"][0]
    assert counts() == before


def test_a_member_rule_violation_answers_400(client_for, personas):
    before = counts()
    response = client_for("shequ").post(
        "/api/v1/members",
        {
            "branch": role_org(personas["shequ"]).pk,
            "person": person_payload(),
            "kind": "in_service",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["work_unit"] == ["在职党员请填写工作单位。"]
    assert counts() == before


def test_a_payload_without_a_person_name_answers_422(client_for, personas):
    before = counts()
    response = client_for("shequ").post(
        "/api/v1/members",
        {"branch": role_org(personas["shequ"]).pk, "person": {"mobile": "13800138000"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["person.name"] == ["此字段为必填项。"]
    assert counts() == before


def test_the_auditor_may_not_register_members(client_for, personas):
    before = counts()
    response = client_for("jiancha").post(
        "/api/v1/members",
        {"branch": role_org(personas["shequ"]).pk, "person": person_payload()},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert counts() == before


def test_a_member_may_not_register_members(client_for, personas):
    response = client_for("dangyuan").post(
        "/api/v1/members",
        {"branch": role_org(personas["dangyuan"]).pk, "person": person_payload()},
        content_type="application/json",
    )
    assert response.status_code == 403


# --- changing ----------------------------------------------------------------------------


def test_a_patch_changes_only_the_given_fields_with_history(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["wangge"]))
    before = (member.history.count(), member.person.history.count())
    response = client_for("shequ").patch(
        f"/api/v1/members/{member.pk}",
        {"status": "lost_contact", "person": {"mobile": "13711112222"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    member.person.refresh_from_db()
    assert member.status == "lost_contact"
    assert member.person.mobile == "13711112222"
    assert member.person.name == "钱学明"
    assert member.kind == "community"
    assert member.history.count() == before[0] + 1
    assert member.person.history.count() == before[1] + 1
    assert member.history.latest().history_user == personas["shequ"]
    assert response.json()["person"]["mobile_masked"] == "137****2222"


def test_a_patch_with_a_bad_phone_changes_nothing(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["wangge"]))
    before = member.history.count()
    response = client_for("shequ").patch(
        f"/api/v1/members/{member.pk}",
        {"status": "mobile", "person": {"mobile": "110"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "mobile" in response.json()["errors"]
    member.refresh_from_db()
    assert member.status == "normal"
    assert member.history.count() == before


def test_moving_a_member_to_a_branch_outside_scope_is_refused(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["wangge"]))
    response = client_for("shequ").patch(
        f"/api/v1/members/{member.pk}",
        {"branch": role_org(personas["shequ2"]).pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "branch" in response.json()["errors"]
    member.refresh_from_db()
    assert member.branch == role_org(personas["wangge"])


def test_the_auditor_and_a_member_may_not_change_members(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["wangge"]))
    for username in ("jiancha", "dangyuan"):
        response = client_for(username).patch(
            f"/api/v1/members/{member.pk}", {"status": "mobile"}, content_type="application/json"
        )
        assert response.status_code == 403, username
    member.refresh_from_db()
    assert member.status == "normal"


def test_changing_a_member_outside_scope_is_not_found(client_for, personas):
    member = make_member(personas["admin"], role_org(personas["shequ2"]))
    response = client_for("shequ").patch(
        f"/api/v1/members/{member.pk}", {"status": "mobile"}, content_type="application/json"
    )
    assert response.status_code == 404
