"""The second factor (TOTP, django-otp) for roles that can reveal personal data or administer
roles (issue 18): who needs it, enrolment with recovery codes, verification, and the
operator's reset. Pages only: API tokens are not affected (a token is issued by an operator
and can be listed and revoked; see docs/reliability.md).

``ZHILI_OTP_REQUIRED`` (default on, off when ``DEBUG=1``: the demo) turns the requirement on.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhili.core.audit import audit_record, root_path
from zhili.core.errors import ValidationFailed
from zhili.core.scoping import user_grants

RECOVERY_CODES = 10

# Rights that administer roles: whoever holds one of them needs the second factor too.
ROLE_ADMIN_PERMISSIONS = (
    "org.rolegrant.add",
    "org.rolegrant.change",
    "org.role.add",
    "org.role.change",
)


def sensitive_permissions() -> list[str]:
    """Every ``<app>.<model>.view_personal`` of the installed models, and the role rights."""
    perms = [
        f"{m._meta.app_label}.{m._meta.model_name}.view_personal"
        for m in apps.get_models()
        if "view_personal" in getattr(m, "extra_actions", ())
    ]
    return perms + list(ROLE_ADMIN_PERMISSIONS)


def required() -> bool:
    return bool(getattr(settings, "ZHILI_OTP_REQUIRED", True))


def needs_second_factor(user: Any) -> bool:
    """Whether the user's roles can reveal personal data or administer roles."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    perms = sensitive_permissions()
    return any(g.allows(p) for g in user_grants(user) for p in perms)


def enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _area_path(user: Any) -> str:
    return user.area.path if getattr(user, "area", None) else root_path()


def enrolment_device(user: Any) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, made on first call: its key is shown as
    a QR code until a first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG, made here (no external service sees the key)."""
    import segno

    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def enrol(*, user: Any, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a first code; the recovery codes (shown once) replace
    any earlier ones."""
    code = (code or "").strip().replace(" ", "")
    if device.user_id != user.pk or device.confirmed:
        raise ValidationFailed(_("认证器已失效，请重新扫描二维码"), code="otp_device")
    if not code.isdigit() or not device.verify_token(code):
        raise ValidationFailed(_("验证码不正确，请核对手机时间后重试"), code="otp_invalid")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action="otp.enrol", obj=user, area_path=_area_path(user))
    return codes


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def verify(*, user: Any, code: str) -> Any:
    """The device that accepts ``code`` (an authenticator code or an unused recovery code,
    which is then spent), or a refusal."""
    code = (code or "").strip().replace(" ", "").lower()
    if code:
        for device in devices_for_user(user, confirmed=True):
            with transaction.atomic():
                if device.verify_token(code):
                    if isinstance(device, StaticDevice):
                        audit_record(
                            actor=user,
                            action="otp.recovery_used",
                            obj=user,
                            area_path=_area_path(user),
                            note=f"剩余恢复码 {device.token_set.count()} 个",
                        )
                    return device
    raise ValidationFailed(_("验证码不正确"), code="otp_invalid")


def reset(*, actor: Any, user: Any) -> int:
    """Remove the user's authenticators and recovery codes (they enrol again at next login);
    ``actor`` None: the operator at the command line. Returns the devices removed."""
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        audit_record(
            actor=actor,
            action="otp.reset",
            obj=user,
            area_path=_area_path(user),
            after={"devices": removed},
        )
    return removed
