"""The access matrix: every endpoint × every demo role, generated from the URL conf and the
OpenAPI document, so a new endpoint is covered the day it exists.

Endpoints are every URL pattern of the URL conf (walked recursively: pages, exports, attachment
downloads, metrics, public pages, Open311 under /open311/v2/) and every operation of
/api/v1/openapi.json; each operation must resolve to a URL pattern and each API URL pattern must
be an operation. Pages are asked with GET and with a POST of an empty form; API operations with
their own method (a write with an empty JSON body). Path parameters are filled with real objects
made through the services (``world``): one in 渝中区/解放碑 and, for objects scoped by area, a
second variant of the endpoint with one in 万州区 (the key ends in `` [万州]``).

Each answer is sorted into an outcome class:

- ``allowed``: 2xx; a redirect elsewhere than the login page; 400/422 (the input was checked,
  so the access check had passed);
- ``login``: a redirect to the login page, or 401;
- ``forbidden``: 403;  ``hidden``: 404;  ``method``: 405;  ``conflict``: 409.

A 500 fails at once with the URL. The expected class of each (endpoint, method, role) is kept in
``access_matrix.json`` next to this file; the test fails when an endpoint is missing from it,
when it lists an endpoint that no longer exists, or when a class differs. After a deliberate
change, rewrite it and review the diff:

    ZHILI_UPDATE_SNAPSHOTS=1 ZHILI_TESTING=1 .venv/bin/python -m pytest src/zhili/core/tests/test_access_matrix.py

Whatever the snapshot says, these hold (they are checked on every run, update or not):
anonymous visitors are never let into a page that is not public; an object outside a role's
scope answers 404, never 403; a POST without a CSRF token (or an API token) is refused.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from zhili.testing import factories as f
from zhili.testing import snapshots

SNAPSHOT = Path(__file__).with_name("access_matrix.json")
# (Under pytest-xdist this module stays on one worker, which makes the objects once: conftest.py.)

# The demo accounts (README.md) and a visitor who is not logged in.
ROLES = (
    "anonymous",
    "city_admin",
    "yuzhong",
    "wanzhou",
    "jiefangbei",
    "grid_jfb_01",
    "liangjiang",
    "unit_yz_jw",
    "mediator_jfb",
    "office_zfw",
    "unit_gaj",
    "secretary_msl",
    "lawyer_jfb",
)

# Who has no grant reaching an object of the variant: such an object must answer 404.
OUTSIDE = {
    "": ("wanzhou", "liangjiang"),  # objects in 渝中区
    "万州": (
        "yuzhong",
        "jiefangbei",
        "grid_jfb_01",
        "liangjiang",
        "unit_yz_jw",
        "mediator_jfb",
        "secretary_msl",
        "lawyer_jfb",
    ),
}

# Pages anyone may open without logging in (by URL pattern).
PUBLIC = {
    "/login/",
    "/healthz",
    "/i18n/setlang/",
    "/public/report/",
    "/public/report/done/",
    "/public/lookup/",
    "/public/lookup/rate/",  # a resident's rating: proved by the lookup in their session
    "/public/category-fields/",
    "/public/areas/options/",
    "/public/notices/",
    "/public/notices/<number>/",
    "/public/notices/projects/<number>/",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    # The kiosk: no login, a device token (paired into a cookie); refused without one.
    "/screens/pair/<token>/",
    "/screens/kiosk/",
    "/screens/kiosk/slides.json",
    "/screens/kiosk/sw.js",  # the kiosk's service worker: a script, no data
    "/screens/rate/<code>/",  # a resident rates the staff (the screen's QR code), throttled
    "/points/public/<code>/",  # the board a village chose to publish
}
PUBLIC_PREFIXES = ("/open311/v2/",)  # GeoReport v2 reads are public by the specification

# The URL patterns of the API that are the document itself, not operations of it.
API_META = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}

# What fills a path parameter, by the pattern up to and including the parameter: a kind of the
# world below. A new parameter fails the test until it is named here.
PARAMS = {
    "/inbox/<notice_id>": "notice",
    "/areas/<code>": "area",
    "/org/units/<pk>": "unit",
    "/org/users/<pk>": "user",
    "/org/grants/<pk>": "grant",
    "/tokens/<pk>": "token",
    "/org/roles/<pk>": "role",
    "/org/liaisons/<pk>": "liaison",
    "/matters/report/done/<number>": "matter",
    "/matters/files/<sha256>": "attachment",
    "/matters/categories/rules/<pk>": "routing_rule",
    "/matters/categories/<code>": "category",
    "/matters/<number>": "matter",
    "/matters/<number>/act/<action>": "matter_action",
    "/matters/<number>/form/<action>": "matter_action",
    "/risks/candidates/<pk>": "candidate",
    "/risks/<number>": "risk",
    "/disputes/<number>": "dispute",
    "/targets/evidence/<sha256>": "evidence",
    "/targets/reports/<pk>": "report",
    "/targets/<plan>": "plan",
    "/targets/<plan>/c/<assignment>": "assignment",
    "/targets/<plan>/p/<task>": "task",
    "/targets/<plan>/p/<task>/<period>": "period",
    "/targets/<plan>/scores/<pk>": "score",
    "/targets/<plan>/incidents/<pk>": "incident",
    "/targets/<plan>/tasks/<pk>": "task",
    "/targets/<plan>/assignments/<pk>": "assignment",
    "/visits/plans/<pk>": "visit_plan",
    "/visits/<pk>": "visit",
    "/compounds/meetings/<pk>": "meeting",
    "/compounds/<pk>": "compound",
    "/points/v/<code>": "points_village",
    "/points/rules/<pk>": "points_rules",
    "/points/records/<pk>": "points_record",
    "/points/records/<pk>/<action>": "points_record_action",
    "/points/orders/<pk>": "points_order",
    "/points/orders/<pk>/<action>": "points_order_action",
    "/points/public/<code>": "points_village",
    "/api/v1/points/villages/<code>": "points_village",
    "/api/v1/points/accounts/<pk>": "points_account",
    "/api/v1/points/goods/<pk>": "points_goods",
    "/api/v1/points/transfers/<pk>": "points_transfer",
    "/api/v1/points/records/<pk>": "points_record",
    "/api/v1/points/records/<pk>/<action>": "points_record_action",
    "/api/v1/points/orders/<pk>": "points_order",
    "/api/v1/points/orders/<pk>/<action>": "points_order_action",
    "/api/v1/areas/<code>": "area",
    "/api/v1/org/units/<unit_id>": "unit",
    "/api/v1/org/users/<user_id>": "user",
    "/api/v1/matters/<number>": "matter",
    # Each action has its own route; this pattern answers the names that are not an action.
    "/api/v1/matters/<number>/actions/<action>": "matter_unknown_action",
    "/api/v1/risks/<number>": "risk",
    "/api/v1/disputes/<number>": "dispute",
    "/api/v1/disputes/<number>/actions/<action>": "dispute_action",
    "/api/v1/targets/plans/<plan_id>": "plan",
    "/api/v1/targets/plans/<plan_id>/assignments/<assignment_id>": "assignment",
    "/api/v1/targets/reports/<report_id>": "report",
    "/api/v1/visits/plans/<plan_id>": "visit_plan",
    "/api/v1/visits/records/<visit_id>": "visit",
    "/api/v1/visits/records/<visit_id>/demands/<demand_id>": "visit_demand",
    "/api/v1/compounds/meetings/<meeting_id>": "meeting",
    "/api/v1/compounds/followups/<followup_id>": "followup",
    "/api/v1/compounds/<compound_id>": "compound",
    "/deliberation/projects/<number>": "delib_project",
    "/deliberation/<number>": "deliberation",
    "/deliberation/<number>/signatures/<pk>": "delib_step",
    "/public/notices/projects/<number>": "delib_project",
    "/public/notices/<number>": "deliberation",
    "/legal/reviews/<pk>": "legal_review",
    "/api/v1/deliberation/records/<number>": "deliberation",
    "/api/v1/deliberation/records/<number>/steps/<action>": "delib_step_action",
    "/api/v1/deliberation/projects/<number>": "delib_project",
    "/api/v1/deliberation/projects/<number>/actions/<action>": "delib_project_action",
    "/api/v1/legal/reviews/<review_id>": "legal_review",
    "/api/v1/legal/consultations/<consultation_id>": "legal_consultation",
    "/wages/projects/<pk>": "wage_project",
    "/wages/templates/<kind>": "wage_import_kind",
    "/wages/warnings/<pk>": "wage_warning",
    "/wages/rules/<code>": "wage_rule",
    "/api/v1/wages/projects/<pk>": "wage_project",
    "/api/v1/wages/warnings/<pk>": "wage_warning",
    "/open311/v2/services/<code>": "category",
    "/indicators/values/<pk>": "indicator_value",
    "/indicators/survey/<pk>": "survey_wave",
    "/api/v1/indicators/values/<value_id>": "indicator_value",
    "/cockpit/reports/<pk>": "weekly_report",
    "/exports/<pk>": "export_job",
    "/api/v1/pick/people/<kind>": "people_kind",
    "/cockpit/cameras/<pk>": "camera",
    "/api/v1/cockpit/reports/<report_id>": "weekly_report",
    "/screens/<pk>": "service_centre",
    "/screens/devices/<pk>": "screen_device",
    "/screens/notices/<pk>": "screen_notice",
    "/screens/pair/<token>": "screen_token",
    "/screens/rate/<code>": "rating_code",
    "/screens/staff/<pk>": "centre_staff",
    "/api/v1/screens/centres/<centre_id>": "service_centre",
    "/open311/v2/requests/<number>": "matter",
    "/open311/v2/tokens/<token>": "open311_token",
    "/open311/v2/<rest>": "open311_rest",
    "<fmt>": "open311_format",  # any pattern: .json or .xml
}


# The endpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its readable form ("/matters/<number>/") and how to fill it in."""

    template: str  # parameters as <name>, no converters or regular expressions
    parts: tuple[tuple[str, str], ...]  # (literal text, parameter name or "") in order
    views: tuple[Any, ...] = field(default=(), compare=False)  # the patterns' callbacks

    @property
    def params(self) -> list[tuple[str, str]]:
        """(parameter, the pattern up to and including it) for each parameter."""
        out, text = [], ""
        for literal, name in self.parts:
            text += literal
            if name:
                text += f"<{name}>"
                out.append((name, text))
        return out

    def url(self, values: dict[str, str]) -> str:
        return "".join(literal + (values[name] if name else "") for literal, name in self.parts)


