"""Writes for Open311: API keys, and posting a service request into the one matters workflow.

A posted request becomes a matter through ``zhili.matters.services.matter_create`` (channel
"open311", no staff actor), so intake rules, blocking answers, deadlines, routing suggestions,
events and the audit trail are exactly those of every other channel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.areas.geo import area_locate
from zhili.areas.models import LEVEL_ORDER, Area
from zhili.core import labels
from zhili.core.audit import audit_record, root_path
from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.matters.models import Category, Channel
from zhili.matters.services import matter_create
from zhili.open311 import selectors
from zhili.open311.inputs import Submission
from zhili.open311.models import Open311Key, Open311Submission

KEY_PREFIX = "o311_"
MAX_DESCRIPTION = 4000


# API keys --------------------------------------------------------------------------------------


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def key_create(*, actor: Any, name: str, area: Area | None = None) -> tuple[Open311Key, str]:
    """A new api_key; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(gettext("密钥名称不能为空"), code="required")
    if area is not None and not area.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，请选择现行区域") % {"name": area.name}, code="area_ended"
        )
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        name=name[:64], prefix=raw[:10], key_hash=key_hash(raw), area=area
    )
    audit_record(
        actor=actor,
        action="open311key.create",
        obj=key,
        area_path=area.path if area else root_path(),
        after={"name": key.name, "prefix": key.prefix, "area": area.code if area else None},
    )
    return key, raw


@transaction.atomic
def key_revoke(*, actor: Any, key: Open311Key) -> Open311Key:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        Open311Key.objects.filter(pk=key.pk).update(revoked_at=key.revoked_at)
        audit_record(
            actor=actor,
            action="open311key.revoke",
            obj=key,
            area_path=key.area.path if key.area else root_path(),
        )
    return key


def key_authenticate(raw: str) -> Open311Key:
    """The key behind ``api_key``; a missing, unknown or revoked key is a 403."""
    if not raw:
        raise PermissionDenied(gettext("缺少 api_key：提交诉求须提供接口密钥"), code="api_key")
    key = selectors.key_by_hash(key_hash(raw)) if raw.startswith(KEY_PREFIX) else None
    if key is None or key.revoked_at is not None:
        raise PermissionDenied(gettext("api_key 无效或已吊销"), code="api_key")
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 300:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


# Posting a request -----------------------------------------------------------------------------


@transaction.atomic
def request_submit(*, key: Open311Key, data: Submission) -> Open311Submission:
    """POST requests: a new matter from an Open311 client, or a ZhiliError saying why not."""
    if not data.service_code:
        raise ValidationFailed(gettext("缺少 service_code"), code="service_code")
    category = selectors.service_get(data.service_code)
    jurisdiction = (
        selectors.jurisdiction_get(data.jurisdiction_id) if data.jurisdiction_id else None
    )
    if jurisdiction and key.area and not selectors.area_within(jurisdiction, key.area):
        raise PermissionDenied(
            gettext("该 api_key 只能提交%(name)s范围内的诉求") % {"name": key.area.name},
            code="api_key_scope",
        )
    area = _place(data, jurisdiction, jurisdiction or key.area or selectors.root_area())
    if key.area and not selectors.area_within(area, key.area):
        raise PermissionDenied(
            gettext("该 api_key 只能提交%(name)s范围内的诉求") % {"name": key.area.name},
            code="api_key_scope",
        )
    if jurisdiction and not selectors.area_within(area, jurisdiction):
        raise ValidationFailed(
            gettext("位置不在 jurisdiction_id 所指的%(name)s范围内") % {"name": jurisdiction.name},
            code="jurisdiction",
        )
    phone = data.phone.replace(" ", "")
    matter = matter_create(
        actor=None,
        category=category,
        channel=Channel.OPEN311,
        description=_description(category, data),
        area=area,
        lat=data.lat,
        lng=data.lng,
        address=data.address_string,
        reporter_name=_name(data.first_name, data.last_name),
        reporter_phone=phone,
        anonymous=not phone and category.allow_anonymous,
        answers=_answers(category, data.attributes),
    )
    submission = Open311Submission.objects.create(
        matter=matter,
        key=key,
        token=secrets.token_hex(16),
        device_id=data.device_id,
        account_id=data.account_id,
        email=_email(data.email),
        media_url=data.media_url,
    )
    audit_record(
        actor=None,
        action="open311.submit",
        obj=submission,
        area_path=matter.area_path,
        after={"number": matter.number, "key": key.prefix, "device_id": data.device_id},
    )
    return submission


