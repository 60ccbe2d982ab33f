"""The risk register: entry rules, matrix scoring, level-dependent deadlines and escalation,
closure and acceptance, hot-spot detection on constructed matter histories, scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.core.models import Notice
from zhili.matters import services as ms
from zhili.matters.models import Category as MatterCategory
from zhili.matters.models import Matter
from zhili.risks import hotspots
from zhili.risks import services as rs
from zhili.risks.models import Level, RiskCandidate, RiskEvent, RiskMatrix, Status

GRID = "500103003013001"


def register(users: Any, area_of: Any, **kw: Any) -> Any:
    args = {
        "actor": users["jiefangbei"],
        "title": "某小区业主聚集维权",
        "description": "开发商逾期交房，业主多次聚集",
        "category": "petition",
        "source": "manual",
        "area": area_of(GRID),
        "address": "民生路 88 号",
        "persons": [{"name": "李四", "id_number": "500103199001011234", "phone": "13900001111"}],
    }
    args.update(kw)
    return rs.risk_register(**args)


def test_entry_needs_person_matter_and_place(users: Any, area: Any) -> None:
    for kw, code in (
        ({"persons": []}, "person_required"),
        ({"description": ""}, "required"),
        ({"area": None}, "place_required"),
        ({"address": ""}, "required"),
        ({"area": area("500103")}, "place_required"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            register(users, area, **kw)
        assert exc.value.code == code
    assert not RiskEvent.objects.filter(
        action="register", risk__title="某小区业主聚集维权"
    ).exists()
    risk = register(users, area)
    assert risk.number.startswith("FX") and risk.elements.filter(kind="person").count() == 1


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [
        (1, 1, Level.BLUE),
        (2, 2, Level.BLUE),
        (1, 5, Level.YELLOW),
        (3, 3, Level.YELLOW),
        (2, 5, Level.ORANGE),
        (3, 4, Level.ORANGE),
        (3, 5, Level.RED),
        (5, 5, Level.RED),
    ],
)
def test_matrix_scoring(users: Any, area: Any, likelihood: int, impact: int, level: str) -> None:
    risk = register(users, area)
    a = rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="current",
        likelihood=likelihood,
        impact=impact,
        confidence="high",
    )
    assert a.level == level


def test_out_of_range_and_frozen_matrix(users: Any, area: Any) -> None:
    risk = register(users, area)
    with pytest.raises(ValidationFailed) as exc:
        rs.risk_assess(
            actor=users["jiefangbei"],
            risk=risk,
            kind="current",
            likelihood=6,
            impact=1,
            confidence="high",
        )
    assert exc.value.code == "out_of_range"
    assert not risk.assessments.exists()
    rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="inherent",
        likelihood=2,
        impact=2,
        confidence="low",
    )
    matrix = RiskMatrix.objects.get(is_default=True)
    assert matrix.frozen
    with pytest.raises(Conflict):
        rs.matrix_save(
            actor=users["city_admin"],
            name="改",
            cells=matrix.cells,
            matrix=matrix,
            likelihood_labels=matrix.likelihood_labels,
            impact_labels=matrix.impact_labels,
        )


def test_level_sets_deadlines_and_red_escalates_to_the_district(users: Any, area: Any) -> None:
    risk = register(users, area)
    rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="current",
        likelihood=2,
        impact=2,
        confidence="high",
    )
    risk.refresh_from_db()
    today = timezone.localdate()
    assert risk.handle_due == today + dt.timedelta(days=30) and risk.escalated_to is None
    rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="current",
        likelihood=5,
        impact=4,
        confidence="high",
    )
    risk.refresh_from_db()
    assert risk.level == Level.RED
    assert risk.handle_due == today + dt.timedelta(days=3)
    assert risk.escalated_to.code == "500103"
    assert Notice.objects.filter(recipient=users["yuzhong"], kind="risk_escalated").exists()
    assert not Notice.objects.filter(recipient=users["wanzhou"], kind="risk_escalated").exists()


def test_project_risk_needs_four_tests(users: Any, area: Any) -> None:
    risk = register(users, area, category="project", title="旧城改造征收项目")
    with pytest.raises(ValidationFailed) as exc:
        rs.risk_assess(
            actor=users["jiefangbei"],
            risk=risk,
            kind="inherent",
            likelihood=3,
            impact=3,
            confidence="medium",
            stability_tests={"legality": True},
        )
    assert "合理性" in exc.value.message
    a = rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="inherent",
        likelihood=3,
        impact=3,
        confidence="medium",
        stability_tests={
            "legality": True,
            "reasonableness": True,
            "feasibility": True,
            "controllability": False,
        },
    )
    assert a.stability_tests["controllability"] is False


def test_close_needs_evidence_and_done_measures_then_reopen(users: Any, area: Any) -> None:
    officer = users["jiefangbei"]
    risk = register(users, area)
    rs.risk_assign(actor=officer, risk=risk, person=officer, unit=officer.unit)
    rs.measure_add(
        actor=officer,
        risk=risk,
        text="每日走访",
        owner=officer,
        due=timezone.localdate() + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationFailed):
        rs.risk_close(actor=officer, risk=risk, final_rating="blue", note="已化解", attachments=[])
    with pytest.raises(ValidationFailed) as exc:
        rs.risk_close(
            actor=officer, risk=risk, final_rating="blue", note="已化解", attachments=[object()]
        )
    assert exc.value.code == "measures_open"
    rs.measure_done(actor=officer, measure=risk.measures.get())
    from zhili.matters.attachments import attachment_store

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    with pytest.raises(ValidationFailed):
        attachment_store(data=png, name="x.png")  # not a real image: refused
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    evidence = attachment_store(data=buf.getvalue(), name="现场.png")
    risk = rs.risk_close(
        actor=officer, risk=risk, final_rating="blue", note="已化解", attachments=[evidence]
    )
    assert risk.status == Status.CLOSED
    risk = rs.risk_reopen(actor=officer, risk=risk, reason="业主再次聚集")
    assert risk.status == Status.OPEN


def test_acceptance_needs_the_right_and_expires(users: Any, area: Any) -> None:
    risk = register(users, area)
    rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="current",
        likelihood=2,
        impact=2,
        confidence="high",
    )
    with pytest.raises(PermissionDenied):
        rs.risk_accept(
            actor=users["jiefangbei"],
            risk=risk,
            reason="影响小",
            expires=timezone.localdate() + dt.timedelta(days=90),
        )
    risk = rs.risk_accept(
        actor=users["yuzhong"],
        risk=risk,
        reason="影响小，持续关注",
        expires=timezone.localdate() + dt.timedelta(days=90),
    )
    assert risk.status == Status.ACCEPTED and risk.acceptance_by == users["yuzhong"]
    from zhili.risks.supervision import sweep

    sweep(now=timezone.now() + dt.timedelta(days=120))
    risk.refresh_from_db()
    assert risk.status == Status.OPEN


def test_scoping(users: Any, area: Any, client: Any, bearer: Any) -> None:
    risk = register(users, area)
    assert client.get(f"/api/v1/risks/{risk.number}", headers=bearer("yuzhong")).status_code == 200
    r = client.get(f"/api/v1/risks/{risk.number}", headers=bearer("wanzhou"))
    assert r.status_code == 404 and r.json()["code"] == "risk_not_found"
    body = client.get(f"/api/v1/risks/{risk.number}", headers=bearer("yuzhong")).json()
    assert (
        "1234" in body["elements"][0]["id_number"]
        and "19900101" not in body["elements"][0]["id_number"]
    )


def test_api_register_without_person_is_422_and_writes_nothing(client: Any, bearer: Any) -> None:
    before = RiskEvent.objects.count()
    r = client.post(
        "/api/v1/risks",
        {"title": "t", "description": "d", "category": "other", "area": GRID, "address": "x"},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 422 and r.json()["code"] == "person_required"
    assert RiskEvent.objects.count() == before


def _matters(users: Any, area: Any, category: str, days_ago: list[float], **kw: Any) -> None:
    cat = MatterCategory.objects.get(code=category)
    now = timezone.now()
    for i, d in enumerate(days_ago):
        ms.matter_create(
            actor=users["jiefangbei"],
            category=cat,
            channel="staff",
            description=f"{cat.name} 第{i}件",
            area=area(kw.get("grid", GRID)),
            reporter_name="王五",
            reporter_phone=kw.get("phone", f"1380000{i:04d}"),
            address=kw.get("address", ""),
            at=now - dt.timedelta(days=d),
        )


def test_hotspot_real_rise_is_proposed(users: Any, area: Any) -> None:
    # baseline: about one noise complaint a week for eight weeks, then nine this week
    _matters(
        users, area, "noise", [8 + 7 * w for w in range(8)] + [0.5 + 0.5 * i for i in range(9)]
    )
    found = hotspots.scan()
    rising = [c for c in found if c.kind == "rising"]
    assert len(rising) == 1 and "噪声扰民" in rising[0].title
    assert rising[0].status == "proposed" and rising[0].matters.count() == 9
    assert hotspots.scan() == []  # idempotent


def test_hotspot_ordinary_noise_is_not(users: Any, area: Any) -> None:
    # steady three a week for nine weeks: nothing unusual
    _matters(users, area, "streetlight", [w * 7 + k * 2 for w in range(9) for k in range(3)])
    assert [c for c in hotspots.scan() if c.kind == "rising"] == []


def test_hotspot_repeated_address(users: Any, area: Any) -> None:
    _matters(users, area, "sanitation", [1, 5, 9], address="较场口 21 号院", phone="13700007777")
    kinds = {c.kind for c in hotspots.scan()}
    assert {"address", "person"} <= kinds
    assert not Matter.objects.filter(risks__isnull=False).exists()  # never registered silently


def test_register_from_candidate(users: Any, area: Any) -> None:
    _matters(users, area, "sanitation", [1, 2, 3], address="较场口 21 号院", phone="13700007777")
    cand = next(c for c in hotspots.scan() if c.kind == "address")
    matter = cand.matters.first()
    risk = register(users, area, source="matter", matter=matter, candidate=cand)
    cand.refresh_from_db()
    assert cand.status == "registered" and cand.risk == risk
    assert RiskCandidate.objects.filter(status="proposed", pk=cand.pk).count() == 0


def test_a_candidate_is_decided_once(users: Any, area: Any) -> None:
    _matters(users, area, "sanitation", [1, 2, 3], address="较场口 21 号院", phone="13700007777")
    cand = next(c for c in hotspots.scan() if c.kind == "address")
    rs.candidate_dismiss(actor=users["jiefangbei"], candidate=cand, note="已核实为同一事件")
    with pytest.raises(Conflict):
        register(users, area, source="matter", matter=cand.matters.first(), candidate=cand)
    with pytest.raises(Conflict):
        rs.candidate_dismiss(actor=users["jiefangbei"], candidate=cand, note="再次排除")