_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _split(pattern: Any) -> list[tuple[str, str]]:
    """A pattern's text as literals and parameters, for route and regex patterns alike."""
    text = str(pattern)
    is_regex = text.startswith("^") or text.endswith("$") or "(?P<" in text
    finder = _GROUP if is_regex else _ROUTE_PARAM
    if is_regex:
        text = text.removeprefix("^").removesuffix("$")
    parts, at = [], 0
    for m in finder.finditer(text):
        parts.append((text[at : m.start()], m.group(1)))
        at = m.end()
    parts.append((text[at:], ""))
    if is_regex:  # what is left of a regular expression is escaped literal text
        parts = [(re.sub(r"\\(.)", r"\1", lit), name) for lit, name in parts]
    return parts


def _walk(patterns: list[Any], prefix: list[tuple[str, str]]) -> Iterator[Route]:
    for p in patterns:
        parts = prefix + _split(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, parts)
        elif isinstance(p, URLPattern):
            merged: list[tuple[str, str]] = []
            for literal, name in [("/", ""), *parts]:
                if merged and not merged[-1][1]:
                    merged[-1] = (merged[-1][0] + literal, name)
                else:
                    merged.append((literal, name))
            route = Route("", tuple(merged))
            template = route.url({name: f"<{name}>" for _, name in merged if name})
            yield Route(template, tuple(merged), (p.callback,))