def _name(first: str, last: str) -> str:
    """Chinese names are family name first; Latin ones given name first."""
    if any(ord(ch) > 0x2E7F for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationFailed(gettext("email 格式不正确"), code="invalid_email") from exc
    return value


def _description(category: Category, data: Submission) -> str:
    """The resident's text, with media_url kept as text (the server never fetches it)."""
    text = data.description
    if data.media_url:
        try:
            URLValidator(schemes=["http", "https"])(data.media_url)
        except ValidationError as exc:
            raise ValidationFailed(
                gettext("media_url 须为 http(s) 网址"), code="invalid_media_url"
            ) from exc
        text = gettext("%(text)s\n\n图片/附件链接：%(media_url)s") % {
            "text": text or category.name,
            "media_url": data.media_url,
        }
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(
            gettext("description（连同 media_url）不能超过 %(MAX_DESCRIPTION)s 个字")
            % {"MAX_DESCRIPTION": MAX_DESCRIPTION},
            code="too_long",
        )
    return text


def _answers(category: Category, attributes: dict[str, Any]) -> dict[str, Any]:
    """Open311 sends datetimes for datetime attributes; Zhili's date questions want a date."""
    answers = dict(attributes)
    for q in category.questions or []:
        value = answers.get(q.get("key"))
        if q.get("type") == "date" and isinstance(value, str) and "T" in value:
            moment = parse_datetime(value)
            if moment is not None:
                answers[q["key"]] = _local_date(moment).isoformat()
    return answers


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


# Where the request is --------------------------------------------------------------------------


def _deeper(a: Area, b: Area) -> bool:
    return LEVEL_ORDER.index(a.level) > LEVEL_ORDER.index(b.level)


def _place(data: Submission, jurisdiction: Area | None, within: Area) -> Area:
    """The area of a new request, from (in this order of trust) address_id or a street-or-finer
    jurisdiction_id, then lat/long (the deepest area whose boundary is loaded: a grid, community,
    street, or only the district), then an address_string that names exactly one area."""
    explicit = None
    if data.address_id:
        explicit = selectors.area_for_filing(data.address_id)
    elif jurisdiction is not None and jurisdiction.level in selectors.LOCATABLE:
        explicit = jurisdiction
    located = None
    if data.lat is not None and data.lng is not None:
        try:
            located = area_locate(lat=data.lat, lng=data.lng)
        except NotFound as exc:
            raise ValidationFailed(
                gettext("lat/long 不在本市范围内"), code="outside_jurisdiction"
            ) from exc
    if explicit is not None:
        if located and selectors.area_within(located, explicit) and _deeper(located, explicit):
            return located
        return explicit
    if located is not None:
        if located.level in selectors.LOCATABLE:
            return located
        named = _named(data.address_string, located)
        # A point GeoReport v2 accepts: where only the district is known, the matter goes to the
        # district centre's 待分拨 queue (定位 places it), never refused.
        return named if named is not None else located
    if data.address_string:
        named = _named(data.address_string, within)
        if named is not None:
            return named
        raise ValidationFailed(
            gettext(
                "无法从 address_string 确定所在街道或社区，请提供 lat 和 long 或 jurisdiction_id"
            ),
            code="address_unknown",
        )
    raise ValidationFailed(
        gettext(
            "请提供位置：lat 和 long，或 address_string，或 jurisdiction_id（街道、社区或网格代码）"
        ),
        code="location_required",
    )


def _named(address: str, within: Area) -> Area | None:
    """The one street-or-finer area that ``address`` names; None if none; 400 if several."""
    hits = selectors.areas_named_in(address, within)
    named_codes = {a.code for a in hits}
    places = [a for a in hits if a.level in selectors.LOCATABLE]
    # A named community inside a named street is one place, the community.
    leaves = [
        a for a in places if not any(b.pk != a.pk and b.path.startswith(a.path) for b in places)
    ]
    if not leaves:
        return None
    # Prefer the candidates whose parents are named too ("万州区…新华村" over other 新华村).
    best = max(sum(c in named_codes for c in a.ancestor_codes) for a in leaves)
    top = [a for a in leaves if sum(c in named_codes for c in a.ancestor_codes) == best]
    if len(top) == 1:
        return top[0]
    names = "、".join(a.name for a in top[:5])
    raise ValidationFailed(
        gettext("address_string 可对应多个区域（%(names)s），请提供 lat 和 long 或 jurisdiction_id")
        % {"names": names},
        code="ambiguous_address",
    )


labels.register_audit(
    {
        "open311key.create": _("Open311 接口密钥 · 新建"),
        "open311key.revoke": _("Open311 接口密钥 · 吊销"),
        "open311.submit": _("Open311 · 提交诉求"),
    }
)
