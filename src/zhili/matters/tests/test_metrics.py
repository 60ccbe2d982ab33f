"""Measures of matters: hand-computed figures on a small history, scoping, rankings, the API, the
page, the xlsx export, and rollups kept incrementally equal to rollups rebuilt from the events."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from zhili.areas.models import Area
from zhili.matters import metrics, rollups
from zhili.matters import services as s
from zhili.matters.models import (
    Category,
    HandlingMode,
    Matter,
    MatterAreaAll,
    MatterAreaDay,
    MatterDuration,
    MatterDurationAll,
    MatterRollupState,
    MatterUnitDay,
    Triage,
)
from zhili.org.models import Unit

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 3, 2)  # a Monday; every limit below counts clock hours, not working days
GRIDS = ["500103003013001", "500103003013002", "500103003016001"]  # two communities of 解放碑
PERIOD = {"start": D, "end": D + dt.timedelta(days=7)}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 2 + day, hour, minute, tzinfo=TZ)


@pytest.fixture
def category(db: Any) -> Category:
    """A category with hour limits: dispatch 4 h, sign 1 h, contact 2 h, handle 24 h."""
    group = Category.objects.filter(parent=None).first()
    return Category.objects.create(
        code="metrics-test",
        name="统计测试",
        parent=group,
        topic=group.topic,
        handling_mode=HandlingMode.URGENT,
        limits={"dispatch": [4, "h"], "sign": [1, "h"], "contact": [2, "h"], "handle": [24, "h"]},
    )


@pytest.fixture
def unit(db: Any) -> Unit:
    return Unit.objects.get(name="渝中区住房城乡建委")


@pytest.fixture
def other_unit(db: Any) -> Unit:
    return Unit.objects.get(name="解放碑派出所")


@pytest.fixture
def officer(users: dict[str, Any]) -> Any:
    return users["yuzhong"]  # 区县治理办: every matter action in 渝中区


@pytest.fixture
def handler(users: dict[str, Any], unit: Unit) -> Any:
    from zhili.org.models import Role, RoleGrant, User

    user = User.objects.filter(unit=unit, grants__role__slug="unit_handler").first()
    if user is None:
        user = User.objects.create(username="metrics_handler", unit=unit, area=unit.area)
        RoleGrant.objects.create(
            user=user, role=Role.objects.get(slug="unit_handler"), area=unit.area
        )
    return user


@pytest.fixture
def police_handler(other_unit: Unit) -> Any:
    from zhili.org.models import Role, RoleGrant, User

    user = User.objects.create(username="metrics_police", unit=other_unit, area=other_unit.area)
    RoleGrant.objects.create(
        user=user, role=Role.objects.get(slug="unit_handler"), area=other_unit.area
    )
    return user


@pytest.fixture
def photo(db: Any) -> Any:
    from PIL import Image

    from zhili.matters.attachments import attachment_store

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return attachment_store(data=buffer.getvalue(), name="after.png")


def new(officer: Any, category: Category, when: dt.datetime, grid: str = GRIDS[0]) -> Matter:
    return s.matter_create(
        actor=officer,
        category=category,
        channel="staff",
        description="测试诉求",
        area=Area.objects.get(code=grid),
        reporter_name="张三",
        reporter_phone="13800138000",
        at=when,
    )


@pytest.fixture
def history(officer: Any, handler: Any, unit: Unit, category: Category, photo: Any) -> dict:
    """Eight matters on day D (see the hand computation in test_measures_by_hand)."""
    o, h = officer, handler
    m = {}
    # M1: on time everywhere, solved and satisfied.
    m1 = new(o, category, at(0, 9))
    s.matter_accept(actor=o, matter=m1, at=at(0, 9, 10))
    s.matter_dispatch(actor=o, matter=m1, unit=unit, at=at(0, 9, 30))
    s.matter_sign(actor=h, matter=m1, contacted=True, at=at(0, 10))
    s.matter_report(actor=h, matter=m1, result="已修复", at=at(0, 12))
    s.matter_verify(actor=o, matter=m1, passed=True, at=at(0, 13))
    s.matter_close(actor=o, matter=m1, at=at(0, 14))
    m["m1"] = s.matter_rate(actor=o, matter=m1, solved=True, satisfied=True, at=at(0, 15))
    # M2: signed late, first contact late (at the report), reworked once, closed late.
    m2 = new(o, category, at(0, 9), GRIDS[1])
    s.matter_accept(actor=o, matter=m2, at=at(0, 9, 10))
    s.matter_dispatch(actor=o, matter=m2, unit=unit, at=at(0, 9, 30))
    s.matter_sign(actor=h, matter=m2, at=at(0, 11))
    s.matter_report(actor=h, matter=m2, result="已处理", at=at(0, 12))
    s.matter_verify(actor=o, matter=m2, passed=False, note="未修好", at=at(0, 13))
    s.matter_report(actor=h, matter=m2, result="已修好", at=at(0, 14))
    s.matter_verify(actor=o, matter=m2, passed=True, at=at(0, 15))
    s.matter_close(actor=o, matter=m2, at=at(1, 10))
    m["m2"] = s.matter_rate(actor=o, matter=m2, solved=True, satisfied=False, at=at(1, 11))
    # M3 rejected, M4 merged into M1.
    m["m3"] = s.matter_reject(
        actor=o, matter=new(o, category, at(0, 9)), reason="不属实", at=at(0, 9, 5)
    )
    m["m4"] = s.matter_merge(actor=o, matter=new(o, category, at(0, 9)), into=m1, at=at(0, 9, 20))
    # M5: returned and re-dispatched, signed on time with contact; still open (overdue now).
    m5 = new(o, category, at(0, 9))
    s.matter_accept(actor=o, matter=m5, at=at(0, 9, 10))
    s.matter_dispatch(actor=o, matter=m5, unit=unit, at=at(0, 9, 30))
    s.matter_return(actor=h, matter=m5, reason="不属本单位", at=at(0, 9, 40))
    s.matter_dispatch(actor=o, matter=m5, unit=unit, at=at(0, 9, 50))
    m["m5"] = s.matter_sign(actor=h, matter=m5, contacted=True, at=at(0, 10, 30))
    # M6: fixed on the spot.
    m["m6"] = s.matter_self_handle(
        actor=o,
        matter=new(o, category, at(0, 9), GRIDS[2]),
        result="当场处理",
        attachments=[photo],
        at=at(0, 9, 20),
    )
    # M7: suspended after dispatch (out of the closure denominator).
    m7 = new(o, category, at(0, 9))
    s.matter_accept(actor=o, matter=m7, at=at(0, 9, 10))
    s.matter_dispatch(actor=o, matter=m7, unit=unit, at=at(0, 9, 30))
    m["m7"] = s.matter_suspend(actor=o, matter=m7, reason="等待鉴定", at=at(0, 11))
    # M8: extension of 2 working days approved: its deadline moves from D+1 to D+3 (Thursday).
    m8 = new(o, category, at(0, 9))
    s.matter_accept(actor=o, matter=m8, at=at(0, 9, 10))
    s.matter_dispatch(actor=o, matter=m8, unit=unit, at=at(0, 9, 30))
    s.matter_extend(actor=h, matter=m8, days=2, reason="需采购配件", at=at(0, 9, 45))
    m["m8"] = s.matter_approve_extension(actor=o, matter=m8, approved=True, at=at(0, 10))
    return m


def test_measures_by_hand(history: dict, officer: Any) -> None:
    r = metrics.matter_metrics(officer, area="500103003", **PERIOD)
    c = r.counts
    assert (c["created"], c["accepted"], c["rejected"], c["merged"]) == (8, 6, 1, 1)
    assert (c["dispatched"], c["redispatched"], c["returned"]) == (5, 1, 1)
    assert (c["signed"], c["signed_on_time"]) == (3, 2)  # M2 signed at 11:00, due 10:30
    assert (c["contacted"], c["contacted_on_time"]) == (3, 2)  # M2 first contact at 12:00
    assert (c["verified"], c["reworked"], c["closed"]) == (3, 1, 3)  # closed: M1, M2, M6
    assert (c["due"], c["due_suspended"], c["due_closed"], c["due_closed_on_time"]) == (5, 1, 2, 1)
    # Contact due for M1, M2, M5, M7, M8 (11:30); M7 suspended before any contact; on time: M1, M5.
    assert (c["contact_due"], c["contact_due_suspended"], c["contact_due_on_time"]) == (5, 1, 2)
    assert c["due_extended"] == 1  # M8
    # The same words in the same grid the same hour: M3, M4 (also merged), M5, M7, M8 repeat M1.
    assert c["repeated"] == 5
    m = {k: v["value"] for k, v in r.measures.items()}
    assert m["accept_rate"] == pytest.approx(6 / 7)
    assert m["sign_on_time_rate"] == pytest.approx(2 / 3)
    assert m["response_rate"] == pytest.approx(2 / 4)
    assert m["close_rate"] == pytest.approx(2 / 4)  # M1, M2 of M1, M2, M5, M8 (M7 suspended)
    assert m["on_time_close_rate"] == pytest.approx(1 / 4)
    assert m["rework_rate"] == pytest.approx(1 / 3)
    assert m["extension_rate"] == pytest.approx(1 / 5)
    assert m["redispatch_rate"] == pytest.approx(1 / 6)  # of six dispatches
    assert m["self_handle_rate"] == pytest.approx(1 / 6)
    assert m["solve_rate"] == 1.0
    assert m["satisfaction_rate"] == pytest.approx(1 / 2)
    assert m["duplicate_rate"] == pytest.approx(5 / 8)
    assert r.overdue == 2  # M5 (handling) and M8 (unsigned) are past their deadlines today
    # Time to close: M6 20 min, M1 5 h, M2 25 h → median 5 h, P90 25 h (estimates within 10 %).
    close = r.durations["close"]
    assert close["n"] == 3
    assert close["median"] == pytest.approx(5, rel=0.1)
    assert close["p90"] == pytest.approx(25, rel=0.1)
    dispatch = r.durations["dispatch"]  # 30 min for each of the five first dispatches
    assert dispatch["n"] == 5 and dispatch["median"] == pytest.approx(0.5, rel=0.1)


def test_due_cohort_follows_the_deadline(history: dict, officer: Any) -> None:
    """The extension moved M8's deadline to Thursday: it is due then, not on Tuesday."""

    def due_on(day: dt.date) -> int:
        r = metrics.matter_metrics(officer, area="500103003", start=day, end=day)
        return r.counts["due"]

    assert due_on(D + dt.timedelta(days=1)) == 4  # M1, M2, M5, M7
    assert due_on(D + dt.timedelta(days=3)) == 1  # M8
    assert history["m8"].handle_due.date() == D + dt.timedelta(days=3)


