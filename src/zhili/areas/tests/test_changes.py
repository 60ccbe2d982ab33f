"""Division changes (区划变更): each operation, and bad files that must write nothing."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

import pytest

from zhili.areas.changes import ChangeFileError, division_change_apply
from zhili.areas.models import Area, AreaChange, DivisionChange
from zhili.core.models import AuditEvent
from zhili.org.models import RoleGrant, Unit, UnitType, User

EFFECTIVE = dt.date(2026, 3, 1)
JIEFANGBEI = "500103003"
MINSHENGLU = "500103003013"  # 民生路社区: holds the demo grids and grid_jfb_01's grid
LIANHUACHI = "500103003016"  # 莲花池社区
QIXINGGANG = "500103001"  # 七星岗街道, 8 communities


def change_file(ops: str, slug: str = "test-change", title: str = "测试变更") -> bytes:
    head = f'[change]\nslug = "{slug}"\ntitle = "{title}"\neffective = {EFFECTIVE.isoformat()}\n'
    return (head + textwrap.dedent(ops)).encode()


def apply(ops: str, **kwargs: Any) -> tuple[DivisionChange, bool]:
    return division_change_apply(actor=None, data=change_file(ops, **kwargs))


def tree_state() -> dict[str, Any]:
    """Everything a division change may write, to prove a failed one wrote nothing."""
    return {
        "areas": list(
            Area.objects.order_by("code").values_list(
                "code", "name", "path", "depth", "parent_id", "valid_to", "successor_id"
            )
        ),
        "changes": DivisionChange.objects.count(),
        "operations": AreaChange.objects.count(),
        "audit": AuditEvent.objects.count(),
        "units": list(Unit.objects.order_by("id").values_list("id", "area_id")),
        "users": list(User.objects.order_by("id").values_list("id", "area_id")),
        "grants": list(RoleGrant.objects.order_by("id").values_list("id", "area_id")),
    }


def api_area(client: Any, headers: dict[str, str], code: str) -> Any:
    return client.get(f"/api/v1/areas/{code}", headers=headers)


# Transfer ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_transfer_moves_the_whole_subtree_and_its_records(
    client: Any, bearer: Any, area: Any, users: dict[str, Any]
) -> None:
    police = Unit.objects.get(name="解放碑派出所")
    street_worker = users["jiefangbei"]
    before_depths = {
        a.code: a.depth for a in Area.objects.filter(path__startswith="500000/500103/500103003/")
    }
    assert len(before_depths) > 10  # the street, its communities, the demo grids and buildings

    change, applied = apply(
        """
        [[op]]
        op = "transfer"
        codes = ["500103003"]
        to = "500101"
        """
    )

    assert applied
    street = area(JIEFANGBEI)
    assert street.parent.code == "500101"
    assert street.path == "500000/500101/500103003/"
    moved = Area.objects.filter(path__startswith="500000/500101/500103003/")
    assert {a.code: a.depth for a in moved} == before_depths  # same level, same depth
    assert not Area.objects.filter(path__startswith="500000/500103/500103003/").exists()
    grid = area("500103003013001")
    assert grid.path == "500000/500101/500103003/500103003013/500103003013001/"
    assert area("500103").is_current and street.is_current

    # Records attached to the street follow it: the new district sees them, the old one does not.
    wanzhou, yuzhong = bearer("wanzhou"), bearer("yuzhong")
    assert client.get(f"/api/v1/org/units/{police.pk}", headers=wanzhou).status_code == 200
    assert client.get(f"/api/v1/org/units/{police.pk}", headers=yuzhong).status_code == 404
    assert client.get(f"/api/v1/org/users/{street_worker.pk}", headers=wanzhou).status_code == 200
    assert client.get(f"/api/v1/org/users/{street_worker.pk}", headers=yuzhong).status_code == 404
    body = api_area(client, wanzhou, "500103003013001").json()
    assert body["path"] == grid.path
    assert api_area(client, yuzhong, JIEFANGBEI).status_code == 404
    # The street worker's own grant follows the street too.
    assert api_area(client, bearer("jiefangbei"), "500103003013").status_code == 200

    history = api_area(client, wanzhou, JIEFANGBEI).json()["history"]
    assert [(h["op"], h["before"]["parent"], h["after"]["parent"]) for h in history] == [
        ("transfer", "500103", "500101")
    ]
    assert AuditEvent.objects.filter(action="area.division_change", object_id=str(change.pk))


@pytest.mark.django_db
def test_reapplying_the_same_file_is_a_no_op() -> None:
    ops = """
        [[op]]
        op = "transfer"
        codes = ["500103003"]
        to = "500101"
        """
    first, applied = apply(ops)
    assert applied
    state = tree_state()
    again, applied_again = apply(ops)
    assert again.pk == first.pk and not applied_again
    assert tree_state() == state


# Merge ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_ends_the_old_area_and_moves_children_and_records(
    client: Any, bearer: Any, area: Any
) -> None:
    old = area(MINSHENGLU)
    unit = Unit.objects.create(name="民生路社区居委会", type=UnitType.RESIDENTS_COMMITTEE, area=old)
    resident_officer = User.objects.create(username="msl_officer", area=old)
    grid_codes = set(
        Area.objects.filter(parent=old, valid_to__isnull=True).values_list("code", flat=True)
    )
    assert len(grid_codes) == 3

    apply(
        f"""
        [[op]]
        op = "merge"
        from = ["{MINSHENGLU}"]
        into = "{LIANHUACHI}"
        note = "民生路社区并入莲花池社区"
        """
    )

    old.refresh_from_db()
    assert old.valid_to == EFFECTIVE
    assert old.successor.code == LIANHUACHI
    assert old.path == "500000/500103/500103003/500103003013/"  # history keeps its place
    kids = Area.objects.current().filter(parent__code=LIANHUACHI)
    assert grid_codes <= set(kids.values_list("code", flat=True))
    for code in grid_codes:
        assert area(code).path.startswith("500000/500103/500103003/500103003016/")
    unit.refresh_from_db()
    resident_officer.refresh_from_db()
    assert unit.area.code == LIANHUACHI
    assert resident_officer.area.code == LIANHUACHI

    headers = bearer("city_admin")
    # Current listings no longer show it; by code it answers as history.
    listed = client.get(f"/api/v1/areas?parent={JIEFANGBEI}&limit=200", headers=headers).json()
    assert MINSHENGLU not in [a["code"] for a in listed["items"]]
    body = api_area(client, headers, MINSHENGLU).json()
    assert body["current"] is False
    assert body["valid_to"] == EFFECTIVE.isoformat()
    assert body["successor"]["code"] == LIANHUACHI
    assert {c["code"] for c in body["former_children"]} == grid_codes


@pytest.mark.django_db
def test_merge_moves_role_grants_to_the_successor(client: Any, bearer: Any, area: Any) -> None:
    """A worker granted on the old community keeps working in the merged one."""
    from zhili.org.models import Role

    worker = User.objects.create(username="msl_worker", area=area(MINSHENGLU))
    RoleGrant.objects.create(
        user=worker, role=Role.objects.get(slug="street_worker"), area=area(MINSHENGLU)
    )
    apply(
        f"""
        [[op]]
        op = "merge"
        from = ["{MINSHENGLU}"]
        into = "{LIANHUACHI}"
        """
    )
    assert list(worker.grants.values_list("area__code", flat=True)) == [LIANHUACHI]
    assert api_area(client, bearer("msl_worker"), "500103003013001").status_code == 200


@pytest.mark.django_db
def test_merge_that_would_duplicate_a_unit_name_is_refused_with_nothing_written(
    area: Any,
) -> None:
    Unit.objects.create(name="居委会", type=UnitType.RESIDENTS_COMMITTEE, area=area(MINSHENGLU))
    Unit.objects.create(name="居委会", type=UnitType.RESIDENTS_COMMITTEE, area=area(LIANHUACHI))
    state = tree_state()
    with pytest.raises(ChangeFileError) as err:
        apply(
            f"""
            [[op]]
            op = "merge"
            from = ["{MINSHENGLU}"]
            into = "{LIANHUACHI}"
            """
        )
    assert err.value.code == "conflict"
    assert "单位" in err.value.message
    assert tree_state() == state


# Split ---------------------------------------------------------------------------------------

QXG_COMMUNITIES = [
    "500103001003",
    "500103001006",
    "500103001011",
    "500103001013",
    "500103001014",
    "500103001015",
    "500103001016",
    "500103001017",
]


def split_ops(first: list[str], second: list[str], records_to: str = "500103091") -> str:
    return f"""
        [[op]]
        op = "split"
        from = "{QIXINGGANG}"
        records_to = "{records_to}"
        [[op.into]]
        code = "500103091"
        name = "七星岗东街道"
        children = {first!r}
        [[op.into]]
        code = "500103092"
        name = "七星岗西街道"
        children = {second!r}
        """


@pytest.mark.django_db
def test_split_distributes_children_and_records(area: Any) -> None:
    unit = Unit.objects.create(
        name="七星岗街道综治中心", type=UnitType.GOVERNANCE_CENTRE, area=area(QIXINGGANG)
    )
    apply(split_ops(QXG_COMMUNITIES[:5], QXG_COMMUNITIES[5:], records_to="500103092"))

    old = area(QIXINGGANG)
    east, west = area("500103091"), area("500103092")
    assert old.valid_to == EFFECTIVE and old.successor == west
    assert (east.level, east.parent.code, east.depth) == ("street", "500103", 2)
    assert east.path == "500000/500103/500103091/"
    assert set(east.children.values_list("code", flat=True)) == set(QXG_COMMUNITIES[:5])
    assert set(west.children.values_list("code", flat=True)) == set(QXG_COMMUNITIES[5:])
    assert area(QXG_COMMUNITIES[6]).path == f"500000/500103/500103092/{QXG_COMMUNITIES[6]}/"
    unit.refresh_from_db()
    assert unit.area == west


@pytest.mark.django_db
def test_split_with_an_unassigned_child_is_refused_with_nothing_written() -> None:
    state = tree_state()
    with pytest.raises(ChangeFileError) as err:
        apply(split_ops(QXG_COMMUNITIES[:4], QXG_COMMUNITIES[5:]))
    assert err.value.code == "unassigned"
    assert Area.objects.get(code=QXG_COMMUNITIES[4]).name in err.value.message
    assert tree_state() == state


@pytest.mark.django_db
def test_split_naming_an_unknown_records_target_is_refused() -> None:
    """A typo in records_to must not silently send every record to the first new area."""
    state = tree_state()
    with pytest.raises(ChangeFileError) as err:
        apply(split_ops(QXG_COMMUNITIES[:5], QXG_COMMUNITIES[5:], records_to="500103093"))
    assert "500103093" in err.value.message
    assert tree_state() == state


# Rename, recode, end -------------------------------------------------------------------------


@pytest.mark.django_db
def test_rename_keeps_code_and_path_and_records_the_old_name(
    client: Any, bearer: Any, area: Any
) -> None:
    path = area(JIEFANGBEI).path
    apply(
        f"""
        [[op]]
        op = "rename"
        code = "{JIEFANGBEI}"
        name = "解放碑新街道"
        """
    )
    renamed = area(JIEFANGBEI)
    assert (renamed.name, renamed.path, renamed.is_current) == ("解放碑新街道", path, True)
    history = api_area(client, bearer("yuzhong"), JIEFANGBEI).json()["history"]
    assert history[-1]["op"] == "rename"
    assert history[-1]["before"] == {"name": "解放碑街道"}


@pytest.mark.django_db
def test_recode_creates_a_new_row_and_the_old_code_stays_readable(
    client: Any, bearer: Any, area: Any
) -> None:
    old = area(MINSHENGLU)
    unit = Unit.objects.create(name="民生路社区居委会", type=UnitType.RESIDENTS_COMMITTEE, area=old)
    apply(
        f"""
        [[op]]
        op = "recode"
        code = "{MINSHENGLU}"
        new_code = "500103003099"
        """
    )
    new = area("500103003099")
    assert (new.name, new.level, new.parent.code) == ("民生路社区", "community", JIEFANGBEI)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.valid_to == EFFECTIVE and old.successor == new
    assert area("500103003013001").parent == new
    unit.refresh_from_db()
    assert unit.area == new

    # The grid worker's grant is on a grid that moved with its community: it still works.
    grid_worker = bearer("grid_jfb_01")
    assert api_area(client, grid_worker, "500103003013001").json()["path"].startswith(new.path)
    body = api_area(client, bearer("yuzhong"), MINSHENGLU).json()
    assert body["current"] is False
    assert body["successor"] == {"code": "500103003099", "name": "民生路社区"}


@pytest.mark.django_db
def test_recode_moves_role_grants_on_the_recoded_area(client: Any, bearer: Any) -> None:
    """A district recoded (e.g. 两江新区 getting its official code) keeps its officers."""
    apply(
        """
        [[op]]
        op = "recode"
        code = "500103"
        new_code = "500198"
        """
    )
    headers = bearer("yuzhong")
    assert api_area(client, headers, "500198").status_code == 200
    assert api_area(client, headers, JIEFANGBEI).json()["path"] == "500000/500198/500103003/"


@pytest.mark.django_db
def test_recode_without_new_code_is_refused() -> None:
    state = tree_state()
    with pytest.raises(ChangeFileError):
        apply(
            f"""
            [[op]]
            op = "recode"
            code = "{MINSHENGLU}"
            """
        )
    assert not Area.objects.filter(code="None").exists()
    assert tree_state() == state


@pytest.mark.django_db
def test_end_closes_an_area_without_children(client: Any, bearer: Any, area: Any) -> None:
    apply(
        """
        [[op]]
        op = "end"
        code = "500103001003"
        """
    )
    ended = area("500103001003")
    assert ended.valid_to == EFFECTIVE and ended.successor is None
    headers = bearer("yuzhong")
    listed = client.get(f"/api/v1/areas?parent={QIXINGGANG}&limit=200", headers=headers).json()
    assert "500103001003" not in [a["code"] for a in listed["items"]]
    assert api_area(client, headers, "500103001003").json()["current"] is False


# Bad input: a clear error and nothing written --------------------------------------------------

TRANSFER_OK = """
    [[op]]
    op = "rename"
    code = "500103001"
    name = "七星岗改名街道"
    """

BAD_FILES = {
    "cycle": (
        TRANSFER_OK
        + """
    [[op]]
    op = "transfer"
    codes = ["500103003"]
    to = "500103003013"
    """
    ),
    "cycle_merge": (
        """
    [[op]]
    op = "merge"
    from = ["500103003"]
    into = "500103003"
    """
    ),
    "unknown_code": (
        TRANSFER_OK
        + """
    [[op]]
    op = "transfer"
    codes = ["500103999"]
    to = "500101"
    """
    ),
    "area_ended": (
        TRANSFER_OK
        + """
    [[op]]
    op = "transfer"
    codes = ["500103003"]
    to = "500105"
    """
    ),
    "invalid_level": (
        TRANSFER_OK
        + """
    [[op]]
    op = "transfer"
    codes = ["500103003"]
    to = "500000"
    """
    ),
    "merge_levels": (
        """
    [[op]]
    op = "merge"
    from = ["500103003"]
    into = "500101"
    """
    ),
    "has_children": (
        TRANSFER_OK
        + """
    [[op]]
    op = "end"
    code = "500103003"
    """
    ),
    "unknown_op": (
        TRANSFER_OK
        + """
    [[op]]
    op = "annex"
    code = "500103003"
    """
    ),
    "op_table_not_array": (
        """
    [op]
    op = "rename"
    code = "500103001"
    name = "单个表"
    """
    ),
    "transfer_without_codes": (
        TRANSFER_OK
        + """
    [[op]]
    op = "transfer"
    to = "500101"
    """
    ),
}
EXPECTED_CODES = {
    "cycle": "cycle",
    "cycle_merge": "cycle",
    "unknown_code": "unknown_code",
    "area_ended": "area_ended",
    "invalid_level": "invalid_level",
    "merge_levels": "invalid_level",
    "has_children": "has_children",
    "unknown_op": "unknown_op",
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_operation_is_refused_and_nothing_is_written(case: str) -> None:
    state = tree_state()
    with pytest.raises(ChangeFileError) as err:
        apply(BAD_FILES[case], slug=f"bad-{case.replace('_', '-')}")
    if case in EXPECTED_CODES:
        assert err.value.code == EXPECTED_CODES[case]
    assert err.value.message  # a Chinese sentence naming the problem
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)
    assert tree_state() == state
    assert Area.objects.get(code="500103001").name == "七星岗街道"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        b"[change\nslug = ",  # not TOML
        b'[change]\ntitle = "x"\neffective = 2026-03-01\n[[op]]\nop = "end"\ncode = "500103001003"\n',
        b'[change]\nslug = "x"\ntitle = "x"\n[[op]]\nop = "end"\ncode = "500103001003"\n',
        b'[change]\nslug = "x"\ntitle = "x"\neffective = "soon"\n[[op]]\nop = "end"\n',
        b'[change]\nslug = "x"\ntitle = "x"\neffective = 2026-03-01\n',  # no operations
        b'change = "x"\n',
        "\ufeff[change]".encode("utf-16"),  # not UTF-8
    ],
    ids=[
        "invalid-toml",
        "no-slug",
        "no-effective",
        "bad-date",
        "no-ops",
        "change-not-table",
        "utf16",
    ],
)
def test_malformed_file_is_refused_and_nothing_is_written(data: bytes) -> None:
    state = tree_state()
    with pytest.raises(ChangeFileError) as err:
        division_change_apply(actor=None, data=data)
    assert err.value.code == "invalid_change_file"
    assert tree_state() == state


@pytest.mark.django_db
def test_same_slug_with_different_content_is_refused() -> None:
    apply(TRANSFER_OK)
    state = tree_state()
    with pytest.raises(ChangeFileError) as err:
        apply(TRANSFER_OK.replace("七星岗改名街道", "别的名字"))
    assert err.value.code == "change_modified"
    assert tree_state() == state


@pytest.mark.django_db
def test_command_reports_a_bad_file_in_chinese(tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.toml"
    path.write_bytes(change_file(BAD_FILES["cycle"], slug="cli-cycle"))
    state = tree_state()
    with pytest.raises(CommandError, match="循环"):
        call_command("apply_area_change", str(path))
    assert tree_state() == state
