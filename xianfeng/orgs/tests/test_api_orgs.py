"""The organization and pairing endpoints: scope, pagination, filters, writes and refusals."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.orgs import services
from xianfeng.orgs.choices import OrgKind, PairingKind
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


def new_code(prefix: str = "APIT") -> str:
    return f"{prefix}-{next(_codes):05d}"


def make_org(actor, parent: Organization, kind: str, name: str = "") -> Organization:
    return services.organization_create(
        actor=actor, parent=parent, kind=kind, name=name or f"测试组织{new_code()}", code=new_code()
    )


def queries_for(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- reading -----------------------------------------------------------------------------


def test_the_list_is_paginated_in_the_database(client_for):
    client = client_for("qu")
    body = client.get("/api/v1/organizations?page=2&page_size=3").json()
    assert body["page"] == 2
    assert body["page_size"] == 3
    assert body["count"] == Organization.objects.count()
    assert len(body["results"]) == 3
    first_page = client.get("/api/v1/organizations?page=1&page_size=3").json()
    assert not {r["id"] for r in first_page["results"]} & {r["id"] for r in body["results"]}


def test_a_page_past_the_end_is_empty(client_for):
    body = client_for("qu").get("/api/v1/organizations?page=9999").json()
    assert body["results"] == []
    assert body["count"] == Organization.objects.count()


def test_the_page_size_is_capped_at_200(client_for):
    response = client_for("qu").get("/api/v1/organizations?page_size=201")
    assert response.status_code == 422
    assert response.json()["detail"] == "请求数据格式不正确"
    assert response.json()["errors"]["page_size"] == ["不能大于200。"]


def test_the_list_does_not_query_per_row(client_for, django_assert_max_num_queries, personas):
    street = role_org(personas["jiedao"])
    for _ in range(6):
        make_org(personas["admin"], street, OrgKind.AGENCY)
    client = client_for("qu")
    small, _ = queries_for(client, "/api/v1/organizations?page_size=5")
    big, body = queries_for(client, "/api/v1/organizations?page_size=50")
    assert len(body["results"]) > 5
    assert small == big
    with django_assert_max_num_queries(10):
        client.get("/api/v1/organizations?page_size=50")


def test_a_community_admin_sees_only_its_subtree(client_for, personas):
    community = role_org(personas["shequ"])
    other = role_org(personas["shequ2"])
    client = client_for("shequ")
    body = client.get("/api/v1/organizations?page_size=200").json()
    seen = {row["id"] for row in body["results"]}
    assert body["count"] == Organization.objects.filter(path__startswith=community.path).count()
    assert community.pk in seen
    assert other.pk not in seen
    assert client.get(f"/api/v1/organizations/{other.pk}").status_code == 404


def test_the_list_filters_by_kind_parent_and_text(client_for, personas):
    street = role_org(personas["jiedao"])
    agency = make_org(personas["admin"], street, OrgKind.AGENCY, name="区住建局机关党支部")
    client = client_for("qu")
    by_kind = client.get("/api/v1/organizations?kind=agency&page_size=200").json()["results"]
    assert agency.pk in {r["id"] for r in by_kind}
    assert {r["kind"] for r in by_kind} == {"agency"}
    by_parent = client.get(f"/api/v1/organizations?parent={street.pk}&page_size=200").json()
    assert {r["parent"]["id"] for r in by_parent["results"]} == {street.pk}
    by_name = client.get("/api/v1/organizations?q=住建局").json()["results"]
    assert [r["id"] for r in by_name] == [agency.pk]
    by_code = client.get(f"/api/v1/organizations?q={agency.code}").json()["results"]
    assert [r["id"] for r in by_code] == [agency.pk]


def test_the_detail_tells_the_parent_labels_and_children(client_for, personas):
    community = role_org(personas["shequ"])
    body = client_for("shequ").get(f"/api/v1/organizations/{community.pk}").json()
    assert body["parent"]["id"] == community.parent_id
    assert body["kind_label"] == "社区党委/党总支"
    assert body["children_count"] == community.children.count()


def test_an_unknown_filter_value_answers_422(client_for):
    response = client_for("qu").get("/api/v1/organizations?kind=planet")
    assert response.status_code == 422
    assert "kind" in response.json()["errors"]


# --- creating and changing ---------------------------------------------------------------


def test_a_community_admin_creates_a_grid_branch_with_history(client_for, personas):
    community = role_org(personas["shequ"])
    code = new_code()
    response = client_for("shequ").post(
        "/api/v1/organizations",
        {"parent": community.pk, "kind": "grid_branch", "name": "第九网格党支部", "code": code},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == code
    assert body["parent"]["id"] == community.pk
    org = Organization.objects.get(pk=body["id"])
    assert org.path.startswith(community.path)
    assert org.history.count() == 1
    assert org.history.get().history_user == personas["shequ"]


def test_a_patch_changes_only_the_given_fields_and_keeps_history(client_for, personas):
    org = make_org(personas["admin"], role_org(personas["shequ"]), OrgKind.GRID_BRANCH)
    before = org.history.count()
    response = client_for("shequ").patch(
        f"/api/v1/organizations/{org.pk}",
        {"short_name": "九支部", "contact_phone": "0871-63123456"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert (org.short_name, org.contact_phone) == ("九支部", "0871-63123456")
    assert org.name.startswith("测试组织")
    assert org.history.count() == before + 1
    assert org.history.latest().history_user == personas["shequ"]


def test_a_duplicate_code_answers_409_and_creates_nothing(client_for, personas):
    community = role_org(personas["shequ"])
    before = Organization.objects.count()
    response = client_for("shequ").post(
        "/api/v1/organizations",
        {"parent": community.pk, "kind": "grid_branch", "name": "重复", "code": community.code},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["errors"]["code"] == ["组织代码已被其他组织使用。"]
    assert Organization.objects.count() == before


def test_a_kind_that_does_not_fit_the_parent_answers_400(client_for, personas):
    community = role_org(personas["shequ"])
    before = Organization.objects.count()
    response = client_for("shequ").post(
        "/api/v1/organizations",
        {"parent": community.pk, "kind": "street", "name": "错位", "code": new_code()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "下不能设立" in response.json()["errors"]["kind"][0]
    assert Organization.objects.count() == before


def test_a_parent_outside_scope_answers_400_without_telling_it_exists(client_for, personas):
    other = role_org(personas["shequ2"])
    missing = Organization.objects.order_by("-pk").first().pk + 1000
    client = client_for("shequ")
    before = Organization.objects.count()
    answers = []
    for parent in (other.pk, missing):
        response = client.post(
            "/api/v1/organizations",
            {"parent": parent, "kind": "grid_branch", "name": "越界", "code": new_code()},
            content_type="application/json",
        )
        assert response.status_code == 400
        answers.append(response.json()["errors"]["parent"][0].replace(str(parent), "#"))
    assert answers[0] == answers[1]
    assert "不在您的管辖范围内" in answers[0]
    assert Organization.objects.count() == before


def test_a_parent_in_view_but_not_in_write_scope_answers_400(client_for, personas):
    # The grid secretary sees its branch but may not add organizations at all: 403 first.
    branch = role_org(personas["wangge"])
    response = client_for("wangge").post(
        "/api/v1/organizations",
        {"parent": branch.pk, "kind": "building_group", "name": "楼栋党小组", "code": new_code()},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_auditor_may_not_create_or_change(client_for, personas):
    community = role_org(personas["shequ"])
    client = client_for("jiancha")
    before = Organization.objects.count()
    response = client.post(
        "/api/v1/organizations",
        {"parent": community.pk, "kind": "grid_branch", "name": "审计", "code": new_code()},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色无权进行此操作。"
    response = client.patch(
        f"/api/v1/organizations/{community.pk}", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Organization.objects.count() == before
    community.refresh_from_db()
    assert community.name != "改名"


def test_a_member_may_not_change_an_organization(client_for, personas):
    branch = role_org(personas["dangyuan"])
    response = client_for("dangyuan").patch(
        f"/api/v1/organizations/{branch.pk}", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_an_invalid_phone_answers_400_in_chinese(client_for, personas):
    org = role_org(personas["shequ"])
    response = client_for("shequ").patch(
        f"/api/v1/organizations/{org.pk}",
        {"contact_phone": "12345"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "电话" in response.json()["errors"]["contact_phone"][0]


# --- moving and deleting -----------------------------------------------------------------


def test_an_organization_moves_with_its_subtree(client_for, personas):
    admin = personas["admin"]
    street = role_org(personas["jiedao"])
    home = make_org(admin, street, OrgKind.COMMUNITY)
    away = make_org(admin, street, OrgKind.COMMUNITY)
    branch = make_org(admin, home, OrgKind.GRID_BRANCH)
    group = make_org(admin, branch, OrgKind.BUILDING_GROUP)
    response = client_for("jiedao").post(
        f"/api/v1/organizations/{branch.pk}/move",
        {"parent": away.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["parent"]["id"] == away.pk
    group.refresh_from_db()
    assert group.path.startswith(away.path)
    assert branch.history.latest().history_user == personas["jiedao"]


def test_moving_under_its_own_descendant_is_refused(client_for, personas):
    admin = personas["admin"]
    street = role_org(personas["jiedao"])
    agency = make_org(admin, street, OrgKind.AGENCY)
    child = make_org(admin, agency, OrgKind.AGENCY)
    response = client_for("jiedao").post(
        f"/api/v1/organizations/{agency.pk}/move",
        {"parent": child.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["parent"] == ["不能把组织移动到它自己或它的下级组织之下。"]
    agency.refresh_from_db()
    assert agency.parent_id == street.pk


def test_moving_out_of_scope_answers_400(client_for, personas):
    admin = personas["admin"]
    branch = make_org(admin, role_org(personas["shequ"]), OrgKind.GRID_BRANCH)
    response = client_for("shequ").post(
        f"/api/v1/organizations/{branch.pk}/move",
        {"parent": role_org(personas["shequ2"]).pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    branch.refresh_from_db()
    assert branch.path.startswith(role_org(personas["shequ"]).path)


def test_an_empty_organization_can_be_deleted(client_for, personas):
    org = make_org(personas["admin"], role_org(personas["shequ"]), OrgKind.GRID_BRANCH)
    response = client_for("shequ").delete(f"/api/v1/organizations/{org.pk}")
    assert response.status_code == 204
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert org.history.latest().history_type == "-"
    assert org.history.latest().history_user == personas["shequ"]


def test_an_organization_with_children_or_members_cannot_be_deleted(client_for, personas):
    community = role_org(personas["shequ"])
    assert community.children.exists()
    assert PartyMember.objects.filter(branch__path__startswith=community.path).exists()
    before = Organization.objects.count()
    response = client_for("jiedao").delete(f"/api/v1/organizations/{community.pk}")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "下级组织" in detail
    assert "请先移走或删除" in detail
    assert Organization.objects.count() == before


def test_a_branch_with_members_cannot_be_deleted(client_for, personas):
    branch = (
        PartyMember.objects.filter(
            branch__path__startswith=role_org(personas["shequ"]).path, branch__children=None
        )
        .first()
        .branch
    )
    response = client_for("shequ").delete(f"/api/v1/organizations/{branch.pk}")
    assert response.status_code == 400
    assert "党员" in response.json()["detail"]
    assert Organization.objects.filter(pk=branch.pk).exists()


def test_the_auditor_may_not_delete(client_for, personas):
    org = make_org(personas["admin"], role_org(personas["shequ"]), OrgKind.GRID_BRANCH)
    assert client_for("jiancha").delete(f"/api/v1/organizations/{org.pk}").status_code == 403
    assert Organization.objects.filter(pk=org.pk).exists()


def test_deleting_outside_scope_is_not_found(client_for, personas):
    org = make_org(personas["admin"], role_org(personas["shequ2"]), OrgKind.GRID_BRANCH)
    assert client_for("shequ").delete(f"/api/v1/organizations/{org.pk}").status_code == 404
    assert Organization.objects.filter(pk=org.pk).exists()


# --- pairings ----------------------------------------------------------------------------


def test_pairings_are_listed_within_scope(client_for, personas, django_assert_max_num_queries):
    admin = personas["admin"]
    community = role_org(personas["shequ"])
    street2 = role_org(personas["shequ2"]).parent
    for _ in range(6):
        unit = make_org(admin, community, OrgKind.RESIDENT_UNIT)
        services.pairing_create(
            actor=admin, org_a=community, org_b=unit, kind="co_building", starts_on=date(2024, 1, 1)
        )
    far_unit = make_org(admin, street2, OrgKind.RESIDENT_UNIT)
    far = services.pairing_create(
        actor=admin,
        org_a=role_org(personas["shequ2"]),
        org_b=far_unit,
        kind="co_building",
        starts_on=date(2024, 1, 1),
    )
    client = client_for("shequ")
    small, _ = queries_for(client, "/api/v1/pairings?page_size=5")
    big, body = queries_for(client, "/api/v1/pairings?page_size=50")
    assert small == big
    assert len(body["results"]) > 5
    assert far.pk not in {r["id"] for r in body["results"]}
    assert client.get(f"/api/v1/pairings/{far.pk}").status_code == 404
    with django_assert_max_num_queries(10):
        client.get("/api/v1/pairings?page_size=50")


def test_a_community_pairs_with_a_resident_unit_outside_its_subtree(client_for, personas):
    community = role_org(personas["shequ"])
    unit = make_org(personas["admin"], community.parent, OrgKind.RESIDENT_UNIT)
    response = client_for("shequ").post(
        "/api/v1/pairings",
        {
            "kind": "co_building",
            "org_a": community.pk,
            "org_b": unit.pk,
            "starts_on": "2025-03-01",
            "commitments_a": "提供活动场地",
            "commitments_b": "每季度开展一次志愿服务",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["org_b"]["id"] == unit.pk
    assert body["kind_label"] == str(PairingKind.CO_BUILDING.label)
    pairing = Pairing.objects.get(pk=body["id"])
    assert pairing.history.get().history_user == personas["shequ"]
    assert client_for("shequ").get(f"/api/v1/pairings/{pairing.pk}").status_code == 200


def test_a_pairing_between_two_organizations_outside_scope_is_refused(client_for, personas):
    other = role_org(personas["shequ2"])
    unit = make_org(personas["admin"], other.parent, OrgKind.RESIDENT_UNIT)
    before = Pairing.objects.count()
    response = client_for("shequ").post(
        "/api/v1/pairings",
        {"kind": "co_building", "org_a": other.pk, "org_b": unit.pk, "starts_on": "2025-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Pairing.objects.count() == before


def test_a_pairing_that_ends_before_it_starts_is_refused(client_for, personas):
    community = role_org(personas["shequ"])
    unit = make_org(personas["admin"], community, OrgKind.RESIDENT_UNIT)
    before = Pairing.objects.count()
    response = client_for("shequ").post(
        "/api/v1/pairings",
        {
            "kind": "co_building",
            "org_a": community.pk,
            "org_b": unit.pk,
            "starts_on": "2025-03-01",
            "ends_on": "2025-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["ends_on"] == ["结束日期不能早于开始日期。"]
    assert Pairing.objects.count() == before


def test_the_unit_liaison_may_not_create_pairings(client_for, personas):
    unit = role_org(personas["danwei"])
    response = client_for("danwei").post(
        "/api/v1/pairings",
        {"kind": "co_building", "org_a": unit.pk, "org_b": unit.pk, "starts_on": "2025-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 403


# --- error answers from deeper down --------------------------------------------------------


def test_a_database_integrity_error_answers_409_in_chinese(client_for, personas, monkeypatch):
    from django.db import IntegrityError

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "organization_update", clash)
    org = role_org(personas["shequ"])
    response = client_for("shequ").patch(
        f"/api/v1/organizations/{org.pk}", {"name": "新名"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "冲突" in response.json()["detail"]


def test_a_protected_row_answers_409_in_chinese(client_for, personas, monkeypatch):
    from django.db.models import ProtectedError

    def protected(**kwargs):
        raise ProtectedError("protected", set())

    monkeypatch.setattr(services, "organization_delete", protected)
    org = make_org(personas["admin"], role_org(personas["shequ"]), OrgKind.GRID_BRANCH)
    response = client_for("shequ").delete(f"/api/v1/organizations/{org.pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == "该对象仍被其他数据引用，不能删除。"
    assert Organization.objects.filter(pk=org.pk).exists()


def test_an_unexpected_error_answers_500_as_json(client_for, personas, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "organization_update", broken)
    org = role_org(personas["shequ"])
    response = client_for("shequ").patch(
        f"/api/v1/organizations/{org.pk}", {"name": "新名"}, content_type="application/json"
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "服务器内部错误，请稍后再试或联系管理员。"}
    assert "boom" not in response.content.decode()