def test_period_excludes_other_days(history: dict, officer: Any) -> None:
    r = metrics.matter_metrics(
        officer, area="500103003", start=D + dt.timedelta(days=1), end=D + dt.timedelta(days=1)
    )
    assert r.counts["created"] == 0 and r.counts["closed"] == 1 and r.counts["rated"] == 1
    assert [
        t["created"] for t in metrics.matter_metrics(officer, area="500103003", **PERIOD).trend
    ][:2] == [8, 0]


def _snapshot() -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """Every rollup row that counts something: {table: {key: values}}."""
    from zhili.matters.models import ROLLUP_COUNTERS

    dims = ("triage", "handling_mode")
    keys = {
        MatterAreaDay: ("area_path", "day", "category_id", "depth", *dims),
        MatterUnitDay: ("unit_id", "area_path", "day", "category_id", "depth", *dims),
        MatterDuration: ("area_path", "day", "unit_id", "category_id", "measure", "bucket", *dims),
        MatterAreaAll: ("area_path", "day", "depth"),
        MatterDurationAll: ("area_path", "day", "unit_id", "measure", "bucket"),
        MatterRollupState: ("matter_id",),
    }
    values = {
        MatterAreaDay: ROLLUP_COUNTERS,
        MatterUnitDay: ROLLUP_COUNTERS,
        MatterDuration: ("n",),
        MatterAreaAll: ROLLUP_COUNTERS,
        MatterDurationAll: ("n",),
        MatterRollupState: rollups.STATE_FIELDS,
    }
    out: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    for model, key in keys.items():
        rows = model.objects.values_list(*key, *values[model])
        out[model.__name__] = {
            r[: len(key)]: r[len(key) :]
            for r in rows
            if model is MatterRollupState or any(r[len(key) :])
        }
    return out


