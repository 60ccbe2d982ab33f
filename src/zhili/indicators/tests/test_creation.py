"""平安创建 scoring: a case computed by hand, a veto, and the page over real facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
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


# One scoring core: the sheet goes through the targets engine's own arithmetic -----------------


def test_both_sheets_are_scored_by_the_engines_core(monkeypatch: Any) -> None:
    """``score_compute`` (targets) and ``creation_compute`` both call ``targets.scoring.
    sheet_score``; the same weights and shares give the same points, rounding and base."""
    from zhili.targets import scoring
    from zhili.targets.scoring import MilestoneFact, Rule, TaskFact, score_compute

    calls: list[scoring.Result] = []
    real = scoring.sheet_score

    def spy(*args: Any, **kw: Any) -> scoring.Result:
        result = real(*args, **kw)
        calls.append(result)
        return result

    monkeypatch.setattr(scoring, "sheet_score", spy)
    day = dt.date.fromisoformat
    # Task A (weight 3): its one milestone accepted on time, clean → 1. Task B (weight 1): one of
    # two milestones accepted on time, the other overdue → completion, timeliness, quality ½ → ½.
    plan = score_compute(
        Rule(),
        [TaskFact("A", "甲", Decimal(3), [MilestoneFact(day("2030-03-31"), "accepted", day("2030-03-01"))]),
         TaskFact("B", "乙", Decimal(1), [MilestoneFact(day("2030-03-31"), "accepted", day("2030-03-01")),
                                          MilestoneFact(day("2030-04-30"), "pending")])],
        [], day("2030-05-10"),
    )  # fmt: skip

    # The same on a sheet: 30 points at a rate of 100 % → 1; 10 points at 77.5 % (half-way from
    # 60 % to 95 %) → ½. Both: 75 × 1 = 75.00 and 25 × ½ = 12.50 of 100, base 87.50.
    class Two:
        pass_line = Decimal(90)
        items = [DEFAULT_ITEMS[0], {**DEFAULT_ITEMS[2], "points": 10}]
        vetoes: list[dict[str, Any]] = []

    sheet = creation_compute(Two(), facts(rates={"matters:on_time_close_rate": 1.0,
                                                 "disputes:success_rate": 0.775}))  # fmt: skip
    assert calls == [plan, sheet]
    numbers = [
        [(e["full"], e["points"], e["lost"]) for e in r.explanation if "full" in e]
        for r in (plan, sheet)
    ]
    assert numbers[0] == numbers[1] == [("75.00", "75.00", "0.00"), ("25.00", "12.50", "12.50")]
    assert plan.base == sheet.base == plan.total == sheet.total == Decimal("87.50")
    # What differs is the policy: the plan's grades, the sheet's pass line.
    assert (plan.grade, sheet.grade) == ("良好", "未达标")


def test_no_data_at_all_scores_nothing_where_a_plan_scores_full_marks() -> None:
    from zhili.targets.scoring import MilestoneFact, Rule, TaskFact, score_compute

    empty = facts(rates={}, samples={}, totals={}, previous={})
    r = creation_compute(Sheet(), empty)
    assert (r.base, r.total, r.grade, r.counted, r.vetoed) == (
        0,
        Decimal("0.00"),
        "未达标",
        0,
        False,
    )
    assert r.explanation[0] == {"kind": "no_data_at_all", "points": "0.00"}
    assert [e["title"] for e in r.explanation if e["kind"] == "no_data"] == [
        i["label"] for i in DEFAULT_ITEMS
    ]
    # The engine's own policy for "nothing to score yet": full marks (DOMAIN.md §7 targets).
    not_due = [TaskFact("A", "甲", Decimal(1), [MilestoneFact(dt.date(2030, 9, 30), "pending")])]
    plan = score_compute(Rule(), not_due, [], dt.date(2030, 5, 1))
    assert plan.total == Decimal("100.00") and plan.explanation[0]["kind"] == "full"
    # A veto on an empty sheet still says so, and takes nothing (there is nothing to take).
    vetoed = creation_compute(Sheet(), facts(rates={}, totals={"safety_deaths": Decimal(3)},
                                             previous={}))  # fmt: skip
    assert vetoed.vetoed and vetoed.total == 0 and vetoed.grade == "一票否决"
    assert vetoed.explanation[-1] == {"kind": "veto", "title": DEFAULT_VETOES[1]["label"],
                                      "count": "3", "points": "0.00"}  # fmt: skip


def test_two_vetoes_take_the_total_once() -> None:
    r = creation_compute(Sheet(), facts(components={"eight_crimes": {"杀人": 2}},
                                        totals={"petition_visits": Decimal(10),
                                                "safety_deaths": Decimal(4)}))  # fmt: skip
    vetoes = [e for e in r.explanation if e["kind"] == "veto"]
    assert [(v["title"], v["count"], v["points"]) for v in vetoes] == [
        ("发生命案", "2", "-81.25"),
        (DEFAULT_VETOES[1]["label"], "4", "0.00"),
    ]
    assert sum(Decimal(e["points"]) for e in r.explanation) == r.total == 0


def test_exactly_on_the_pass_line_passes() -> None:
    # The case by hand scores 81.25 (test_a_score_by_hand).
    on_line, above = Sheet(), Sheet()
    on_line.pass_line, above.pass_line = Decimal("81.25"), Decimal("81.26")
    assert creation_compute(on_line, facts()).grade == "达标"
    assert creation_compute(above, facts()).grade == "未达标"


# The same score for every viewer --------------------------------------------------------------


def _only_the_sheet(username: str, code: str) -> Any:
    """A user who may see the creation sheets over ``code`` and nothing else of any module."""
    from zhili.areas.models import Area
    from zhili.org.models import Role, RoleGrant, User

    role = Role.objects.create(slug=f"sheet-{username}", name=f"只看平安创建 {username}",
                               permissions=["indicators.creationsheet.view"])  # fmt: skip
    user = User.objects.create(username=username, full_name="评分查看员")
    RoleGrant.objects.create(user=user, role=role, area=Area.objects.get(code=code))
    return user


def test_a_streets_score_is_the_same_for_every_viewer(client: Any, users: dict[str, Any]) -> None:
    """yuzhong (district officer: matters, disputes and indicators) and a user who holds only
    ``creationsheet.view`` over 渝中区 see the same totals. Before, the second saw the matters'
    and the mediation items as "no data", the rest rescaled: another total for the same street."""
    from zhili.areas.models import Area
    from zhili.core.scoping import can
    from zhili.core.system import system_user
    from zhili.disputes.models import Dispute, Status
    from zhili.indicators.creation import creation_scores, facts_for, sheet_for
    from zhili.testing.factories import JIEFANGBEI, make_dispute

    now = timezone.now()
    agreed = [make_dispute().pk for _ in range(4)]  # 4 of 5 agreed: 80 %, above the zero line
    Dispute.objects.filter(pk__in=agreed).update(agreed_at=now, received_at=now)
    failed = make_dispute()
    Dispute.objects.filter(pk=failed.pk).update(status=Status.FAILED, received_at=now)
    viewer = _only_the_sheet("sheet_only", YUZHONG)
    assert not can(viewer, "view", Dispute, f"500000/{YUZHONG}/")
    year, today = now.year, timezone.localdate()
    yuzhong = Area.objects.get(code=YUZHONG)
    _, officer_rows = creation_scores(users["yuzhong"], yuzhong, year, today)
    _, viewer_rows = creation_scores(viewer, yuzhong, year, today)
    totals = {r.area.code: r.result.total for r in officer_rows}
    assert totals == {r.area.code: r.result.total for r in viewer_rows}
    assert [r.result.explanation for r in officer_rows] == [
        r.result.explanation for r in viewer_rows
    ]
    # 解放碑's mediation item is scored from every dispute there, whoever looks: recomputed here
    # from the table, unscoped.
    jfb = next(r for r in viewer_rows if r.area.code == JIEFANGBEI)
    in_jfb = Dispute.objects.filter(area_path__startswith=jfb.area.path, received_at__year=year)
    n_agreed = in_jfb.filter(agreed_at__isnull=False).count()
    n_decided = n_agreed + in_jfb.filter(status=Status.FAILED).count()
    assert n_agreed >= 4 and n_decided >= 5
    mediation = next(e for e in jfb.result.explanation if e["title"] == "矛盾纠纷调解成功率")
    assert mediation["kind"] == "item" and mediation["sample"] == n_decided
    assert mediation["value"] == f"{n_agreed / n_decided * 100:.2f}%"
    expected = creation_compute(sheet_for(year, "street"),
                                facts_for(jfb.area, year, today, system=system_user()))  # fmt: skip
    assert jfb.result.total == expected.total > 0
    # The page shows that total to both.
    for who in (users["yuzhong"], viewer):
        client.force_login(who)
        page = client.get(f"/indicators/creation/?area={YUZHONG}&year={year}")
        body = page.content.decode()
        assert page.status_code == 200
        row = body.split(f'data-area="{JIEFANGBEI}"', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="text-end">{expected.total}</td>' in row


def test_outside_the_sheets_scope_is_not_found(client: Any, users: dict[str, Any]) -> None:
    from zhili.areas.models import Area
    from zhili.core.errors import NotFound
    from zhili.indicators.creation import creation_scores

    year = timezone.localdate().year
    viewer = _only_the_sheet("sheet_only_wz", "500101")  # 万州区 only
    client.force_login(viewer)
    assert client.get(f"/indicators/creation/?area=500101&year={year}").status_code == 200
    assert "请选择区县" not in client.get(f"/indicators/creation/?year={year}").content.decode()
    page = client.get(f"/indicators/creation/?area={YUZHONG}&year={year}")
    assert page.status_code == 200 and "不在您的管辖范围内" in page.content.decode()
    assert 'data-area="500103' not in page.content.decode()
    yuzhong = Area.objects.get(code=YUZHONG)
    with pytest.raises(NotFound):
        creation_scores(viewer, yuzhong, year, timezone.localdate())
    # Rights to every module's figures but not to the sheets: not found either (mediator_jfb).
    client.force_login(users["mediator_jfb"])
    assert client.get(f"/indicators/creation/?area={YUZHONG}&year={year}").status_code == 404