def url_patterns() -> dict[str, Route]:
    """Every URL pattern of the URL conf, by its readable form."""
    out: dict[str, Route] = {}
    for r in _walk(get_resolver().url_patterns, []):  # django-ninja: a pattern per operation
        seen = out.get(r.template)
        out[r.template] = replace(r, views=seen.views + r.views) if seen else r
    return out


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: Route
    variant: str = ""  # "" for objects in 渝中区, "万州" for objects in 万州区
    api: bool = False

    @property
    def key(self) -> str:
        tail = f" [{self.variant}]" if self.variant else ""
        return f"{self.method} {self.route.template}{tail}"

    @property
    def public(self) -> bool:
        t = self.route.template
        return t in PUBLIC or t.startswith(PUBLIC_PREFIXES)


def _kind(route: Route, name: str, upto: str) -> str:
    kind = PARAMS.get(upto) or PARAMS.get(f"<{name}>")
    if kind is None:
        raise AssertionError(
            f"{route.template}: 参数 <{name}> 没有取值；请在 PARAMS 中加入 {upto!r}（见本文件）"
        )
    return kind


def openapi_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(METHOD, pattern) of every operation, its {parameters} written <parameters>."""
    out = []
    for path, ops in document["paths"].items():
        for method in ops:
            if method in {"get", "post", "put", "patch", "delete"}:
                out.append((method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path)))
    return sorted(out)


def documented_statuses(document: dict[str, Any]) -> dict[tuple[str, str], set[int]]:
    """(METHOD, pattern) → the status codes the OpenAPI documents for the operation."""
    out = {}
    for path, ops in document["paths"].items():
        for method, operation in ops.items():
            template = re.sub(r"\{(\w+)\}", r"<\1>", path)
            out[(method.upper(), template)] = {int(s) for s in operation["responses"]}
    return out


def endpoints(document: dict[str, Any], scoped_kinds: set[str]) -> list[Endpoint]:
    """Every endpoint to ask: pages (GET and POST), API operations (their method), and a 万州
    variant of each that names an object scoped by area."""
    routes = url_patterns()
    api_routes = {t for t in routes if t.startswith("/api/v1/")}
    operations = openapi_operations(document)
    missing = sorted({t for _, t in operations} - api_routes)
    assert not missing, f"OpenAPI 中的接口没有对应的 URL：{missing}"
    undocumented = sorted(api_routes - API_META - {t for _, t in operations})
    assert not undocumented, f"这些 API URL 不在 OpenAPI 文档中：{undocumented}"
    asked: list[tuple[str, Route, bool]] = []
    for template, route in sorted(routes.items()):
        if template in API_META:
            asked.append(("GET", route, True))
        elif template not in api_routes:
            asked += [("GET", route, False), ("POST", route, False)]
    asked += [(method, routes[template], True) for method, template in operations]
    out = []
    for method, route, api in asked:
        out.append(Endpoint(method, route, "", api))
        kinds = {_kind(route, name, upto) for name, upto in route.params}
        if kinds & scoped_kinds:
            out.append(Endpoint(method, route, "万州", api))
    return out


# The objects the parameters name ---------------------------------------------------------------


@dataclass
class World:
    """Parameter values by kind: (value in 渝中区, value in 万州区 or None)."""

    values: dict[str, tuple[str, str | None]]

    @property
    def scoped(self) -> set[str]:
        return {k for k, (_, there) in self.values.items() if there is not None}

    def url(self, endpoint: Endpoint, *, missing: bool = False) -> str:
        """The endpoint's URL; ``missing``: objects scoped by area replaced by ones that do
        not exist."""
        filled = {}
        for name, upto in endpoint.route.params:
            here, there = self.values[_kind(endpoint.route, name, upto)]
            if missing and there is not None:
                filled[name] = "999999999" if here.isdigit() else "missing0"
            else:
                filled[name] = there if endpoint.variant and there is not None else here
        return endpoint.route.url(filled)


def build_world() -> World:
    """One object of each kind, made through the services, in 解放碑 (and one in 万州)."""
    from django.http import QueryDict

    from zhili.matters.catalogue import routing_rule_set
    from zhili.matters.models import Category
    from zhili.open311.inputs import submission
    from zhili.open311.services import key_create, request_submit
    from zhili.org.models import Liaison, Role, RoleGrant
    from zhili.targets.models import Assignment, Score

    photo = f.make_attachment(f.png("blue"))
    matter = f.make_matter("jiefangbei", attachments=[photo])
    far_photo = f.make_attachment(f.png("green"))
    far_matter = f.make_matter("wanzhou", area=f.WANZHOU_STREET, attachments=[far_photo])
    risk = f.make_risk("jiefangbei")
    far_risk = f.make_risk("wanzhou", area=f.WANZHOU_STREET, address="高笋塘 1 号")
    dispute = f.make_dispute("jiefangbei")
    far_dispute = f.make_dispute("wanzhou", area=f.WANZHOU_STREET)
    candidate = f.make_risk_candidate("jiefangbei", dispute=f.make_dispute("jiefangbei"))
    far_candidate = f.make_risk_candidate(
        "wanzhou", dispute=f.make_dispute("wanzhou", area=f.WANZHOU_STREET)
    )
    rule = routing_rule_set(
        actor=f.user("city_admin"),
        category=Category.objects.get(code="streetlight"),
        area=f.area(f.YUZHONG),
        unit=f.unit("渝中区住房城乡建委"),
    )
    plan = f.make_plan()
    here = Assignment.objects.get(plan=plan, task__number="1", area__code=f.YUZHONG, unit=None)
    there = Assignment.objects.get(plan=plan, task__number="1", area__code=f.WANZHOU, unit=None)
    report = f.report_of(plan, task="1", district=f.YUZHONG)
    far_report = f.report_of(plan, task="1", district=f.WANZHOU)
    f.make_report(report, "yuzhong", files=[("渝中台账.pdf", f.PDF + b"yz")])
    f.make_report(far_report, "wanzhou", files=[("万州台账.pdf", f.PDF + b"wz")])
    evidence = report.events.get(action="submit").evidence.get()
    far_evidence = far_report.events.get(action="submit").evidence.get()
    incident = f.make_incident(plan, district=f.YUZHONG)
    far_incident = f.make_incident(plan, district=f.WANZHOU)
    score = Score.objects.filter(plan=plan, area__code=f.YUZHONG, unit=None).first()
    far_score = Score.objects.filter(plan=plan, area__code=f.WANZHOU, unit=None).first()
    key, _ = key_create(actor=None, name="矩阵测试", area=None)
    filed = request_submit(
        key=key,
        data=submission(
            QueryDict(
                "service_code=streetlight&lat=29.5550&long=106.5700&description=路灯不亮"
                "&phone=13900001111"
            )
        ),
    )
    visit = f.make_visit("jiefangbei", demand="楼道灯坏")
    far_visit = f.make_visit(
        "wanzhou", cadre="wanzhou", building=f.make_building("wanzhou"), demand="路灯坏"
    )
    meeting = f.make_meeting("jiefangbei")
    far_meeting = f.make_meeting(
        "wanzhou", compound=f.make_compound("wanzhou", where=far_visit.building.parent.parent)
    )
    (
        delib,
        far_delib,
        step,
        far_step,
        project,
        far_project,
        review,
        far_review,
        consultation,
        far_consultation,
    ) = _villages()
    from zhili.org.services import token_create

    token, _raw = token_create(actor=None, user=f.user("jiefangbei"), name="矩阵测试")
    grant = RoleGrant.objects.get(user__username="jiefangbei")
    far_grant = RoleGrant.objects.get(user__username="wanzhou")
    month = f"{plan.year}-03"
    from zhili.cockpit import services as cockpit
    from zhili.indicators import services as indicators
    from zhili.indicators.models import Indicator
    from zhili.screens import services as screens

    admin = f.user("city_admin")
    petitions = Indicator.objects.get(code="petition_visits")
    value = indicators.value_set(actor=admin, indicator=petitions, area=f.area(f.YUZHONG),
                                 year=2030, month=1, value=3, source="矩阵")  # fmt: skip
    far_value = indicators.value_set(actor=admin, indicator=petitions, area=f.area(f.WANZHOU),
                                     year=2030, month=1, value=3, source="矩阵")  # fmt: skip
    survey = indicators.default_instrument()
    wave = indicators.wave_create(actor=admin, instrument=survey, area=f.area(f.YUZHONG),
                                  year=2030)  # fmt: skip
    far_wave = indicators.wave_create(actor=admin, instrument=survey, area=f.area(f.WANZHOU),
                                      year=2030)  # fmt: skip
    weekly = cockpit.report_request(actor=admin, area=f.area(f.YUZHONG))
    far_weekly = cockpit.report_request(actor=admin, area=f.area(f.WANZHOU))
    from zhili.core.exports import export_build, export_request

    # A background export is its requester's alone (core.exports): the street's and 万州's.
    export = export_build(
        job_id=export_request(
            actor=f.user("jiefangbei"), kind="matters.queue", title="清单", params="", total=0
        ).pk
    )
    far_export = export_request(
        actor=f.user("wanzhou"), kind="matters.queue", title="清单", params="", total=0
    )
    camera = cockpit.camera_create(actor=admin, code="M-1", name="矩阵", area=f.area(f.GRID),
                                   lat=29.56, lng=106.58, owner="派出所")  # fmt: skip
    far_camera = cockpit.camera_create(actor=admin, code="M-2", name="矩阵",
                                       area=f.area(f.WANZHOU_STREET), lat=30.8, lng=108.4,
                                       owner="派出所")  # fmt: skip
    centre = screens.centre_create(actor=admin, area=f.area(f.JIEFANGBEI), name="矩阵中心",
                                   complaint_line="12345")  # fmt: skip
    far_centre = screens.centre_create(actor=admin, area=f.area(f.WANZHOU_STREET),
                                       name="矩阵中心", complaint_line="12345")  # fmt: skip
    device, screen_token = screens.device_create(actor=admin, centre=centre, name="电视")
    far_device, _ = screens.device_create(actor=admin, centre=far_centre, name="电视")
    staff = screens.staff_add(actor=admin, centre=centre, name="矩阵人员", post="窗口")
    far_staff = screens.staff_add(actor=admin, centre=far_centre, name="矩阵人员")
    screens.rating_submit(centre=centre, staff_id=staff.pk, score=4, comment="矩阵")
    today = dt.date(2030, 1, 1)
    notice = screens.notice_create(actor=admin, centre=centre, title="通知", body="内容",
                                   show_from=today)  # fmt: skip
    far_notice = screens.notice_create(actor=admin, centre=far_centre, title="通知", body="内容",
                                       show_from=today)  # fmt: skip
    points = _points_world()
    wage_project = f.make_wage_project("jiefangbei")
    far_wage_project = f.make_wage_project("wanzhou", area=f.WANZHOU_STREET, number="XM-2")
    wage_warning = f.make_wage_warning(wage_project)
    far_wage_warning = f.make_wage_warning(far_wage_project)
    return World(
        {
            "notice": (str(f.make_notice("jiefangbei").pk), None),
            "area": (f.JIEFANGBEI, f.WANZHOU),
            "unit": (str(f.unit("渝中区住房城乡建委").pk), str(f.unit("万州区综治中心").pk)),
            "user": (str(f.user("jiefangbei").pk), str(f.user("wanzhou").pk)),
            "grant": (str(grant.pk), str(far_grant.pk)),
            "token": (str(token.pk), None),  # jiefangbei's own: everyone else gets 404
            "role": (str(Role.objects.get(slug="street_worker").pk), None),
            "liaison": (str(Liaison.objects.get(area__code=f.JIEFANGBEI).pk), None),
            "matter": (matter.number, far_matter.number),
            "matter_action": ("accept", None),
            "matter_unknown_action": ("no-such-action", None),
            "attachment": (photo.sha256, far_photo.sha256),
            "routing_rule": (str(rule.pk), None),  # the catalogue is city-wide
            "category": ("streetlight", None),
            "candidate": (str(candidate.pk), str(far_candidate.pk)),
            "risk": (risk.number, far_risk.number),
            "dispute": (dispute.number, far_dispute.number),
            "dispute_action": ("assign", None),
            "evidence": (evidence.sha256, far_evidence.sha256),
            "report": (str(report.pk), str(far_report.pk)),
            "plan": (str(plan.pk), None),
            "assignment": (str(here.pk), str(there.pk)),
            "task": (str(here.task_id), None),
            "period": (month, None),
            "score": (str(score.pk), str(far_score.pk)),
            "incident": (str(incident.pk), str(far_incident.pk)),
            "visit_plan": (str(visit.plan_id), str(far_visit.plan_id)),
            "visit": (str(visit.pk), str(far_visit.pk)),
            "visit_demand": (str(visit.demands.get().pk), str(far_visit.demands.get().pk)),
            "compound": (str(meeting.compound_id), str(far_meeting.compound_id)),
            "meeting": (str(meeting.pk), str(far_meeting.pk)),
            "followup": (
                str(meeting.followups.get().pk),
                str(far_meeting.followups.get().pk),
            ),
            "deliberation": (delib.number, far_delib.number),
            "delib_step": (str(step.pk), str(far_step.pk)),
            "delib_step_action": ("propose", None),
            "delib_project": (project.number, far_project.number),
            "delib_project_action": ("notice", None),
            "legal_review": (str(review.pk), str(far_review.pk)),
            "legal_consultation": (str(consultation.pk), str(far_consultation.pk)),
            "wage_project": (str(wage_project.pk), str(far_wage_project.pk)),
            "wage_warning": (str(wage_warning.pk), str(far_wage_warning.pk)),
            "wage_import_kind": ("roster", None),
            "wage_rule": ("proxy", None),  # the rules are city-wide
            "open311_token": (filed.token, None),
            "indicator_value": (str(value.pk), str(far_value.pk)),
            "survey_wave": (str(wave.pk), str(far_wave.pk)),
            "weekly_report": (str(weekly.pk), str(far_weekly.pk)),
            "export_job": (str(export.pk), str(far_export.pk)),
            "people_kind": ("risks.responsible", None),
            "camera": (str(camera.pk), str(far_camera.pk)),
            "service_centre": (str(centre.pk), str(far_centre.pk)),
            "screen_device": (str(device.pk), str(far_device.pk)),
            "screen_notice": (str(notice.pk), str(far_notice.pk)),
            "screen_token": (screen_token, None),
            "rating_code": (centre.rating_code, None),  # public: the screen shows it
            "centre_staff": (str(staff.pk), str(far_staff.pk)),
            "open311_rest": ("no-such-resource", None),
            "open311_format": ("json", None),
            **points,
        }
    )


def _villages() -> tuple[Any, ...]:
    """A 四议两公开 record (with a signed step), a 一事一议 project and a legal review in
    民生路社区 (解放碑) and in 东方广场社区 (万州)."""
    import datetime as dt

    from zhili.deliberation import services as delib
    from zhili.deliberation.selectors import deliberation_steps
    from zhili.legal import services as legal

    out: list[Any] = []
    for who, street, code, lawyer in (
        ("secretary_msl", "jiefangbei", "500103003013", "lawyer_jfb"),
        ("wanzhou", "wanzhou", "500101001001", None),
    ):
        actor, community = f.user(who), f.area(code)
        d = delib.deliberation_create(
            actor=actor, area=community, title="集体用房出租", content="出租"
        )
        d = delib.step_record(
            actor=actor,
            deliberation=d,
            action="propose",
            step=delib.StepInput(
                held_on=dt.date(2026, 11, 2),
                text="提议",
                signatures=delib.Upload("签到表.pdf", f.PDF + code.encode()),
            ),
        )
        step = deliberation_steps(d).get()
        project = delib.project_create(
            actor=actor,
            area=community,
            title="步道硬化",
            purpose="road",
            description="300 米",
            proposer="committee",
            villagers=100,
            budget="60000",
            year=2026,
        )
        adviser = legal.adviser_create(
            actor=f.user(street),
            name="王律师",
            firm="某律师事务所",
            area=community,
            user=f.user(lawyer) if lawyer else None,
        )
        legal.coverage_add(
            actor=f.user(street), adviser=adviser, area=community, since=dt.date(2026, 1, 1)
        )
        review = delib.deliberation_request_review(actor=actor, deliberation=d, question="是否合法")
        consultation = legal.consultation_log(
            actor=f.user(lawyer or street),
            adviser=adviser,
            area=community,
            kind="consultation",
            on=dt.date(2026, 11, 2),
            minutes=30,
            topic="租赁",
            person="赵小明",
            phone="13912345678",
        )
        out.append((d, step, project, review, consultation))
    (d, s, p, r, c), (fd, fs, fp, fr, fc) = out
    return d, fd, s, fs, p, fp, r, fr, c, fc


def _points_world() -> dict[str, tuple[str, str | None]]:
    """A village of the points bank in 解放碑 and one in 万州: a household with points, a record
    waiting for approval, an order held, a rule version, a posted transfer."""
    import datetime as dt

    from zhili.areas.models import Area, Level
    from zhili.core.system import system_user
    from zhili.points import ledger, rules, services
    from zhili.points.models import TransferCode

    actor = system_user()
    out: list[dict[str, str]] = []
    wanzhou = f.area(f.WANZHOU)
    far = Area.objects.filter(path__startswith=wanzhou.path, level=Level.COMMUNITY)
    for village in (f.area("500103003013"), far.order_by("code").first()):
        assert village is not None
        version = rules.rules_publish(
            actor=actor,
            area=village,
            effective_from=dt.date(2026, 1, 1),
            items=[rules.ItemSpec(code="A01", name="参加会议", points=1, evidence_required=False)],
        )
        home = services.household_create(
            actor=actor, area=village, number="M-1", head_name="矩阵户"
        )
        allocated = services.budget_allocate(
            actor=actor,
            village=village,
            funding_source="区财政",
            amount=100,
            key=f"matrix-{village.code}",
        )
        ledger.transfer_create(
            actor=actor,
            key=f"matrix-issue-{village.code}",
            debit=allocated.credit,
            credit=home.account,
            amount=20,
            code=TransferCode.ISSUE,
        )
        record = services.record_create(
            actor=actor, household=home, item=version.items.get(), occurred_on=dt.date(2026, 3, 2)
        )
        goods = services.goods_create(actor=actor, village=village, name="肥皂", price=2, stock=5)
        order = services.order_place(
            actor=actor, household=home, goods=goods, quantity=1, key=f"matrix-{village.code}"
        )
        out.append(
            {
                "points_village": village.code,
                "points_rules": str(version.pk),
                "points_record": str(record.pk),
                "points_order": str(order.pk),
                "points_account": str(home.account_id),
                "points_transfer": str(allocated.pk),
                "points_goods": str(goods.pk),
            }
        )
    here, there = out
    return {
        **{k: (v, there[k]) for k, v in here.items()},
        "points_record_action": ("approve", None),
        "points_order_action": ("pickup", None),
    }


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Made once for this module, in a transaction rolled back at its end; files in a temporary
    media folder."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        cache.clear()
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    """Thousands of expected 4xx answers would each log a warning."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def document(world: World) -> dict[str, Any]:
    """The OpenAPI document as served."""
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


