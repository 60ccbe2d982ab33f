"""Changing one's own password: through the org service, audited, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.core.models import AuditEvent
from zhili.demo.loader import DEMO_PASSWORD
from zhili.org.models import User


@pytest.mark.django_db
def test_password_change_works_and_is_audited(login: Any, users: dict[str, Any]) -> None:
    client = login("jiefangbei")
    assert client.get("/password/").status_code == 200
    response = client.post(
        "/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-new-street-pass-2026",
            "new_password2": "a-new-street-pass-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still logged in
    user = User.objects.get(username="jiefangbei")
    assert user.check_password("a-new-street-pass-2026")
    event = AuditEvent.objects.filter(action="user.password", object_id=str(user.pk)).get()
    assert event.actor == user
    assert event.area_path == "500000/500103/500103003/"


@pytest.mark.django_db
def test_password_change_with_a_wrong_old_password_changes_nothing(login: Any) -> None:
    client = login("jiefangbei")
    before = AuditEvent.objects.count()
    response = client.post(
        "/password/",
        {
            "old_password": "not-my-password",
            "new_password1": "a-new-street-pass-2026",
            "new_password2": "a-new-street-pass-2026",
        },
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    assert User.objects.get(username="jiefangbei").check_password(DEMO_PASSWORD)
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_password_change_and_its_audit_event_commit_together(
    login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the audit event cannot be written, the password must not change either."""
    from zhili.core import context

    client = login("jiefangbei")
    client.raise_request_exception = False

    def broken() -> Any:
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(context, "current", broken)
    response = client.post(
        "/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-new-street-pass-2026",
            "new_password2": "a-new-street-pass-2026",
        },
    )
    assert response.status_code == 500
    assert User.objects.get(username="jiefangbei").check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_home_page_and_me_show_the_users_grants(login: Any, client: Any, bearer: Any) -> None:
    page = login("jiefangbei").get("/").content.decode()
    assert "街道工作人员" in page and "解放碑街道" in page
    body = client.get("/api/v1/me", headers=bearer("jiefangbei")).json()
    assert body["username"] == "jiefangbei"
    assert [(g["role"], g["area_code"]) for g in body["grants"]] == [("street_worker", "500103003")]


def test_every_area_the_home_page_links_opens(login: Any, users: dict[str, Any]) -> None:
    """A grant's area is a link only where the user may open it: a unit's reporter, a mediator
    or a legal adviser saw their grant's area as a link that answered 404."""
    import re

    checked = set()
    for name in sorted(users):
        client = login(name)
        page = client.get("/").content.decode()
        for href in set(re.findall(r'href="(/areas/\d+/)"', page)):
            assert client.get(href).status_code == 200, (name, href)
            checked.add(name)
    assert {"yuzhong", "jiefangbei"} <= checked  # they do link their areas
    page = login("unit_gaj").get("/").content.decode()
    assert "责任单位填报员" in page and 'href="/areas/' not in page
