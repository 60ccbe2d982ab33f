"""Measures of matters: hand-computed figures on a small history, scoping, rankings, the API, the
page, the xlsx export, and rollups kept incrementally equal to rollups rebuilt from the events."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from openpyxl import load_workbook

from zhili.areas.models import Area
from zhili.matters import metrics, rollups
from zhili.matters import services as s
from zhili.matters.models import (
    Category,
    HandlingMode,
    Matter,
    MatterAreaDay,
    MatterDuration,
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
    m = {k: v["value"] for k, v in r.measures.items()}
    assert m["accept_rate"] == pytest.approx(6 / 7)
    assert m["sign_on_time_rate"] == pytest.approx(2 / 3)
    assert m["response_rate"] == pytest.approx(2 / 5)
    assert m["close_rate"] == pytest.approx(2 / 4)  # M1, M2 of M1, M2, M5, M8 (M7 suspended)
    assert m["on_time_close_rate"] == pytest.approx(1 / 4)
    assert m["rework_rate"] == pytest.approx(1 / 3)
    assert m["extension_rate"] == pytest.approx(1 / 5)
    assert m["redispatch_rate"] == pytest.approx(1 / 5)
    assert m["self_handle_rate"] == pytest.approx(1 / 6)
    assert m["solve_rate"] == 1.0
    assert m["satisfaction_rate"] == pytest.approx(1 / 2)
    assert m["duplicate_rate"] == pytest.approx(1 / 8)
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

    keys = {
        MatterAreaDay: ("area_path", "day", "category_id", "depth"),
        MatterUnitDay: ("unit_id", "area_path", "day", "category_id", "depth"),
        MatterDuration: ("area_path", "day", "unit_id", "category_id", "measure", "bucket"),
        MatterRollupState: ("matter_id",),
    }
    values = {
        MatterAreaDay: ROLLUP_COUNTERS,
        MatterUnitDay: ROLLUP_COUNTERS,
        MatterDuration: ("n",),
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
