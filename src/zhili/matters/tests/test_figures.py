"""Rates never above 100 %: each measure's numerator counts a subset of its denominator's cases,
on the same day and in the same area and unit, for every reader (report, API, xlsx export).

The stories are those of issue 11: a unit that receives matters other units returned (大坪街道办事处
300 %), a community whose contacts fall in a period after the dispatches (朝天门街道 110 %), a matter
extended twice, a matter re-dispatched twice, duplicates merged the day after they came in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zhili.areas.models import Area
from zhili.matters import metrics
from zhili.matters import services as s
from zhili.matters.models import Category, HandlingMode, Matter
from zhili.matters.tests.figures import (
    api_figures,
    export_figures,
    find,
    problems,
    report_figures,
)
from zhili.org.models import Unit, UnitType

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 3, 2)  # a Monday
GRID1, GRID2 = "500103003013001", "500103003013002"  # 民生路第1、2网格
LIANHUA = "500103003016001"  # 莲花池第1网格
STREET = "500103003"  # 解放碑街道


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 2 + day, hour, minute, tzinfo=TZ)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


@pytest.fixture
def category(db: Any) -> Category:
    """Clock-hour limits: dispatch 4 h, sign 1 h, contact 2 h, handle 24 h."""
    group = Category.objects.filter(parent=None).first()
    return Category.objects.create(
        code="figures-test",
        name="口径测试",
        parent=group,
        topic=group.topic,
        handling_mode=HandlingMode.URGENT,
        limits={"dispatch": [4, "h"], "sign": [1, "h"], "contact": [2, "h"], "handle": [24, "h"]},
    )


@pytest.fixture
def units(db: Any) -> dict[str, Unit]:
    dp = Unit.objects.create(
        name="大坪街道办事处", type=UnitType.DEPARTMENT, area=Area.objects.get(code="500103012")
    )
    return {
        "建委": Unit.objects.get(name="渝中区住房城乡建委"),
        "派出所": Unit.objects.get(name="解放碑派出所"),
        "大坪": dp,
    }


@pytest.fixture
def officer(users: dict[str, Any]) -> Any:
    return users["yuzhong"]


def new(
    officer: Any, category: Category, when: dt.datetime, grid: str = GRID1, text: str = ""
) -> Matter:
    return s.matter_create(
        actor=officer,
        category=category,
        channel="staff",
        description=text or f"口径测试 {when:%d%H%M}",
        area=Area.objects.get(code=grid),
        reporter_name="张三",
        reporter_phone="13800138000",
        at=when,
    )


def dispatched(o: Any, m: Matter, unit: Unit, when: dt.datetime) -> Matter:
    m = s.matter_accept(actor=o, matter=m, at=when - dt.timedelta(minutes=10))
    return s.matter_dispatch(actor=o, matter=m, unit=unit, at=when)


def every_reader(officer: Any, bearer: Any, client: Any, **query: Any) -> list[Any]:
    """The figures of the report, its xlsx export and the API for the same query."""
    r = metrics.matter_metrics(officer, **query)
    params = {"area": query.get("area", ""), "by": query.get("by", "area")}
    params["from"], params["to"] = query["start"].isoformat(), query["end"].isoformat()
    body = client.get("/api/v1/metrics/matters", params, headers=bearer(officer.username)).json()
    return report_figures(r) + export_figures(r) + api_figures(body)


def test_response_rate_counts_each_dispatched_matter_once_for_its_unit_and_deadline_day(
    officer: Any, category: Category, units: dict[str, Unit], bearer: Any, client: Any
) -> None:
    o, jw, police, dp = officer, units["建委"], units["派出所"], units["大坪"]
    # Three matters 建委 returned, re-dispatched to 大坪, which contacts the residents on time
    # (contact due 11:30): before, 大坪 showed 3 on-time contacts over 1 first dispatch: 300 %.
    for _ in range(3):
        m = dispatched(o, new(o, category, at(0, 9)), jw, at(0, 9, 30))
        m = s.matter_return(actor=o, matter=m, reason="不属本单位", at=at(0, 9, 40))
        m = s.matter_dispatch(actor=o, matter=m, unit=dp, at=at(0, 9, 50))
        s.matter_sign(actor=o, matter=m, contacted=True, at=at(0, 10))
    dispatched(o, new(o, category, at(0, 9)), dp, at(0, 9, 30))  # never contacted
    # 莲花池: two matters dispatched late on day 0 (contact due day 1, 01:00), contacted on time
    # after midnight; one dispatched on day 1 and not contacted. Day 1 showed 2 ÷ 1 = 200 %.
    for _ in range(2):
        m = dispatched(o, new(o, category, at(0, 21), LIANHUA), police, at(0, 23))
        s.matter_sign(actor=o, matter=m, contacted=True, at=at(1, 0, 30))
    dispatched(o, new(o, category, at(1, 9), LIANHUA), police, at(1, 9, 30))

    by_unit = every_reader(o, bearer, client, start=day(0), end=day(1), by="unit")
    assert problems(by_unit) == []
    assert find(by_unit, "大坪街道办事处", "response_rate").value == pytest.approx(3 / 4)
    f = find(by_unit, "大坪街道办事处", "response_rate", "report")
    assert (f.num, f.den) == (3, 4)  # the four matters 大坪 leads whose contact fell due
    f = find(by_unit, "解放碑派出所", "response_rate", "report")
    assert (f.num, f.den) == (2, 3)
    assert find(by_unit, "渝中区住房城乡建委", "response_rate", "report").den == 0

    day1 = every_reader(o, bearer, client, area=STREET, start=day(1), end=day(1))
    assert problems(day1) == []
    f = find(day1, "莲花池社区", "response_rate", "report")
    assert (f.num, f.den) == (2, 3)  # the contacts due on day 1, whenever dispatched
    day0 = every_reader(o, bearer, client, area=STREET, start=day(0), end=day(0))
    assert find(day0, "民生路社区", "response_rate", "report")[3:5] == (3, 4)
    assert find(day0, "莲花池社区", "response_rate", "report").den == 0


def test_a_late_contact_stays_late_after_a_suspension(
    officer: Any, category: Category, units: dict[str, Unit]
) -> None:
    """Resuming moves the pending deadlines by the time suspended, not a contact deadline already
    met or missed: a resident called half an hour late stays called late."""
    o = officer
    m = dispatched(o, new(o, category, at(0, 9)), units["建委"], at(0, 9, 30))
    m = s.matter_sign(actor=o, matter=m, contacted=True, at=at(0, 12))  # due 11:30
    contact_due = m.contact_due
    m = s.matter_suspend(actor=o, matter=m, reason="等待鉴定", at=at(0, 13))
    m = s.matter_resume(actor=o, matter=m, at=at(1, 13))
    assert m.contact_due == contact_due and m.handle_due == at(1, 9, 30) + dt.timedelta(days=1)
    rate = metrics.matter_metrics(o, area=STREET, start=day(0), end=day(3)).measures
    assert rate["response_rate"]["numerator"] == 0 and rate["response_rate"]["denominator"] == 1


def test_extension_and_redispatch_rates_count_matters_and_dispatches_once(
    officer: Any, category: Category, units: dict[str, Unit], bearer: Any, client: Any
) -> None:
    o, jw, police, dp = officer, units["建委"], units["派出所"], units["大坪"]
    # Extended twice: before, 2 extensions ÷ 1 first dispatch = 200 %.
    m = dispatched(o, new(o, category, at(0, 9)), jw, at(0, 9, 30))
    for minute in (40, 50):
        m = s.matter_extend(actor=o, matter=m, days=1, reason="需采购配件", at=at(0, 9, minute))
        m = s.matter_approve_extension(actor=o, matter=m, approved=True, at=at(0, 9, minute + 5))
    # Returned twice and re-dispatched twice: before, 2 ÷ 1 = 200 % (and 大坪, which received
    # only a re-dispatch, 1 ÷ 0).
    m = dispatched(o, new(o, category, at(0, 9), GRID2), jw, at(0, 9, 30))
    m = s.matter_return(actor=o, matter=m, reason="不属本单位", at=at(0, 9, 40))
    m = s.matter_dispatch(actor=o, matter=m, unit=police, at=at(0, 9, 45))
    m = s.matter_return(actor=o, matter=m, reason="不属本单位", at=at(0, 9, 50))
    s.matter_dispatch(actor=o, matter=m, unit=dp, at=at(0, 9, 55))

    period = {"start": day(0), "end": day(10)}
    by_area = every_reader(o, bearer, client, area=STREET, **period)
    by_unit = every_reader(o, bearer, client, by="unit", **period)
    assert problems(by_area) == [] and problems(by_unit) == []
    f = find(by_area, "合计", "extension_rate", "report")
    assert (f.num, f.den) == (1, 2)  # one of the two matters due was extended
    f = find(by_area, "合计", "redispatch_rate", "report")
    assert (f.num, f.den) == (2, 4)  # 2 re-dispatches of 4 dispatches
    f = find(by_unit, "大坪街道办事处", "redispatch_rate", "report")
    assert (f.num, f.den) == (1, 1)
    f = find(by_unit, "渝中区住房城乡建委", "extension_rate", "report")
    assert (f.num, f.den) == (1, 1)


def test_duplicate_rate_counts_a_repeat_on_the_day_it_came_in(
    officer: Any, category: Category, bearer: Any, client: Any
) -> None:
    o = officer
    first = new(o, category, at(3, 9), text="民族路5号路灯不亮")
    second = new(o, category, at(3, 10), text="民族路5号路灯坏了")
    kept = new(o, category, at(4, 8), text="民族路5号路灯不亮，晚上很黑")
    for m in (first, second):
        s.matter_merge(actor=o, matter=m, into=kept, at=at(4, 9))
    # Before, day 4 showed 2 merges ÷ 1 matter received = 200 %.
    day4 = every_reader(o, bearer, client, area=STREET, start=day(4), end=day(4))
    assert problems(day4) == []
    f = find(day4, "合计", "duplicate_rate", "report")
    assert (f.num, f.den) == (1, 1)  # the third report repeats the first two
    day3 = every_reader(o, bearer, client, area=STREET, start=day(3), end=day(3))
    f = find(day3, "合计", "duplicate_rate", "report")
    assert (f.num, f.den) == (2, 2)  # the first merged, the second merged and a repeat


def test_the_docs_define_each_measure_as_computed() -> None:
    """docs/matters.md "Measures" names each measure's numerator ÷ denominator as MEASURES does."""
    doc = (Path(__file__).resolve().parents[4] / "docs" / "matters.md").read_text()
    section = doc.split("### Measures", 1)[1].split("\n### ", 1)[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| [^|]+ \| `(\w+)` \| ([^|]+) \|$", section, re.M)
    }

    def side(terms: dict[str, int]) -> set[tuple[str, int]]:
        return set(terms.items())

    def parse(text: str) -> set[tuple[str, int]]:
        out, sign = set(), 1
        for token in re.findall(r"[a-z_]+|[+−-]", text):
            if token in "+−-":
                sign = 1 if token == "+" else -1
            else:
                out.add((token, sign))
        return out

    for m in metrics.MEASURES:
        assert m.key in rows, m.key
        num, den = rows[m.key].split("÷")
        assert parse(num) == side(m.num), m.key
        assert parse(den) == side(m.den), m.key


