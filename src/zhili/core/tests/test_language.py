"""The interface is Chinese unless the user explicitly chose another language."""

from typing import Any


def test_english_browser_still_gets_chinese(client: Any, db: Any) -> None:
    page = client.post(
        "/login/", {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    body = page.content.decode()
    assert "This field is required" not in body
    assert page.headers["Content-Language"] == "zh-hans"


def test_explicit_choice_switches(client: Any, db: Any) -> None:
    client.cookies["django_language"] = "en"
    page = client.post("/login/", {"username": "", "password": ""})
    assert page.headers["Content-Language"] == "en"
