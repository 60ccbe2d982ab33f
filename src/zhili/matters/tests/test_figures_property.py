"""Property: for random matter histories lived through the services (several units, areas at every
level, categories with hour and working-day limits, clocks from a minute to days between steps),
every figure the metrics show — at the city, district, street, community and grid, by unit, for
unit staff, ranked, in the API, the xlsx export and the page — equals a count over the facts
(Matter and MatterEvent rows, ``facts.py``), and every measure has 0 ≤ numerator ≤ denominator.

Each example runs in a savepoint that is rolled back, inside pytest-django's test transaction
(SQLite and PostgreSQL alike)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zhili.areas.models import Area
from zhili.core.errors import ZhiliError
from zhili.matters import metrics
from zhili.matters import services as s
from zhili.matters.metrics_views import percent, workbook_bytes
from zhili.matters.models import ROLLUP_COUNTERS, Category, HandlingMode, Matter
from zhili.matters.tests import facts as F
from zhili.org.models import Unit, User
from zhili.testing.db import rolled_back

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 8, tzinfo=TZ)  # a Monday, long past: every deadline has passed
D = START.date()
ROOT = "500000"
DISTRICT = "500103"  # 渝中区
PLACES: list[tuple[str, dict[str, Any]]] = [
    ("500103003013001", {"lat": 29.5550, "lng": 106.5712}),  # 民生路第1网格
    ("500103003013002", {"lat": 29.5550, "lng": 106.5718}),  # 民生路第2网格, 58 m east
    ("500103003016001", {}),  # 莲花池第1网格
    ("500103003017", {"address": "民族路 188 号"}),  # 邹容路社区 (no grids)
    ("500103003018", {"address": "民族路 188 号"}),  # 自力巷社区
    ("500103010", {}),  # 朝天门街道 itself
    ("500103012011", {}),  # 大坪街道 马家堡社区
    ("500101001", {}),  # 万州区 高笋塘街道: outside 渝中区
]
TEXTS = [
    "夜间酒吧音响扰民",
    "楼下酒吧夜间音响扰民，吵得睡不着",
    "民族路5号路灯不亮",
    "民族路5号路灯坏了，晚上很黑",
    "小区电梯困人，物业不管",
]
UNITS = ("渝中区住房城乡建委", "解放碑派出所", "渝中区人民法院")
ADVANCES = (1, 7, 30, 61, 125, 300, 700, 1500, 2900)  # minutes between two steps
NEW, FORWARD = 20, 65  # an op's first number: below 20 a new matter, below 65 the step forward

# What may be tried from each status, the step forward first (the services refuse anything
# else; a refusal is skipped).
TRY: dict[str, tuple[str, ...]] = {
    "submitted": ("accept", "reject", "triage", "merge", "self_handle"),
    "accepted": ("dispatch", "triage", "suspend", "merge"),
    "dispatched": ("sign", "return", "extend", "approve_extension", "suspend"),
    "returned": ("dispatch", "triage", "suspend"),
    "handling": ("report", "extend", "approve_extension", "suspend"),
    "reported": ("verify",),
    "verified": ("close",),
    "closed": ("rate", "reopen"),
    "rated": ("reopen",),
    "suspended": ("resume",),
    "rejected": (),
    "merged": (),
}


class World(NamedTuple):
    admin: Any
    officer: Any
    categories: list[Category]
    areas: list[Area]
    units: list[Unit]
    unit_staff: dict[int, Any]
    photo: Any
    headers: dict[str, str]


@pytest.fixture
def world(users: dict[str, Any], bearer: Any, settings: Any, tmp_path: Path) -> World:
    from PIL import Image

    from zhili.matters.attachments import attachment_store

    settings.MEDIA_ROOT = tmp_path
    group = Category.objects.filter(parent=None).first()
    hours = Category.objects.create(
        code="figures-hours",
        name="口径测试（小时）",
        parent=group,
        topic=group.topic,
        handling_mode=HandlingMode.URGENT,
        limits={"dispatch": [4, "h"], "sign": [1, "h"], "contact": [2, "h"], "handle": [24, "h"]},
    )
    noise = Category.objects.get(code="noise")  # 难事限时办: working days
    areas = [Area.objects.get(code=code) for code, _ in PLACES]
    assert all(a.is_current for a in areas)
    units = [Unit.objects.get(name=name) for name in UNITS]
    staff = {u.pk: User.objects.create(username=f"figures_{u.pk}", unit=u) for u in units}
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    photo = attachment_store(data=buffer.getvalue(), name="after.png")
    return World(
        admin=users["city_admin"],
        officer=users["yuzhong"],
        categories=[hours, noise],
        areas=areas,
        units=units,
        unit_staff=staff,
        photo=photo,
        headers=bearer("yuzhong"),
    )


# Living a history ---------------------------------------------------------------------------------


Op = tuple[int, int, int, int]  # what, which matter, minutes to advance, a parameter


def act(w: World, m: Matter, action: str, p: int, at: dt.datetime, matters: list[Matter]) -> None:
    a = w.admin
    common = {"actor": a, "matter": m, "at": at}
    if action == "accept":
        s.matter_accept(**common)
    elif action == "reject":
        s.matter_reject(**common, reason="不属实")
    elif action == "triage":
        result = ("big", "small", "private")[p % 3]
        s.matter_triage(**common, triage=result, reason="分流")
    elif action == "merge":
        targets = [x for x in matters if x.pk != m.pk]
        if targets:
            s.matter_merge(**common, into=targets[p % len(targets)])
    elif action == "self_handle":
        s.matter_self_handle(**common, result="当场处理", attachments=[w.photo])
    elif action == "dispatch":
        s.matter_dispatch(**common, unit=w.units[p % len(w.units)])
    elif action == "sign":
        s.matter_sign(**common, contacted=p % 2 == 0)
    elif action == "return":
        s.matter_return(**common, reason="不属本单位")
    elif action == "extend":
        s.matter_extend(**common, days=1 + p % 3, reason="需协调")
    elif action == "approve_extension":
        s.matter_approve_extension(**common, approved=p % 3 != 0)
    elif action == "suspend":
        s.matter_suspend(**common, reason="等待鉴定")
    elif action == "resume":
        s.matter_resume(**common)
    elif action == "report":
        s.matter_report(**common, result="已处理", contacted=p % 3 != 0)
    elif action == "verify":
        s.matter_verify(**common, passed=p % 3 != 0, note="未处理好")
    elif action == "close":
        s.matter_close(**common)
    elif action == "rate":
        s.matter_rate(**common, solved=p % 2 == 0, satisfied=(p // 2) % 2 == 0)
    elif action == "reopen":
        s.matter_reopen(**common, reason="群众不满意")


def live(w: World, ops: list[Op]) -> list[Matter]:
    clock, matters = START, []
    for what, which, minutes, p in ops:
        clock += dt.timedelta(minutes=minutes)
        if what < NEW or not matters:
            k = p % len(PLACES)
            category = w.categories[which % len(w.categories)]
            matters.append(
                s.matter_create(
                    actor=w.admin,
                    category=category,
                    channel="hotline",
                    description=TEXTS[(p // len(PLACES)) % len(TEXTS)],
                    area=w.areas[k],
                    reporter_phone="13800138000",
                    at=clock,
                    **PLACES[k][1],
                )
            )
            continue
        m = Matter.objects.get(pk=matters[which % len(matters)].pk)
        choices = TRY[m.status]
        if not choices:
            continue
        action = choices[0] if what < FORWARD else choices[what % len(choices)]
        # A refusal (no pending extension, a merge cycle, …) writes nothing.
        with contextlib.suppress(ZhiliError):
            act(w, m, action, p, clock, matters)
    return matters


# Checking every figure ----------------------------------------------------------------------------


class Expect:
    """The facts of one example, summed for any scope."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.facts, self.durations = F.matter_facts()
        self.late = F.overdue(timezone.now())

    def scope(self, path: str, unit: int | None = None, exact: bool = False) -> F.Scope:
        return F.Scope(path, unit, self.start, self.end, exact)

    def counts(self, scope: F.Scope) -> dict[str, int]:
        c = F.counts(self.facts, scope)
        return {k: c.get(k, 0) for k in ROLLUP_COUNTERS}

    def measures(self, scope: F.Scope) -> dict[str, tuple[int, int, float | None]]:
        c = self.counts(scope)
        out = {}
        for m in metrics.MEASURES:
            num = sum(c[k] * n for k, n in m.num.items())
            den = sum(c[k] * n for k, n in m.den.items())
            assert 0 <= num <= den, (m.key, num, den, scope)
            out[m.key] = (num, den, num / den if den else None)
        return out

    def overdue(self, path: str, unit: int | None = None) -> int:
        return F.matters_overdue(self.late, path=path, unit=unit)