# Asking ----------------------------------------------------------------------------------------


def client_for(role: str, **kwargs: Any) -> Client:
    from zhili.org.models import User

    client = Client(**kwargs)
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def ask(client: Client, endpoint: Endpoint, url: str) -> Any:
    """One request, rolled back afterwards (and the client's cookies with it), so every answer
    sees the same world whatever was asked before. A server error fails at once."""
    cookies = copy.deepcopy(client.cookies)  # a SimpleCookie still (dict.copy would not be)
    cache.clear()  # throttles count tries per address
    try:
        with transaction.atomic():
            try:
                if endpoint.method == "GET":
                    response = client.get(url)
                elif endpoint.api:
                    response = client.generic(
                        endpoint.method, url, "{}", content_type="application/json"
                    )
                else:
                    response = client.post(url, {})
            finally:
                transaction.set_rollback(True)
    except Exception as exc:  # the test client re-raises what the view raised
        pytest.fail(f"500：{endpoint.method} {url}（{endpoint.key}）抛出 {exc!r}")
    finally:
        client.cookies = cookies
    if response.status_code >= 500:
        pytest.fail(f"{response.status_code}：{endpoint.method} {url}（{endpoint.key}）")
    return response


LOGIN = reverse("login")


def outcome(response: Any) -> str:
    status = response.status_code
    if 200 <= status < 300 or status in (400, 422):
        return "allowed"
    if 300 <= status < 400:
        return "login" if urlsplit(response["Location"]).path == LOGIN else "allowed"
    classes = {401: "login", 403: "forbidden", 404: "hidden", 405: "method", 409: "conflict"}
    if status not in classes:
        raise AssertionError(f"意外的状态码 {status}")
    return classes[status]


