"""Writes of the screens app: centres, devices (token shown once, only its hash kept), notices,
staff and duty roster, and residents' ratings of the staff (anonymous, no login)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, ValidationFailed
from zhili.core.scoping import require, require_at
from zhili.core.validation import clean_text
from zhili.screens.models import (
    CentreStaff,
    DutyShift,
    Notice,
    Satisfaction,
    ScreenDevice,
    ServiceCentre,
    StaffRating,
)

TOKEN_PREFIX = "scr_"
COMMENT_LIMIT = 200
# Who the audit names for a resident's rating: no account, nothing about the person.
RESIDENT = SimpleNamespace(username="群众", pk=None)


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
def staff_add(
    *, actor: Any, centre: ServiceCentre, name: str, post: str = "", user: Any = None
) -> CentreStaff:
    """A person serving at the centre; ``user`` links their platform account (optional). The
    name is what the screen and the rating page publish."""
    require_at(actor, "add", CentreStaff, centre.area_path, noun=gettext("服务人员"))
    name = clean_text(name, gettext("姓名"), limit=40)
    if CentreStaff.objects.filter(centre=centre, name=name).exists():
        raise ValidationFailed(
            gettext("本中心已有名为“%(name)s”的服务人员") % {"name": name}, code="duplicate"
        )
    if user is not None and CentreStaff.objects.filter(centre=centre, user=user).exists():
        raise ValidationFailed(gettext("该账号已登记为本中心的服务人员"), code="duplicate_account")
    staff = CentreStaff.objects.create(
        centre=centre, name=name, post=clean_text(post, gettext("岗位"), required=False, limit=60),
        user=user,
    )  # fmt: skip
    audit_record(actor=actor, action="screen.staff_add", obj=staff, area_path=centre.area_path,
                 after={"name": staff.name, "post": staff.post,
                        "user": user.username if user else ""})  # fmt: skip
    return staff


@transaction.atomic
def staff_set_active(*, actor: Any, staff: CentreStaff, active: bool) -> CentreStaff:
    """Off duty for good (left the centre) or back; ratings and shifts stay with the record."""
    require(actor, "change", staff, noun=gettext("服务人员"))
    if staff.active != active:
        staff.active = active
        staff.save(update_fields=["active"])
        audit_record(actor=actor, action="screen.staff_active", obj=staff,
                     area_path=staff.centre.area_path, before={"active": not active},
                     after={"active": active})  # fmt: skip
    return staff


@transaction.atomic
def duty_add(
    *, actor: Any, centre: ServiceCentre, day: dt.date, staff: CentreStaff | None = None,
    person: str = "", post: str = "",
) -> DutyShift:  # fmt: skip
    """A shift of one of the centre's staff. Given only a ``person``'s name, the centre's staff
    record of that name is used, or made (so every shift, and every rating, has a person)."""
    require_at(actor, "add", DutyShift, centre.area_path, noun=gettext("值班安排"))
    if staff is None:
        name = _text(person, gettext("值班人员"), 40)
        staff = CentreStaff.objects.filter(centre=centre, name=name).first()
        if staff is None:
            staff = staff_add(actor=actor, centre=centre, name=name, post=post)
    elif staff.centre_id != centre.pk or not staff.active:
        raise ValidationFailed(gettext("请选择本中心在岗的服务人员"), code="invalid_staff")
    shift = DutyShift.objects.create(
        centre=centre,
        day=day,
        staff=staff,
        person=staff.name,
        post=_text(post or staff.post, gettext("岗位"), 60),
    )
    audit_record(actor=actor, action="screen.duty_add", obj=shift, area_path=centre.area_path,
                 after={"day": day.isoformat(), "person": shift.person})  # fmt: skip
    return shift


@transaction.atomic
def rating_submit(
    *, centre: ServiceCentre, staff_id: Any, score: Any, comment: str = ""
) -> StaffRating:
    """A resident's rating of a staff member of the centre (public page, no login; the caller
    throttles). Nothing about the rater is stored on the rating."""
    staff = None
    if str(staff_id or "").isdigit():
        staff = CentreStaff.objects.filter(pk=int(staff_id), centre=centre, active=True).first()
    if staff is None:
        raise ValidationFailed(
            gettext("请选择为您服务的工作人员"), code="invalid_staff", detail={"field": "staff"}
        )
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if value not in Satisfaction.values:
        raise ValidationFailed(
            gettext("请选择满意程度"), code="invalid_score", detail={"field": "score"}
        )
    rating = StaffRating.objects.create(
        centre=centre, staff=staff, score=value, at=timezone.now(),
        comment=clean_text(comment, gettext("意见建议"), required=False, limit=COMMENT_LIMIT),
    )  # fmt: skip
    audit_record(actor=RESIDENT, action="screen.staff_rate", obj=rating,
                 area_path=centre.area_path,
                 after={"staff": staff.name, "score": value})  # fmt: skip
    return rating
