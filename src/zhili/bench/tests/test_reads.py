"""The read measures run on a small history made through the real services, and their limits (the
hand-written SQL, the GROUP BY over the facts) compute the same rows and the same numbers as the API.
No timing is asserted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from zhili.bench import reads
from zhili.bench.context import BenchContext
from zhili.matters import services as s
from zhili.matters.models import Matter
from zhili.org.models import Unit
from zhili.testing.factories import make_matter

pytestmark = pytest.mark.django_db
JIEFANGBEI_GRIDS = ["500103003013001", "500103003013002", "500103003016001"]
YUZHONG_STREET = "500103001"  # another street of 渝中区: the district user sees it, the street not
WANZHOU_STREET = "500101001"  # another district: only the city sees it


@pytest.fixture
def ctx(users: dict[str, Any]) -> BenchContext:
    return BenchContext(
        db=connection.vendor,
        database_url="",
        now=timezone.now(),
        users={"city": "city_admin", "district": "yuzhong", "street": "jiefangbei",
               "unit": "unit_yz_jw"},
        quick=True,
        say=lambda _msg: None,
    )  # fmt: skip


def _new(actor: Any, code: str, at: dt.datetime) -> Matter:
    return make_matter(actor, area=code, description="路灯不亮", at=at)


@pytest.fixture
def history(users: dict[str, Any]) -> list[Matter]:
    """Matters in three districts and every state the counters look at, from 20 days ago (so
    their handling deadlines fall inside the last 30 days) to now."""
    admin = users["city_admin"]
    unit = Unit.objects.get(name="渝中区住房城乡建委")
    start = timezone.now() - dt.timedelta(days=20)

    def at(hours: float) -> dt.datetime:
        return start + dt.timedelta(hours=hours)

    made = []
    codes = [*JIEFANGBEI_GRIDS * 3, *[YUZHONG_STREET] * 3, *[WANZHOU_STREET] * 2]
    for i, code in enumerate(codes):
        m = _new(admin, code, at(i))
        made.append(m)
        if i % 6 == 5:
            continue  # left 待受理
        if i % 6 == 4:
            s.matter_reject(actor=admin, matter=m, reason="不属实", at=at(i + 0.5))
            continue
        m = s.matter_accept(actor=admin, matter=m, at=at(i + 0.5))
        m = s.matter_dispatch(actor=admin, matter=m, unit=unit, at=at(i + 1))
        if i % 6 == 3:
            s.matter_suspend(actor=admin, matter=m, reason="等待鉴定", at=at(i + 2))
            continue
        if i % 6 == 2:
            m = s.matter_return(actor=admin, matter=m, reason="不属本单位", at=at(i + 2))
            s.matter_dispatch(actor=admin, matter=m, unit=unit, at=at(i + 3))
            continue  # open, past its deadline
        m = s.matter_sign(actor=admin, matter=m, contacted=True, at=at(i + 2))
        m = s.matter_report(actor=admin, matter=m, result="已修复", at=at(i + 3))
        m = s.matter_verify(actor=admin, matter=m, passed=i % 2 == 0, note="未修好", at=at(i + 4))
        if m.status != "verified":
            continue  # reworked: back to handling
        m = s.matter_close(actor=admin, matter=m, at=at(i + 5 + 24 * 10 * (i % 3 == 1)))
        s.matter_rate(actor=admin, matter=m, solved=True, satisfied=i % 4 == 0, at=at(i + 300))
    private = _new(admin, JIEFANGBEI_GRIDS[0], at(2))
    s.matter_triage(actor=admin, matter=private, triage="private", reason="邻里纠纷", at=at(2.2))
    return made


def test_lists_api_orm_and_sql_return_the_same_matters(ctx: BenchContext, history: list) -> None:
    figures = reads.measure_lists(ctx, n=2, page_size=2)
    pages = [f.extra for f in figures if f.extra]
    assert [(p["user"], p["page"] > 1) for p in pages] == [
        ("jiefangbei", False), ("jiefangbei", True), ("yuzhong", False), ("yuzhong", True),
    ]  # fmt: skip
    for p in pages:
        assert p["same_rows"], p["mismatch"]
        assert p["rows"] == 2
        assert (p["cursor_id"] is None) == (p["page"] == 1)
        assert p["orm_plan_key"] and p["sql_plan_key"]
    street, district = pages[0]["open_visible"], pages[2]["open_visible"]
    assert 0 < street < district  # the district user also sees the other street's matters
    assert all(f.value >= 0 for f in figures)


def test_list_sql_follows_the_unit_scope(ctx: BenchContext, users: dict[str, Any]) -> None:
    """When the user's own unit leads a matter outside the user's area, the hand-written SQL
    adds that branch as the ORM's visible_to does."""
    officer, admin = users["jiefangbei"], users["city_admin"]
    far = s.matter_accept(actor=admin, matter=_new(admin, WANZHOU_STREET, timezone.now()))
    s.matter_dispatch(actor=admin, matter=far, unit=officer.unit)
    _new(admin, JIEFANGBEI_GRIDS[0], timezone.now())
    sql, params = reads.list_sql(officer, before=None, limit=10)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        numbers = [r[1] for r in cursor.fetchall()]
    assert far.number in numbers and len(numbers) == 2
    assert numbers == list(
        Matter.objects.visible_to(officer).open().order_by("-id").values_list("number", flat=True)
    )