def check_durations(
    shown: dict[str, dict[str, Any]], expected: dict[str, list[float]], where: Any
) -> None:
    for measure, d in shown.items():
        values = expected.get(measure, [])
        assert d["n"] == len(values), (where, measure)
        for name, pct in (("median", 50), ("p90", 90)):
            if not values:
                assert d[name] is None, (where, measure, name)
                continue
            exact = F.nearest_rank(values, pct) / 3600
            # The estimate is placed inside the exact value's bucket (2^¼ ≈ 1.19 wide; under a
            # minute, linear), shown in hours to two decimals.
            assert abs(d[name] - exact) <= 0.2 * exact + 0.02, (where, measure, name, exact)


def check_report(e: Expect, r: metrics.Report, total: F.Scope, rows: dict[str, F.Scope], minimum: int, overdue: dict[str, int], total_overdue: int) -> None:  # fmt: skip
    """Totals, every row, the ranking and the trend of one report against the facts."""
    where = (r.view.area.code if r.view.area else "-", r.view.unit, r.by)
    assert r.counts == e.counts(total), where
    for key, (num, den, value) in e.measures(total).items():
        shown = r.measures[key]
        assert (shown["numerator"], shown["denominator"]) == (num, den), (where, key)
        assert shown["value"] == value, (where, key)
    check_durations(r.durations, F.durations(e.durations, total), where)
    assert r.overdue == total_overdue, where
    for t in r.trend:
        day = e.counts(total._replace(start=t["day"], end=t["day"]))
        assert (t["created"], t["closed"]) == (day["created"], day["closed"]), (where, t)
        assert t["dispatched"] == day["dispatched"] + day["redispatched"], (where, t)
    shown_keys = {row["key"] for row in r.rows}
    for key, scope in rows.items():
        if key not in shown_keys:  # a row the page leaves out must have nothing to show
            assert not any(e.counts(scope).values()), (where, key)
    ranked = []
    for row in r.rows:
        scope = rows[row["key"]]
        assert row["counts"] == e.counts(scope), (where, row["name"])
        for key, (num, den, value) in e.measures(scope).items():
            shown = row["measures"][key]
            assert (shown["numerator"], shown["denominator"], shown["value"]) == (num, den, value)
        check_durations(row["durations"], F.durations(e.durations, scope), (where, row["name"]))
        assert row["overdue"] == overdue.get(row["key"], 0), (where, row["name"])
        num, den, value = e.measures(scope)[r.rank_by]
        assert row["sample"] == den
        should = bool(row["key"]) and value is not None and den >= minimum
        assert row["ranked"] == should, (where, row["name"])
        if should:
            ranked.append((row, value))
    better = metrics.MEASURE_BY_KEY[r.rank_by].higher_is_better
    for row, value in ranked:
        ahead = sum(1 for _, v in ranked if (v > value if better else v < value))
        assert row["rank"] == 1 + ahead, (where, row["name"])
    flags = [row["ranked"] for row in r.rows]
    assert flags == sorted(flags, reverse=True), where  # the ranked rows first


