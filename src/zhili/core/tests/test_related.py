"""core.related: a matter's page lists the risks and disputes taken up from it, contributed by the
risks and disputes apps through their scoped selectors (matters imports neither)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings


@pytest.fixture
def linked(db: Any) -> Any:
    from zhili.areas.models import Area
    from zhili.core.system import system_user
    from zhili.demo.cases import JFB_GRID, demo_cases
    from zhili.matters.models import Category
    from zhili.matters.services import matter_create
    from zhili.risks.models import Risk

    matter_create(  # the demo registers a risk from a wage-arrears matter in 渝中区
        actor=system_user(),
        category=Category.objects.get(code="wage-arrears"),
        channel="hotline",
        area=Area.objects.get(code=JFB_GRID),
        reporter_name="务工人员",
        reporter_phone="13900001111",
        description="工地拖欠三个月工资",
        answers={"workers": 12, "site": "是"},
    )
    with override_settings(DEBUG=True):
        demo_cases(say=lambda _m: None)
    risk = Risk.objects.filter(matter__isnull=False).select_related("matter").first()
    assert risk is not None
    return risk


def _card(page: str) -> str:
    start = page.index('id="linked-cases"')
    return page[start : page.index("</div>\n</div>", start)]


@pytest.mark.django_db
def test_a_matter_page_lists_its_risks_and_offers_to_register_one(login: Any, linked: Any) -> None:
    page = login("jiefangbei").get(f"/matters/{linked.matter.number}/").content.decode()
    card = _card(page)
    assert f"风险 {linked.number} · {linked.title}" in card
    assert f'href="/risks/{linked.number}/"' in card
    assert f'href="/risks/new/?matter={linked.matter.number}"' in card  # 登记为风险
    assert f'href="/disputes/new/?matter={linked.matter.number}"' in card  # 转为矛盾纠纷调解


@pytest.mark.django_db
def test_links_follow_the_linking_apps_scope(login: Any, linked: Any) -> None:
    """unit_yz_jw (a unit's handler) may neither view nor register risks or disputes: nothing."""
    from zhili.core.related import related_to

    user = login("unit_yz_jw").get("/").wsgi_request.user
    assert related_to(user, linked.matter) == []


@pytest.mark.django_db
def test_an_unlinked_matter_costs_one_query_for_every_provider(login: Any, linked: Any) -> None:
    """The providers that declare their links (risks, disputes, visits, meetings) are asked in
    one query, each through its scoped selector; none of them then runs its own, yet the actions
    are still offered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhili.core.related import related_to
    from zhili.matters.models import Matter

    user = login("jiefangbei").get("/").wsgi_request.user
    bare = (
        Matter.objects.exclude(pk=linked.matter.pk)
        .filter(area_path__startswith=linked.matter.area_path[:14])
        .first()
    )
    assert bare is not None
    related_to(user, bare)  # the user's grants are read once per request
    with CaptureQueriesContext(connection) as q:
        shown = related_to(user, bare)
    sql = [x["sql"] for x in q.captured_queries]
    assert len(sql) == 1 and sql[0].count("UNION ALL") == 3, sql
    assert [a.url for r in shown for a in r.actions] == [
        f"/risks/new/?matter={bare.number}",
        f"/disputes/new/?matter={bare.number}",
    ]
    assert not [link for r in shown for link in r.items]
    with CaptureQueriesContext(connection) as q:
        shown = related_to(user, linked.matter)  # linked: the risks' own scoped query follows
    assert len(q.captured_queries) == 2
    assert [link.url for r in shown for link in r.items] == [f"/risks/{linked.number}/"]


@pytest.mark.django_db
def test_a_user_who_may_see_no_linking_record_costs_no_query(login: Any, linked: Any) -> None:
    """unit_yz_jw's scope empties every provider's queryset: not even the one query is asked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhili.core.related import related_to

    user = login("unit_yz_jw").get("/").wsgi_request.user
    related_to(user, linked.matter)
    with CaptureQueriesContext(connection) as q:
        assert related_to(user, linked.matter) == []
    assert q.captured_queries == []
