# ruff: noqa: F811  (the fixtures of test_supervision are imported by name)
"""Issue 16, the rest of the matter rules (DOMAIN.md §3), each at its edge:

- 三事分流 routes and sets the limits: 小事 to the community committee's queue (not the street's),
  大事 to the district's; the limits become those of 小事马上办 / 大事会商办 (business parameters);
- 首接负责: a co-unit reports its part, the lead sees who has; a co-unit cannot report the whole
  or close, a unit not involved cannot report at all;
- 抽查: sampled self-handled matters wait on the 待抽查 queue; the result is a transition and its
  rate (抽查合格率) is recomputed here from the events.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone

from zhili.core import tunables
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.workdays import add_limit
from zhili.matters import metrics, selectors
from zhili.matters import services as s
from zhili.matters.models import (
    HandlingMode,
    Matter,
    MatterEvent,
    MatterUnit,
    SpotCheck,
    Status,
)
from zhili.matters.tests.test_supervision import (  # noqa: F401  (fixtures)
    GRID,
    new_matter,
    no_calendar_overrides,
    unit,
)
from zhili.matters.workflow import allowed_actions
from zhili.org.models import Unit, UnitType, User

COMMUNITY = "500103003013"  # 民生路社区, the community of GRID


@pytest.fixture
def committee(area: Any) -> Unit:
    return Unit.objects.create(
        name="民生路社区居民委员会", type=UnitType.RESIDENTS_COMMITTEE, area=area(COMMUNITY)
    )


@pytest.fixture
def committee_staff(committee: Unit, area: Any) -> User:
    return User.objects.create(username="msl_jwh", unit=committee, area=area(COMMUNITY))


def queue(user: Any, name: str) -> set[str]:
    qs = selectors.matter_list(user, selectors.MatterFilters(queue=name))
    return set(qs.values_list("number", flat=True))


# 三事分流 ------------------------------------------------------------------------------------------


def test_small_goes_to_the_community_committee_with_the_small_limits(
    new_matter: Any, users: Any, committee: Unit, committee_staff: User, bearer: Any, client: Any
) -> None:
    street = users["jiefangbei"]
    m = s.matter_triage(actor=street, matter=new_matter(), triage="small", reason="社区可办")
    assert m.status == Status.DISPATCHED and m.lead_unit == committee
    assert m.handling_mode == HandlingMode.IMMEDIATE
    assert [e.action for e in m.events.order_by("id")] == ["submit", "triage", "dispatch"]
    # The committee's queue, not the street's; its staff see and handle it through visible_to.
    assert m.number not in queue(street, "dispatch")
    assert m.number in queue(committee_staff, "sign")
    assert Matter.objects.visible_to(committee_staff, "handle").filter(pk=m.pk).exists()
    r = client.get(f"/api/v1/matters/{m.number}", headers=bearer("msl_jwh"))
    assert r.status_code == 200 and "sign" in [a["action"] for a in r.json()["actions"]]
    # 小事马上办's handling limit, counted from the dispatch (a business parameter).
    assert m.dispatched_at is not None
    days = tunables.value("matters.limit.immediate.handle")
    assert m.handle_due == add_limit(m.dispatched_at, days, "wd")
    tunables.tunable_set(
        actor=users["city_admin"], key="matters.limit.immediate.handle", value=5, reason="试行"
    )
    m2 = s.matter_triage(actor=street, matter=new_matter(), triage="small", reason="社区可办")
    assert m2.dispatched_at is not None
    assert m2.handle_due == add_limit(m2.dispatched_at, 5, "wd") != m.handle_due
    m = s.matter_sign(actor=committee_staff, matter=m, contacted=True)
    m = s.matter_report(actor=committee_staff, matter=m, result="已协调修复")
    assert m.status == Status.REPORTED


def test_small_without_a_committee_is_refused_and_nothing_changes(
    new_matter: Any, users: Any, client: Any, bearer: Any
) -> None:
    m = new_matter()
    with pytest.raises(ValidationFailed) as exc:
        s.matter_triage(actor=users["jiefangbei"], matter=m, triage="small", reason="社区可办")
    assert exc.value.code == "no_committee"
    r = client.post(
        f"/api/v1/matters/{m.number}/actions/triage",
        {"triage": "small", "reason": "社区可办"},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 422 and r.json()["code"] == "no_committee"
    m.refresh_from_db()
    assert m.status == Status.SUBMITTED and m.triage == ""
    assert not MatterEvent.objects.filter(matter=m, action="triage").exists()


def test_big_waits_for_the_district_with_the_consult_limits(
    new_matter: Any, users: Any, unit: Unit, client: Any, bearer: Any
) -> None:
    street, district = users["jiefangbei"], users["yuzhong"]
    m = s.matter_triage(actor=street, matter=new_matter(), triage="big", reason="涉及市政")
    assert m.status == Status.ACCEPTED and m.handling_mode == HandlingMode.CONSULT
    assert m.number not in queue(street, "dispatch")
    assert m.number in queue(district, "dispatch")
    # An untriaged matter stays in the street's queue.
    other = s.matter_accept(actor=street, matter=new_matter())
    assert other.number in queue(street, "dispatch")
    with pytest.raises(PermissionDenied):
        s.matter_dispatch(actor=street, matter=m, unit=unit)
    r = client.post(
        f"/api/v1/matters/{m.number}/actions/dispatch",
        {"unit": unit.pk},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 403
    m = s.matter_dispatch(actor=district, matter=m, unit=unit)
    assert m.lead_unit == unit and m.dispatched_at is not None
    assert m.handle_due == add_limit(
        m.dispatched_at, tunables.value("matters.limit.consult.handle"), "wd"
    )


def test_an_urgent_matter_keeps_its_hour_limits_when_triaged(new_matter: Any, users: Any) -> None:
    street = users["jiefangbei"]
    m = s.matter_mode(actor=street, matter=new_matter(), mode="urgent", reason="危险")
    m = s.matter_triage(actor=street, matter=m, triage="big", reason="涉及市政")
    assert m.handling_mode == HandlingMode.URGENT


# 首接负责 ------------------------------------------------------------------------------------------


@pytest.fixture
def shared(new_matter: Any, users: Any, unit: Unit, area: Any) -> tuple[Matter, Unit, User]:
    """Dispatched to 渝中区住房城乡建委 (lead) with 解放碑派出所 as co-unit, signed by the lead."""
    police = Unit.objects.get(name="解放碑派出所")
    officer = users["yuzhong"]
    m = s.matter_accept(actor=officer, matter=new_matter())
    m = s.matter_dispatch(actor=officer, matter=m, unit=unit, co_units=[police])
    m = s.matter_sign(actor=users["unit_yz_jw"], matter=m)
    police_staff = User.objects.create(username="jfb_pcs", unit=police, area=area("500103003"))
    return m, police, police_staff


def test_a_co_unit_reports_its_part_and_the_lead_sees_it(
    shared: Any, users: Any, login: Any, client: Any, bearer: Any
) -> None:
    m, police, police_staff = shared
    lead = users["unit_yz_jw"]
    page = login("unit_yz_jw").get(f"/matters/{m.number}/").content.decode()
    assert "解放碑派出所：" in page and "未反馈" in page
    assert "co_report" not in allowed_actions(lead, m)
    assert allowed_actions(police_staff, m) == ["co_report"]
    m = s.matter_co_report(actor=police_staff, matter=m, result="已到场维持秩序")
    row = MatterUnit.objects.get(matter=m, unit=police)
    assert row.reported_at is not None and row.report == "已到场维持秩序"
    event = MatterEvent.objects.filter(matter=m, action="co_report").get()
    assert event.unit_id == police.pk and event.note == "已到场维持秩序"
    assert m.status == Status.HANDLING  # the lead's state is unchanged
    r = client.get(f"/api/v1/matters/{m.number}", headers=bearer("unit_yz_jw"))
    [co] = r.json()["co_units"]
    assert co["name"] == "解放碑派出所" and co["reported_at"] and co["report"] == "已到场维持秩序"
    page = login("unit_yz_jw").get(f"/matters/{m.number}/").content.decode()
    assert "已反馈" in page and "已到场维持秩序" in page


def test_only_the_lead_reports_the_whole_and_a_co_unit_cannot_close(
    shared: Any, users: Any
) -> None:
    m, _police, police_staff = shared
    with pytest.raises(PermissionDenied):
        s.matter_report(actor=police_staff, matter=m, result="办完了")
    with pytest.raises(PermissionDenied):  # the lead unit reports the whole, not a part
        s.matter_co_report(actor=users["unit_yz_jw"], matter=m, result="主办")
    m = s.matter_report(actor=users["unit_yz_jw"], matter=m, result="已修复")
    m = s.matter_verify(actor=users["yuzhong"], matter=m, passed=True)
    assert m.status == Status.VERIFIED
    with pytest.raises(PermissionDenied):
        s.matter_close(actor=police_staff, matter=m)
    assert s.matter_close(actor=users["yuzhong"], matter=m).status == Status.CLOSED


def test_a_unit_not_involved_cannot_report(shared: Any, area: Any) -> None:
    m, *_ = shared
    court = Unit.objects.get(name="渝中区人民法院")
    outsider = User.objects.create(username="yz_fy", unit=court, area=area("500103"))
    with pytest.raises(NotFound):  # it cannot even see the matter
        s.matter_co_report(actor=outsider, matter=m, result="代为反馈")
    assert not MatterEvent.objects.filter(matter=m, action="co_report").exists()


# 抽查 ----------------------------------------------------------------------------------------------


@pytest.fixture
def photo(settings: Any, tmp_path: Any) -> Any:
    from PIL import Image

    from zhili.matters.attachments import attachment_store

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return attachment_store(data=buffer.getvalue(), name="after.png")


def _self_handled(users: Any, new_matter: Any, photo: Any, percent: float) -> Matter:
    tunables.tunable_set(
        actor=users["city_admin"],
        key="matters.self_handle_sample_percent",
        value=percent,
        reason="测试",
    )
    return s.matter_self_handle(
        actor=users["grid_jfb_01"], matter=new_matter(), result="当场修好", attachments=[photo]
    )


def test_sampled_matters_wait_for_a_spot_check_and_the_result_counts(
    new_matter: Any, users: Any, photo: Any, login: Any, client: Any, bearer: Any
) -> None:
    street = users["jiefangbei"]
    drawn = [_self_handled(users, new_matter, photo, 100) for _ in range(3)]
    spared = _self_handled(users, new_matter, photo, 0)
    assert all(m.sampled for m in drawn) and not spared.sampled
    assert {m.number for m in drawn} == queue(street, "spot_check")
    with pytest.raises(Conflict) as exc:
        s.matter_spot_check(actor=street, matter=spared, passed=True)
    assert exc.value.code == "not_sampled"
    with pytest.raises(ValidationFailed):  # a failure says why
        s.matter_spot_check(actor=street, matter=drawn[0], passed=False, note="")
    with pytest.raises(PermissionDenied):  # the grid worker does not check their own work
        s.matter_spot_check(actor=users["grid_jfb_01"], matter=drawn[0], passed=True)
    s.matter_spot_check(actor=street, matter=drawn[0], passed=True)
    r = client.post(
        f"/api/v1/matters/{drawn[1].number}/actions/spot_check",
        {"passed": False, "note": "现场仍有积水"},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 200 and r.json()["spot_check"] == SpotCheck.FAILED
    with pytest.raises(Conflict) as exc:
        s.matter_spot_check(actor=street, matter=drawn[0], passed=False, note="再查")
    assert exc.value.code == "already_checked"
    assert queue(street, "spot_check") == {drawn[2].number}
    # The rate, recomputed from the events.
    checks = MatterEvent.objects.filter(action="spot_check")
    passed = sum(1 for e in checks if e.data.get("passed"))
    report = metrics.matter_metrics(street, days=7)
    rate = report.measures["spot_pass_rate"]
    assert (rate["numerator"], rate["denominator"]) == (passed, checks.count()) == (1, 2)
    assert 0 <= rate["value"] <= 1
    page = login("jiefangbei").get("/matters/metrics/", {"days": 7}).content.decode()
    assert "抽查合格率" in page and "50.0%" in page
    detail = login("jiefangbei").get(f"/matters/{drawn[1].number}/").content.decode()
    assert "抽查不合格" in detail


# Metrics by 三事, 四事 and 五事 ----------------------------------------------------------------------


def _rollup_rows() -> dict[tuple[Any, ...], dict[str, int]]:
    from zhili.matters.models import (
        ROLLUP_COUNTERS,
        MatterAreaAll,
        MatterAreaDay,
        MatterDuration,
        MatterDurationAll,
        MatterUnitDay,
    )

    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for model in (MatterAreaDay, MatterUnitDay):
        for row in model.objects.values():
            counts = {k: row[k] for k in ROLLUP_COUNTERS if row[k]}
            if counts:
                key = (model.__name__, row.get("unit_id"), row["area_path"], row["day"])
                key += (row["category_id"], row["triage"], row["handling_mode"])
                out[key] = counts
    for row in MatterDuration.objects.exclude(n=0).values():
        key = ("d", row["unit_id"], row["area_path"], row["day"], row["category_id"])
        key += (row["triage"], row["handling_mode"], row["measure"], row["bucket"])
        out[key] = {"n": row["n"]}
    for row in MatterAreaAll.objects.values():
        counts = {k: row[k] for k in ROLLUP_COUNTERS if row[k]}
        if counts:
            out[("all", row["area_path"], row["day"])] = counts
    for row in MatterDurationAll.objects.exclude(n=0).values():
        key = ("d-all", row["unit_id"], row["area_path"], row["day"], row["measure"], row["bucket"])
        out[key] = {"n": row["n"]}
    return out


def test_metrics_group_and_filter_by_triage_mode_and_topic(
    new_matter: Any,
    users: Any,
    unit: Unit,
    committee: Unit,
    committee_staff: User,
    client: Any,
    bearer: Any,
    login: Any,
) -> None:
    from zhili.matters import rollups

    street, district = users["jiefangbei"], users["yuzhong"]

    def fresh(category: str = "road-damage") -> Matter:  # received now: inside the period
        return new_matter(timezone.now(), category=category)

    big = s.matter_triage(actor=street, matter=fresh(), triage="big", reason="涉及市政")
    big = s.matter_dispatch(actor=district, matter=big, unit=unit)
    small = s.matter_triage(actor=street, matter=fresh(), triage="small", reason="社区可办")
    small = s.matter_sign(actor=committee_staff, matter=small, contacted=True)
    urgent = s.matter_mode(
        actor=street, matter=s.matter_accept(actor=street, matter=fresh()), mode="urgent",
        reason="危险",
    )  # fmt: skip
    urgent = s.matter_dispatch(actor=street, matter=urgent, unit=unit)
    # A mode change after dispatch and a re-triage move the counts already made.
    big = s.matter_mode(actor=district, matter=big, mode="urgent", reason="汛期")
    s.matter_accept(actor=street, matter=fresh(category="noise"))
    s.matter_triage(actor=street, matter=fresh(), triage="private", reason="家事")

    # Each figure against a count over the facts (every matter counts under its current 三事/四事).
    matters = list(Matter.objects.select_related("category"))
    events = list(MatterEvent.objects.select_related("matter__category"))

    def facts(attr: Any, value: str) -> dict[str, int]:
        mine = [e for e in events if attr(e.matter) == value]
        return {
            "created": sum(1 for e in mine if e.action == "submit"),
            "accepted": sum(
                1
                for e in mine
                if e.from_status == "submitted"
                and e.to_status not in ("submitted", "rejected", "merged")
            ),
            "dispatched": sum(1 for e in mine if e.action == "dispatch"),
            "closed": sum(1 for e in mine if e.to_status == "closed" and e.from_status != "closed"),
        }

    for by, attr, values in (
        ("triage", lambda m: m.triage or "none", ("big", "small", "private", "none")),
        ("mode", lambda m: m.handling_mode, ("immediate", "timed", "consult", "urgent")),
        ("topic", lambda m: m.category.topic, sorted({m.category.topic for m in matters})),
    ):
        report = metrics.matter_metrics(district, days=7, by=by)
        rows = {row["key"]: row["counts"] for row in report.rows}
        for value in values:
            got = {k: rows[value][k] for k in ("created", "accepted", "dispatched", "closed")}
            assert got == facts(attr, value), (by, value)
            filtered = metrics.matter_metrics(district, days=7, **{by: value})
            assert filtered.counts["created"] == facts(attr, value)["created"], (by, value)
        assert sum(r["created"] for r in rows.values()) == report.counts["created"] == len(matters)
    assert metrics.matter_metrics(district, days=7, triage="big").counts["created"] == 1
    assert metrics.matter_metrics(district, days=7, mode="urgent").counts["created"] == 2
    # The rows kept live are what a rebuild from the events writes.
    live = _rollup_rows()
    rollups.rebuild()
    assert _rollup_rows() == live
    # API, page and export.
    r = client.get(
        "/api/v1/metrics/matters", {"by": "triage", "days": 7}, headers=bearer("yuzhong")
    )
    assert r.status_code == 200
    api_rows = {row["key"]: row["counts"]["created"] for row in r.json()["rows"]}
    assert api_rows == {"big": 1, "small": 1, "private": 1, "none": 2}
    r = client.get("/api/v1/metrics/matters", {"triage": "huge"}, headers=bearer("yuzhong"))
    assert r.status_code == 422 and r.json()["code"] == "invalid_filter"
    page = login("yuzhong").get("/matters/metrics/", {"by": "mode", "days": 7}).content.decode()
    assert "急事特事特办" in page and "按四事四办" in page
    from openpyxl import load_workbook

    xlsx = login("yuzhong").get(
        "/matters/metrics/export.xlsx", {"by": "triage", "days": 7, "topic": big.category.topic}
    )
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert "大事（政府办理）" in names and "合计" in names
    assert "五事" in ws["A1"].value
