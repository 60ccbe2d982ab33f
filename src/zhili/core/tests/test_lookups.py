"""core.lookups: per-process memos of the catalogue, the area tree, the units and the routing
rules, which a change empties here at once and in every other process within a second (the shared
generation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.selectors import area_by_code
from zhili.core import lookups
from zhili.matters import selectors
from zhili.matters.models import Category, RoutingRule
from zhili.matters.routing import rule_unit
from zhili.org.models import Unit

pytestmark = pytest.mark.django_db


def _queries(fn: Any) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as q:
        value = fn()
    return value, len(q.captured_queries)


def test_a_lookup_is_read_once_and_handed_out_as_a_copy() -> None:
    first, n1 = _queries(lambda: area_by_code("500103003"))
    again, n2 = _queries(lambda: area_by_code("500103003"))
    assert (n1, n2) == (1, 0)
    assert first == again and first is not again  # equal rows, not the same object
    again.name = "改过的名字"
    assert area_by_code("500103003").name == first.name  # the memo's row is untouched


def test_several_lookups_missing_from_the_memo_are_read_in_one_query() -> None:
    """A breadcrumb: the area's ancestors in one query when cold, none once warm."""
    from zhili.areas.models import Area
    from zhili.areas.selectors import area_ancestors, areas_by_codes

    grid = Area.objects.get(code="500103003013001")
    names, n1 = _queries(lambda: [a.name for a in area_ancestors(grid)])
    again, n2 = _queries(lambda: [a.name for a in area_ancestors(grid)])
    assert (n1, n2) == (1, 0) and names == again
    assert names == [a.name for a in Area.objects.filter(code__in=grid.ancestor_codes)]
    both, n3 = _queries(lambda: areas_by_codes({"500103", "500103003013001", "999999999"}))
    assert n3 == 1 and set(both) == {"500103", "500103003013001"}  # one read for the one missing
    _, n4 = _queries(lambda: areas_by_codes({"500103", "500103003013001", "999999999"}))
    assert n4 == 1  # "not found" is never memoised
    both["500103"].name = "改过的名字"
    assert area_by_code("500103").name != "改过的名字"  # copies, as ``get`` hands out


def test_not_found_is_not_memoised() -> None:
    assert area_by_code("999999999") is None
    _, n = _queries(lambda: area_by_code("999999999"))
    assert n == 1


def test_a_save_empties_this_process_at_once(users: dict[str, Any]) -> None:
    category = (
        selectors.category_by_code("0101")
        or Category.objects.filter(is_active=True, parent__isnull=False).first()
    )
    assert category is not None
    code = category.code
    assert selectors.category_by_code(code) is not None
    Category.objects.filter(pk=category.pk).update(name="不经信号的改名")  # no signal: memo holds
    assert selectors.category_by_code(code).name == category.name
    category.is_active = False
    category.save()  # a save: forgotten now
    assert selectors.category_by_code(code) is None


def test_a_matters_units_come_from_the_memo_and_follow_a_rename(users: dict[str, Any]) -> None:
    """matter_get reads the lead and suggested units from the "units" memo, not by a join; a
    unit's save is seen on the next read."""
    from zhili.matters.models import Matter
    from zhili.testing.factories import make_dispatched_matter

    city = users["city_admin"]
    number = make_dispatched_matter().number
    unit = Unit.objects.get(name="渝中区住房城乡建委")
    Matter.objects.filter(number=number).update(suggested_unit=unit)
    selectors.matter_get(city, number)  # the memo filled
    matter = selectors.matter_get(city, number)
    with CaptureQueriesContext(connection) as q:
        names = (matter.lead_unit.name, matter.suggested_unit.name)
    assert names == (unit.name, unit.name) and q.captured_queries == []
    unit.name = "改名后的单位"
    unit.save()
    assert selectors.matter_get(city, number).lead_unit.name == "改名后的单位"
    Matter.objects.filter(number=number).update(suggested_unit=None)
    assert selectors.matter_get(city, number).suggested_unit is None


def test_routing_follows_a_rule_change(users: dict[str, Any], area: Any) -> None:
    category = Category.objects.filter(is_active=True, parent__isnull=False).first()
    place = area("500103003013001")  # a grid of 解放碑街道
    assert rule_unit(category, place) is None  # no rule: an answer kept too
    _, n = _queries(lambda: rule_unit(category, place))
    assert n == 0
    first, other = Unit.objects.order_by("pk")[:2]
    rule = RoutingRule.objects.create(category=category, area=place.parent.parent, unit=first)
    assert rule_unit(category, place).pk == first.pk  # the street's rule, seen at once
    _, n = _queries(lambda: rule_unit(category, place))
    assert n == 0
    rule.unit = other
    rule.save()
    assert rule_unit(category, place).pk == other.pk


