"""Wage complaints link themselves to their project when the text leaves no doubt (the number
anywhere; the name, address or a firm with one project within the district), and the
open-complaints rule fires on them."""

from __future__ import annotations

import pytest

from zhili.testing.factories import WANZHOU_STREET, make_matter, user
from zhili.wages import services
from zhili.wages.models import ProjectComplaint, Warning
from zhili.wages.tests.helpers import TODAY, findings, make_project

pytestmark = pytest.mark.django_db


def wage_matter(description, **kw):
    return make_matter(
        category="wage-arrears", description=description, answers={"workers": 5, "site": "是"}, **kw
    )


def linked(matter):
    return ProjectComplaint.objects.filter(matter=matter).first()


def test_the_project_number_links_and_the_rule_fires():
    p = make_project()
    m = wage_matter("项目 xm2026001 拖欠我们三个月工资")  # any case
    services.warnings_run(today=TODAY)
    link = linked(m)
    assert link and link.project_id == p.pk and link.matched_by == "number"
    (f,) = findings(p, "complaint")
    assert f.evidence["open"] == 1
    assert Warning.objects.filter(project=p, rule="complaint").exists()
    services.warnings_run(today=TODAY)  # idempotent
    assert ProjectComplaint.objects.filter(matter=m).count() == 1


def test_the_name_links_within_the_district_only():
    p = make_project()
    here = wage_matter("解放碑某商业综合体 工地老板跑路，工资没发")
    there = wage_matter(
        "解放碑某商业综合体 工资没发", actor="wanzhou", area=WANZHOU_STREET
    )  # the same words in 万州: not this project
    services.complaints_autolink(today=TODAY)
    assert linked(here).project_id == p.pk and linked(here).matched_by == "name"
    assert linked(there) is None


def test_the_address_links():
    p = make_project()  # 民生路 1 号
    m = wage_matter("工地拖欠工资", address="民生路 1 号")
    services.complaints_autolink(today=TODAY)
    assert linked(m).project_id == p.pk and linked(m).matched_by == "address"


def test_a_firm_links_only_when_it_has_one_project_in_the_district():
    p = make_project(name="一号工地项目A")
    m = wage_matter("某建工集团拖欠农民工工资")
    services.complaints_autolink(today=TODAY)
    assert linked(m).project_id == p.pk and linked(m).matched_by == "firm"
    make_project(number="XM2026002", name="二号工地项目B")  # the same contractor, twice
    m2 = wage_matter("某建工集团又拖欠工资")
    services.complaints_autolink(today=TODAY)
    assert linked(m2) is None  # ambiguous: an officer links it by hand


def test_other_categories_two_numbers_and_closed_matters_do_not_link():
    from zhili.matters.models import Matter

    p = make_project()
    make_project(number="XM2026002", name="另一个工地")
    other = make_matter(description="XM2026001 门口路灯不亮")
    both = wage_matter("XM2026001 和 XM2026002 都欠薪")
    closed = wage_matter("XM2026001 欠薪")
    Matter.objects.filter(pk=closed.pk).update(status="closed")
    services.complaints_autolink(today=TODAY)
    assert linked(other) is None and linked(both) is None and linked(closed) is None
    assert findings(p, "complaint") == []


def test_the_project_page_lists_its_complaints_as_the_user_may_see_them(client):
    p = make_project()
    m = wage_matter("XM2026001 拖欠工资")
    services.complaints_autolink(today=TODAY)
    client.force_login(user("jiefangbei"))
    html = client.get(f"/wages/projects/{p.pk}/").content.decode()
    assert m.number in html and "诉求写明了项目编号" in html
