"""Indicators: values entered and imported (all or nothing, row-numbered errors), revisions kept,
figures summed over the tree; the survey's rate and interval against a worked example."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zhili.core.errors import ValidationFailed
from zhili.core.events import AppendOnlyError
from zhili.indicators import selectors, services
from zhili.indicators.imports import workbook
from zhili.indicators.models import Indicator, IndicatorRevision
from zhili.indicators.survey import rate_of
from zhili.testing.factories import JIEFANGBEI, WANZHOU, YUZHONG

SCALE = ["很安全", "安全", "基本安全", "不太安全", "不安全"]
HEAD = ["指标代码", "区域代码", "年份", "月份", "数值", "来源"]


def test_worked_example_unweighted() -> None:
    # 12 answers: 很安全 4, 安全 3, 基本安全 1, 不太安全 1, 不安全 1, 拒答 1, blank 1.
    # Valid n = 10 (the two off the scale are invalid); positive = 4 + 3 + 1 = 8; p = 8/10 = 0.8.
    # Wilson, 95 %: z = 1.959964, z² = 3.841459, z²/n = 0.3841459, denominator 1 + z²/n = 1.3841459
    # centre = (p + z²/2n) / denom = (0.8 + 0.1920729) / 1.3841459 = 0.716740
    # half   = z/denom × √(p(1−p)/n + z²/4n²) = 1.416009 × √(0.016 + 0.0096036)
    #        = 1.416009 × 0.1600113 = 0.226578
    # interval = 0.716740 ∓ 0.226578 = [0.490162, 0.943318]
    answers = [("很安全", None)] * 4 + [("安全", None)] * 3
    answers += [
        ("基本安全", None),
        ("不太安全", None),
        ("不安全", None),
        ("拒答", None),
        ("", None),
    ]
    r = rate_of(answers, scale=SCALE, positive=SCALE[:3])
    assert (r.valid, r.invalid, r.positive) == (10, 2, 8)
    assert r.rate == pytest.approx(0.8)
    assert r.n_eff == pytest.approx(10)
    assert r.low == pytest.approx(0.490162, abs=1e-6)
    assert r.high == pytest.approx(0.943318, abs=1e-6)


def test_worked_example_weighted_kish() -> None:
    # 很安全 w=2, 安全 w=1, 不安全 w=1, 拒答 w=3 (invalid, left out).
    # p = (2+1)/(2+1+1) = 0.75; Kish n_eff = (Σw)²/Σw² = 16/6 = 2.666667
    # z²/n = 3.841459/2.666667 = 1.440547, denom = 2.440547
    # centre = (0.75 + 0.720274)/2.440547 = 0.602436
    # half = (1.959964/2.440547) × √(0.1875/2.666667 + 3.841459/28.444444)
    #      = 0.803083 × √(0.0703125 + 0.135051) = 0.803083 × 0.453171 = 0.363934
    # interval = [0.238502, 0.966370]
    r = rate_of(
        [("很安全", 2), ("安全", 1), ("不安全", 1), ("拒答", 3)], scale=SCALE, positive=SCALE[:3]
    )
    assert r.weighted and r.rate == pytest.approx(0.75)
    assert r.n_eff == pytest.approx(16 / 6)
    assert r.low == pytest.approx(0.238502, abs=1e-6)
    assert r.high == pytest.approx(0.966370, abs=1e-6)


def test_no_valid_answer_has_no_rate() -> None:
    r = rate_of([("拒答", None)], scale=SCALE, positive=SCALE[:3])
    assert r.rate is None and r.low is None and r.invalid == 1


@pytest.mark.django_db
def test_value_revisions_are_kept(users: Any, area: Any) -> None:
    ind = Indicator.objects.get(code="petition_visits")
    u = users["yuzhong"]
    v = services.value_set(actor=u, indicator=ind, area=area(YUZHONG), year=2030, month=1,
                           value=12, source="区信访办")  # fmt: skip
    v = services.value_set(actor=u, indicator=ind, area=area(YUZHONG), year=2030, month=1,
                           value=15, source="区信访办（更正）", note="补录")  # fmt: skip
    assert v.version == 2 and v.value == 15
    revs = list(IndicatorRevision.objects.filter(value=v).order_by("version"))
    assert [(r.version, r.amount) for r in revs] == [(1, Decimal(12)), (2, Decimal(15))]
    with pytest.raises(AppendOnlyError):
        revs[0].delete()


@pytest.mark.django_db
def test_components_sum_and_mismatch(users: Any, area: Any) -> None:
    ind = Indicator.objects.get(code="eight_crimes")
    v = services.value_set(actor=users["yuzhong"], indicator=ind, area=area(YUZHONG), year=2030,
                           month=2, components={"杀人": 1, "抢劫": 2}, source="公安分局")  # fmt: skip
    assert v.value == 3
    with pytest.raises(ValidationFailed, match="构成项之和"):
        services.value_set(actor=users["yuzhong"], indicator=ind, area=area(YUZHONG), year=2030,
                           month=3, value=5, components={"杀人": 1}, source="公安分局")  # fmt: skip


@pytest.mark.django_db
def test_one_level_per_indicator_and_month(users: Any, area: Any) -> None:
    ind = Indicator.objects.get(code="safety_accidents")
    services.value_set(actor=users["yuzhong"], indicator=ind, area=area(YUZHONG), year=2030,
                       month=4, value=1, source="应急局")  # fmt: skip
    with pytest.raises(ValidationFailed, match="只在一级填报"):
        services.value_set(actor=users["yuzhong"], indicator=ind, area=area(JIEFANGBEI),
                           year=2030, month=4, value=1, source="应急局")  # fmt: skip


@pytest.mark.django_db
def test_out_of_scope_value_is_refused(users: Any, area: Any) -> None:
    from zhili.core.errors import NotFound

    ind = Indicator.objects.get(code="safety_deaths")
    with pytest.raises(NotFound):
        services.value_set(actor=users["yuzhong"], indicator=ind, area=area(WANZHOU), year=2030,
                           month=1, value=1, source="x")  # fmt: skip


@pytest.mark.django_db
def test_import_all_or_nothing_with_row_numbers(users: Any) -> None:
    data = workbook([*HEAD, "杀人"], [
        ["petition_visits", YUZHONG, 2030, 5, 7, "信访办", None],
        ["no_such", YUZHONG, 2030, 5, 1, "x", None],
        ["eight_crimes", YUZHONG, 2030, 5, 9, "公安", 2],
        ["petition_visits", WANZHOU, 2030, 5, 1, "x", None],
        ["petition_visits", YUZHONG, 2030, 13, 1, "x", None],
    ])  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.values_import(actor=users["yuzhong"], data=data)
    rows = {e["row"]: e["message"] for e in exc.value.detail}
    assert set(rows) == {3, 4, 5, 6}
    assert "不存在" in rows[3] and "构成项之和" in rows[4] and "权限" in rows[5]
    assert "月份" in rows[6]
    assert not selectors.values_visible(users["yuzhong"]).filter(year=2030, month=5).exists()
    good = workbook([*HEAD, "杀人", "抢劫"], [
        ["petition_visits", YUZHONG, 2030, 5, 7, "信访办", None, None],
        ["eight_crimes", JIEFANGBEI, 2030, 5, None, "公安", 2, 1],
    ])  # fmt: skip
    written = services.values_import(actor=users["yuzhong"], data=good)
    assert [w.value for w in written] == [7, 3]


@pytest.mark.django_db
def test_import_bad_file_is_a_clear_error(users: Any) -> None:
    with pytest.raises(ValidationFailed, match="xlsx"):
        services.values_import(actor=users["yuzhong"], data=b"not a workbook")


@pytest.mark.django_db
def test_figures_sum_the_subtree_and_children(users: Any, area: Any) -> None:
    ind = Indicator.objects.get(code="petition_visits")
    u = users["city_admin"]
    for code, month, n in ((YUZHONG, 1, 4), (YUZHONG, 2, 6), (WANZHOU, 1, 5)):
        services.value_set(actor=u, indicator=ind, area=area(code), year=2030, month=month,
                           value=n, source="信访办")  # fmt: skip
    services.value_set(actor=u, indicator=ind, area=area(YUZHONG), year=2029, month=1, value=3,
                       source="信访办")  # fmt: skip
    city = selectors.root_area()
    f = selectors.figures(u, city, 2030)
    assert f.totals["petition_visits"] == 15
    assert f.children[YUZHONG]["petition_visits"] == 10
    assert f.children[WANZHOU]["petition_visits"] == 5
    assert f.by_month["petition_visits"] == {1: 9, 2: 6}
    assert f.previous["petition_visits"] == 3
    # The district officer sees only his district.
    assert selectors.figures(users["yuzhong"], city, 2030).totals["petition_visits"] == 10


def _responses(answers: list[str], weights: list[Any] | None = None) -> bytes:
    rows = [[f"R{i}", a, (weights[i] if weights else None)] for i, a in enumerate(answers)]
    return workbook(["样本编号", "回答", "权重"], rows)


@pytest.mark.django_db
def test_survey_import_rate_and_year_on_year(users: Any, area: Any) -> None:
    u = users["yuzhong"]
    inst = services.default_instrument()
    w30 = services.wave_create(actor=u, instrument=inst, area=area(YUZHONG), year=2030, planned=12)
    w29 = services.wave_create(actor=u, instrument=inst, area=area(YUZHONG), year=2029)
    answers = ["很安全"] * 4 + ["安全"] * 3 + ["基本安全", "不太安全", "不安全", "拒答", ""]
    assert services.responses_import(actor=u, wave=w30, data=_responses(answers)) == 12
    services.responses_import(actor=u, wave=w29, data=_responses(["很安全", "不安全"]))
    row = selectors.survey_rate(u, area(YUZHONG), 2030)
    assert row is not None and row.rate.rate == pytest.approx(0.8)
    assert row.rate.low == pytest.approx(0.490162, abs=1e-6)
    assert row.previous.rate == pytest.approx(0.5)
    assert row.change == pytest.approx(30.0)
    # The city pools its districts' samples (only 渝中 has one here).
    city = selectors.survey_rate(users["city_admin"], selectors.root_area(), 2030)
    assert city is not None and city.rate.valid == 10
    assert [
        r.area.code
        for r in selectors.survey_children(users["city_admin"], selectors.root_area(), 2030)
    ] == [YUZHONG]


@pytest.mark.django_db
def test_survey_import_errors(users: Any, area: Any) -> None:
    u = users["yuzhong"]
    wave = services.wave_create(actor=u, instrument=services.default_instrument(),
                                area=area(YUZHONG), year=2030)  # fmt: skip
    with pytest.raises(ValidationFailed, match="全部填写"):
        services.responses_import(actor=u, wave=wave, data=_responses(["安全", "安全"], [1, None]))
    bad = workbook(
        ["样本编号", "回答", "权重"], [["A", "安全", 1], ["A", "安全", -1], ["", "安全", 2]]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.responses_import(actor=u, wave=wave, data=bad)
    assert {e["row"] for e in exc.value.detail} == {3, 4}
    assert wave.responses.count() == 0


@pytest.mark.django_db
def test_import_refuses_two_levels_and_revises(users: Any, area: Any) -> None:
    ind = Indicator.objects.get(code="safety_accidents")
    services.value_set(actor=users["yuzhong"], indicator=ind, area=area(YUZHONG), year=2030,
                       month=7, value=1, source="应急局")  # fmt: skip
    clash = workbook(HEAD, [["safety_accidents", JIEFANGBEI, 2030, 7, 1, "应急局"],
                            ["safety_accidents", JIEFANGBEI, 2030, 8, 1, "应急局"]])  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.values_import(actor=users["yuzhong"], data=clash)
    assert [e["row"] for e in exc.value.detail] == [2]
    revise = workbook(HEAD, [["safety_accidents", YUZHONG, 2030, 7, 2, "应急局（更正）"]])
    (v,) = services.values_import(actor=users["yuzhong"], data=revise)
    assert v.version == 2 and [r.amount for r in v.revisions.order_by("version")] == [1, 2]


@pytest.mark.django_db
def test_survey_overview_pools_per_district_in_a_fixed_number_of_queries(
    users: Any, area: Any, django_assert_max_num_queries: Any
) -> None:
    """The city row and one row per district, with weights, from grouped reads: the same rates
    as each district's own ``survey_rate`` (and as the arithmetic on the single answers), and
    the number of queries does not grow with the districts."""
    from zhili.indicators.survey import rate_of

    admin, inst = users["city_admin"], services.default_instrument()
    samples = {
        YUZHONG: (["很安全", "安全", "不安全", "拒答"], [1.5, 0.5, 2, 1]),
        WANZHOU: (["基本安全", "很不安全", "安全"], [1, 1, 3]),
        "500105": (["安全"] * 3 + ["不太安全"], None),
    }
    for code, (answers, weights) in samples.items():
        wave = services.wave_create(actor=admin, instrument=inst, area=area(code), year=2030,
                                    planned=len(answers))  # fmt: skip
        services.responses_import(actor=admin, wave=wave, data=_responses(answers, weights))
    city = selectors.root_area()
    with django_assert_max_num_queries(5):
        total, rows = selectors.survey_overview(admin, city, 2030)
    assert [r.area.code for r in rows] == sorted(samples)
    kw = {"scale": inst.scale, "positive": inst.positive, "confidence": float(inst.confidence)}
    for r in rows:
        answers, weights = samples[r.area.code]
        by_hand = rate_of(zip(answers, weights or [None] * len(answers), strict=True), **kw)
        assert r.rate.rate == pytest.approx(by_hand.rate)
        assert r.rate.n_eff == pytest.approx(by_hand.n_eff)
        assert r.rate.valid == by_hand.valid and r.planned == len(answers)
        own = selectors.survey_rate(admin, r.area, 2030)
        assert own is not None and own.rate.rate == pytest.approx(r.rate.rate)
    every = [
        (a, w)
        for ans, ws in samples.values()
        for a, w in zip(ans, ws or [None] * len(ans), strict=True)
    ]
    assert total is not None and total.rate.rate == pytest.approx(rate_of(every, **kw).rate)
    assert 0 <= total.rate.rate <= 1 and total.planned == 11
