"""The API's front door: tokens, sessions, CSRF, /me, revealing protected fields, the docs."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from xianfeng.core.choices import RoleKind
from xianfeng.core.models import ApiToken, SensitiveAccess
from xianfeng.core.testing import role_org
from xianfeng.people.models import PartyMember, Person

pytestmark = pytest.mark.django_db

PASSWORD = "xianfeng-demo"


def bearer_client(user, **kwargs) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user)}"}, **kwargs)


def member_in(org) -> PartyMember:
    return (
        PartyMember.objects.select_related("person")
        .filter(branch__path__startswith=org.path)
        .exclude(person__id_number=None)
        .first()
    )


# --- tokens ------------------------------------------------------------------------------


def test_good_credentials_get_a_token_that_opens_the_api():
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "shequ", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "shequ"


def test_only_a_hash_of_the_token_is_stored():
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": "shequ", "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.lookup(token).user.username == "shequ"


def test_a_wrong_password_answers_401_in_chinese():
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "shequ", "password": "wrong-password"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码不正确。"


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password():
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "nobody-here", "password": "wrong-password"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码不正确。"


def test_repeated_failures_lock_the_account_and_a_locked_account_answers_429():
    client = Client()
    statuses = []
    for _ in range(settings.LOGIN_MAX_FAILURES):
        statuses.append(
            client.post(
                "/api/v1/auth/token",
                {"username": "jiedao", "password": "wrong-password"},
                content_type="application/json",
            ).status_code
        )
    assert statuses[:-1] == [401] * (settings.LOGIN_MAX_FAILURES - 1)
    assert statuses[-1] == 429
    # Even the right password is refused while the lock lasts.
    response = client.post(
        "/api/v1/auth/token",
        {"username": "jiedao", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert int(response["Retry-After"]) == settings.LOGIN_LOCK_MINUTES * 60


def test_missing_fields_answer_422_with_chinese_field_messages():
    response = Client().post(
        "/api/v1/auth/token", {"username": "shequ"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求数据格式不正确"
    assert body["errors"] == {"password": ["此字段为必填项。"]}


def test_a_body_that_is_not_json_answers_400_in_chinese():
    response = Client().post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的JSON。"


def test_an_inactive_user_gets_no_token_and_their_old_token_stops_working(personas):
    user = personas["dangyuan"]
    client = bearer_client(user)
    assert client.get("/api/v1/me").status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "dangyuan", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_an_expired_or_revoked_token_answers_401(personas):
    client = bearer_client(personas["shequ"])
    ApiToken.objects.filter(user=personas["shequ"]).update(revoked=True)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "请先登录或提供有效的令牌"


def test_a_client_can_revoke_its_own_token(personas):
    client = bearer_client(personas["shequ"])
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_using_a_token_records_when_it_was_last_used(personas):
    client = bearer_client(personas["shequ"])
    token = ApiToken.objects.filter(user=personas["shequ"]).latest("created_at")
    assert token.last_used_at is None
    client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- who may come in ---------------------------------------------------------------------


def test_without_credentials_the_api_answers_401_in_chinese():
    response = Client().get("/api/v1/members")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录或提供有效的令牌"}


def test_a_logged_in_session_works_too(client_for):
    response = client_for("shequ").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "shequ"


def test_a_bad_bearer_token_is_not_rescued_by_a_session(client_for):
    client = client_for("shequ")
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_a_session_write_without_the_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["shequ"])
    person = member_in(role_org(personas["shequ"])).person
    response = client.post(f"/api/v1/persons/{person.pk}/reveal")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not SensitiveAccess.objects.filter(person=person).exists()


def test_a_session_write_with_the_csrf_token_goes_through(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["shequ"])
    client.get("/api/v1/docs")  # any page that renders the token sets the cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    person = member_in(role_org(personas["shequ"])).person
    response = client.post(f"/api/v1/persons/{person.pk}/reveal", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200


def test_bearer_requests_need_no_csrf_token(personas):
    client = bearer_client(personas["shequ"], enforce_csrf_checks=True)
    person = member_in(role_org(personas["shequ"])).person
    response = client.post(f"/api/v1/persons/{person.pk}/reveal")
    assert response.status_code == 200


# --- /me ---------------------------------------------------------------------------------


def test_me_tells_the_roles_and_their_organizations(client_for, personas):
    body = client_for("shequ").get("/api/v1/me").json()
    community = role_org(personas["shequ"])
    assert body["is_superuser"] is False
    assert body["roles"] == [
        {
            "kind": RoleKind.COMMUNITY_ADMIN,
            "kind_label": str(RoleKind.COMMUNITY_ADMIN.label),
            "organization": {
                "id": community.pk,
                "name": community.name,
                "code": community.code,
                "kind": community.kind,
            },
        }
    ]


def test_me_tells_a_community_admin_what_they_may_do(client_for):
    permissions = client_for("shequ").get("/api/v1/me").json()["permissions"]
    assert permissions["members"] == ["view", "add", "change", "delete", "view_sensitive"]
    assert "add" in permissions["grids"]


def test_me_tells_the_auditor_they_may_only_read(client_for):
    permissions = client_for("jiancha").get("/api/v1/me").json()["permissions"]
    assert all(actions == ["view"] for actions in permissions.values())


def test_me_tells_a_grid_secretary_they_may_not_draw_grids(client_for):
    permissions = client_for("wangge").get("/api/v1/me").json()["permissions"]
    assert permissions["grids"] == ["view"]
    assert "add" in permissions["buildings"]


def test_me_says_the_superuser_is_one(client_for):
    body = client_for("admin").get("/api/v1/me").json()
    assert body["is_superuser"] is True
    assert "delete" in body["permissions"]["organizations"]


# --- revealing protected fields ------------------------------------------------------------


def test_reveal_answers_the_full_values_and_records_the_access(client_for, personas):
    person = member_in(role_org(personas["shequ"])).person
    response = client_for("shequ").post(f"/api/v1/persons/{person.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "name": person.name,
        "id_number": person.id_number,
        "mobile": person.mobile,
    }
    assert response["Cache-Control"] == "no-store"
    access = SensitiveAccess.objects.get(person=person)
    assert access.user == personas["shequ"]
    assert access.channel == "api"


def test_every_reveal_is_recorded(client_for, personas):
    person = member_in(role_org(personas["shequ"])).person
    client = client_for("shequ")
    client.post(f"/api/v1/persons/{person.pk}/reveal")
    client.post(f"/api/v1/persons/{person.pk}/reveal")
    assert SensitiveAccess.objects.filter(person=person).count() == 2


def test_the_auditor_may_not_reveal(client_for, personas):
    person = member_in(role_org(personas["shequ"])).person
    response = client_for("jiancha").post(f"/api/v1/persons/{person.pk}/reveal")
    assert response.status_code == 403
    assert person.id_number not in response.content.decode()
    assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])
    assert not SensitiveAccess.objects.filter(person=person).exists()


def test_a_member_may_not_reveal(client_for, personas):
    person = member_in(role_org(personas["shequ"])).person
    assert client_for("dangyuan").post(f"/api/v1/persons/{person.pk}/reveal").status_code == 403


def test_a_person_outside_scope_is_not_found(client_for, personas):
    person = member_in(role_org(personas["shequ2"])).person
    response = client_for("shequ").post(f"/api/v1/persons/{person.pk}/reveal")
    assert response.status_code == 404
    assert response.json()["detail"] == "对象不存在或不在您的管辖范围内"
    assert not SensitiveAccess.objects.filter(person=person).exists()


def test_a_missing_person_is_not_found_either(client_for):
    missing = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    response = client_for("shequ").post(f"/api/v1/persons/{missing}/reveal")
    assert response.status_code == 404
    assert response.json()["detail"] == "对象不存在或不在您的管辖范围内"


# --- the document and its page -----------------------------------------------------------


def test_the_openapi_document_is_json_with_every_resource():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/persons/{person_id}/reveal",
        "/api/v1/organizations",
        "/api/v1/organizations/{org_id}",
        "/api/v1/organizations/{org_id}/move",
        "/api/v1/pairings",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/grids",
        "/api/v1/buildings",
        "/api/v1/households",
        "/api/v1/zones/{zone_id}",
    ):
        assert path in schema["paths"], path
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_the_docs_page_renders_with_local_assets_only():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert f"{settings.STATIC_URL}ninja/" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "cdn" not in html.lower()


def test_the_docs_assets_are_served_by_the_app():
    response = Client().get(f"{settings.STATIC_URL}ninja/swagger-ui-bundle.js")
    assert response.status_code == 200
