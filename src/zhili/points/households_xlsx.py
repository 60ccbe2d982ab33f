"""A village's households as a workbook (农户表): the template, an export of the current
households, and the import that registers new households and members from a filled file.

One row per person: the household's 户号, 户主 and 网格或楼栋 (a grid or building code under the
village, or its name when that is unique), then one member (成员姓名, 与户主关系) or none. Rows
with the same 户号 are one household and must agree on its head and place.

The natural key of a household is its village and 户号 (unique in the database,
``points_household_number``); a member's key is their name within the household (a row naming a
registered member, in full or masked, adds nothing; a name and relation twice in one file is a
duplicate row). An import adds
what is new and never changes or removes what is registered (the desk's forms do that, one audited
change at a time), so the same file imported twice registers once. Every bad row is reported with
its row number and nothing is written unless every row is good, as the rule catalogue's import
(``rules.rules_read``). Each new household is created by ``services.household_create``, which opens
its passbook.

Names are personal data (core privacy): the export writes them masked, as the desk shows them. A
masked name (with ``*``) is accepted only where it matches a household or member already
registered, so an exported file imports again without change and never registers "张**".
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from zhili.areas.models import Area
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed
from zhili.core.privacy import mask_name
from zhili.core.scoping import can, require_at
from zhili.points import selectors, services
from zhili.points.models import Household
from zhili.points.rules import cell_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The table is exchanged in Chinese whatever the interface language (like the rules table).
COLUMNS = [
    ("number", "户号"),
    ("head_name", "户主"),
    ("place", "网格或楼栋"),
    ("member", "成员姓名"),
    ("relation", "与户主关系"),
]
REQUIRED = ("户号", "户主", "网格或楼栋")
ALIASES = {
    "户名": "户主",
    "户主姓名": "户主",
    "网格/楼栋": "网格或楼栋",
    "楼栋或网格": "网格或楼栋",
    "网格或楼栋代码": "网格或楼栋",
    "家庭成员": "成员姓名",
    "关系": "与户主关系",
}
PLACE_NAME = "网格或楼栋名称"  # written by the export for the reader; ignored by the import
LIMITS = {"number": 30, "head_name": 60, "member": 60, "relation": 20}  # the model's max_length
MAX_ROWS = 20_000
SHOWN_IN_MESSAGE = 20


@dataclass
class FileHousehold:
    """One household as the file gives it (the rows sharing its 户号)."""

    row: int  # its first row
    number: str
    head_name: str
    place: str
    members: list[tuple[str, str, int]] = field(default_factory=list)  # (name, relation, row)
    # Later rows naming the place otherwise (a code where the first gave a name): (row, text).
    places: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    created: list[str]  # the 户号 registered
    members_added: int  # members added to households already registered
    unchanged: int  # households already registered, nothing new for them


class Errors:
    """Problems by row number, reported together in row order."""

    def __init__(self) -> None:
        self.rows: dict[int, list[str]] = {}

    def add(self, row: int, problem: str) -> None:
        self.rows.setdefault(row, []).append(problem)

    def detail(self) -> list[dict[str, Any]]:
        return [{"row": r, "errors": self.rows[r]} for r in sorted(self.rows)]

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        detail = self.detail()
        raise ValidationFailed(
            _("农户表有%(n)d行错误，未导入任何农户：%(l)s")
            % {"n": len(detail), "l": "；".join(row_lines(detail)[:SHOWN_IN_MESSAGE])},
            code="xlsx_rows",
            detail=detail,
        )


def row_lines(detail: list[dict[str, Any]]) -> list[str]:
    """``第3行：户主为空，…`` for each row of an import's error detail."""
    return [
        _("第%(row)s行：%(errors)s") % {"row": e["row"], "errors": "，".join(e["errors"])}
        for e in detail
    ]


def page_messages(exc: ValidationFailed) -> list[str]:
    """What the page shows of a refused import: the summary, then one line per bad row."""
    if exc.code != "xlsx_rows" or not isinstance(exc.detail, list):
        return [exc.message]
    summary = _("农户表有%(n)d行错误，未导入任何农户。") % {"n": len(exc.detail)}
    return [summary, *row_lines(exc.detail)]


# -- the workbook --------------------------------------------------------------------------------