def test_the_row_of_matters_registered_at_the_area_itself_shows_their_durations_and_overdue(
    officer: Any, category: Category, units: dict[str, Unit], client: Any, bearer: Any
) -> None:
    """朝天门街道's matters registered at the street, not in a community, have their own row
    (本级): its times and its overdue count are theirs, not empty and 0."""
    o, street = officer, "500103010"
    m = dispatched(o, new(o, category, at(0, 9), street), units["建委"], at(0, 9, 30))
    m = s.matter_sign(actor=o, matter=m, contacted=True, at=at(0, 10))
    m = s.matter_report(actor=o, matter=m, result="已处理", at=at(0, 12))
    m = s.matter_verify(actor=o, matter=m, passed=True, at=at(0, 13))
    s.matter_close(actor=o, matter=m, at=at(0, 14))
    dispatched(o, new(o, category, at(0, 9), street), units["建委"], at(0, 9, 30))  # overdue
    r = metrics.matter_metrics(o, area=street, start=day(0), end=day(1))
    [own] = [row for row in r.rows if row["key"] == ""]
    assert own["name"] == "本级（未细分到下级区域）"
    assert own["durations"]["close"]["n"] == 1
    assert own["durations"]["close"]["median"] == pytest.approx(5, rel=0.1)
    assert own["overdue"] == 1 == r.overdue
    body = client.get(
        "/api/v1/metrics/matters",
        {"area": street, "from": day(0).isoformat(), "to": day(1).isoformat()},
        headers=bearer(o.username),
    ).json()
    [row] = [row for row in body["rows"] if row["key"] == ""]
    assert row["overdue_open"] == 1
    assert next(d for d in row["durations"] if d["measure"] == "close")["n"] == 1