# The tests -------------------------------------------------------------------------------------


def _record(role: str, found: dict[str, str]) -> None:
    def change(data: dict[str, Any]) -> None:
        for key in list(data):
            if key not in found:
                del data[key]
        for key, cls in found.items():
            row = data.setdefault(key, {})
            row[role] = cls
            data[key] = {r: row[r] for r in ROLES if r in row}

    snapshots.update(SNAPSHOT, change)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role: str, world: World, document: dict[str, Any]) -> None:
    client = client_for(role)
    found: dict[str, str] = {}
    broken: list[str] = []
    documented = documented_statuses(document)
    for endpoint in endpoints(document, world.scoped):
        url = world.url(endpoint)
        response = ask(client, endpoint, url)
        cls = found[endpoint.key] = outcome(response)
        status = response.status_code
        where = f"{endpoint.key} → {url} as {role}: {status}"
        allowed = documented.get((endpoint.method, endpoint.route.template))
        if allowed is not None and status not in allowed:
            broken.append(f"OpenAPI 未记载此状态码：{where}（记载的：{sorted(allowed)}）")
        if role == "anonymous" and not endpoint.public and cls == "allowed":
            broken.append(f"未登录即可访问非公开页面：{where}")
        scoped = any(_kind(endpoint.route, n, u) in world.scoped for n, u in endpoint.route.params)
        outside = scoped and role in OUTSIDE[endpoint.variant] and not endpoint.public
        if outside and status not in (404, 405):
            # Input refused before the object is looked up reveals nothing: it must be the
            # same answer as for an object that does not exist.
            nothing = world.url(endpoint, missing=True)
            if status not in (400, 422) or ask(client, endpoint, nothing).status_code != status:
                broken.append(f"范围外的对象须答 404（如同不存在）：{where}")
    assert not broken, "\n".join(broken)
    if snapshots.updating():
        _record(role, found)
        return
    expected = {k: row.get(role) for k, row in snapshots.read(SNAPSHOT).items()}
    differ = [
        f"{key} as {role}: 快照为 {expected[key]}，现为 {cls}"
        for key, cls in sorted(found.items())
        if key in expected and expected[key] != cls
    ]
    assert not differ, "\n".join(differ) + f"\n（确属有意的改动：{snapshots.SWITCH}=1 重写快照）"


