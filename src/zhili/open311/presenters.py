"""GeoReport v2 output, field by field as the specification names them.

Open311 reads are public, so a request shows no personal data: never the reporter's name, phone
or email; the description with phone numbers, ID numbers, e-mail addresses and the reporter's
name blanked out; the address as the area names (community and up), not the resident's own
address text; coordinates rounded to about 100 m.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhili.areas.models import Area, Level
from zhili.matters.models import FINAL_STATUSES, Category, Matter, Status
from zhili.open311.models import Open311Submission

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
DEFAULT_CHANGESET = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DATATYPES = {
    "text": "string",
    "number": "number",
    "date": "datetime",
    "single": "singlevaluelist",
    "multi": "multivaluelist",
}
DATATYPE_HELP = {
    "text": gettext_lazy("文字，不超过 1000 字"),
    "number": gettext_lazy("数字"),
    "date": gettext_lazy("日期，如 2026-11-28（也接受 ISO 8601 时间）"),
    "single": gettext_lazy("单选，取 values 中的 key"),
    "multi": gettext_lazy("可多选：attribute[代码][]=值1&attribute[代码][]=值2"),
}
COORDINATE_DIGITS = 3  # about 110 m: where, without pointing at a door

# A link is ASCII: it ends where Chinese text (or a full-width character) begins, so the text
# after it is scrubbed like any other ("http://img.example/1.jpg联系电话138…").
URL = re.compile(r"(https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+)")
# ASCII addresses only (``\w`` would take the Chinese text and digits before the address);
# the full-width ＠ and ． count too.
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\s*[.．]\s*[A-Za-z0-9\-]+)+")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)")  # \d: full-width digits too
# Digits with the separators people write between them: spaces, hyphens, dots, slashes,
# parentheses, in ASCII or full width.
SEPARATORS = " \u3000\\-－—.．·/／()（）"
DIGIT_RUN = re.compile(rf"\+?\d[\d{SEPARATORS}]{{5,}}\d")
DATE = re.compile(r"(?:19|20)\d\d([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])")
HIDDEN = "***"


def w3(value: dt.datetime | None) -> str | None:
    """w3c datetime with the offset, e.g. 2026-11-28T09:30:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def errors_out(status: int, message: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": message}]


def discovery_out(url: str, changeset: dt.datetime | None) -> dict[str, Any]:
    stamp = w3(changeset or DEFAULT_CHANGESET)
    return {
        "changeset": stamp,
        "contact": getattr(
            settings,
            "ZHILI_OPEN311_CONTACT",
            gettext("市委政法委（市域社会治理办）：请联系系统管理员"),
        ),
        "key_service": getattr(
            settings,
            "ZHILI_OPEN311_KEY_SERVICE",
            gettext("提交诉求须有 api_key，由系统管理员用 zhili open311 key create 签发"),
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": stamp,
                "type": "test" if settings.DEBUG else "production",
                "formats": list(FORMATS),
            }
        ],
    }


def service_notice(category: Category) -> str:
    value, unit = category.limit("handle")
    amount = (
        gettext("%(value)s 个工作日") % {"value": format(value, "g")}
        if unit == "wd"
        else gettext("%(value)s 小时") % {"value": format(value, "g")}
    )
    return gettext("按“%(get_handling_mode_display)s”办理：派遣后 %(amount)s内办结。") % {
        "get_handling_mode_display": category.get_handling_mode_display(),
        "amount": amount,
    }


def service_out(c: Category) -> dict[str, Any]:
    group = c.parent.name if c.parent_id and c.parent else ""
    keywords = [group, c.get_topic_display(), c.get_handling_mode_display()]
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.hint or c.name,
        "metadata": bool(c.questions),
        "type": "realtime",
        "keywords": ", ".join(k for k in keywords if k),
        "group": group,
    }


