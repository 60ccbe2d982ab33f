"""API tokens (issue 18, item 9): they expire, a password change revokes them, and they can be
listed and revoked from the command line and on the user's own page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhili.org.models import ApiToken, User
from zhili.org.services import token_create, user_set_password

pytestmark = pytest.mark.django_db


def api(client: Any, raw: str) -> int:
    """The API's answer to the token alone (a fresh client: no session to fall back on)."""
    from django.test import Client

    client = Client()
    return client.get("/api/v1/org/units", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_token_expires(client: Any, settings: Any) -> None:
    settings.ZHILI_TOKEN_DAYS = 30
    user = User.objects.get(username="jiefangbei")
    token, raw = token_create(actor=None, user=user)
    assert token.expires_at is not None
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert api(client, raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api(client, raw) == 401


def test_zero_days_never_expires() -> None:
    token, _ = token_create(actor=None, user=User.objects.get(username="jiefangbei"), days=0)
    assert token.expires_at is None


def test_a_password_change_revokes_every_token(client: Any) -> None:
    user = User.objects.get(username="jiefangbei")
    raws = [token_create(actor=None, user=user)[1] for _ in range(2)]
    other = token_create(actor=None, user=User.objects.get(username="yuzhong"))[1]
    assert all(api(client, r) == 200 for r in raws)
    user_set_password(actor=user, user=user, password="a-new-Passw0rd-2026")
    assert [api(client, r) for r in raws] == [401, 401]
    assert api(client, other) == 200  # another user's token stays
    from zhili.core.models import AuditEvent

    event = AuditEvent.objects.filter(action="user.password").latest("id")
    assert event.after_rows == [("随之吊销的接口令牌数", "2")]


def test_the_password_page_revokes_too(login: Any, client: Any) -> None:
    user = User.objects.get(username="jiefangbei")
    raw = token_create(actor=None, user=user)[1]
    browser = login("jiefangbei")
    response = browser.post(
        "/password/",
        {
            "old_password": "zhili-demo-2026",
            "new_password1": "a-new-Passw0rd-2026",
            "new_password2": "a-new-Passw0rd-2026",
        },
    )
    assert response.status_code == 302
    assert api(client, raw) == 401


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_list_and_revoke_from_the_command_line(client: Any) -> None:
    token, raw = token_create(actor=None, user=User.objects.get(username="jiefangbei"), name="甲")
    listed = run("list", "jiefangbei")
    assert token.prefix in listed and "有效" in listed
    assert "已为 jiefangbei 新建令牌" in run("create", "jiefangbei", "--days", "7")
    assert "已吊销" in run("revoke", token.prefix)
    assert api(client, raw) == 401
    assert token.prefix not in run("list", "jiefangbei")
    assert token.prefix in run("list", "jiefangbei", "--all")
    with pytest.raises(CommandError):
        run("revoke", token.prefix)  # no live token with that prefix any more


def test_the_own_tokens_page_lists_and_revokes(login: Any, client: Any) -> None:
    mine, raw = token_create(actor=None, user=User.objects.get(username="jiefangbei"))
    theirs, their_raw = token_create(actor=None, user=User.objects.get(username="yuzhong"))
    browser = login("jiefangbei")
    page = browser.get("/tokens/").content.decode()
    assert mine.prefix in page and theirs.prefix not in page
    assert browser.post(f"/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api(client, their_raw) == 200
    assert browser.post(f"/tokens/{mine.pk}/revoke/").status_code == 302
    assert api(client, raw) == 401


def test_token_audit_records_read_in_words() -> None:
    from zhili.core.models import AuditEvent

    token_create(actor=None, user=User.objects.get(username="jiefangbei"))
    event = AuditEvent.objects.filter(action="token.create").latest("id")
    assert [label for label, _ in event.after_rows] == ["用户", "令牌前缀"]
