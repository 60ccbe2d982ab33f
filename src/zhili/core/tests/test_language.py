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


def test_an_api_client_chooses_with_accept_language(client: Any, bearer: Any, db: Any) -> None:
    """An API client has no footer switch: its Accept-Language is its choice. Labels and messages
    follow it; codes and data do not change."""
    from zhili.areas.models import Area
    from zhili.matters.models import Category
    from zhili.matters.services import matter_create
    from zhili.org.models import User

    m = matter_create(
        actor=User.objects.get(username="jiefangbei"),
        category=Category.objects.get(code="streetlight"),
        channel="staff",
        description="路灯不亮",
        area=Area.objects.get(code="500103003013001"),
    )
    auth = bearer("jiefangbei")

    def get(path: str, language: str | None) -> Any:
        headers = dict(auth)
        if language is not None:
            headers["Accept-Language"] = language
        return client.get(path, headers=headers)

    zh, en = get(f"/api/v1/matters/{m.number}", None), get(f"/api/v1/matters/{m.number}", "en-US")
    assert zh.headers["Content-Language"] == "zh-hans" and en.headers["Content-Language"] == "en"
    assert "Accept-Language" in en.headers["Vary"]
    zh_body, en_body = zh.json(), en.json()
    assert zh_body["status"] == en_body["status"] and zh_body["number"] == en_body["number"]
    assert zh_body["status_label"] != en_body["status_label"]
    assert en_body["status_label"].isascii()
    assert zh_body["category_name"] == en_body["category_name"]  # data stays as typed

    missing = get("/api/v1/matters/Q20990101000001", "en;q=0.9,zh-CN;q=0.5").json()
    assert missing["code"] == "matter_not_found" and missing["message"].isascii()
    chinese = get("/api/v1/matters/Q20990101000001", "zh-CN,en;q=0.5").json()
    assert chinese["code"] == "matter_not_found" and not chinese["message"].isascii()
    unknown = get("/api/v1/matters/Q20990101000001", "fr-FR")
    assert unknown.headers["Content-Language"] == "zh-hans"