def _attribute(q: dict[str, Any], order: int) -> dict[str, Any]:
    kind = q.get("type", "text")
    help_text = DATATYPE_HELP.get(kind, "")
    block = q.get("block") or {}
    if block.get("values"):
        chosen = "、".join(str(v) for v in block["values"])
        help_text += gettext("；答“%(chosen)s”时不能在此提交：%(get)s") % {
            "chosen": chosen,
            "get": block.get("message", ""),
        }
    out: dict[str, Any] = {
        "variable": True,
        "code": q["key"],
        "datatype": DATATYPES.get(kind, "string"),
        "required": bool(q.get("required")),
        "datatype_description": help_text,
        "order": order,
        "description": q.get("label", q["key"]),
    }
    if kind in ("single", "multi"):
        out["values"] = [{"key": o, "name": o} for o in q.get("options") or []]
    return out


def definition_out(c: Category) -> dict[str, Any]:
    questions = c.questions or []
    return {
        "service_code": c.code,
        "attributes": [_attribute(q, i) for i, q in enumerate(questions, start=1)],
    }


def submit_out(sub: Open311Submission) -> dict[str, Any]:
    return {
        "service_request_id": sub.matter.number,
        "service_notice": service_notice(sub.matter.category),
        "account_id": sub.account_id or None,
    }


def token_out(sub: Open311Submission) -> dict[str, Any]:
    return {"service_request_id": sub.matter.number, "token": sub.token}


# Service requests ------------------------------------------------------------------------------


def scrub(text: str, names: list[str]) -> str:
    """``text`` without phone numbers, ID numbers, e-mail addresses or the given names.
    Links (media_url) stay as they are."""
    parts = URL.split(text or "")
    for i in range(0, len(parts), 2):  # even parts are outside links
        part = EMAIL.sub(HIDDEN, parts[i])
        part = ID_NUMBER.sub(HIDDEN, part)
        part = DIGIT_RUN.sub(_hide_number, part)
        for name in names:
            if len(name) >= 2:
                part = part.replace(name, HIDDEN)
        parts[i] = part
    return "".join(parts)


def _hide_number(match: re.Match[str]) -> str:
    """Phone and account numbers (7 digits or more) go; dates like 2026-11-28 stay."""
    found = match.group()
    if DATE.fullmatch(found.strip()) or sum(ch.isdigit() for ch in found) < 7:
        return found
    return HIDDEN


def status_notes(m: Matter) -> str:
    if m.status == Status.MERGED and m.merged_into_id and m.merged_into:
        return gettext("已并入 %(number)s") % {"number": m.merged_into.number}
    return m.get_status_display()


def address_line(m: Matter, areas: dict[str, Area]) -> str:
    """Area names from the community up to the city, most specific first (as the spec asks)."""
    names = []
    for code in reversed([c for c in m.area_path.split("/") if c]):
        area = areas.get(code)
        if area is not None and area.level not in (Level.GRID, Level.BUILDING):
            names.append(area.name)
    return ", ".join(names)


def _coordinate(value: float | None) -> float | None:
    return round(value, COORDINATE_DIGITS) if value is not None else None


def request_out(m: Matter, areas: dict[str, Area]) -> dict[str, Any]:
    closed = m.status in FINAL_STATUSES
    # "For requests with status=closed, this will be the date the request was closed."
    updated = m.closed_at if closed and m.closed_at else getattr(m, "updated_at", None)
    sub = getattr(m, "open311", None)
    return {
        "service_request_id": m.number,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(m),
        "service_name": m.category.name,
        "service_code": m.category.code,
        "description": scrub(m.description, [m.reporter_name]),
        "agency_responsible": m.lead_unit.name if m.lead_unit_id and m.lead_unit else None,
        "service_notice": service_notice(m.category),
        "requested_datetime": w3(m.created_at),
        "updated_datetime": w3(updated or m.created_at),
        "expected_datetime": w3(m.handle_due or m.due_at),
        "address": address_line(m, areas),
        "address_id": m.area.code,
        "zipcode": None,
        "lat": _coordinate(m.lat),
        "long": _coordinate(m.lng),
        "media_url": (sub.media_url or None) if sub is not None else None,
    }
