"""Scores, computed by hand: weights × completion, timeliness and review quality, negative-list
deductions and vetoes; and recomputed in the same transaction as every input that changes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhili.core.errors import ValidationFailed
from zhili.targets import services
from zhili.targets.evidence import Upload
from zhili.targets.models import Incident, NegativeItem, Report, Score
from zhili.targets.scoring import IncidentFact, MilestoneFact, Rule, TaskFact, score_compute

from .conftest import PDF

D = dt.date.fromisoformat
ON = D("2030-07-10")


def tasks() -> list[TaskFact]:
    return [
        TaskFact(
            "X",
            "任务甲",
            Decimal(3),
            [
                MilestoneFact(D("2030-03-31"), "accepted", D("2030-03-30"), 0),  # on time, clean
                MilestoneFact(
                    D("2030-06-30"), "accepted", D("2030-07-05"), 1
                ),  # late, once returned
            ],
        ),
        TaskFact("Y", "任务乙", Decimal(1), [MilestoneFact(D("2030-03-31"), "pending")]),  # overdue
        TaskFact("Z", "任务丙", Decimal(2), [MilestoneFact(D("2030-09-30"), "pending")]),  # not due
    ]


def deduct(points: int, i: int = 1) -> IncidentFact:
    return IncidentFact(i, "F2", "安全事故", "deduct", Decimal(points), D("2030-05-01"))


VETO = IncidentFact(9, "F1", "群体性事件", "veto", Decimal(0), D("2030-06-01"))


def test_weights_times_completion_timeliness_and_quality() -> None:
    # X: completion 2/2, timeliness 1/2, quality (1 + 0.75)/2 → 0.6 + 0.125 + 0.13125 = 0.85625
    # of its share 100 × 3/4 = 75 → 64.22. Y: 0 of 25. Z: not due, left out.
    result = score_compute(Rule(), tasks(), [], ON)
    assert result.base == Decimal("64.22")
    assert result.total == Decimal("64.22") and result.grade == "合格"
    assert result.counted == 3
    items = {e.get("number"): e for e in result.explanation}
    assert (items["X"]["full"], items["X"]["points"], items["X"]["lost"]) == (
        "75.00",
        "64.22",
        "10.78",
    )
    assert (items["Y"]["full"], items["Y"]["points"]) == ("25.00", "0.00")
    assert items["X"]["timeliness"] == "0.50" and items["X"]["quality"] == "0.88"
    assert any(e["kind"] == "not_due" and e["tasks"] == 1 for e in result.explanation)


def test_deductions_and_the_veto() -> None:
    result = score_compute(Rule(), tasks(), [deduct(5)], ON)
    assert (result.base, result.deductions, result.total) == (
        Decimal("64.22"),
        Decimal("5.00"),
        Decimal("59.22"),
    )
    assert result.grade == "不合格"
    assert {"kind": "deduct", "points": "-5.00"}.items() <= result.explanation[-1].items()
    vetoed = score_compute(Rule(), tasks(), [deduct(5), VETO], ON)
    assert vetoed.vetoed and vetoed.total == Decimal("0.00") and vetoed.grade == "一票否决"
    assert vetoed.explanation[-1]["kind"] == "veto" and vetoed.explanation[-1]["points"] == "-59.22"
    # The explanation adds up to the total.
    assert sum(Decimal(e["points"]) for e in vetoed.explanation) == vetoed.total
    capped = score_compute(Rule(veto_score=Decimal(60)), tasks(), [VETO], ON)
    assert capped.total == Decimal("60.00") and capped.grade == "一票否决"


def test_nothing_due_is_full_marks_and_deductions_stop_at_zero() -> None:
    fresh = [TaskFact("Z", "任务丙", Decimal(2), [MilestoneFact(D("2030-09-30"), "pending")])]
    result = score_compute(Rule(), fresh, [deduct(5)], ON)
    assert (result.base, result.total, result.grade) == (Decimal(100), Decimal(95), "优秀")
    broke = score_compute(Rule(), tasks(), [deduct(40, 1), deduct(40, 2)], ON)
    assert broke.total == Decimal(0)


def test_shares_are_configurable() -> None:
    rule = Rule(share_completion=Decimal(1), share_timeliness=Decimal(0), share_quality=Decimal(0))
    assert score_compute(rule, tasks(), [], ON).base == Decimal("75.00")


def _gaj_score(plan: Any) -> Score:
    return Score.objects.get(plan=plan, unit__name="市公安局")


def test_scores_follow_every_input(small_plan: Any, users: dict[str, Any], office: Any) -> None:
    plan = small_plan(dues=("2030-03-31", "2030-06-30"))
    plan = services.plan_rule_update(actor=office, plan=plan, as_of=D("2030-04-10"))
    gaj = users["unit_gaj"]
    # 市公安局 holds task 1 (weight 3) and task 3 (weight 2); both first milestones overdue.
    assert _gaj_score(plan).total == Decimal(0)
    report = Report.objects.get(
        plan=plan, unit__name="市公安局", milestone__task__number="3", milestone__due="2030-03-31"
    )
    services.report_submit(actor=gaj, report=report, text="已联网", uploads=[Upload("a.pdf", PDF)])
    services.report_review(actor=office, report=report, decision="return", comment="缺台账")
    services.report_submit(actor=gaj, report=report, text="补充台账", uploads=[])
    assert _gaj_score(plan).total == Decimal(0)  # submitted, not accepted yet
    services.report_review(actor=office, report=report, decision="accept")
    # task 3: completion 1, timeliness 0 (reported 04-10 for 03-31), quality 0.75:
    # 40 × (0.6 + 0.1125) = 28.50; task 1: 0 of 60.
    assert _gaj_score(plan).total == Decimal("28.50")
    f2 = NegativeItem.objects.get(plan=plan, number="F2")
    f1 = NegativeItem.objects.get(plan=plan, number="F1")
    gaj_unit = report.unit
    services.incident_record(
        actor=office,
        item=f2,
        unit=gaj_unit,
        occurred_on=D("2026-01-05"),
        description="事故",
        uploads=[Upload("n.pdf", PDF)],
    )
    assert _gaj_score(plan).total == Decimal("23.50")
    veto = services.incident_record(
        actor=office,
        item=f1,
        unit=gaj_unit,
        occurred_on=D("2026-01-06"),
        description="聚集",
        uploads=[Upload("n.pdf", PDF)],
    )
    score = _gaj_score(plan)
    assert score.vetoed and score.total == Decimal(0) and score.grade == "一票否决"
    services.incident_withdraw(actor=office, incident=veto, reason="复核不属实")
    assert _gaj_score(plan).total == Decimal("23.50")
    services.plan_rule_update(
        actor=office,
        plan=plan,
        share_completion=Decimal(1),
        share_timeliness=Decimal(0),
        share_quality=Decimal(0),
    )
    assert _gaj_score(plan).total == Decimal("35.00")  # 40 − 5


def test_district_scores_and_ranking(
    small_plan: Any, office: Any, bearer: Any, client: Any
) -> None:
    from zhili.areas.models import Area

    plan = small_plan()
    wanzhou = Area.objects.get(code="500101")
    f2 = NegativeItem.objects.get(plan=plan, number="F2")
    services.incident_record(
        actor=office,
        item=f2,
        district=wanzhou,
        occurred_on=D("2026-01-05"),
        description="事故",
        uploads=[Upload("n.pdf", PDF)],
    )
    body = client.get(
        f"/api/v1/targets/plans/{plan.pk}/ranking?by=district", headers=bearer("office_zfw")
    ).json()
    assert [(i["rank"], i["name"], i["total"]) for i in body["items"]] == [
        (1, "渝中区", "100.00"),
        (2, "万州区", "95.00"),
    ]
    assert body["items"][1]["explanation"][-1]["points"] == "-5.00"
    units = client.get(
        f"/api/v1/targets/plans/{plan.pk}/ranking?by=unit", headers=bearer("office_zfw")
    ).json()
    assert [i["rank"] for i in units["items"]] == [1, 1]  # tied at full marks


def test_rule_must_add_up(small_plan: Any, office: Any) -> None:
    plan = small_plan()
    with pytest.raises(ValidationFailed, match="之和须为 1"):
        services.plan_rule_update(actor=office, plan=plan, share_completion=Decimal("0.7"))
    with pytest.raises(ValidationFailed, match="优秀"):
        services.plan_rule_update(actor=office, plan=plan, grade_good=Decimal(95))


def test_incident_needs_evidence_and_an_office(
    small_plan: Any, users: dict[str, Any], office: Any
) -> None:
    from zhili.core.errors import PermissionDenied

    plan = small_plan()
    f2 = NegativeItem.objects.get(plan=plan, number="F2")
    unit = Report.objects.filter(plan=plan, unit__name="市公安局").first().unit
    with pytest.raises(ValidationFailed, match="佐证材料"):
        services.incident_record(
            actor=office,
            item=f2,
            unit=unit,
            occurred_on=D("2026-01-05"),
            description="x",
            uploads=[],
        )
    with pytest.raises(PermissionDenied):
        services.incident_record(
            actor=users["yuzhong"],
            item=f2,
            unit=unit,
            occurred_on=D("2026-01-05"),
            description="x",
            uploads=[Upload("n.pdf", PDF)],
        )
    assert not Incident.objects.filter(plan=plan).exists()
