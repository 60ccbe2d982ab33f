"""The pages and the API: scoped, masked, bad input is a clear message (never a 500), and the
figures shown are recomputed from the facts."""

from __future__ import annotations

import pytest

from zhili.testing.factories import user
from zhili.wages.models import Warning
from zhili.wages.tests.helpers import (
    attendance,
    csv_bytes,
    id_number,
    make_project,
    pay,
    roster,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    p = make_project()
    roster(p, 4)
    attendance(p, "2026-03", [1, 2, 3, 4])  # never paid: red
    attendance(p, "2026-04", [1, 2, 3, 4])
    pay(p, "2026-04", {1: "5000", 2: "5000", 3: "4800"})  # 3 of 4 paid
    return p


def login(client, who):
    client.force_login(user(who))
    return client


def test_project_page_masks_the_roster_and_shows_the_monthly_figures(client, history):
    r = login(client, "jiefangbei").get(f"/wages/projects/{history.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert id_number(1) not in html and id_number(1)[:4] + "**********" in html
    assert "6222" + "0" * 11 + "1" not in html
    # 2026-04: 4 attendees, 3 paid (75.0 %), 14,800.00 paid
    assert "<td>2026-04</td><td>4</td><td>3</td><td>75.0%</td><td>14800.00</td>" in html


def test_reveal_shows_the_roster_and_is_audited(client, history):
    from zhili.core.models import AuditEvent

    c = login(client, "yuzhong")
    r = c.post(f"/wages/projects/{history.pk}/", {"action": "reveal"})
    assert id_number(1) in r.content.decode()
    assert AuditEvent.objects.filter(action="privacy.reveal").count() == 1


def test_out_of_scope_project_is_404(client, history):
    assert login(client, "wanzhou").get(f"/wages/projects/{history.pk}/").status_code == 404


def test_a_bad_upload_shows_row_errors_in_the_page(client, history):
    c = login(client, "jiefangbei")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = csv_bytes("attendance", [[id_number(1), "2026-13", 40]])
    r = c.post(
        f"/wages/projects/{history.pk}/",
        {
            "action": "import",
            "kind": "attendance",
            "file": SimpleUploadedFile("a.csv", bad, content_type="text/csv"),
        },
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "第 2 行：“月份”" in html and "第 2 行：“出勤天数”" in html
    junk = SimpleUploadedFile("a.xlsx", b"PK\x03\x04junk", content_type="application/zip")
    r = c.post(f"/wages/projects/{history.pk}/", {"action": "import", "kind": "bank", "file": junk})
    assert r.status_code == 422 and "无法读取该 xlsx 文件" in r.content.decode()


def test_queue_filters_and_acts(client, history):
    c = login(client, "yuzhong")
    r = c.get("/wages/warnings/?severity=red")
    assert r.status_code == 200 and "未按月通过专用账户发放工资" in r.content.decode()
    w = Warning.objects.get(project=history, rule="no_payroll", period="2026-03-01")
    r = c.post(
        f"/wages/warnings/{w.pk}/",
        {"action": "assign", "version": w.version, "assignee": "jiefangbei"},
    )
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.status == "assigned"
    r = c.post(f"/wages/warnings/{w.pk}/", {"action": "close", "version": 1, "note": "x"})
    assert r.status_code == 409 and "已被他人更新" in r.content.decode()
    page = c.get(f"/wages/warnings/{w.pk}/").content.decode()
    assert "交办给" in page and "待研判" in page  # its risk candidate waits in the register
    assert login(client, "wanzhou").get(f"/wages/warnings/{w.pk}/").status_code == 404


def test_dashboard_figures_recomputed_from_the_warnings(client, history):
    from zhili.wages.selectors import dashboard

    rows = {r.name: r for r in dashboard(user("yuzhong"))}
    yz = rows["渝中区"]
    ws = Warning.objects.filter(area_path__startswith="500000/500103/")
    assert yz.red == ws.filter(severity="red").exclude(status="closed").count()
    assert yz.yellow == ws.filter(severity="yellow").exclude(status="closed").count()
    assert yz.projects == 1 and 0 <= yz.closed_rate <= 100
    assert dashboard(user("wanzhou")) == []
    r = login(client, "yuzhong").get("/wages/dashboard/")
    assert r.status_code == 200 and "vendor/echarts/echarts.min.js" in r.content.decode()
    x = client.get("/wages/dashboard.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"


def test_exports_are_xlsx_in_scope(client, history):
    import io

    from openpyxl import load_workbook

    c = login(client, "yuzhong")
    data = c.get("/wages/warnings.xlsx?status=all").content
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) - 1 == Warning.objects.count()
    c = login(client, "wanzhou")
    ws = load_workbook(io.BytesIO(c.get("/wages/warnings.xlsx?status=all").content)).active
    assert len(list(ws.iter_rows(values_only=True))) == 1


def test_api_lists_and_closes(client, history):
    c = login(client, "yuzhong")
    r = c.get("/api/v1/wages/warnings?severity=red")
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and items[0]["candidate"] == "待研判" and items[0]["risk"] is None
    w = items[0]
    r = c.post(
        f"/api/v1/wages/warnings/{w['id']}/close",
        {"note": "已补发", "version": w["version"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = c.post(
        f"/api/v1/wages/warnings/{w['id']}/close",
        {"note": "again", "version": w["version"]},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    d = c.get(f"/api/v1/wages/projects/{history.pk}").json()
    april = next(m for m in d["months"] if m["month"] == "2026-04")
    assert april["paid_rate"] == 75.0 and d["roster_size"] == 4
    assert "account_number" not in d and d["account_tail"] == "0123"
    assert login(client, "wanzhou").get(f"/api/v1/wages/projects/{history.pk}").status_code == 404


def test_api_import_is_idempotent_and_refuses_bad_files(client, history):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = login(client, "jiefangbei")
    data = csv_bytes("attendance", [[id_number(1), "2026-05", 20]])
    url = f"/api/v1/wages/projects/{history.pk}/imports"
    r = c.post(url, {"kind": "attendance", "file": SimpleUploadedFile("a.csv", data)})
    assert r.status_code == 201 and r.json()["rows"] == 1
    r = c.post(url, {"kind": "attendance", "file": SimpleUploadedFile("b.csv", data)})
    assert r.status_code == 200 and r.json()["new"] is False
    r = c.post(url, {"kind": "attendance", "file": SimpleUploadedFile("c.csv", b"\xff\xfe\x00")})
    assert r.status_code == 422 and r.json()["code"] == "bad_file"


def test_rules_page_and_edit_by_city_admin_only(client):
    c = login(client, "yuzhong")
    assert c.get("/wages/rules/").status_code == 200
    assert (
        c.post(
            "/wages/rules/proxy/",
            {"severity": "red", "threshold": "1", "reason": "x", "enabled": "on"},
        ).status_code
        == 403
    )
    c = login(client, "city_admin")
    r = c.post("/wages/rules/proxy/", {"severity": "red", "threshold": "-1", "reason": "x"})
    assert r.status_code == 422
    r = c.post(
        "/wages/rules/proxy/",
        {"severity": "red", "threshold": "40000", "reason": "单人单月超过四万元", "enabled": "on"},
    )
    assert r.status_code == 302


def test_blacklist_search_and_interviews_pages(client):
    import datetime as dt

    from zhili.wages import services
    from zhili.wages.tests.helpers import firms

    _b, contractor, _s = firms()
    services.blacklist_add(
        actor=user("yuzhong"),
        firm=contractor,
        area=__import__("zhili.testing.factories", fromlist=["area"]).area("500103"),
        reason="拖欠工资",
        arrears="1000",
        listed_on=dt.date.today(),
    )
    c = login(client, "wanzhou")  # the list is city-wide
    assert "某建工集团" in c.get("/wages/blacklist/?q=建工").content.decode()
    assert "某建工集团" not in c.get("/wages/blacklist/?q=不存在").content.decode()
    r = login(client, "yuzhong").post(
        "/wages/interviews/",
        {
            "area_code": "500103003",
            "held_on": "2026-06-01",
            "interviewees": "某某",
            "record": "约谈记录",
        },
    )
    assert r.status_code == 302
    r = client.post(
        "/wages/interviews/",
        {"area_code": "500101", "held_on": "2026-06-01", "interviewees": "某某", "record": "x"},
    )
    # Another district, typed: refused beside the field (core.pickers), what was typed kept.
    assert "区域代码 500101 不存在或不在您的管辖范围内" in r.content.decode()
    assert 'value="某某"' in r.content.decode()


def test_the_same_file_uploaded_again_in_the_page_is_not_imported_twice(client, history):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = login(client, "jiefangbei")
    data = csv_bytes("attendance", [[id_number(1), "2026-05", 20]])
    url = f"/wages/projects/{history.pk}/"
    for expected in ("已导入 1 行", "导入过，未重复导入"):
        r = c.post(
            url,
            {"action": "import", "kind": "attendance", "file": SimpleUploadedFile("a.csv", data)},
            follow=True,
        )
        assert expected in r.content.decode()