def area_rows(e: Expect, view: Area) -> tuple[dict[str, F.Scope], dict[str, int]]:
    if view.depth >= 4:  # a grid: no rows below it
        return {}, {}
    children = Area.objects.filter(parent=view)
    rows = {a.code: e.scope(a.path) for a in children}
    overdue = {a.code: e.overdue(a.path) for a in children}
    if view.depth > 0:  # the matters registered at the area itself
        rows[""] = e.scope(view.path, exact=True)
        overdue[""] = e.overdue(view.path) - sum(overdue.values())
    return rows, overdue


def unit_rows(e: Expect, path: str, units: list[Unit]) -> tuple[dict[str, F.Scope], dict[str, int]]:
    rows = {str(u.pk): e.scope(path, u.pk) for u in units}
    return rows, {str(u.pk): e.overdue(path, u.pk) for u in units}


def check_export(e: Expect, r: metrics.Report, rows: dict[str, F.Scope], total: F.Scope, overdue: dict[str, int]) -> None:  # fmt: skip
    ws = load_workbook(io.BytesIO(workbook_bytes(r)))["诉求统计"]
    header = [c.value for c in ws[3]]
    by_name = {row["name"]: row["key"] for row in r.rows}
    for values in ws.iter_rows(min_row=4, values_only=True):
        name = values[1]
        scope = total if name == "合计" else rows[by_name[name]]
        counts, measures = e.counts(scope), e.measures(scope)
        volume = (
            counts["dispatched"] + counts["redispatched"] if r.by == "unit" else counts["created"]
        )
        assert (values[2], values[3]) == (volume, counts["closed"]), name
        for m in metrics.MEASURES:
            shown = values[header.index(m.label)]
            assert shown == measures[m.key][2] or shown == pytest.approx(measures[m.key][2]), name
            assert shown is None or 0 <= shown <= 1
        assert values[header.index("排名样本数")] == measures[r.rank_by][1], name
        late = e.overdue(total.path) if name == "合计" else overdue.get(by_name[name], 0)
        assert values[header.index("超期未处置数")] == late, name


