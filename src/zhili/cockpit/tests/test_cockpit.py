"""The cockpit: its figures equal the modules' own figures (their own API or selectors, and a
count over the facts), scoped per user; drill-down; weekly report through the task backend;
cameras."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from zhili.cockpit import services
from zhili.cockpit.models import ReportStatus, WeeklyReport
from zhili.disputes import services as ds
from zhili.disputes.models import Dispute
from zhili.indicators import selectors as isel
from zhili.indicators import services as isvc
from zhili.indicators.models import Indicator
from zhili.risks import selectors as rsel
from zhili.risks import services as rs
from zhili.testing.factories import (
    GRID,
    JIEFANGBEI,
    WANZHOU,
    WANZHOU_STREET,
    YUZHONG,
    make_dispute,
    make_matter,
    make_mediating_dispute,
    make_risk,
)


@pytest.fixture
def facts(users: Any, area: Any) -> dict[str, Any]:
    make_matter("jiefangbei", area=GRID)
    make_matter("jiefangbei", area=GRID, description="井盖缺失")
    make_matter("wanzhou", area=WANZHOU_STREET, description="路灯不亮")
    risk = make_risk("jiefangbei")
    rs.risk_assess(actor=users["jiefangbei"], risk=risk, kind="current", likelihood=5, impact=5,
                   confidence="high")  # fmt: skip
    d = make_mediating_dispute("jiefangbei")
    ds.session_add(actor=users["mediator_jfb"], dispute=d,
                   at=timezone.now() - dt.timedelta(hours=1), notes="双方到场")  # fmt: skip
    ds.dispute_agree(actor=users["mediator_jfb"], dispute=d, agreement="返工")
    make_dispute("jiefangbei")
    ind = Indicator.objects.get(code="petition_visits")
    year = timezone.localdate().year
    isvc.value_set(actor=users["city_admin"], indicator=ind, area=area(YUZHONG), year=year,
                   month=1, value=7, source="信访办")  # fmt: skip
    isvc.value_set(actor=users["city_admin"], indicator=ind, area=area(WANZHOU), year=year,
                   month=1, value=2, source="信访办")  # fmt: skip
    return {"year": year}


def _figures(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for s in payload["sections"] for f in s["figures"]}


@pytest.mark.parametrize(("who", "code"), [("city_admin", ""), ("yuzhong", YUZHONG),
                                           ("jiefangbei", JIEFANGBEI)])  # fmt: skip
def test_cockpit_figures_equal_the_modules_own(login: Any, users: Any, facts: Any, who: str,
                                               code: str) -> None:  # fmt: skip
    client = login(who)
    today = timezone.localdate()
    start = today - dt.timedelta(days=29)
    cockpit = client.get("/api/v1/cockpit/", {"area": code, "days": 30}).json()
    f = _figures(cockpit)
    area_code = cockpit["area"]["code"]
    # Matters: the metrics API of the matters module for the same area and period.
    own = client.get("/api/v1/metrics/matters",
                     {"area": area_code, "from": start, "to": today}).json()  # fmt: skip
    assert f["matters.created"]["value"] == own["totals"]["counts"]["created"]
    assert f["matters.overdue_open"]["value"] == own["totals"]["overdue_open"]
    measures = {m["key"]: m["value"] for m in own["totals"]["measures"]}
    for key in ("close_rate", "on_time_close_rate", "satisfaction_rate"):
        assert f[f"matters.{key}"]["value"] == measures[key]
    for row in own["rows"]:
        if row["key"]:
            assert f["matters.created"]["children"][row["key"]] == row["counts"]["created"]
    # And a count over the facts.
    from zhili.matters.models import Matter

    visible = Matter.objects.visible_to(users[who]).filter(area_path__startswith=
                                                           _path(area_code))  # fmt: skip
    assert f["matters.created"]["value"] == visible.count()
    # Risks: the risk map's own counts (open red per district) and the facts.
    from zhili.risks.models import Risk

    counts = rsel.map_counts(users[who])
    red = Risk.objects.visible_to(users[who]).filter(
        status="open", level="red", area_path__startswith=_path(area_code)
    )
    assert f["risks.red_open"]["value"] == red.count() == 1
    if cockpit["area"]["level"] in ("city", "district"):
        assert f["risks.red_open"]["value"] == sum(
            v["red"] for d, v in counts.items() if _path(d).startswith(_path(area_code))
        )
    # Disputes: the disputes module's own list, counted.
    mine = Dispute.objects.visible_to(users[who]).filter(area_path__startswith=_path(area_code))
    since = timezone.now() - dt.timedelta(days=30)
    assert f["disputes.received"]["value"] == mine.filter(received_at__gte=since).count() == 2
    assert f["disputes.resolved"]["value"] == mine.filter(agreed_at__isnull=False).count() == 1
    # Indicators: the indicators' own figures.
    area = isel.area_for(users[who], area_code)
    own_ind = isel.figures(users[who], area, facts["year"], (1, today.month))
    assert f["indicators.petition_visits"]["value"] == float(
        own_ind.totals.get("petition_visits", 0)
    )


def _path(code: str) -> str:
    from zhili.areas.models import Area

    return Area.objects.get(code=code).path


def test_city_view_splits_by_district(login: Any, facts: Any) -> None:
    cockpit = login("city_admin").get("/api/v1/cockpit/", {"days": 30}).json()
    f = _figures(cockpit)
    assert f["matters.created"]["value"] == 3
    assert f["matters.created"]["children"][YUZHONG] == 2
    assert f["matters.created"]["children"][WANZHOU] == 1
    assert f["risks.red_open"]["children"] == {YUZHONG: 1}
    assert f["disputes.received"]["children"] == {YUZHONG: 2}
    assert f["indicators.petition_visits"]["value"] == 9
    assert f["indicators.petition_visits"]["children"] == {YUZHONG: 7, WANZHOU: 2}
    assert {c["code"] for c in cockpit["children"]} >= {YUZHONG, WANZHOU}


def test_city_view_reads_rollups_summed_over_categories_and_no_histograms(
    login: Any, facts: Any
) -> None:
    """The cockpit shows no medians: it reads the counter rows summed over categories and no
    duration histogram (the largest read of the metrics), in a number of queries that does not
    depend on the districts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("city_admin")
    client.get("/api/v1/cockpit/", {"days": 30})
    with CaptureQueriesContext(connection) as q:
        assert client.get("/api/v1/cockpit/", {"days": 30}).status_code == 200
    sql = " ".join(x["sql"] for x in q.captured_queries)
    assert "matters_matterareaall" in sql
    assert "matterduration" not in sql and "matters_matterareaday" not in sql
    assert len(q.captured_queries) <= 45


