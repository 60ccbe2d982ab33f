"""Login, throttling, logout, API tokens (the password pages: portal/tests)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhili.org.models import ApiToken, User
from zhili.org.services import token_revoke

DEMO_PASSWORD = "zhili-demo-2026"


def log_in(client: Any, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_login_with_the_demo_password(client: Any, users: dict[str, Any]) -> None:
    assert client.get("/login/").status_code == 200
    response = log_in(client, "yuzhong", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "渝中区" in home.content.decode()
    assert users["yuzhong"].password.startswith("argon2")


@pytest.mark.django_db
def test_wrong_password_is_a_chinese_error(client: Any) -> None:
    response = log_in(client, "yuzhong", "wrong-password")
    assert response.status_code == 200
    assert "账号或密码错误" in response.content.decode()
    assert client.get("/").status_code == 302  # still anonymous


@pytest.mark.django_db
def test_pages_need_a_login(client: Any) -> None:
    response = client.get("/areas/500103/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_for_the_right_password(client: Any) -> None:
    for _ in range(5):
        assert "账号或密码错误" in log_in(client, "wanzhou", "nope").content.decode()
    response = log_in(client, "wanzhou", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/").status_code == 302
    # Another account from the same address is not locked by wanzhou's failures.
    assert log_in(client, "yuzhong", DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_success_clears_earlier_failures(client: Any) -> None:
    for _ in range(4):
        log_in(client, "wanzhou", "nope")
    assert log_in(client, "wanzhou", DEMO_PASSWORD).status_code == 302
    client.post("/logout/")
    log_in(client, "wanzhou", "nope")  # the fifth failure, had the first four been kept
    assert log_in(client, "wanzhou", DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_logout(login: Any) -> None:
    client = login("yuzhong")
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


# API tokens ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bearer_token_authenticates_the_api(client: Any, bearer: Any) -> None:
    body = client.get("/api/v1/me", headers=bearer("yuzhong")).json()
    assert body["username"] == "yuzhong"
    assert body["grants"] == [
        {
            "role": "district_officer",
            "role_name": "区县治理办",
            "area_code": "500103",
            "area_name": "渝中区",
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer zl_not-a-real-token"}, {"Authorization": "Basic abc"}],
    ids=["none", "unknown-token", "wrong-scheme"],
)
def test_api_without_valid_credentials_is_401_json(client: Any, headers: dict) -> None:
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert set(body) == {"code", "message", "detail"}


@pytest.mark.django_db
def test_a_revoked_token_is_401(client: Any, users: dict[str, Any]) -> None:
    from zhili.org.services import token_create

    token, raw = token_create(actor=None, user=users["wanzhou"])
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token_revoke(actor=users["wanzhou"], token=token)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
def test_token_of_a_deactivated_user_is_401(client: Any, bearer: Any) -> None:
    headers = bearer("wanzhou")
    User.objects.filter(username="wanzhou").update(is_active=False)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.django_db
def test_token_command_prints_a_working_token_on_the_last_line(client: Any) -> None:
    out = io.StringIO()
    call_command("token", "create", "jiefangbei", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("zl_")
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert ApiToken.objects.filter(user__username="jiefangbei", prefix=raw[:10]).exists()
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()
    assert body["username"] == "jiefangbei"


@pytest.mark.django_db
def test_token_command_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "create", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_an_expired_session_needs_a_new_login(client: Any) -> None:
    import datetime as dt

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    log_in(client, "yuzhong", DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_session_is_renewed_at_most_once_a_minute(client: Any) -> None:
    """The idle timeout moves with use, but the session row is not written on every page."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from zhili.core.middleware import RENEWED_KEY

    log_in(client, "yuzhong", DEMO_PASSWORD)
    client.get("/")
    key = client.session.session_key
    soon = timezone.now() + dt.timedelta(minutes=5)  # as if the last renewal was long ago
    Session.objects.filter(session_key=key).update(expire_date=soon)
    with CaptureQueriesContext(connection) as q:
        assert client.get("/").status_code == 200
    assert not any('UPDATE "django_session"' in x["sql"] for x in q.captured_queries)
    assert Session.objects.get(session_key=key).expire_date == soon
    session = client.session
    session[RENEWED_KEY] = int(timezone.now().timestamp()) - 61
    session.save()
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > soon + dt.timedelta(minutes=20)  # renewed to the full idle timeout again