def check_api(e: Expect, body: dict[str, Any], rows: dict[str, F.Scope], total: F.Scope, overdue: dict[str, int]) -> None:  # fmt: skip
    assert body["totals"]["counts"] == e.counts(total)
    expected = e.measures(total)
    for m in body["totals"]["measures"]:
        assert (m["numerator"], m["denominator"], m["value"]) == expected[m["key"]]
    check_durations(
        {d["measure"]: {"n": d["n"], "median": d["median_hours"], "p90": d["p90_hours"]}
         for d in body["totals"]["durations"]},
        F.durations(e.durations, total), "api",
    )  # fmt: skip
    for row in body["rows"]:
        scope = rows[row["key"]]
        assert row["counts"] == e.counts(scope), row["name"]
        measures = e.measures(scope)
        assert row["measures"] == {k: v[2] for k, v in measures.items()}, row["name"]
        assert row["overdue_open"] == overdue.get(row["key"], 0)
        assert row["sample"] == measures[body["rank_by"]][1]
    for t in body["trend"]:
        day = dt.date.fromisoformat(t["day"])
        c = e.counts(total._replace(start=day, end=day))
        assert (t["created"], t["closed"]) == (c["created"], c["closed"])


def check_page(e: Expect, client: Any, w: World, total: F.Scope, query: dict[str, str]) -> None:
    client.force_login(w.officer)
    response = client.get("/matters/metrics/", {**query, "days": ""})
    assert response.status_code == 200
    html = response.content.decode()
    measures = e.measures(total)
    for card in response.context["cards"]:
        num, den, value = measures[card["key"]]
        assert (card["value"], card["detail"]) == (percent(value), f"{num} / {den}")
        assert f'data-measure="{card["key"]}">{card["value"]}<' in html
    assert response.context["volume"] == e.counts(total)["created"]
    for row in response.context["rows"]:
        assert row["rank_value"] == percent(row["measures"][query["rank"]]["value"])
        assert f">{row['rank_value']}<" in html
    assert f'data-measure="overdue_open">{e.overdue(total.path)}<' in html


def check_cells(e: Expect) -> None:
    """Numerator ⊆ denominator in every rollup cell — each day × area level × unit (or all units)
    — so in any period, area, unit or row: the facts' own figures, whatever the period drawn."""
    cells: dict[tuple[dt.date, str, int | None], Counter[str]] = defaultdict(Counter)
    for f in e.facts:
        codes = [c for c in f.path.split("/") if c]
        for depth in range(1, len(codes) + 1):
            path = "/".join(codes[:depth]) + "/"
            for unit in {None, f.unit or None}:
                cells[(f.day, path, unit)][f.counter] += 1
    for cell, c in cells.items():
        for m in metrics.MEASURES:
            num = sum(c[k] * n for k, n in m.num.items())
            den = sum(c[k] * n for k, n in m.den.items())
            assert 0 <= num <= den, (m.key, cell, num, den)