def test_district_officer_sees_only_his_district(login: Any, facts: Any) -> None:
    client = login("yuzhong")
    f = _figures(client.get("/api/v1/cockpit/", {"days": 30}).json())
    assert f["matters.created"]["value"] == 2 and f["indicators.petition_visits"]["value"] == 7
    assert client.get("/api/v1/cockpit/", {"area": WANZHOU}).status_code == 404
    assert client.get("/cockpit/", {"area": WANZHOU}).status_code == 302  # back to his own


def test_pages_render(login: Any, facts: Any) -> None:
    client = login("yuzhong")
    page = client.get("/cockpit/?days=30").content.decode()
    assert 'data-figure="matters.created"' in page and "解放碑街道" in page
    screen = client.get(f"/cockpit/screen/?area={JIEFANGBEI}").content.decode()
    assert "cockpit-screen" in screen and 'http-equiv="refresh"' in screen
    bad = client.get("/cockpit/?days=abc").content.decode()
    assert "天数须为整数" in bad


def test_weekly_report_in_the_background(
    login: Any, users: Any, area: Any, facts: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    today = timezone.localdate() + dt.timedelta(days=1)  # the last seven days include today
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=users["yuzhong"], area=area(YUZHONG), today=today)
    assert report.status == ReportStatus.PENDING
    # Queued through the task backend on commit; the worker runs it.
    queued = DBTaskResult.objects.get(task_path="zhili.cockpit.tasks.build_weekly_report")
    assert WeeklyReport.objects.get(pk=report.pk).task_id == str(queued.id)
    call_command("worker", "--once", "--no-schedule", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    report = WeeklyReport.objects.get(pk=report.pk)
    assert report.status == ReportStatus.DONE
    wb = load_workbook(io.BytesIO(bytes(report.xlsx)))
    rows = {r[1]: r[2] for r in wb["汇总"].iter_rows(min_row=4, values_only=True)}
    assert rows["受理诉求"] == 2
    client = login("yuzhong")
    assert client.get(f"/cockpit/reports/{report.pk}.xlsx").status_code == 200
    assert "受理诉求" in client.get(f"/cockpit/reports/{report.pk}/print/").content.decode()
    assert login("wanzhou").get(f"/cockpit/reports/{report.pk}.xlsx").status_code == 404
    # The PDF, built with the xlsx: the same figures, as text a reader can copy.
    client = login("yuzhong")  # the fixture's one client was logged in as wanzhou above
    pdf = client.get(f"/cockpit/reports/{report.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "驾驶舱周报" in text and "渝中区" in text
    assert re.search(r"受理诉求\s*2\b", text), text[:500]
    assert f"/cockpit/reports/{report.pk}.pdf" in client.get("/cockpit/").content.decode()
    assert login("wanzhou").get(f"/cockpit/reports/{report.pk}.pdf").status_code == 404


def test_cameras(login: Any, users: Any, area: Any) -> None:
    from zhili.core.errors import ValidationFailed

    p = services.camera_create(actor=users["jiefangbei"], code="XL-001", name="民生路口",
                               area=area(GRID), lat=29.56, lng=106.58, owner="解放碑派出所")  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.camera_create(actor=users["jiefangbei"], code="XL-002", name="x", area=area(GRID),
                               lat=999, lng=0, owner="y")  # fmt: skip
    data = login("yuzhong").get("/cockpit/data.json").json()
    assert [c["code"] for c in data["cameras"]] == ["XL-001"]
    assert login("wanzhou").get("/api/v1/cockpit/cameras").json() == []
    services.camera_set_status(actor=users["jiefangbei"], point=p, status="fault")
    assert "故障" in login("jiefangbei").get("/cockpit/cameras/").content.decode()
