"""平安创建 scoring: a case computed by hand, a veto, and the page over real facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhili.indicators.creation import DEFAULT_ITEMS, DEFAULT_VETOES, Facts, creation_compute
from zhili.testing.factories import YUZHONG


class Sheet:
    pass_line = Decimal(90)
    items = DEFAULT_ITEMS
    vetoes = DEFAULT_VETOES


def facts(**kw: Any) -> Facts:
    base = Facts(
        rates={"matters:on_time_close_rate": 0.95, "matters:satisfaction_rate": 0.775,
               "disputes:success_rate": None},
        samples={"matters:on_time_close_rate": 40, "matters:satisfaction_rate": 20},
        totals={"petition_visits": Decimal(10)},
        previous={"petition_visits": Decimal(12)},
        components={},
    )  # fmt: skip
    for k, v in kw.items():
        setattr(base, k, v)
    return base


def test_a_score_by_hand() -> None:
    # Items with data: 按期结案率 (30), 满意率 (30), 信访不上升 (20); 调解成功率 has no data and
    # is left out, so the three are rescaled to 100: 30/80 → 37.50, 30/80 → 37.50, 20/80 → 25.00.
    # 按期结案率 95 % ≥ 95 % → 37.50; 满意率 77.5 % is half-way from 60 % to 95 % → 18.75;
    # 信访 10 ≤ 12 → 25.00. Total 81.25 < 90 → 未达标.
    r = creation_compute(Sheet(), facts())
    assert r.total == Decimal("81.25") and r.grade == "未达标" and not r.vetoed
    items = {e["title"]: e for e in r.explanation if e["kind"] == "item"}
    assert items["诉求按期结案率"]["points"] == "37.50"
    assert items["群众满意率（回访）"]["points"] == "18.75"
    assert items["信访总人次同比不上升"]["points"] == "25.00"
    assert [e["title"] for e in r.explanation if e["kind"] == "no_data"] == ["矛盾纠纷调解成功率"]
    full = creation_compute(Sheet(), facts(rates={"matters:on_time_close_rate": 1.0,
                                                  "matters:satisfaction_rate": 0.96,
                                                  "disputes:success_rate": 0.97}))  # fmt: skip
    assert full.total == Decimal("100.00") and full.grade == "达标"


def test_a_veto_caps_the_score() -> None:
    r = creation_compute(Sheet(), facts(components={"eight_crimes": {"杀人": 1}}))
    assert r.vetoed and r.total == 0 and r.grade == "一票否决"
    veto = next(e for e in r.explanation if e["kind"] == "veto")
    assert veto["title"] == "发生命案" and veto["points"] == "-81.25"


def test_the_page_scores_the_streets(login: Any) -> None:
    year = timezone.localdate().year
    page = login("yuzhong").get(f"/indicators/creation/?area={YUZHONG}&year={year}")
    body = page.content.decode()
    assert page.status_code == 200 and "解放碑街道" in body and "达标线" in body
    bad = login("yuzhong").get(f"/indicators/creation/?area=500103003013&year={year}")
    assert "请选择区县" in bad.content.decode()
    assert dt.date.today()  # the page reads the modules' own figures (see creation.facts_for)


def test_the_pass_line_is_configurable(login: Any) -> None:
    from zhili.indicators.creation import sheet_for

    year = timezone.localdate().year
    url = f"/indicators/creation/?area={YUZHONG}&year={year}"
    bad = login("city_admin").post(url, {"pass_line": "120"})
    assert bad.status_code == 200 and "不能超过 100" in bad.content.decode()
    assert login("city_admin").post(url, {"pass_line": "85"}).status_code == 302
    assert sheet_for(year, "street").pass_line == 85
    assert login("yuzhong").post(url, {"pass_line": "60"}).status_code == 403