@pytest.mark.django_db
def test_the_snapshot_lists_exactly_the_endpoints(world: World, document: dict[str, Any]) -> None:
    asked = endpoints(document, world.scoped)
    for e in asked:  # each filled-in URL reaches the view of its own pattern
        assert resolve(world.url(e)).func in e.route.views, f"{e.key}: {world.url(e)}"
    keys = {e.key for e in asked}
    if snapshots.updating():
        snapshots.update(SNAPSHOT, lambda data: [data.pop(k) for k in set(data) - keys])
        return
    listed = snapshots.read(SNAPSHOT)
    new = sorted(keys - set(listed))
    gone = sorted(set(listed) - keys)
    incomplete = sorted(k for k in keys & set(listed) if set(listed[k]) != set(ROLES))
    assert not (new or gone or incomplete), (
        f"快照中缺少的端点：{new}\n快照中已不存在的端点：{gone}\n角色不全的端点：{incomplete}\n"
        f"（{snapshots.SWITCH}=1 重写快照，并检查差异）"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "city_admin"])
def test_a_post_without_csrf_token_is_refused(
    role: str, world: World, document: dict[str, Any]
) -> None:
    """The browser's session is not enough to write: pages and the API refuse a POST that lacks
    the CSRF token (Open311 takes no session and refuses a POST without its api_key)."""
    client = client_for(role, enforce_csrf_checks=True)
    accepted = []
    for endpoint in endpoints(document, world.scoped):
        if endpoint.method == "GET" or endpoint.variant:
            continue
        url = world.url(endpoint)
        status = ask(client, endpoint, url).status_code
        if status not in (401, 403, 404, 405):
            accepted.append(f"{endpoint.key} → {url}: {status}")
    assert not accepted, "没有 CSRF 令牌的 POST 未被拒绝：\n" + "\n".join(accepted)


