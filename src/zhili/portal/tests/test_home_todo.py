"""Each role's home page leads with its work: counts that link to the queues, recomputed here
from the facts, and the big 上报 button for grid workers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.matters import services
from zhili.matters.models import Category, Channel, Matter, Status

pytestmark = pytest.mark.django_db


def _todo(page: str) -> dict[str, int]:
    """{label: count} of the to-do rows on the page."""
    rows = re.findall(
        r'data-todo="([^"]+)">\s*<span>[^<]*</span>\s*<span class="badge[^"]*">(\d+)\+?</span>',
        page,
    )
    return {label: int(n) for label, n in rows}


def _matter(area: Area, **kw: Any) -> Matter:
    category = (
        Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    )
    return services.matter_create(
        actor=None,
        category=category,
        channel=Channel.WEB,
        description="楼道灯坏了",
        area=area,
        reporter_phone="13800138000",
        **kw,
    )


def test_the_street_worker_sees_what_waits_for_acceptance(login: Any, users: Any) -> None:
    street = Area.objects.get(code="500103003")
    for _ in range(3):
        _matter(street)
    page = login("jiefangbei").get("/").content.decode()
    todo = _todo(page)
    visible = Matter.objects.visible_to(users["jiefangbei"])
    assert todo["待受理"] == visible.filter(status=Status.SUBMITTED).count() == 3
    assert todo["已超期"] == visible.filter(overdue=True).count()
    assert "待审批延期" not in todo  # a street worker does not approve extensions
    assert 'href="/matters/?queue=intake"' in page
    assert 'id="big-report"' not in page


def test_the_grid_worker_gets_the_big_report_button(login: Any) -> None:
    page = login("grid_jfb_01").get("/").content.decode()
    assert 'id="big-report"' in page and 'href="/matters/report/"' in page
    assert "待受理" not in _todo(page)  # a grid worker reports; the street accepts


def test_the_unit_handler_sees_what_was_dispatched_to_the_unit(login: Any, users: Any) -> None:
    street = Area.objects.get(code="500103003")
    m = _matter(street)
    unit = users["unit_yz_jw"].unit
    m = services.matter_accept(actor=users["yuzhong"], matter=m)
    services.matter_dispatch(actor=users["yuzhong"], matter=m, unit=unit, note="")
    todo = _todo(login("unit_yz_jw").get("/").content.decode())
    assert todo["待签收"] == Matter.objects.filter(lead_unit=unit, status=Status.DISPATCHED).count()
    assert todo["待签收"] == 1


def test_the_office_and_the_mediator_see_their_queues(login: Any) -> None:
    assert "待审核的进展报告" in _todo(login("office_zfw").get("/").content.decode())
    todo = _todo(login("mediator_jfb").get("/").content.decode())
    assert set(todo) == {"我调解中的纠纷"}


def test_new_modules_add_their_queues(login: Any, users: Any) -> None:
    import io

    from django.core.management import call_command
    from django.test import override_settings

    from zhili.legal.models import Review, ReviewStatus
    from zhili.points.models import Record, RecordStatus
    from zhili.testing import factories as f
    from zhili.wages.models import Warning

    with override_settings(DEBUG=True):
        call_command("demo_villages", stdout=io.StringIO())
        call_command("demo_points", stdout=io.StringIO())
    f.make_wage_warning(f.make_wage_project())
    red = f.make_wage_warning(f.make_wage_project(number="XM-2"))
    Warning.objects.filter(pk=red.pk).update(severity="red")  # a red one beside the yellow
    client = login("jiefangbei")
    home = client.get("/").content.decode()
    todo = _todo(home)
    visible = Warning.objects.visible_to(users["jiefangbei"]).exclude(status="closed")
    assert todo["未办结欠薪预警"] == visible.count() > todo["红色欠薪预警"] == 1
    # Each count is the rows of the page it opens.
    for label in ("红色欠薪预警", "未办结欠薪预警"):
        href = re.search(rf'href="([^"]+)" data-todo="{label}"', home).group(1)
        listed = client.get(href.replace("&amp;", "&")).content.decode()
        rows = listed.split('id="warnings"')[1].split("</tbody>")[0].count("<tr>") - 1  # thead
        assert rows == todo[label], (label, href)
    lawyer = users["lawyer_jfb"]
    todo = _todo(login("lawyer_jfb").get("/").content.decode())
    assert (
        todo["待我审查的事项"]
        == Review.objects.filter(adviser__user=lawyer, status=ReviewStatus.REQUESTED).count()
    )
    secretary = users["secretary_msl"]
    todo = _todo(login("secretary_msl").get("/").content.decode())
    if "待审核的积分记录" in todo:
        waiting = Record.objects.visible_to(secretary).filter(status=RecordStatus.RECORDED)
        assert todo["待审核的积分记录"] == waiting.exclude(recorded_by=secretary).count()


def test_the_village_secretary_sees_the_records_in_progress(login: Any, users: Any) -> None:
    import io

    from django.core.management import call_command
    from django.test import override_settings

    from zhili.deliberation.models import Deliberation, Status

    with override_settings(DEBUG=True):
        call_command("demo_villages", stdout=io.StringIO())
    secretary = users["secretary_msl"]
    todo = _todo(login("secretary_msl").get("/").content.decode())
    open_ = Deliberation.objects.visible_to(secretary).exclude(
        status__in=[Status.DONE, Status.WITHDRAWN]
    )
    assert todo["进行中的四议两公开"] == open_.count()
