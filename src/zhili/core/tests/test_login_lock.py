"""The login lock (issue 18, item 1): counted on the name Django authenticates (NFKC), and per
address on the client's address behind trusted proxies only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory, override_settings

from zhili.core.middleware import client_ip
from zhili.core.tests.test_auth import DEMO_PASSWORD, log_in

FULL_WIDTH = "ｗａｎｚｈｏｕ"  # NFKC: "wanzhou"


@pytest.mark.django_db
def test_full_width_variants_do_not_get_fresh_guesses(client: Any) -> None:
    for _ in range(5):
        log_in(client, "wanzhou", "nope")
    for name in (FULL_WIDTH, "WANZHOU", " Ｗanzhou "):
        response = log_in(client, name, DEMO_PASSWORD)
        assert response.status_code == 200, name
        assert "登录失败次数过多" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_failures_under_variants_count_for_the_plain_name(client: Any) -> None:
    for name in (FULL_WIDTH, "ｗanzhou", "wａnzhou", "WANZHOU", "wanzhou"):
        log_in(client, name, "nope")
    response = log_in(client, "wanzhou", DEMO_PASSWORD)
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_the_full_width_name_logs_in_when_nothing_is_locked(client: Any) -> None:
    # The normalisation is Django's own: the variant is the same account.
    assert log_in(client, FULL_WIDTH, DEMO_PASSWORD).status_code == 302


def request_from(remote: str, forwarded: str = "") -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(ZHILI_TRUSTED_PROXIES=["10.0.0.0/8", "192.168.1.5"])
def test_client_address_behind_trusted_proxies() -> None:
    assert client_ip(request_from("10.1.2.3", "203.0.113.7")) == "203.0.113.7"
    # Two trusted hops: the right-most untrusted entry is the client.
    assert client_ip(request_from("192.168.1.5", "1.1.1.1, 203.0.113.7, 10.9.9.9")) == "203.0.113.7"
    # A header from an untrusted sender is ignored (it could be forged).
    assert client_ip(request_from("198.51.100.2", "203.0.113.7")) == "198.51.100.2"
    # Garbage in the chain: the proxy's own address.
    assert client_ip(request_from("10.1.2.3", "not-an-ip")) == "10.1.2.3"


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_ip(request_from("10.1.2.3", "203.0.113.7")) == "10.1.2.3"


@pytest.mark.django_db
@override_settings(ZHILI_TRUSTED_PROXIES=["10.0.0.1"], ZHILI_LOGIN_MAX_FAILURES=2)
def test_the_address_limit_counts_the_client_behind_the_proxy(client: Any) -> None:
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for name in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"):  # 2 × 4 for an address
        client.post("/login/", {"username": name, "password": "x"}, **attacker)
    response = client.post(
        "/login/", {"username": "wanzhou", "password": DEMO_PASSWORD}, **attacker
    )
    assert "登录失败次数过多" in response.content.decode()
    # Another resident behind the same proxy is not locked out by the attacker.
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    response = client.post("/login/", {"username": "wanzhou", "password": DEMO_PASSWORD}, **other)
    assert response.status_code == 302