def test_parameters_are_split_from_route_and_regex_patterns() -> None:
    routes = url_patterns()
    assert "/matters/<number>/act/<action>/" in routes
    assert "/open311/v2/requests/<number>.<fmt>" in routes
    route = routes["/open311/v2/requests/<number>.<fmt>"]
    assert route.url({"number": "X1", "fmt": "xml"}) == "/open311/v2/requests/X1.xml"
    assert [u for _, u in route.params] == [
        "/open311/v2/requests/<number>",
        "/open311/v2/requests/<number>.<fmt>",
    ]
    assert resolve(route.url({"number": "X1", "fmt": "xml"})).url_name == "request"


def test_outcome_classes() -> None:
    class R:
        def __init__(self, status: int, location: str = "") -> None:
            self.status_code = status
            self.headers = {"Location": location}

        def __getitem__(self, name: str) -> str:
            return self.headers[name]

    assert outcome(R(200)) == outcome(R(422)) == outcome(R(302, "/matters/")) == "allowed"
    assert outcome(R(302, f"{LOGIN}?next=/audit/")) == outcome(R(401)) == "login"
    assert [outcome(R(s)) for s in (403, 404, 405, 409)] == [
        "forbidden",
        "hidden",
        "method",
        "conflict",
    ]
    with pytest.raises(AssertionError):
        outcome(R(418))
