"""The kernel's access surface, label registry and privacy, tested on their own.

Workflow transitions are tested through each module's rules table (matters, risks, disputes,
targets), where a real model and event model exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from zhili.areas.models import Area
from zhili.core import labels, privacy
from zhili.core.errors import NotFound, PermissionDenied
from zhili.core.models import AuditEvent
from zhili.core.scoping import ancestor_paths, holders, paths_q, require
from zhili.org.models import RoleGrant, Unit, User


@pytest.mark.django_db
def test_require_answers_404_out_of_scope_and_403_without_the_right(users: dict[str, Any]) -> None:
    wanzhou_unit = Unit.objects.filter(area__path__startswith="500000/500101/").first()
    yuzhong_unit = Unit.objects.filter(area__path__startswith="500000/500103/").first()
    assert wanzhou_unit is not None and yuzhong_unit is not None
    with pytest.raises(NotFound):
        require(users["yuzhong"], "change", wanzhou_unit)
    # A street worker sees the units of the street's district? No: only their subtree.
    require(users["yuzhong"], "change", yuzhong_unit)  # district officer: org.unit.*
    street_unit = Unit.objects.filter(area__code="500103003").first() or yuzhong_unit
    if street_unit.area.path.startswith(users["jiefangbei"].area.path):
        with pytest.raises(PermissionDenied):
            require(users["jiefangbei"], "delete", street_unit)  # street worker: view only


@pytest.mark.django_db
def test_holders_are_active_users_on_current_areas(users: dict[str, Any]) -> None:
    jfb = Area.objects.get(code="500103003")
    found = set(holders("org.unit.change", jfb).values_list("username", flat=True))
    assert "yuzhong" in found  # district officer over 渝中区 covers the street
    assert "wanzhou" not in found  # another district
    assert "jiefangbei" not in found  # street worker may only view units
    assert "city_admin" in found

    user = users["yuzhong"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert "yuzhong" not in set(holders("org.unit.change", jfb).values_list("username", flat=True))


@pytest.mark.django_db
def test_holders_skip_grants_on_ended_areas(users: dict[str, Any]) -> None:
    """A grant on an area that has since ended (merged away) gives nobody a right."""
    grant = RoleGrant.objects.select_related("area").get(user__username="yuzhong")
    Area.objects.filter(pk=grant.area_id).update(valid_to="2025-01-01")
    jfb_path = "500000/500103/500103003/"
    assert "yuzhong" not in set(
        holders("org.unit.change", jfb_path).values_list("username", flat=True)
    )


def test_ancestor_paths() -> None:
    assert ancestor_paths("500000/500103/500103003/") == [
        "500000/",
        "500000/500103/",
        "500000/500103/500103003/",
    ]


@pytest.mark.django_db
def test_paths_q_none_is_everything_and_empty_is_nothing() -> None:
    total = Area.objects.count()
    assert Area.objects.filter(paths_q("path", None)).count() == total
    assert Area.objects.filter(paths_q("path", [])).count() == 0
    under = Area.objects.filter(paths_q("path", ["500000/500103/", "500000/500103/500103003/"]))
    assert under.count() == Area.objects.filter(path__startswith="500000/500103/").count()


def test_a_missing_label_fails_under_tests_and_reads_as_other_in_production() -> None:
    with pytest.raises(labels.MissingLabel):
        labels.action_label("nowhere.event", "frobnicate")
    with override_settings(ZHILI_TESTING=False):
        assert labels.action_label("nowhere.event", "frobnicate") == "其他操作"


def test_readable_labels_hold_chinese() -> None:
    assert labels.is_readable("立案")
    assert not labels.is_readable("overdue")
    assert not labels.is_readable("escalate to=500103 level=red")


def test_masks() -> None:
    assert privacy.mask_phone("13800001234") == "138****1234"
    assert privacy.mask_name("张三丰") == "张**"
    assert privacy.mask_id("500103199001011234") == "5001**********1234"
    assert privacy.mask_phone("123") == "***"
    assert "88号" not in privacy.mask_address("渝中区解放碑街道民族路88号")


@pytest.mark.django_db
def test_reveal_is_audited_and_refused_without_the_right(users: dict[str, Any]) -> None:
    target = User.objects.get(username="grid_jfb_01")
    rows = [{"phone": "13800001234"}]
    with pytest.raises(NotFound):
        privacy.reveal(actor=users["wanzhou"], obj=target, rows=rows)
    before = AuditEvent.objects.filter(action="privacy.reveal").count()
    out = privacy.reveal(actor=users["city_admin"], obj=target, rows=rows, what="核实身份")
    assert out == rows
    event = AuditEvent.objects.filter(action="privacy.reveal").latest("id")
    assert AuditEvent.objects.filter(action="privacy.reveal").count() == before + 1
    assert (event.actor, event.note, event.after) == (
        users["city_admin"],
        "核实身份",
        {"fields": ["phone"]},
    )
    assert labels.audit_label("privacy.reveal") == "查看个人信息"


def _triggers(table: str) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_append_only_table_has_its_triggers_even_after_a_rebuild() -> None:
    """The audit and every module's events: the database refuses UPDATE and DELETE. A table that a
    migration rebuilt (SQLite does for many changes) gets its triggers back after migrate."""
    from django.db import connection

    from zhili.core.events import append_only_tables, ensure_append_only

    tables = append_only_tables()
    assert {"core_auditevent", "disputes_disputeevent", "risks_riskevent"} <= set(tables)
    for table in tables:
        assert _triggers(table), f"{table} has no append-only trigger"
    victim = "risks_riskevent"
    with connection.cursor() as cursor:
        for name in _triggers(victim):
            cursor.execute(
                f"DROP TRIGGER {name}"
                if connection.vendor == "sqlite"
                else f"DROP TRIGGER {name} ON {victim}"
            )
    assert not _triggers(victim)
    ensure_append_only()
    assert _triggers(victim)


def test_scope_answers_are_kept_for_the_request_and_follow_grant_changes(
    users: dict[str, Any],
) -> None:
    """scope_paths keeps its answers beside the user's grants; a grant given or revoked through
    the services is seen at once by the same user object."""
    from zhili.core.scoping import scope_paths
    from zhili.matters.models import Matter
    from zhili.org import services
    from zhili.org.models import Role

    officer = users["jiefangbei"]
    before = scope_paths(officer, Matter, "view")
    before.append("/mutated/")  # a caller changing its list does not change the kept answer
    assert scope_paths(officer, Matter, "view") == before[:-1]
    assert officer._zhili_scopes[1]  # kept
    wanzhou = Area.objects.get(code="500101")
    role = RoleGrant.objects.filter(user=officer).first().role
    grant = services.grant_create(actor=users["city_admin"], user=officer, role=role, area=wanzhou)
    assert wanzhou.path in scope_paths(officer, Matter, "view")
    services.grant_revoke(actor=users["city_admin"], grant=grant)
    assert scope_paths(officer, Matter, "view") == before[:-1]
    assert isinstance(role, Role)


def test_a_grant_reads_its_patterns_as_fnmatch_does() -> None:
    """Grant.allows compiles a role's patterns into one expression; it must answer as
    ``fnmatchcase`` over each pattern would."""
    from fnmatch import fnmatchcase

    from zhili.core.scoping import Grant

    patterns = frozenset(
        {"matters.*.view", "matters.matter.add", "risks.risk.[cv]*", "org.?ser.view"}
    )
    grant = Grant("500000/", 1, patterns)
    asked = [
        "matters.matter.view", "matters.category.view", "matters.matter.add", "matters.matter.addx",
        "matters.view", "risks.risk.view", "risks.risk.change", "risks.risk.delete", "org.user.view",
        "org.users.view", "xmatters.matter.view", "matters.matter.view\n", "",
    ]  # fmt: skip
    for perm in asked:
        assert grant.allows(perm) == any(fnmatchcase(perm, p) for p in patterns), perm
    assert not Grant("500000/", 1, frozenset()).allows("matters.matter.view")