def _assert_sums_over_categories(snap: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]) -> None:
    """MatterAreaAll / MatterDurationAll are MatterAreaDay / MatterDuration summed over category,
    三事 and 四事, row for row (what the dashboard reads without a filter)."""
    area: dict[tuple[Any, ...], list[int]] = {}
    for (path, day, _cat, depth, _t, _m), values in snap["MatterAreaDay"].items():
        sums = area.setdefault((path, day, depth), [0] * len(values))
        for i, v in enumerate(values):
            sums[i] += v
    assert {k: tuple(v) for k, v in area.items() if any(v)} == snap["MatterAreaAll"]
    durations: dict[tuple[Any, ...], int] = {}
    for (path, day, unit, _cat, measure, bucket, _t, _m), (n,) in snap["MatterDuration"].items():
        key = (path, day, unit, measure, bucket)
        durations[key] = durations.get(key, 0) + n
    assert {k: (n,) for k, n in durations.items() if n} == snap["MatterDurationAll"]


def test_incremental_rollups_equal_the_rebuilt_ones(
    history: dict,
    officer: Any,
    handler: Any,
    police_handler: Any,
    unit: Unit,
    other_unit: Unit,
    category: Category,
    users: dict[str, Any],
) -> None:
    o = officer
    # Resume M7 two days later: every deadline moves by the time suspended; then finish it.
    m7 = s.matter_resume(actor=o, matter=history["m7"], at=at(2, 11))
    m7 = s.matter_sign(actor=handler, matter=m7, contacted=True, at=at(2, 11, 30))
    m7 = s.matter_report(actor=handler, matter=m7, result="已处理", at=at(2, 15))
    m7 = s.matter_verify(actor=o, matter=m7, passed=True, at=at(2, 16))
    m7 = s.matter_close(actor=o, matter=m7, at=at(2, 17))
    # Reopen M2 after the unsatisfied call-back: renewed limits; closed again and rated.
    m2 = s.matter_reopen(actor=o, matter=history["m2"], reason="群众不满意", at=at(3, 9))
    m2 = s.matter_sign(actor=handler, matter=m2, at=at(3, 9, 30))
    m2 = s.matter_report(actor=handler, matter=m2, result="再次处理", contacted=False, at=at(3, 12))
    m2 = s.matter_verify(actor=o, matter=m2, passed=True, at=at(3, 13))
    m2 = s.matter_close(actor=o, matter=m2, at=at(3, 14))
    s.matter_rate(actor=o, matter=m2, solved=True, satisfied=True, at=at(3, 15))
    # M9 private (私事) at triage; M10 returned and re-dispatched to another unit, extension
    # refused, suspended and resumed, then closed by that unit.
    s.matter_triage(
        actor=o,
        matter=new(o, category, at(4, 9)),
        triage=Triage.PRIVATE,
        reason="邻里私事，已指导",
        at=at(4, 9, 30),
    )
    m10 = new(o, category, at(4, 9), GRIDS[1])
    m10 = s.matter_triage(
        actor=o, matter=m10, triage=Triage.BIG, reason="涉及公共设施", at=at(4, 10)
    )
    m10 = s.matter_dispatch(actor=o, matter=m10, unit=unit, at=at(4, 10, 30))
    m10 = s.matter_return(actor=handler, matter=m10, reason="应由派出所处理", at=at(4, 11))
    m10 = s.matter_dispatch(actor=o, matter=m10, unit=other_unit, at=at(4, 11, 30))
    m10 = s.matter_extend(actor=police_handler, matter=m10, days=3, reason="需协调", at=at(4, 12))
    m10 = s.matter_approve_extension(actor=o, matter=m10, approved=False, at=at(4, 13))
    m10 = s.matter_suspend(actor=o, matter=m10, reason="等待当事人", at=at(4, 14))
    m10 = s.matter_resume(actor=o, matter=m10, at=at(5, 9))
    m10 = s.matter_sign(actor=police_handler, matter=m10, contacted=True, at=at(5, 9, 30))
    m10 = s.matter_report(actor=police_handler, matter=m10, result="已调解", at=at(5, 16))
    m10 = s.matter_verify(actor=o, matter=m10, passed=True, at=at(5, 17))
    s.matter_close(actor=o, matter=m10, at=at(6, 9))

    incremental = _snapshot()
    assert incremental["MatterUnitDay"] and incremental["MatterDuration"]
    _assert_sums_over_categories(incremental)
    call_command("rebuild_rollups", stdout=io.StringIO())
    rebuilt = _snapshot()
    for table, rows in incremental.items():
        assert rebuilt[table] == rows, table
    call_command("rebuild_rollups", "--batch", "3", stdout=io.StringIO())  # idempotent, batched
    assert _snapshot() == incremental

    r = metrics.matter_metrics(o, area="500103003", start=D, end=D + dt.timedelta(days=10))
    assert r.counts["reopened"] == 1 and r.counts["closed"] == 7  # M1, M2 ×2, M6, M7, M9, M10
    assert r.counts["due_suspended"] == 0 and r.counts["suspended"] == 2
    assert r.measures["satisfaction_rate"]["value"] == pytest.approx(2 / 3)


