"""Turning Open311 form and query parameters into typed values (bad input → ValidationFailed).

GeoReport v2 treats an empty parameter as an absent one, so every reader strips and treats "" as
missing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed

DEFAULT_DAYS = 90  # "Default query limit is a span of 90 days or first 1000 requests"
MAX_REQUESTS = 1000
MAX_IDS = 1000
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
STATUSES = ("open", "closed")


def text(params: QueryDict, name: str, limit: int = 0) -> str:
    value = (params.get(name) or "").strip()
    if limit and len(value) > limit:
        raise ValidationFailed(
            gettext("%(name)s 不能超过 %(limit)s 个字符") % {"name": name, "limit": limit},
            code="too_long",
        )
    return value


def number(params: QueryDict, name: str) -> float | None:
    raw = text(params, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValidationFailed(
            gettext("%(name)s 须为数字（WGS-84 经纬度）") % {"name": name}, code="invalid_point"
        ) from exc
    if not math.isfinite(value):
        raise ValidationFailed(
            gettext("%(name)s 须为数字（WGS-84 经纬度）") % {"name": name}, code="invalid_point"
        )
    return value


def integer(params: QueryDict, name: str, default: int, low: int, high: int) -> int:
    raw = text(params, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationFailed(
            gettext("%(name)s 须为整数") % {"name": name}, code="invalid_integer"
        ) from exc
    if not low <= value <= high:
        raise ValidationFailed(
            gettext("%(name)s 须在 %(low)s 到 %(high)s 之间")
            % {"name": name, "low": low, "high": high},
            code="out_of_range",
        )
    return value


def codes(params: QueryDict, name: str, limit: int = MAX_IDS) -> list[str]:
    """A comma list, also accepting the parameter given several times."""
    found: list[str] = []
    for raw in params.getlist(name):
        found.extend(v.strip() for v in raw.split(",") if v.strip())
    if len(found) > limit:
        raise ValidationFailed(
            gettext("%(name)s 最多 %(limit)s 个") % {"name": name, "limit": limit}, code="too_many"
        )
    return list(dict.fromkeys(found))


def moment(params: QueryDict, name: str) -> dt.datetime | None:
    """A w3 (ISO 8601) datetime; a date alone means its start; without offset: Beijing time."""
    raw = text(params, name)
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+", 1) if "T" in raw else raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationFailed(
            gettext("%(name)s 须为 ISO 8601 时间，如 2026-01-01T00:00:00+08:00") % {"name": name},
            code="invalid_datetime",
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def attributes(params: QueryDict) -> dict[str, Any]:
    """``attribute[code]=v`` and, for multivaluelist, ``attribute[code][]=v1&…[]=v2``."""
    found: dict[str, Any] = {}
    for key in params:
        match = ATTRIBUTE.match(key)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = [v.strip() for v in params.getlist(key) if v.strip()]
        if many:
            earlier = found.get(code)
            found[code] = [*(earlier if isinstance(earlier, list) else []), *values]
        elif values and code not in found:
            found[code] = values[0] if len(values) == 1 else values
    return found


@dataclass
class Submission:
    """The fields of POST requests.[format]."""

    service_code: str
    jurisdiction_id: str = ""
    lat: float | None = None
    lng: float | None = None
    address_string: str = ""
    address_id: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    description: str = ""
    media_url: str = ""
    device_id: str = ""
    account_id: str = ""


def submission(params: QueryDict) -> Submission:
    lat, lng = number(params, "lat"), number(params, "long")
    if (lat is None) != (lng is None):
        raise ValidationFailed(gettext("lat 和 long 须同时提供"), code="invalid_point")
    return Submission(
        service_code=text(params, "service_code", 40),
        jurisdiction_id=text(params, "jurisdiction_id", 32),
        lat=lat,
        lng=lng,
        address_string=text(params, "address_string", 200),
        address_id=text(params, "address_id", 32),
        attributes=attributes(params),
        first_name=text(params, "first_name", 32),
        last_name=text(params, "last_name", 32),
        phone=text(params, "phone", 32),
        email=text(params, "email", 254),
        description=text(params, "description", 4000),
        media_url=text(params, "media_url", 500),
        device_id=text(params, "device_id", 100),
        account_id=text(params, "account_id", 100),
    )


@dataclass
class RequestQuery:
    """The filters of GET requests.[format], with the spec's defaults applied."""

    ids: list[str]
    service_codes: list[str]
    statuses: set[str]
    start: dt.datetime
    end: dt.datetime
    page: int = 1
    page_size: int = MAX_REQUESTS


def request_query(params: QueryDict, now: dt.datetime | None = None) -> RequestQuery:
    now = now or timezone.now()
    start, end = moment(params, "start_date"), moment(params, "end_date")
    span = dt.timedelta(days=DEFAULT_DAYS)
    if start and end:
        if end < start:
            raise ValidationFailed(gettext("end_date 不能早于 start_date"), code="invalid_range")
        if end - start > span:
            raise ValidationFailed(
                gettext("start_date 与 end_date 相隔不能超过 %(DEFAULT_DAYS)s 天")
                % {"DEFAULT_DAYS": DEFAULT_DAYS},
                code="range_too_long",
            )
    elif start:
        end = start + span
    elif end:
        start = end - span
    else:
        start, end = now - span, now
    statuses = {s.lower() for s in codes(params, "status")}
    unknown = statuses - set(STATUSES)
    if unknown:
        raise ValidationFailed(gettext("status 只能是 open 或 closed"), code="invalid_status")
    assert start is not None and end is not None
    return RequestQuery(
        ids=codes(params, "service_request_id"),
        service_codes=codes(params, "service_code"),
        statuses=statuses,
        start=start,
        end=end,
        page=integer(params, "page", 1, 1, 100_000),
        page_size=integer(params, "page_size", MAX_REQUESTS, 1, MAX_REQUESTS),
    )