def check_everything(w: World, client: Any, start: dt.date, end: dt.date, rank: str, minimum: int) -> None:  # fmt: skip
    e = Expect(start, end)
    check_cells(e)
    period = {"start": start, "end": end, "rank_by": rank}
    root = Area.objects.get(code=ROOT)
    # The city: rows are the districts, with the choropleth's figures.
    r = metrics.matter_metrics(w.admin, **period)
    rows, overdue = area_rows(e, root)
    check_report(e, r, e.scope(root.path), rows, minimum, overdue, e.overdue(root.path))
    for d in r.districts:
        scope = e.scope(f"{root.path}{d['code']}/")
        c = e.counts(scope)
        assert (d["rated"], d["overdue"]) == (c["rated"], e.overdue(scope.path))
        assert d["satisfaction"] == (c["satisfied"] / c["rated"] if c["rated"] else None)
    # 渝中区 and every area holding a matter of it, down to the grids; by unit at the district
    # and at each street.
    views = {a for a in w.areas if a.path.startswith(f"{root.path}{DISTRICT}/")}
    for a in list(views):
        views |= set(Area.objects.filter(code__in=a.ancestor_codes, depth__gte=1))
    for view in sorted(views, key=lambda a: a.path):
        r = metrics.matter_metrics(w.officer, area=view.code, **period)
        rows, overdue = area_rows(e, view)
        check_report(e, r, e.scope(view.path), rows, minimum, overdue, e.overdue(view.path))
        if view.depth <= 2:
            r = metrics.matter_metrics(w.officer, area=view.code, by="unit", **period)
            rows, overdue = unit_rows(e, view.path, w.units)
            check_report(e, r, e.scope(view.path), rows, minimum, overdue, e.overdue(view.path))
    # Unit staff: their unit's figures, by district.
    for unit in w.units:
        r = metrics.matter_metrics(w.unit_staff[unit.pk], **period)
        rows = {a.code: e.scope(a.path, unit.pk) for a in Area.objects.filter(depth=1)}
        overdue = {a.code: e.overdue(a.path, unit.pk) for a in Area.objects.filter(depth=1)}
        total = e.scope(root.path, unit.pk)
        check_report(e, r, total, rows, minimum, overdue, e.overdue(root.path, unit.pk))
    # The district's export, API and page, by area and by unit.
    district = Area.objects.get(code=DISTRICT)
    query = {"area": DISTRICT, "from": start.isoformat(), "to": end.isoformat(), "rank": rank}
    for by in ("area", "unit"):
        r = metrics.matter_metrics(w.officer, area=DISTRICT, by=by, **period)
        rows, overdue = (
            area_rows(e, district) if by == "area" else unit_rows(e, district.path, w.units)
        )
        check_export(e, r, rows, e.scope(district.path), overdue)
        body = client.get("/api/v1/metrics/matters", {**query, "by": by}, headers=w.headers).json()
        check_api(e, body, rows, e.scope(district.path), overdue)
    check_page(e, client, w, e.scope(district.path), query)


ops = st.lists(
    st.tuples(
        st.integers(0, 99), st.integers(0, 99), st.sampled_from(ADVANCES), st.integers(0, 999)
    ),
    min_size=10,
    max_size=50,
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    history=ops,
    first=st.integers(-1, 20),
    length=st.integers(0, 40),
    rank=st.sampled_from([m.key for m in metrics.MEASURES]),
    minimum=st.integers(1, 3),
)
def test_every_figure_equals_a_count_over_the_facts(
    world: World, client: Any, history: list[Op], first: int, length: int, rank: str, minimum: int
) -> None:
    start = D + dt.timedelta(days=first)
    with rolled_back(), override_settings(ZHILI_RANKING_MIN_SAMPLE=minimum):
        live(world, history)
        check_everything(world, client, start, start + dt.timedelta(days=length), rank, minimum)
