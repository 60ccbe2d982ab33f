"""The second factor (issue 18): a user whose roles can reveal personal data or administer roles
reaches no page before an authenticator code; enrolment shows a QR code made on the server and
recovery codes; a recovery code works once; the operator's reset; API tokens are unaffected."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhili.core.models import AuditEvent
from zhili.org import second_factor

PAGES = ["/", "/matters/", "/org/users/", "/audit/", "/tokens/"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("otp_on")]


@pytest.fixture
def otp_on() -> Any:
    # No waiting after a wrong code here (django-otp throttles: 1 s, 2 s, 4 s ...).
    with override_settings(ZHILI_OTP_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0):
        yield


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += drift * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(client: Any) -> tuple[TOTPDevice, list[str]]:
    """Through the pages: the setup page, then the first code."""
    page = client.get("/account/2fa/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    done = client.post("/account/2fa/", {"code": code_for(device)})
    assert done.status_code == 200, done.content[:500]
    device.refresh_from_db()
    return device, list(done.context["codes"])


def test_who_needs_the_second_factor(users: dict[str, Any]) -> None:
    assert second_factor.needs_second_factor(users["city_admin"])  # holds everything
    assert not second_factor.needs_second_factor(users["grid_jfb_01"])
    perms = second_factor.sensitive_permissions()
    assert "matters.matter.view_personal" in perms
    assert "org.rolegrant.add" in perms


@pytest.mark.parametrize("path", PAGES)
def test_a_sensitive_role_reaches_no_page_without_the_second_factor(login: Any, path: str) -> None:
    client = login("city_admin")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/?next=")


def test_a_user_without_sensitive_rights_is_not_asked(login: Any) -> None:
    assert login("grid_jfb_01").get("/").status_code == 200


def test_enrolment_shows_a_local_qr_code_and_confirms_with_a_code(login: Any) -> None:
    client = login("city_admin")
    page = client.get("/account/2fa/?next=/audit/")
    html = page.content.decode()
    assert "<svg" in html  # made on the server: no image from elsewhere
    assert "otpauth" not in html.split("<svg", 1)[0]  # the key is not in a link or an <img>
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    device = TOTPDevice.objects.get(user__username="city_admin", confirmed=False)
    wrong = client.post(
        "/account/2fa/", {"code": "000000" if code_for(device) != "000000" else "1"}
    )
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    device, codes = enrol(client)
    assert device.confirmed
    assert len(codes) == second_factor.RECOVERY_CODES == len(set(codes))
    assert AuditEvent.objects.filter(action="otp.enrol", actor_name="city_admin").count() == 1
    # Verified for this session: the pages open.
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_the_next_login_asks_for_the_code(client: Any, login: Any) -> None:
    device, _ = enrol(login("city_admin"))
    client.logout()
    client.force_login(device.user)
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/verify/?next=")
    wrong = client.post("/account/2fa/verify/", {"code": "12345x", "next": "/audit/"})
    assert wrong.status_code == 200
    assert client.get("/audit/").status_code == 302
    right = client.post("/account/2fa/verify/", {"code": code_for(device, 1), "next": "/audit/"})
    assert (right.status_code, right["Location"]) == (302, "/audit/")
    assert client.get("/audit/").status_code == 200


def test_a_recovery_code_works_once(client: Any, login: Any) -> None:
    device, codes = enrol(login("city_admin"))
    for attempt in (1, 2):
        client.logout()
        client.force_login(device.user)
        answer = client.post("/account/2fa/verify/", {"code": codes[0], "next": "/"})
        if attempt == 1:
            assert answer.status_code == 302
            assert client.get("/audit/").status_code == 200
        else:
            assert answer.status_code == 200  # spent
            assert client.get("/audit/").status_code == 302
    assert StaticDevice.objects.get(user=device.user).token_set.count() == len(codes) - 1
    assert AuditEvent.objects.filter(action="otp.recovery_used").count() == 1


def test_the_offsite_next_is_not_followed(client: Any, login: Any) -> None:
    device, _ = enrol(login("city_admin"))
    client.logout()
    client.force_login(device.user)
    answer = client.post(
        "/account/2fa/verify/", {"code": code_for(device, 1), "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/"


def test_the_operator_resets_a_lost_phone(client: Any, login: Any) -> None:
    device, _ = enrol(login("city_admin"))
    out = io.StringIO()
    call_command("otp_reset", "city_admin", stdout=out)
    assert "city_admin" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=device.user).exists()
    assert not StaticDevice.objects.filter(user=device.user).exists()
    assert AuditEvent.objects.filter(action="otp.reset").count() == 1
    client.logout()
    client.force_login(device.user)
    assert client.get("/").headers["Location"].startswith("/account/2fa/?next=")


def test_api_tokens_are_unaffected_but_an_unverified_session_is_not_enough(
    client: Any, login: Any, bearer: Any
) -> None:
    assert client.get("/api/v1/matters", headers=bearer("city_admin")).status_code == 200
    session = login("city_admin")
    assert session.get("/api/v1/matters").status_code == 401
    enrol(session)
    assert session.get("/api/v1/matters").status_code == 200


@override_settings(ZHILI_OTP_REQUIRED=False)
def test_the_demo_setting_turns_it_off(login: Any) -> None:
    assert login("city_admin").get("/").status_code == 200
