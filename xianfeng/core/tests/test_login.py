import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from xianfeng.core.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "xianfeng-demo"


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_a_user_logs_in_and_lands_on_the_home_page(client):
    response = _login(client, "shequ", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_password_says_so_in_chinese(client):
    response = _login(client, "shequ", "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()


def test_an_unknown_user_gets_the_same_message(client):
    response = _login(client, "nobody-at-all", "wrong-password")
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _login(client, "shequ", "wrong-password")
    assert User.objects.get(username="shequ").is_locked
    response = _login(client, "shequ", PASSWORD)
    assert response.status_code == 400
    assert "锁定" in response.content.decode()


def test_a_success_resets_the_failure_count(client):
    _login(client, "shequ", "wrong-password")
    _login(client, "shequ", PASSWORD)
    assert User.objects.get(username="shequ").failed_logins == 0


def test_pages_need_a_login(client):
    response = client.get("/members/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_sessions_expire_when_idle_and_when_the_browser_closes():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    # Idle expiry without a write per request: xianfeng.core.middleware.SessionTouchMiddleware.
    assert "xianfeng.core.middleware.SessionTouchMiddleware" in settings.MIDDLEWARE
    assert settings.XIANFENG_SESSION_TOUCH_SECONDS < settings.SESSION_COOKIE_AGE / 10


@pytest.mark.parametrize("password", ["short", "12345678901", "password123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_logout_needs_a_post_and_ends_the_session(client):
    _login(client, "shequ", PASSWORD)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_a_next_url_on_another_host_is_ignored(client):
    response = client.post(
        "/login/", {"username": "shequ", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == "/"
