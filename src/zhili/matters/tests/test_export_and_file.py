"""The work queue as xlsx (as filtered on the page, no personal data), its total, and the printable
一案一档 of one matter."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zhili.areas.models import Area
from zhili.matters import services
from zhili.matters.models import Category, Channel, Matter, Status

pytestmark = pytest.mark.django_db


def _matter(description: str) -> Matter:
    category = (
        Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    )
    return services.matter_create(
        actor=None,
        category=category,
        channel=Channel.WEB,
        description=description,
        area=Area.objects.get(code="500103003013"),
        reporter_name="张三丰",
        reporter_phone="13812345678",
    )


def test_the_export_is_the_filtered_list(login: Any, users: Any) -> None:
    a, b = _matter("井盖丢失"), _matter("路灯不亮")
    services.matter_accept(actor=users["jiefangbei"], matter=b)
    client = login("jiefangbei")
    page = client.get("/matters/?queue=intake").content.decode()
    visible = Matter.objects.visible_to(users["jiefangbei"])
    assert f'id="queue-total">{visible.filter(status=Status.SUBMITTED).count()}<' in page
    response = client.get("/matters/export.xlsx?queue=intake")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    numbers = [r[0] for r in rows[2:] if r and r[0] and str(r[0]).startswith("Q")]
    assert a.number in numbers and b.number not in numbers
    assert len(numbers) == visible.filter(status=Status.SUBMITTED).count()
    assert rows[-1][0] == f"合计 {len(numbers)} 件"
    text = " ".join(str(c) for r in rows for c in r if c)
    assert "张三丰" not in text and "13812345678" not in text  # no personal data


def test_a_bad_filter_is_a_clear_error_not_a_file(login: Any) -> None:
    response = login("jiefangbei").get("/matters/export.xlsx?created_from=yesterday")
    assert response.status_code == 422 and "筛选条件有误" in response.content.decode()


def test_the_case_file_prints_the_whole_matter_masked(login: Any, users: Any) -> None:
    m = _matter("楼道堆放杂物")
    m = services.matter_accept(actor=users["jiefangbei"], matter=m, note="立案")
    page = login("jiefangbei").get(f"/matters/{m.number}/file/").content.decode()
    assert "一案一档" in page and "楼道堆放杂物" in page
    assert page.count("<tr>") >= 2 and "立案" in page
    assert "张三丰" not in page and "13812345678" not in page  # masked by default
    assert login("wanzhou").get(f"/matters/{m.number}/file/").status_code == 404


def test_the_area_filter_takes_a_name_from_the_list(login: Any, users: Any) -> None:
    m = _matter("垃圾清运不及时")
    client = login("jiefangbei")
    page = client.get("/matters/").content.decode()
    assert 'data-picker-for="matters.matter.view"' in page  # the area picker (core.pickers)
    found = client.get("/matters/", {"area": "解放碑街道 · 民生路社区"}).content.decode()
    assert m.number in found
    other = client.get("/matters/", {"area": "解放碑街道 · 自力巷社区"}).content.decode()
    assert m.number not in other
    bad = client.get("/matters/", {"area": "不存在的社区"}).content.decode()
    assert "没有名为“不存在的社区”的区域" in bad
    assert client.get("/matters/", {"area": "500103003013"}).status_code == 200  # codes still work


def test_above_the_limit_the_export_runs_in_the_background_for_the_requester_only(
    login: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Above the immediate limit (10,000 rows, the business parameter lowered here to 3) the export is a job of the real task backend (django_tasks_db,
    run by ``zhili worker``), with progress on its page, the queue's own filters, and a file only
    its requester downloads."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from zhili.core import tunables
    from zhili.core.models import ExportJob
    from zhili.matters import list_xlsx

    made = [_matter(f"背景导出测试 {i}") for i in range(5)]
    assert list_xlsx.export_now_limit() == 10_000
    tunables.tunable_set(
        actor=users["city_admin"], key="matters.export_now_limit", value=3, reason="测试"
    )
    client = login("jiefangbei")
    query = {"q": "背景导出测试"}
    offer = client.get("/matters/export.xlsx", query)
    page = offer.content.decode()
    assert offer.status_code == 200 and 'id="export-start"' in page
    assert "筛选结果共 5 件，超过 3 件" in page
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/matters/export/background/", {"params": "q=背景导出测试"})
    job = ExportJob.objects.get(requested_by=users["jiefangbei"])
    assert started.status_code == 302 and started.url == f"/exports/{job.pk}/"
    waiting = client.get(started.url).content.decode()
    assert "排队中" in waiting and 'hx-trigger="every 2s"' in waiting
    assert client.get(f"/exports/{job.pk}/download/").status_code == 422  # not built yet
    queued = DBTaskResult.objects.get(task_path="zhili.core.tasks.build_export")
    assert job.total == 5 and ExportJob.objects.get(pk=job.pk).task_id == str(queued.id)
    call_command("worker", "--once", "--no-schedule", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == "done" and job.done == 5 and job.percent == 100
    done = client.get(started.url).content.decode()
    assert "已写 5 / 5 行" in done and 'id="export-download"' in done
    assert "every 2s" not in done  # polling stops when finished
    file = client.get(f"/exports/{job.pk}/download/")
    assert file.status_code == 200
    ws = load_workbook(io.BytesIO(file.content)).active
    numbers = [r[0] for r in ws.iter_rows(min_row=3, values_only=True) if r and r[0]]
    assert numbers[:-1] == [m.number for m in reversed(made)] and numbers[-1] == "合计 5 件"
    # Nobody else sees the job or its file, not even a district officer over the same matters.
    for other in ("yuzhong", "wanzhou"):
        assert login(other).get(f"/exports/{job.pk}/").status_code == 404
        assert login(other).get(f"/exports/{job.pk}/download/").status_code == 404


def test_the_background_export_reads_as_the_requester_sees(
    users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The job keeps the filters, not the rows: another district's officer asking with the same
    filters gets none of 渝中区's matters."""
    from zhili.core.exports import export_build, export_request

    _matter("范围测试导出")
    job = export_request(
        actor=users["wanzhou"], kind="matters.queue", title="t", params="q=范围测试导出", total=0
    )
    job = export_build(job_id=job.pk)
    ws = load_workbook(io.BytesIO(bytes(job.file))).active
    assert [r[0] for r in ws.iter_rows(min_row=3, values_only=True) if r and r[0]] == ["合计 0 件"]
