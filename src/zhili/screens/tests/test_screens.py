"""Screens: a device token (hashed at rest, revocable) opens the kiosk without login; the kiosk
shows only what is published; managing is scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhili.screens import services
from zhili.screens.models import ScreenDevice

COMMUNITY = "500103003013"  # a community of 解放碑街道 (民生路社区)


@pytest.fixture
def centre(users: Any, area: Any) -> Any:
    return services.centre_create(actor=users["jiefangbei"], area=area(COMMUNITY),
                                  name="民生路社区便民服务中心", complaint_line="023-12345678",
                                  hours="周一至周五 9:00–17:00")  # fmt: skip


def test_kiosk_with_a_device_token(users: Any, centre: Any) -> None:
    today = timezone.localdate()
    u = users["jiefangbei"]
    services.notice_create(actor=u, centre=centre, title="停水通知", body="明日 9 时至 12 时停水",
                           show_from=today)  # fmt: skip
    services.notice_create(actor=u, centre=centre, title="草稿通知", body="不应公示",
                           show_from=today, published=False)  # fmt: skip
    services.notice_create(actor=u, centre=centre, title="过期通知", body="已过期",
                           show_from=today - dt.timedelta(days=9),
                           show_until=today - dt.timedelta(days=1))  # fmt: skip
    services.duty_add(actor=u, centre=centre, day=today, person="王五", post="综合受理")
    device, token = services.device_create(actor=u, centre=centre, name="大厅电视")
    # Only the hash is stored.
    assert token not in str(list(ScreenDevice.objects.values_list()))
    anonymous = Client()
    assert anonymous.get("/screens/kiosk/").status_code == 403
    assert anonymous.get("/screens/pair/scr_wrong/").status_code == 404
    paired = anonymous.get(f"/screens/pair/{token}/")
    assert paired.status_code == 302 and paired.cookies["zhili_screen"]["httponly"]
    page = anonymous.get("/screens/kiosk/").content.decode()
    assert "停水通知" in page and "王五" in page and "023-12345678" in page
    assert "草稿通知" not in page and "过期通知" not in page
    slides = anonymous.get("/screens/kiosk/slides.json").json()["slides"]
    assert next(s["title"] for s in slides) == "停水通知"
    # Revoked: the same cookie is refused at once.
    services.device_revoke(actor=u, device=device)
    assert anonymous.get("/screens/kiosk/").status_code == 403
    assert anonymous.get("/screens/kiosk/slides.json").status_code == 403


def test_kiosk_is_read_only(centre: Any, users: Any) -> None:
    _, token = services.device_create(actor=users["jiefangbei"], centre=centre, name="电视")
    c = Client(enforce_csrf_checks=True)
    c.get(f"/screens/pair/{token}/")
    assert c.post("/screens/kiosk/").status_code == 403  # no CSRF token, and nothing to post
    assert c.get("/screens/").status_code == 302  # the token is not a login


def test_managing_is_scoped(login: Any, centre: Any) -> None:
    assert login("jiefangbei").get(f"/screens/{centre.pk}/").status_code == 200
    assert login("wanzhou").get(f"/screens/{centre.pk}/").status_code == 404
    client = login("jiefangbei")
    page = client.post(f"/screens/{centre.pk}/", {"form": "device", "name": "二楼电视"})
    body = page.content.decode()
    assert "/screens/pair/scr_" in body  # the token, shown once
    bad = client.post(f"/screens/{centre.pk}/", {"form": "notice", "title": "x", "body": "y",
                                                 "show_from": "2030-02-01",
                                                 "show_until": "2030-01-01", "published": "on"})  # fmt: skip
    assert bad.status_code == 200 and "不能早于" in bad.content.decode()


def test_api(login: Any, centre: Any) -> None:
    client = login("jiefangbei")
    assert [c["name"] for c in client.get("/api/v1/screens/centres").json()] == [centre.name]
    r = client.post(f"/api/v1/screens/centres/{centre.pk}/notices",
                    {"title": "通知", "body": "内容", "show_from": "2020-01-01"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201
    slides = client.get(f"/api/v1/screens/centres/{centre.pk}/slides").json()
    assert slides[0]["title"] == "通知" and slides[-1]["key"] == "duty"
    assert login("wanzhou").get(f"/api/v1/screens/centres/{centre.pk}/slides").status_code == 404
    client = login("jiefangbei")  # the fixture logs the one test client in
    bad = client.post(f"/api/v1/screens/centres/{centre.pk}/notices",
                      {"title": "", "body": "x", "show_from": "2020-01-01"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422, bad.content.decode()