def test_another_process_change_is_seen_through_the_shared_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What another process's commit does: a new generation in the shared cache. This process
    compares at most once a CHECK_SECONDS; with the check due, it reads again."""
    area_by_code("500103003")
    _, n = _queries(lambda: area_by_code("500103003"))
    assert n == 0
    cache.set("zhili:lookups:areas", "another-process", timeout=None)
    memo = lookups.memo("areas")
    memo.checked = 0.0  # the next check is due
    _, n = _queries(lambda: area_by_code("500103003"))
    assert n == 1 and memo.generation == "another-process"
    _, n = _queries(lambda: area_by_code("500103003"))
    assert n == 0


def test_changed_bumps_the_generation_when_the_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = cache.get("zhili:lookups:catalogue")
    with django_capture_on_commit_callbacks(execute=True):
        lookups.changed("catalogue")
    after = cache.get("zhili:lookups:catalogue")
    assert after and after != before


# A user's grants (core.scoping.user_grants, family "grants") --------------------------------------


def _next_request(user: Any) -> Any:
    """The user as the next request loads it (a new object: nothing cached on it)."""
    from zhili.org.models import User

    return User.objects.get(pk=user.pk)


def test_a_users_grants_are_read_once_per_process(users: dict[str, Any]) -> None:
    from zhili.core.scoping import read_grants, user_grants

    worker = users["grid_jfb_01"]
    first, n1 = _queries(lambda: user_grants(_next_request(worker)))
    again, n2 = _queries(lambda: user_grants(_next_request(worker)))
    assert (n1, n2) == (2, 1)  # the user's row each time; the grants once
    assert first == again == read_grants(worker.pk) and first
    current = worker.grants.filter(area__valid_to__isnull=True).select_related("area")
    assert sorted(g.path for g in first) == sorted(g.area.path for g in current)


def test_a_grant_given_or_revoked_is_seen_by_the_next_request(users: dict[str, Any]) -> None:
    from zhili.areas.models import Area
    from zhili.core.scoping import can
    from zhili.matters.models import Matter
    from zhili.org.models import Role
    from zhili.org.services import grant_create, grant_revoke

    worker, admin = users["grid_jfb_01"], users["city_admin"]
    other_street = Area.objects.get(code="500103001")  # 七星岗街道, not the worker's
    assert not can(_next_request(worker), "view", Matter, other_street.path)
    grant = grant_create(
        actor=admin, user=worker, role=Role.objects.get(slug="street_worker"), area=other_street
    )
    assert can(_next_request(worker), "view", Matter, other_street.path)
    grant_revoke(actor=admin, grant=grant)
    assert not can(_next_request(worker), "view", Matter, other_street.path)


def test_a_roles_permissions_and_an_ended_area_are_seen_by_the_next_request(
    users: dict[str, Any],
) -> None:
    from zhili.core.scoping import can, user_grants
    from zhili.matters.models import Matter

    worker = users["jiefangbei"]
    grant = worker.grants.select_related("role", "area").get(area__code="500103003")
    path = grant.area.path
    assert can(_next_request(worker), "view", Matter, path)
    role = grant.role
    kept = list(role.permissions)
    role.permissions = [p for p in kept if not p.startswith("matters.")]
    role.save()
    assert not can(_next_request(worker), "view", Matter, path)
    role.permissions = kept
    role.save()
    assert can(_next_request(worker), "view", Matter, path)
    area = grant.area
    area.valid_to = dt.date(2026, 1, 1)
    area.save()  # the street ended: its grants no longer count
    assert not [g for g in user_grants(_next_request(worker)) if g.path == path]


def test_an_area_change_file_empties_the_grants_memo(users: dict[str, Any]) -> None:
    """The division changes write areas by bulk updates (no signals): they say so themselves,
    even for a file applied before (a no-op)."""
    from zhili.areas.changes import division_change_apply
    from zhili.areas.loader import bundled_change_files
    from zhili.core.scoping import user_grants

    user_grants(_next_request(users["jiefangbei"]))
    memo = lookups.memo("grants")
    assert memo.entries
    _change, applied_now = division_change_apply(
        actor=users["city_admin"], data=bundled_change_files()[0].read_bytes()
    )
    assert not applied_now and not memo.entries


def test_a_value_read_while_the_memo_is_emptied_is_handed_out_not_kept() -> None:
    """Another thread's change lands while this one reads: its answer is used once, not kept
    (it may be the rows from before the change)."""
    memo = lookups.memo("test-race")

    def read_and_meanwhile_a_change() -> str:
        memo.forget()
        return "read before the change"

    assert memo.get("k", read_and_meanwhile_a_change) == "read before the change"
    assert "k" not in memo.entries
    assert memo.get("k", lambda: "read after") == "read after" and "k" in memo.entries


def test_a_memo_reads_the_primary_even_inside_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report's reads may go to a lagging replica; what a memo keeps for the process (a
    user's grants) is read from the primary."""
    from types import SimpleNamespace

    from zhili.core import db_router

    # A replica configured, as the router sees the settings (no connection is opened to it).
    monkeypatch.setattr(
        db_router, "settings", SimpleNamespace(DATABASES={"default": {}, "replica": {}})
    )
    token = db_router._reporting.set(True)  # inside a report
    try:
        assert db_router.read_database() == "replica"
        seen = lookups.memo("test-replica").get("k", db_router.read_database)
        assert seen == "default" and db_router.read_database() == "replica"
    finally:
        db_router._reporting.reset(token)


def test_a_migration_empties_every_watched_family(users: dict[str, Any]) -> None:
    """Migrations write with historical models (no signals): the default roles' permissions are
    synced by one."""
    from django.core.management.sql import emit_post_migrate_signal

    from zhili.core.scoping import user_grants

    user_grants(_next_request(users["jiefangbei"]))
    area_by_code("500103003")
    assert lookups.memo("grants").entries and lookups.memo("areas").entries
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not lookups.memo("grants").entries and not lookups.memo("areas").entries