@pytest.fixture
def wanzhou_matter(users: dict[str, Any], category: Category) -> Matter:
    return new(users["wanzhou"], category, at(0, 10), "500101001")


API = "/api/v1/metrics/matters"
QS = f"from={D}&to={D + dt.timedelta(days=7)}"


def test_officers_see_only_their_subtree(
    history: dict, wanzhou_matter: Matter, client: Any, bearer: Any, login: Any
) -> None:
    yz = client.get(f"{API}?{QS}", headers=bearer("yuzhong")).json()
    assert yz["scope"]["area"]["name"] == "渝中区"
    assert yz["totals"]["counts"]["created"] == 8
    assert "万州区" not in {r["name"] for r in yz["rows"]}
    assert client.get(f"{API}?{QS}&area=500101", headers=bearer("yuzhong")).status_code == 404
    assert client.get(f"{API}?{QS}&area=500101001", headers=bearer("yuzhong")).status_code == 404

    wz = client.get(f"{API}?{QS}", headers=bearer("wanzhou")).json()
    assert wz["totals"]["counts"]["created"] == 1 and wz["scope"]["area"]["name"] == "万州区"

    city = client.get(f"{API}?{QS}", headers=bearer("city_admin")).json()
    assert city["totals"]["counts"]["created"] == 9
    created = {r["name"]: r["counts"]["created"] for r in city["rows"]}
    assert created["渝中区"] == 8 and created["万州区"] == 1
    assert {d["name"] for d in city["districts"]} >= {"渝中区", "万州区"}
    assert {d["name"] for d in yz["districts"]} == {"渝中区"}

    page = login("yuzhong").get(f"/matters/metrics/?{QS.replace('from', 'days=&from')}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "渝中区" in html and "解放碑街道" in html and "万州" not in html
    assert login("yuzhong").get("/matters/metrics/?area=500101").status_code == 404


def test_unit_staff_see_their_units_figures(
    history: dict, handler: Any, police_handler: Any, client: Any, login: Any
) -> None:
    r = metrics.matter_metrics(handler, **PERIOD)
    assert r.view.unit is not None and r.view.unit.name == "渝中区住房城乡建委"
    assert r.counts["dispatched"] == 5 and r.counts["created"] == 0  # counted from dispatch on
    assert r.counts["signed"] == 3 and r.counts["due"] == 5
    by_unit = metrics.matter_metrics(handler, by="unit", **PERIOD)
    assert [row["name"] for row in by_unit.rows] == ["渝中区住房城乡建委"]
    assert metrics.matter_metrics(police_handler, **PERIOD).counts["dispatched"] == 0
    page = login(handler.username).get("/matters/metrics/?days=&from=2026-03-02&to=2026-03-09")
    assert page.status_code == 200 and "渝中区住房城乡建委" in page.content.decode()


def test_by_unit_within_an_officers_area(history: dict, officer: Any) -> None:
    r = metrics.matter_metrics(officer, by="unit", **PERIOD)
    rows = {row["name"]: row for row in r.rows}
    assert set(rows) == {"渝中区住房城乡建委"}
    assert rows["渝中区住房城乡建委"]["counts"]["returned"] == 1
    assert rows["渝中区住房城乡建委"]["overdue"] == 2


def test_rankings_need_the_minimum_sample(history: dict, officer: Any, login: Any) -> None:
    r = metrics.matter_metrics(officer, area="500103003", **PERIOD)
    assert r.min_sample == 30 and all(row["rank"] is None for row in r.rows)
    html = login("yuzhong").get(f"/matters/metrics/?area=500103003&{QS}").content.decode()
    assert "样本不足" in html
    with override_settings(ZHILI_RANKING_MIN_SAMPLE=2):
        r = metrics.matter_metrics(officer, area="500103003", **PERIOD)
        first = r.rows[0]
        # 民生路社区 holds M1, M2, M5, M7, M8: 1 closed on time of 4 due (M7 suspended).
        assert first["name"] == "民生路社区" and first["rank"] == 1 and first["sample"] == 4
        assert first["measures"]["on_time_close_rate"]["value"] == pytest.approx(1 / 4)
        lianhua = next(row for row in r.rows if row["name"] == "莲花池社区")
        assert lianhua["rank"] is None and lianhua["counts"]["self_handled"] == 1
        html = login("yuzhong").get(f"/matters/metrics/?area=500103003&{QS}").content.decode()
        assert '<a href="/matters/metrics/?' in html and "area=500103003013" in html
    with override_settings(ZHILI_RANKING_MIN_SAMPLE=5):
        r = metrics.matter_metrics(officer, area="500103003", **PERIOD)
        assert all(row["rank"] is None for row in r.rows)


def test_drill_down_to_grids(history: dict, officer: Any) -> None:
    community = metrics.matter_metrics(officer, area="500103003013", **PERIOD)
    created = {row["name"]: row["counts"]["created"] for row in community.rows}
    assert created["民生路第1网格"] == 6 and created["民生路第2网格"] == 1
    assert [c.name for c in community.view.crumbs] == ["渝中区", "解放碑街道", "民生路社区"]
    grid = metrics.matter_metrics(officer, area="500103003013002", **PERIOD)
    assert grid.rows == [] and grid.counts["created"] == 1 and grid.counts["reworked"] == 1


def test_api_shape_and_errors(history: dict, client: Any, bearer: Any) -> None:
    h = bearer("yuzhong")
    body = client.get(f"{API}?{QS}&area=500103003&rank=satisfaction_rate", headers=h).json()
    assert set(body) == {
        "scope", "period", "by", "rank_by", "min_sample", "totals", "trend", "rows", "districts",
        "filters",
    }  # fmt: skip
    assert body["period"] == {"from": "2026-03-02", "to": "2026-03-09"}
    assert body["rank_by"] == "satisfaction_rate" and len(body["trend"]) == 8
    assert body["trend"][0] == {
        "day": "2026-03-02",
        "created": 8,
        "dispatched": 6,
        "closed": 2,
    }
    measures = {m["key"]: m for m in body["totals"]["measures"]}
    assert measures["close_rate"] == {
        "key": "close_rate", "label": "结案率", "value": 0.5, "numerator": 2, "denominator": 4
    }  # fmt: skip
    close = next(d for d in body["totals"]["durations"] if d["measure"] == "close")
    assert close["n"] == 3 and close["median_hours"] == pytest.approx(5, rel=0.1)
    row = body["rows"][0]
    assert set(row) >= {"key", "name", "drill", "rank", "sufficient_sample", "sample", "counts"}
    assert row["drill"] == row["key"] and row["sufficient_sample"] is False
    assert client.get(f"{API}?by=street", headers=h).status_code == 422
    bad = client.get(f"{API}?from=2026-03-09&to=2026-03-01", headers=h)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_period"
    assert client.get(f"{API}?from=yesterday", headers=h).status_code == 422
    assert client.get(API).status_code == 401
    from zhili.org.models import User

    User.objects.create(username="nobody_metrics")
    assert client.get(API, headers=bearer("nobody_metrics")).status_code == 403


def test_xlsx_export_opens(history: dict, login: Any) -> None:
    response = login("yuzhong").get(f"/matters/metrics/export.xlsx?area=500103003&{QS}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["诉求统计"]
    header = [c.value for c in ws[3]]
    assert header[:4] == ["排名", "区域", "受理数", "结案数"] and "按期结案率" in header
    by_unit = login("yuzhong").get(f"/matters/metrics/export.xlsx?by=unit&{QS}")
    unit_sheet = load_workbook(io.BytesIO(by_unit.content))["诉求统计"]
    assert [c.value for c in unit_sheet[3]][1:3] == ["单位", "派遣数"]
    assert [c.value for c in unit_sheet[4]][1:3] == ["渝中区住房城乡建委", 6]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["民生路社区"][0] == "样本不足" and rows["民生路社区"][2] == 7
    assert rows["合计"][2] == 8
    assert rows["合计"][header.index("结案率")] == pytest.approx(0.5)
    assert "指标口径" in wb.sheetnames


def test_the_charts_name_counts_not_actions_in_english(history: dict, login: Any) -> None:
    """结案 and 派遣 are both an action (a button: "Close", "Dispatch") and a count (a chart's
    legend: "Closed", "Dispatched"); the counts take the "counter" context."""
    client = login("yuzhong")
    client.cookies["django_language"] = "en"
    for query, volume in (("", "Received"), ("by=unit&", "Dispatched")):
        html = client.get(f"/matters/metrics/?{query}{QS}").content.decode()
        data = json.loads(html.split('id="metrics-data" type="application/json">')[1].split("<")[0])
        assert data["words"]["closed"] == "Closed" and data["volume_label"] == volume
        assert f"By sub-area: {volume} and closed" in html or "By responsible unit:" in html
        assert "Received and closed, by day" in html
    with translation.override("en"):
        assert gettext("结案") == "Close"  # the action's button keeps its verb


def test_metrics_page_without_data_and_for_a_street_worker(login: Any) -> None:
    page = login("jiefangbei").get("/matters/metrics/")
    html = page.content.decode()
    assert page.status_code == 200 and "解放碑街道" in html and "metrics-data" in html
    assert "区县分布" not in html  # no district map below the district level
    bad = login("jiefangbei").get("/matters/metrics/?days=&from=2026-03-09&to=2026-03-01")
    assert bad.status_code == 422
    assert (
        "开始日期不能晚于结束日期" in bad.content.decode()
        and "metrics-filter" in bad.content.decode()
    )
    assert login("jiefangbei").get("/matters/metrics/?days=abc").status_code == 422


def test_page_and_api_queries_do_not_grow_with_the_data(
    history: dict,
    wanzhou_matter: Matter,
    login: Any,
    client: Any,
    bearer: Any,
    category: Category,
    users: dict[str, Any],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page, headers = login("city_admin"), bearer("city_admin")

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as html:
            assert page.get(f"/matters/metrics/?{QS}").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert client.get(f"{API}?{QS}&by=unit", headers=headers).status_code == 200
        return len(html), len(api)

    counts()  # warm up: the token's first use is recorded once
    before = counts()
    assert max(before) <= 25
    for code in ("500101017", "500103001", "500103003016002"):  # more areas with figures
        new(users["city_admin"], category, at(1, 9), code)
    assert counts() == before


def test_an_officer_of_two_districts_starts_from_both(
    history: dict, wanzhou_matter: Matter, area: Any
) -> None:
    from zhili.org.models import Role, RoleGrant, User

    user = User.objects.create(username="two_districts")
    role = Role.objects.get(slug="district_officer")
    for code in ("500103", "500101"):
        RoleGrant.objects.create(user=user, role=role, area=area(code))
    r = metrics.matter_metrics(user, **PERIOD)
    assert r.view.area is None and r.counts["created"] == 9
    assert {row["name"]: row["counts"]["created"] for row in r.rows} == {"渝中区": 8, "万州区": 1}
    assert {d["name"] for d in r.districts} == {"渝中区", "万州区"}


def test_city_dashboard_api_reads_a_fixed_handful_of_queries(
    history: dict,
    wanzhou_matter: Matter,
    client: Any,
    bearer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """The city's dashboard by district: the roots, the district rollup rows (by path and by day),
    the district areas, the duration histograms and one grouped count of the overdue matters,
    besides the token and the grants (8 in all). The totals, the districts' map and the table
    share those rows."""
    headers = bearer("city_admin")
    assert client.get(f"{API}?{QS}", headers=headers).status_code == 200  # the token's first use
    with django_assert_max_num_queries(8) as captured:
        body = client.get(f"{API}?{QS}", headers=headers).json()
    reads = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in captured.captured_queries]
    # The rows summed over categories (0012): by path (totals, rows, map), by day; histograms.
    assert reads.count('"matters_matterareaall"') == 2
    assert reads.count('"matters_matterdurationall"') == 1  # the rows'; totals summed
    assert '"matters_matterareaday"' not in reads and '"matters_matterduration"' not in reads
    assert reads.count('"matters_matter"') == 1  # the live overdue counts: one grouped query
    from django.utils import timezone

    from zhili.matters.models import OPEN_STATUSES

    late = Matter.objects.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    by_district = {c: late.filter(district_code=c).count() for c in ("500103", "500101")}
    assert by_district["500103"] >= 2  # M5 and M8 at least (M7 is suspended)
    assert body["totals"]["counts"]["created"] == 9
    assert body["totals"]["overdue_open"] == late.count() == sum(by_district.values())
    rows = {r["key"]: r for r in body["rows"]}
    districts = {d["code"]: d for d in body["districts"]}
    for code, n in by_district.items():
        assert rows[code]["overdue_open"] == districts[code]["overdue"] == n
    assert districts["500103"]["rated"] == 2 and districts["500103"]["satisfaction"] == 0.5
    close = next(d for d in body["totals"]["durations"] if d["measure"] == "close")
    assert close["n"] == 3 and close["median_hours"] == pytest.approx(5, rel=0.1)


def test_combined_rollup_statements_stay_under_the_parameter_limit() -> None:
    """rollups._groups cuts a flush's statements into runs of at most the limit's parameters,
    in order, none lost; a statement bigger than the limit goes alone."""
    from zhili.matters.rollups import _groups

    statements = [(f"s{i}", [0] * n) for i, n in enumerate([10, 20, 5, 40, 1, 1])]
    runs = list(_groups(statements, 30))
    assert [[s for s, _p in run] for run in runs] == [["s0", "s1"], ["s2"], ["s3"], ["s4", "s5"]]
    assert [s for run in runs for s in run] == statements
    assert list(_groups([], 30)) == []


@pytest.mark.django_db
def test_a_live_flush_is_one_statement_text_whatever_its_rows() -> None:
    """On PostgreSQL a live event's upserts take one array per column (``unnest``): the same
    statement text for one row or many, so psycopg splits it once and the server prepares it
    (it was a VALUES list with a text per number of rows). The rows still land, summed."""
    from django.db import connection

    from zhili.matters.models import MatterAreaAll

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs VALUES lists; the arrays are PostgreSQL's")
    columns = ["area_path", "day", "depth", *rollups.ROLLUP_COUNTERS]
    counters = [1 if c == "created" else 0 for c in rollups.ROLLUP_COUNTERS]
    texts = []
    for paths in (["9/"], ["9/", "9/1/", "9/1/2/"]):
        writes = rollups.Writes()
        rows = [(p, dt.date(2026, 1, 5), p.count("/"), *counters) for p in paths]
        writes.add(MatterAreaAll, columns, ["area_path", "day"], rollups.ROLLUP_COUNTERS, rows)
        [(sql, params)] = writes.small
        assert len(params) == len(columns) and "VALUES" not in sql
        texts.append(sql)
        writes.run()
    assert texts[0] == texts[1]
    created = dict(
        MatterAreaAll.objects.filter(area_path__startswith="9/").values_list("area_path", "created")
    )
    assert created == {"9/": 2, "9/1/": 1, "9/1/2/": 1}
    # A value longer than its column is refused, as a VALUES insert refuses it (an array cast to
    # varchar(255) would cut it short without a word and add it to another row's counters).
    from django.db import DataError, transaction

    writes = rollups.Writes()
    rows = [("9/" + "x" * 300 + "/", dt.date(2026, 1, 5), 2, *counters)]
    writes.add(MatterAreaAll, columns, ["area_path", "day"], rollups.ROLLUP_COUNTERS, rows)
    with pytest.raises(DataError), transaction.atomic():
        writes.run()
