"""Writes of the screens app: centres, devices (token shown once, only its hash kept), notices,
duty roster."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, ValidationFailed
from zhili.core.scoping import require, require_at
from zhili.screens.models import DutyShift, Notice, ScreenDevice, ServiceCentre

TOKEN_PREFIX = "scr_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(gettext("%(label)s不能为空") % {"label": label}, code="required")
    if len(value) > limit:
        raise ValidationFailed(
            gettext("%(label)s最多 %(limit)s 个字") % {"label": label, "limit": limit},
            code="too_long",
        )
    return value


@transaction.atomic
def centre_create(
    *, actor: Any, area: Area, name: str, complaint_line: str, hours: str = ""
) -> ServiceCentre:
    require_at(actor, "add", ServiceCentre, area.path, noun=gettext("便民服务中心"))
    if area.level not in (Level.COMMUNITY, Level.STREET) or not area.is_current:
        raise ValidationFailed(gettext("便民服务中心设在村/社区或乡镇/街道"), code="invalid_area")
    if ServiceCentre.objects.filter(area=area).exists():
        raise ValidationFailed(
            gettext("%(name)s 已有便民服务中心") % {"name": area.name}, code="duplicate"
        )
    centre = ServiceCentre.objects.create(
        area=area, area_path=area.path, name=_text(name, gettext("名称"), 120),
        complaint_line=_text(complaint_line, gettext("监督投诉电话"), 40), hours=hours.strip()[:120],
    )  # fmt: skip
    audit_record(actor=actor, action="screen.centre_create", obj=centre, area_path=area.path,
                 after={"name": centre.name, "complaint_line": centre.complaint_line})  # fmt: skip
    return centre


@transaction.atomic
def device_create(*, actor: Any, centre: ServiceCentre, name: str) -> tuple[ScreenDevice, str]:
    """A new kiosk device; returns the token, shown once (only its SHA-256 is stored)."""
    require_at(actor, "add", ScreenDevice, centre.area_path, noun=gettext("公示屏设备"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = ScreenDevice.objects.create(
        centre=centre, name=_text(name, gettext("设备名称"), 80), token_hash=token_hash(token),
        token_prefix=token[:8], created_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, action="screen.device_create", obj=device,
                 area_path=centre.area_path,
                 after={"name": device.name, "token_prefix": device.token_prefix})  # fmt: skip
    return device, token


@transaction.atomic
def device_revoke(*, actor: Any, device: ScreenDevice) -> ScreenDevice:
    require(actor, "revoke", device, noun=gettext("公示屏设备"))
    if device.revoked_at is not None:
        raise Conflict(gettext("该设备已停用"), code="already_revoked")
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="screen.device_revoke", obj=device,
                 area_path=device.centre.area_path)  # fmt: skip
    return device


def device_seen(device: ScreenDevice) -> None:
    """Note the device's visit (at most once a minute: the screen polls)."""
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > dt.timedelta(minutes=1):
        ScreenDevice.objects.filter(pk=device.pk).update(last_seen_at=now)


@transaction.atomic
def notice_create(
    *, actor: Any, centre: ServiceCentre, title: str, body: str, show_from: dt.date,
    show_until: dt.date | None = None, published: bool = True,
) -> Notice:  # fmt: skip
    require_at(actor, "add", Notice, centre.area_path, noun=gettext("公告"))
    if show_until is not None and show_until < show_from:
        raise ValidationFailed(gettext("展示结束日期不能早于开始日期"), code="invalid_dates")
    notice = Notice.objects.create(
        centre=centre, title=_text(title, gettext("标题"), 120), body=_text(body, gettext("内容"), 4000),
        show_from=show_from, show_until=show_until, published=published, created_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, action="screen.notice_create", obj=notice,
                 area_path=centre.area_path,
                 after={"title": notice.title, "published": published})  # fmt: skip
    return notice


@transaction.atomic
def notice_withdraw(*, actor: Any, notice: Notice) -> Notice:
    require(actor, "change", notice, noun=gettext("公告"))
    notice.published = False
    notice.save(update_fields=["published"])
    audit_record(actor=actor, action="screen.notice_withdraw", obj=notice,
                 area_path=notice.centre.area_path, after={"published": False})  # fmt: skip
    return notice


@transaction.atomic
def duty_add(
    *, actor: Any, centre: ServiceCentre, day: dt.date, person: str, post: str
) -> DutyShift:
    require_at(actor, "add", DutyShift, centre.area_path, noun=gettext("值班安排"))
    shift = DutyShift.objects.create(
        centre=centre,
        day=day,
        person=_text(person, gettext("值班人员"), 40),
        post=_text(post, gettext("岗位"), 60),
    )
    audit_record(actor=actor, action="screen.duty_add", obj=shift, area_path=centre.area_path,
                 after={"day": day.isoformat(), "person": shift.person})  # fmt: skip
    return shift