def _workbook(rows: list[list[Any]], widths: list[int]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "农户表"
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


WIDTHS = [12, 12, 22, 12, 12, 24]


def households_template() -> bytes:
    """The empty table: its header row."""
    return _workbook([[label for _key, label in COLUMNS]], WIDTHS)


def households_export(user: Any, village: Area) -> bytes:
    """The village's households the user may see, one row per member (a household without
    members on one row), names masked; the place by code, its name beside it."""
    rows: list[list[Any]] = [[label for _key, label in COLUMNS] + [PLACE_NAME]]
    for h in selectors.households_with_members(user, village):
        head = [h.number, mask_name(h.head_name), h.area.code]
        people = [[mask_name(m.name), m.relation] for m in h.members.all()] or [["", ""]]
        for person in people:
            rows.append(head + person + [h.area.name])
    return _workbook(rows, WIDTHS)


def upload_bytes(upload: Any) -> bytes:
    """An uploaded file's content, refused beyond ``ZHILI_MAX_IMPORT_BYTES`` before it is read."""
    size = getattr(upload, "size", None) or 0
    if size > settings.ZHILI_MAX_IMPORT_BYTES:
        raise ValidationFailed(_("文件过大"), code="file_too_large")
    data: bytes = upload.read()
    return data


def _sheet(data: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    if len(data) > settings.ZHILI_MAX_IMPORT_BYTES:
        raise ValidationFailed(_("文件过大"), code="file_too_large")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except Exception as exc:  # any unreadable upload is the user's error, never a 500
        raise ValidationFailed(_("无法读取该文件，请上传 xlsx 格式的农户表"), code="xlsx") from exc
    return _readable(ws.iter_rows(values_only=True))


def _readable(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet; a damaged sheet inside a valid zip is the user's error too."""
    try:
        yield from rows
    except Exception as exc:
        raise ValidationFailed(_("无法读取该文件，请上传 xlsx 格式的农户表"), code="xlsx") from exc


def households_read(data: bytes) -> tuple[list[FileHousehold], Errors]:
    """The households of a filled table and the problems of its rows (what can be judged from
    the file alone). A file that cannot be read at all is refused at once."""
    rows = _sheet(data)
    first = next(rows, None)
    if first is None:
        raise ValidationFailed(_("农户表是空的"), code="xlsx_empty")
    head = [cell_text(h) for h in first]
    head = [ALIASES.get(h, h) for h in head]
    missing = [h for h in REQUIRED if h not in head]
    if missing:
        raise ValidationFailed(
            _("第1行缺少列：%(m)s") % {"m": "、".join(missing)}, code="xlsx_columns"
        )
    where = {key: head.index(label) for key, label in COLUMNS if label in head}
    errors = Errors()
    found: dict[str, FileHousehold] = {}
    seen_members: dict[tuple[str, str, str], int] = {}
    count = 0
    for number, raw in enumerate(rows, start=2):
        cells = {k: cell_text(raw[i]) if i < len(raw) else "" for k, i in where.items()}
        if not any(cells.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ValidationFailed(
                _("一次最多导入 %(max)s 行") % {"max": MAX_ROWS}, code="too_many_rows"
            )
        problems = _row_problems(cells)
        if problems:
            for p in problems:
                errors.add(number, p)
            continue
        key = cells["number"]
        household = found.get(key)
        if household is None:
            household = found[key] = FileHousehold(number, key, cells["head_name"], cells["place"])
        elif household.head_name != cells["head_name"]:
            errors.add(
                number,
                _("户号“%(n)s”的户主与第%(r)d行不同") % {"n": key, "r": household.row},
            )
            continue
        elif household.place != cells["place"]:
            household.places.append((number, cells["place"]))
        member = cells.get("member", "")
        if member:
            # The same name with another relation is another person (and masked names repeat).
            earlier = seen_members.get((key, member, cells.get("relation", "")))
            if earlier is not None:
                errors.add(number, _("成员“%(m)s”与第%(r)d行重复") % {"m": member, "r": earlier})
                continue
            seen_members[(key, member, cells.get("relation", ""))] = number
            household.members.append((member, cells.get("relation", ""), number))
    if not found and not errors.rows:
        raise ValidationFailed(_("农户表没有数据行"), code="xlsx_empty")
    return list(found.values()), errors


def _row_problems(cells: dict[str, str]) -> list[str]:
    problems = []
    for key, message in (
        ("number", _("户号为空")),
        ("head_name", _("户主为空")),
        ("place", _("网格或楼栋为空")),
    ):
        if not cells.get(key):
            problems.append(message)
    if cells.get("relation") and not cells.get("member"):
        problems.append(_("填写了与户主关系，但成员姓名为空"))
    labels = dict(COLUMNS)
    for key, limit in LIMITS.items():
        if len(cells.get(key, "")) > limit:
            problems.append(_("%(label)s不能超过%(n)d个字") % {"label": labels[key], "n": limit})
    return problems


# -- the import ----------------------------------------------------------------------------------


class Places:
    """The current places under the village where households may live, by code and by name."""

    def __init__(self, village: Area) -> None:
        found = Area.objects.filter(
            path__startswith=village.path,
            valid_to__isnull=True,
            level__in=services.HOUSEHOLD_LEVELS,
        )
        self.by_code = {a.code: a for a in found}
        self.by_name: dict[str, list[Area]] = {}
        for a in self.by_code.values():
            self.by_name.setdefault(a.name, []).append(a)

    def find(self, text: str) -> tuple[Area | None, str]:
        if text in self.by_code:
            return self.by_code[text], ""
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, _("本村有多个名为“%(p)s”的网格或楼栋，请填写代码") % {"p": text}
        return None, _("“%(p)s”不是本村（社区）的网格或楼栋") % {"p": text}


def _same_person(written: str, stored: str) -> bool:
    """The file names the registered person: in full, or masked as the export wrote it."""
    return written == stored or written == mask_name(stored)


def _masked(name: str) -> bool:
    return "*" in name


@transaction.atomic
def households_import(*, actor: Any, village: Area, data: bytes) -> ImportResult:
    """Register the new households and members of a filled table in one village: all or
    nothing. Only someone who may register households in the village may import (404 out of
    scope, 403 without the right), and only into its current grids and buildings."""
    require_at(actor, "add", Household, village.path, noun=_("农户"))
    households, errors = households_read(data)
    # One import of a village at a time: the registered households are read after the lock.
    Area.objects.select_for_update().filter(pk=village.pk).first()
    places = Places(village)
    registered = {
        h.number: h for h in Household.objects.filter(village=village).prefetch_related("members")
    }
    new: list[tuple[FileHousehold, Area]] = []
    additions: list[tuple[Household, list[tuple[str, str]]]] = []
    unchanged = 0
    for fh in households:
        place, problem = places.find(fh.place)
        if place is None:
            errors.add(fh.row, problem)
            continue
        if not can(actor, "add", Household, place.path):
            errors.add(fh.row, _("无权在“%(p)s”登记农户") % {"p": fh.place})
            continue
        differ = [row for row, text in fh.places if places.find(text)[0] != place]
        for row in differ:
            errors.add(
                row,
                _("户号“%(n)s”的网格/楼栋与第%(r)d行不同") % {"n": fh.number, "r": fh.row},
            )
        if differ:
            continue
        known = registered.get(fh.number)
        if known is None:
            _check_new_names(fh, errors)
            new.append((fh, place))
            continue
        if known.area_id != place.pk or not _same_person(fh.head_name, known.head_name):
            errors.add(
                fh.row,
                _("户号“%(n)s”已登记，户主或网格/楼栋与表中不同（导入不修改已登记的农户）")
                % {"n": fh.number},
            )
            continue
        there = [m.name for m in known.members.all()]
        more = []
        for name, relation, row in fh.members:
            if any(_same_person(name, m) for m in there):
                continue
            if _masked(name):
                errors.add(row, _masked_message(name))
                continue
            more.append((name, relation))
        if more:
            additions.append((known, more))
        else:
            unchanged += 1
    errors.raise_if_any()
    for fh, place in new:
        services.household_create(
            actor=actor,
            area=place,
            number=fh.number,
            head_name=fh.head_name,
            members=[(name, relation) for name, relation, _row in fh.members],
        )
    added = 0
    for household, members in additions:
        for name, relation in members:
            services.member_add(actor=actor, household=household, name=name, relation=relation)
            added += 1
    result = ImportResult([fh.number for fh, _place in new], added, unchanged)
    audit_record(
        actor=actor,
        action="points.households_import",
        obj=village,
        area_path=village.path,
        after={
            "households_created": len(result.created),
            "members_added": added,
            "households_unchanged": unchanged,
        },
    )
    return result


def _masked_message(name: str) -> str:
    return _("姓名“%(m)s”含*号：导出表中的姓名已隐去，新登记的户主和成员须填写全名") % {"m": name}


def _check_new_names(fh: FileHousehold, errors: Errors) -> None:
    if _masked(fh.head_name):
        errors.add(fh.row, _masked_message(fh.head_name))
    for name, _relation, row in fh.members:
        if _masked(name):
            errors.add(row, _masked_message(name))