def test_dashboard_group_by_computes_the_page_numbers(ctx: BenchContext, history: list) -> None:
    figures = reads.measure_dashboard(ctx, n=2)
    info = figures[0].extra
    assert info["mismatch_count"] == 0, info["mismatches"]
    assert info["total_mismatches"] == {}
    facts = reads.groupby_counts(*[dt.date.fromisoformat(d) for d in info["period"]])
    yuzhong, wanzhou = facts["500103"], facts["500101"]
    assert yuzhong["created"] == 13 and wanzhou["created"] == 2  # with the private one (私事)
    for counter in (
        "accepted",
        "rejected",
        "dispatched",
        "redispatched",
        "closed",
        "rated",
        "satisfied",
        "reworked",
        "due",
        "due_closed",
        "due_suspended",
        "contacted",
    ):
        assert yuzhong[counter] > 0, counter  # fmt: skip
    assert yuzhong["due"] > yuzhong["due_closed"]  # some are still open past the deadline
    assert [f.unit for f in figures] == ["ms", "ms", "×"]


def test_compare_counts_lists_every_difference() -> None:
    page = {"500103": {"created": 3, "closed": 1}, "500101": {"created": 1}}
    facts = {"500103": {"created": 3, "closed": 2}, "500104": {"created": 1}}
    assert reads.compare_counts(page, facts) == [
        {"district": "500101", "counter": "created", "page": 1, "sql": 0},
        {"district": "500103", "counter": "closed", "page": 1, "sql": 2},
        {"district": "500104", "counter": "created", "page": 0, "sql": 1},
    ]


def test_detail_measure_reads_every_sampled_matter_with_a_constant_number_of_queries(
    ctx: BenchContext, history: list[Matter]
) -> None:
    from zhili.bench import detail

    numbers = detail.sample(ctx.users["district"])
    wanzhou = {m.number for m in Matter.objects.filter(area_path__contains=f"/{WANZHOU_STREET}/")}
    assert wanzhou and numbers and len(numbers) == len(set(numbers))
    assert not set(numbers) & wanzhou  # only the district user's own matters are sampled
    for n in numbers:  # the SQL limit reads the matter and at least its submit event
        assert detail.plain_sql(n) >= 2
    figures = detail.measure_detail(ctx, rounds=1)
    info = figures[0].extra
    assert info["matters"] == len(numbers)
    assert info["api_queries"]["min"] == info["api_queries"]["max"]
    by_status = info["page_queries_by_status"]
    assert len(by_status) >= 4 and all(len(counts) == 1 for counts in by_status.values())
    assert [f.name for f in figures if f.target] == ["one matter, API p95", "one matter, page p95"]
    frame = figures[-1]
    assert frame.name.startswith("signed-in page frame") and frame.value > 0
    assert info["frame_ms"]["n"] == info["page_ms"]["n"]  # as many frames as pages, same rounds
