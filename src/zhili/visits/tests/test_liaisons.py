"""包片联系: a district leader or department follows one or two streets; the check lists those
with none or more than two, counted from the liaison rows."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.org.models import Liaison, Role
from zhili.org.services import grant_create, liaison_create, user_create
from zhili.testing import factories as f
from zhili.visits.liaisons import liaison_check

pytestmark = pytest.mark.django_db


def leader(username: str, name: str) -> Any:
    admin = f.user("city_admin")
    u = user_create(
        actor=admin,
        username=username,
        password="zhili-demo-2026",
        area=f.area(f.YUZHONG),
        full_name=name,
        check_password=False,
    )
    grant_create(
        actor=admin, user=u, role=Role.objects.get(slug="liaison_leader"), area=f.area(f.YUZHONG)
    )
    return u


def test_leaders_with_none_or_more_than_two_streets_are_warned() -> None:
    admin = f.user("city_admin")
    streets = list(
        Area.objects.filter(parent__code=f.YUZHONG, level="street", valid_to__isnull=True).order_by(
            "code"
        )[:3]
    )
    busy, idle, fine = (
        leader("ld_busy", "甲副区长"),
        leader("ld_idle", "乙副区长"),
        leader("ld_ok", "丙副区长"),
    )
    for s in streets:
        liaison_create(actor=admin, area=s, leader=busy)
    liaison_create(actor=admin, area=streets[0], leader=fine)
    liaison_create(actor=admin, area=streets[1], leader=fine)
    rows = {r.name: r for r in liaison_check(f.user("yuzhong"))}
    for u in (busy, idle, fine):
        want = sorted(
            {li.area.name for li in Liaison.objects.filter(leader=u).select_related("area")}
        )
        assert rows[u.display_name].streets == want
    assert rows["甲副区长"].problem.startswith("包片联系 3 个街道")
    assert rows["乙副区长"].problem == "未包片联系街道"
    assert rows["丙副区长"].problem == ""
    # The demo: 渝中区治理办干部 and 渝中区住房城乡建委 each follow 解放碑街道 only.
    assert rows["渝中区治理办干部"].problem == "" and rows["渝中区住房城乡建委"].count == 1
    # Scoped: 万州区's officer sees none of 渝中区's leaders.
    assert not {r.name for r in liaison_check(f.user("wanzhou"))} & set(rows)


def test_liaison_page_lists_the_warnings(login: Any) -> None:
    leader("ld_idle", "乙副区长")
    page = login("yuzhong").get("/visits/liaisons/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "乙副区长" in html and "未包片联系街道" in html
