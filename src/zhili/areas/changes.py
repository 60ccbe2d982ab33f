"""Division changes (区划变更) as first-class events: create, transfer, merge, split, rename, recode.

A change file (TOML, see docs/areas.md) is validated and applied in one transaction: any error
names the operation and writes nothing. Ended areas keep their rows (valid_to, successor) and stay
readable by code; records attached to an area that moves follow it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext

from zhili.areas.models import LEVEL_ORDER, Area, AreaChange, ChangeOp, DivisionChange
from zhili.core import lookups
from zhili.core.audit import audit_record, root_path, snapshot
from zhili.core.errors import ValidationFailed
from zhili.core.fields import PathField
from zhili.core.scoping import path_prefix_q


class ChangeFileError(ValidationFailed):
    code = "invalid_change_file"


@dataclass
class Plan:
    slug: str
    title: str
    effective: dt.date
    source: str
    ops: list[dict[str, Any]]
    digest: str
    notes: list[str] = field(default_factory=list)


def parse_change_file(data: bytes) -> Plan:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ChangeFileError(gettext("变更文件不是有效的 TOML：%(exc)s") % {"exc": exc}) from exc
    head = doc.get("change") or {}
    if not isinstance(head, dict):
        raise ChangeFileError(gettext("变更文件须有 [change] 表"))
    missing = [k for k in ("slug", "title", "effective") if not head.get(k)]
    if missing:
        raise ChangeFileError(
            gettext("变更文件缺少 [change] 中的字段：%(value)s") % {"value": "、".join(missing)}
        )
    if not isinstance(head["effective"], dt.date):
        raise ChangeFileError(gettext("effective 须为日期，如 2025-11-06"))
    ops = doc.get("op") or []
    if not ops:
        raise ChangeFileError(gettext("变更文件没有任何操作 [[op]]"))
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise ChangeFileError(gettext("每项操作须写成 [[op]] 表（注意是两层方括号）"))
    return Plan(
        slug=str(head["slug"]),
        title=str(head["title"]),
        effective=head["effective"],
        source=str(head.get("source", "")),
        ops=ops,
        digest=hashlib.sha256(data).hexdigest(),
    )


def _area(code: Any, where: str) -> Area:
    area = Area.objects.filter(code=str(code)).first()
    if area is None:
        raise ChangeFileError(
            gettext("%(where)s：代码 %(code)s 不存在") % {"where": where, "code": code},
            code="unknown_code",
        )
    if not area.is_current:
        raise ChangeFileError(
            gettext("%(where)s：%(name)s（%(code)s）已于 %(valid_to)s 撤销")
            % {"where": where, "name": area.name, "code": code, "valid_to": area.valid_to},
            code="area_ended",
        )
    return area


def _level_index(level: str) -> int:
    return LEVEL_ORDER.index(level)


def _require_child_level(child: Area, parent: Area, where: str) -> None:
    if _level_index(child.level) != _level_index(parent.level) + 1:
        raise ChangeFileError(
            gettext(
                "%(where)s：%(child)s（%(child_level)s）不能直接隶属于%(parent)s（%(parent_level)s）"
            )
            % {
                "where": where,
                "child": child.name,
                "child_level": child.get_level_display(),
                "parent": parent.name,
                "parent_level": parent.get_level_display(),
            },
            code="invalid_level",
        )


def followed_path_fields() -> list[tuple[type[models.Model], str]]:
    """Every denormalised area path outside the tree itself that must follow a moved area."""
    found = []
    for model in apps.get_models():
        if model is Area or getattr(model, "keeps_history", False):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, PathField) and getattr(f, "follows_area", True):
                found.append((model, f.name))
    return found


def _rewrite_prefix(old: str, new: str) -> None:
    """Replace the path prefix ``old`` by ``new`` in the tree and in every followed path field."""
    targets: list[tuple[type[models.Model], str]] = [(Area, "path"), *followed_path_fields()]
    for model, name in targets:
        model._base_manager.filter(path_prefix_q(name, old)).update(
            **{name: Concat(Value(new), Substr(F(name), len(old) + 1))}
        )


def _refuse_cycle(area: Area, new_parent: Area, where: str) -> None:
    if new_parent.path.startswith(area.path):
        raise ChangeFileError(
            gettext("%(where)s：不能把 %(name)s 划入其自身或其下级（循环）")
            % {"where": where, "name": area.name},
            code="cycle",
        )


def _move(area: Area, new_parent: Area) -> None:
    old_path = area.path
    new_path = f"{new_parent.path}{area.code}/"
    _refuse_cycle(area, new_parent, gettext("划转"))
    depth_shift = new_parent.depth + 1 - area.depth
    _rewrite_prefix(old_path, new_path)
    Area.objects.filter(path_prefix_q("path", new_path)).update(depth=F("depth") + depth_shift)
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    area.refresh_from_db()


def _repoint_records(old: Area, new: Area, where: str) -> None:
    """Foreign keys to ``old`` (outside the tree and history) now point at ``new``.

    Hidden reverse relations (``related_name="+"``, e.g. role grants) are included."""
    for rel in Area._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ManyToOneRel) or not rel.one_to_many:
            continue
        model, name = rel.field.model, rel.field.name
        if model is Area or getattr(model, "keeps_history", False):
            continue
        try:
            with transaction.atomic():
                model._base_manager.filter(**{name: old}).update(**{name: new})
        except IntegrityError as exc:
            raise ChangeFileError(
                gettext(
                    "%(where)s：%(old)s 的%(records)s转到 %(new)s 后与已有记录重复，"
                    "请先合并或更名后再应用"
                )
                % {
                    "where": where,
                    "old": old.name,
                    "records": model._meta.verbose_name,
                    "new": new.name,
                },
                code="conflict",
            ) from exc


def _log(
    plan_row: DivisionChange, op: str, area: Area, before: dict, after: dict, note: str
) -> None:
    AreaChange.objects.create(
        change=plan_row, op=op, area=area, before=before, after=after, note=note
    )


def _end(area: Area, *, on: dt.date, successor: Area | None) -> None:
    Area.objects.filter(pk=area.pk).update(valid_to=on, successor=successor)


class Applier:
    def __init__(self, plan: Plan, row: DivisionChange) -> None:
        self.plan = plan
        self.row = row

    def where(self, i: int, op: dict[str, Any]) -> str:
        return gettext("第 %(i)s 项操作（%(get)s）") % {"i": i, "get": op.get("op", "?")}

    def run(self) -> None:
        handlers = {
            "create": self.create,
            "transfer": self.transfer,
            "merge": self.merge,
            "split": self.split,
            "rename": self.rename,
            "recode": self.recode,
            "end": self.end,
        }
        for i, op in enumerate(self.plan.ops, start=1):
            kind = op.get("op")
            if kind not in handlers:
                raise ChangeFileError(
                    gettext("第 %(i)s 项操作：未知的操作类型 %(kind)s")
                    % {"i": i, "kind": repr(kind)},
                    code="unknown_op",
                )
            handlers[kind](op, self.where(i, op))

    def _new_area(self, op: dict[str, Any], where: str, parent: Area) -> Area:
        code = str(op.get("code") or "").strip()
        name = str(op.get("name") or "").strip()
        level = str(op.get("level", ""))
        if not code or not name or level not in LEVEL_ORDER:
            raise ChangeFileError(
                gettext("%(where)s：须给出 code、name 和有效的 level") % {"where": where}
            )
        if Area.objects.filter(code=code).exists():
            raise ChangeFileError(
                gettext("%(where)s：代码 %(code)s 已存在") % {"where": where, "code": code},
                code="duplicate_code",
            )
        area = Area(
            code=code,
            name=name,
            level=level,
            kind=str(op.get("kind", "")),
            parent=parent,
            path=f"{parent.path}{code}/",
            depth=parent.depth + 1,
            valid_from=self.plan.effective,
            code_official=bool(op.get("code_official", True)),
            note=str(op.get("note", "")),
        )
        _require_child_level(area, parent, where)
        area.save()
        _log(
            self.row,
            ChangeOp.CREATE,
            area,
            {},
            snapshot(area, ["code", "name", "parent_id"]),
            area.note,
        )
        return area

    def create(self, op: dict[str, Any], where: str) -> None:
        self._new_area(op, where, _area(op.get("parent"), where))

    def transfer(self, op: dict[str, Any], where: str) -> None:
        target = _area(op.get("to"), where)
        codes = op.get("codes") or []
        if not codes:
            raise ChangeFileError(gettext("%(where)s：codes 不能为空") % {"where": where})
        for code in codes:
            area = _area(code, where)
            _refuse_cycle(area, target, where)
            _require_child_level(area, target, where)
            before = {"parent": area.parent.code if area.parent else None, "path": area.path}
            _move(area, target)
            _log(
                self.row,
                ChangeOp.TRANSFER,
                area,
                before,
                {"parent": target.code, "path": area.path},
                str(op.get("note", "")),
            )

    def _absorb(self, old: Area, new: Area, where: str, note: str) -> None:
        """Children and records of ``old`` go to ``new``; ``old`` ends with ``new`` as successor."""
        for child in list(Area.objects.current().filter(parent=old)):
            _require_child_level(child, new, where)
            before = {"parent": old.code, "path": child.path}
            _move(child, new)
            _log(
                self.row,
                ChangeOp.TRANSFER,
                child,
                before,
                {"parent": new.code, "path": child.path},
                note,
            )
        _repoint_records(old, new, where)
        _end(old, on=self.plan.effective, successor=new)
        _log(
            self.row,
            ChangeOp.END,
            old,
            {"valid_to": None},
            {"valid_to": self.plan.effective.isoformat(), "successor": new.code},
            note,
        )

    def merge(self, op: dict[str, Any], where: str) -> None:
        into = _area(op.get("into"), where)
        sources = [_area(c, where) for c in op.get("from") or []]
        if not sources:
            raise ChangeFileError(gettext("%(where)s：from 不能为空") % {"where": where})
        for old in sources:
            if old.pk == into.pk or into.path.startswith(old.path):
                raise ChangeFileError(
                    gettext("%(where)s：%(name)s 不能并入自身或其下级（循环）")
                    % {"where": where, "name": old.name},
                    code="cycle",
                )
            if old.level != into.level:
                raise ChangeFileError(
                    gettext("%(where)s：%(name)s 与 %(name2)s 层级不同，不能合并")
                    % {"where": where, "name": old.name, "name2": into.name},
                    code="invalid_level",
                )
            self._absorb(old, into, where, str(op.get("note", "")))

    def split(self, op: dict[str, Any], where: str) -> None:
        old = _area(op.get("from"), where)
        parts = op.get("into") or []
        if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
            raise ChangeFileError(
                gettext("%(where)s：into 须写成 [[op.into]] 表") % {"where": where}
            )
        if len(parts) < 2:
            raise ChangeFileError(gettext("%(where)s：拆分至少要有两个新区域") % {"where": where})
        parent = old.parent
        if parent is None:
            raise ChangeFileError(gettext("%(where)s：根区域不能拆分") % {"where": where})
        assigned: set[str] = set()
        created = []
        for part in parts:
            new = self._new_area({**part, "level": old.level}, where, parent)
            created.append(new)
            for code in part.get("children") or []:
                if code in assigned:
                    raise ChangeFileError(
                        gettext("%(where)s：%(code)s 被分配了两次") % {"where": where, "code": code}
                    )
                assigned.add(code)
                child = _area(code, where)
                if child.parent_id != old.pk:
                    raise ChangeFileError(
                        gettext("%(where)s：%(name)s 不是 %(name2)s 的下级")
                        % {"where": where, "name": child.name, "name2": old.name}
                    )
                _move(child, new)
        left = Area.objects.current().filter(parent=old).values_list("name", flat=True)
        if left:
            raise ChangeFileError(
                gettext("%(where)s：以下下级未分配：%(value)s")
                % {"where": where, "value": "、".join(left)},
                code="unassigned",
            )
        wanted = str(op.get("records_to") or created[0].code)
        records_to = next((a for a in created if a.code == wanted), None)
        if records_to is None:
            raise ChangeFileError(
                gettext("%(where)s：records_to 的 %(wanted)s 不是拆分出的新区域")
                % {"where": where, "wanted": wanted}
            )
        _repoint_records(old, records_to, where)
        _end(old, on=self.plan.effective, successor=records_to)
        _log(
            self.row,
            ChangeOp.SPLIT,
            old,
            {"valid_to": None},
            {"into": [a.code for a in created], "records_to": records_to.code},
            str(op.get("note", "")),
        )

    def rename(self, op: dict[str, Any], where: str) -> None:
        area = _area(op.get("code"), where)
        name = str(op.get("name", "")).strip()
        if not name:
            raise ChangeFileError(gettext("%(where)s：新名称不能为空") % {"where": where})
        before = {"name": area.name}
        Area.objects.filter(pk=area.pk).update(name=name)
        _log(self.row, ChangeOp.RENAME, area, before, {"name": name}, str(op.get("note", "")))

    def recode(self, op: dict[str, Any], where: str) -> None:
        old = _area(op.get("code"), where)
        if old.parent is None:
            raise ChangeFileError(gettext("%(where)s：根区域不能变更代码") % {"where": where})
        if not str(op.get("new_code") or "").strip():
            raise ChangeFileError(gettext("%(where)s：须给出 new_code") % {"where": where})
        new = self._new_area(
            {
                "code": op.get("new_code"),
                "name": op.get("name", old.name),
                "level": old.level,
                "kind": old.kind,
                "code_official": op.get("code_official", True),
                "note": op.get("note", ""),
            },
            where,
            old.parent,
        )
        self._absorb(old, new, where, str(op.get("note", "")))

    def end(self, op: dict[str, Any], where: str) -> None:
        area = _area(op.get("code"), where)
        if Area.objects.current().filter(parent=area).exists():
            raise ChangeFileError(
                gettext("%(where)s：%(name)s 仍有下级，请先划转或合并")
                % {"where": where, "name": area.name},
                code="has_children",
            )
        _end(area, on=self.plan.effective, successor=None)
        _log(
            self.row,
            ChangeOp.END,
            area,
            {"valid_to": None},
            {"valid_to": self.plan.effective.isoformat()},
            str(op.get("note", "")),
        )


@transaction.atomic
def division_change_apply(*, actor: Any, data: bytes) -> tuple[DivisionChange, bool]:
    """Apply a change file. Returns (change, applied_now); a file applied before is a no-op."""
    plan = parse_change_file(data)
    for family in ("areas", "routing", "grants"):  # bulk updates send no signals: the memos forget
        lookups.changed(family)
    existing = DivisionChange.objects.filter(slug=plan.slug).first()
    if existing is not None:
        if existing.digest != plan.digest:
            raise ChangeFileError(
                gettext("变更 %(slug)s 已应用过，但文件内容与当时不同；请以新的 slug 另行变更")
                % {"slug": plan.slug},
                code="change_modified",
            )
        return existing, False
    row = DivisionChange.objects.create(
        slug=plan.slug,
        title=plan.title,
        effective=plan.effective,
        source=plan.source,
        digest=plan.digest,
        applied_by=actor if getattr(actor, "pk", None) else None,
    )
    Applier(plan, row).run()
    audit_record(
        actor=actor,
        action="area.division_change",
        obj=row,
        area_path=root_path(),
        after={"slug": plan.slug, "effective": plan.effective, "ops": len(plan.ops)},
    )
    return row, True
