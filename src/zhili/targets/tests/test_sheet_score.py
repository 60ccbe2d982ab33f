"""The scoring core (``sheet_score``) at its edges, on a plan's terms (the 平安创建 sheets' terms
are tested in indicators/tests/test_creation.py): exactly on a grade line, a veto score that
caps or not, and items without anything to score beside a deduction."""

from __future__ import annotations

from decimal import Decimal

from zhili.targets.scoring import Item, Mark, Rule, sheet_score


def items() -> list[Item]:
    # 2 of weight 3 (full 75.00) × 0.8 = 60.00; 1 of weight 1 (full 25.00) × 0.5 = 12.50;
    # one without anything to score yet, left out (the others rescaled to 100).
    return [
        Item(Decimal(3), Decimal("0.8"), {"kind": "task", "number": "A"}, count=2),
        Item(Decimal(1), Decimal("0.5"), {"kind": "task", "number": "B"}, count=1),
        Item(Decimal(5), None, {"kind": "task", "number": "C"}),
    ]


def test_exactly_on_a_grade_line() -> None:
    assert sheet_score(items(), policy=Rule(grade_pass=Decimal("72.50")).policy()).grade == "合格"
    below = Rule(grade_pass=Decimal("72.51")).policy()
    assert sheet_score(items(), policy=below).grade == "不合格"
    r = sheet_score(items(), policy=Rule(grade_good=Decimal("72.50")).policy())
    assert (r.total, r.grade, r.counted) == (Decimal("72.50"), "良好", 3)
    assert r.explanation[0] == {"kind": "task", "number": "A", "full": "75.00", "points": "60.00",
                                "lost": "15.00"}  # fmt: skip
    assert r.explanation[-1] == {"kind": "not_due", "tasks": 1, "points": "0.00"}


def test_a_veto_caps_at_the_veto_score_and_never_raises() -> None:
    veto = Mark({"kind": "veto", "number": "F1"})
    capped = sheet_score(items(), vetoes=[veto], policy=Rule(veto_score=Decimal(50)).policy())
    assert (capped.total, capped.grade, capped.vetoed) == (Decimal("50.00"), "一票否决", True)
    assert capped.explanation[-1] == {"kind": "veto", "number": "F1", "points": "-22.50"}
    # Below the veto score already (72.50 − 30 = 42.50): the veto takes nothing more.
    low = sheet_score(
        items(),
        deductions=[Mark({"kind": "deduct"}, Decimal(30))],
        vetoes=[veto, Mark({"kind": "veto", "number": "F2"})],
        policy=Rule(veto_score=Decimal(50)).policy(),
    )
    assert (low.total, low.deductions, low.grade) == (
        Decimal("42.50"),
        Decimal("30.00"),
        "一票否决",
    )
    assert [e["points"] for e in low.explanation if e["kind"] == "veto"] == ["0.00", "0.00"]
    for r in (capped, low):  # the explanation adds up to the total
        assert sum(Decimal(e["points"]) for e in r.explanation) == r.total


def test_nothing_to_score_and_deductions_below_zero() -> None:
    nothing = [Item(Decimal(1), None, {}), Item(Decimal(2), None, {})]
    r = sheet_score(nothing, deductions=[Mark({"kind": "deduct"}, Decimal(130))],
                    policy=Rule().policy())  # fmt: skip
    assert (r.base, r.deductions, r.total, r.counted) == (100, Decimal("130.00"), 0, 0)
    assert [e["kind"] for e in r.explanation] == ["full", "not_due", "deduct"]
    assert r.explanation[1]["tasks"] == 2
