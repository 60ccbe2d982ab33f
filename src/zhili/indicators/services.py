"""Writes of the indicators app: values (entered or imported, each change a new revision) and the
survey (samples per district, responses imported all or nothing)."""

from __future__ import annotations

from decimal import Decimal
from os.path import commonpath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed
from zhili.core.scoping import ancestor_paths, can, require, require_at
from zhili.indicators import imports
from zhili.indicators.models import (
    DEFAULT_POSITIVE,
    DEFAULT_SCALE,
    Indicator,
    IndicatorRevision,
    IndicatorValue,
    SurveyInstrument,
    SurveyResponse,
    SurveyWave,
)

MIN_YEAR, MAX_YEAR = 2000, 2100


def _root_path() -> str:
    return f"{settings.ZHILI_ROOT_CODE}/"


def _require_city(actor: Any, action: str, model: Any, noun: str) -> None:
    """A city-wide catalogue row: ``action`` needs the right over the whole city; who may see the
    catalogue somewhere gets 403 without it, anyone else 404."""
    from zhili.core.errors import NotFound, PermissionDenied
    from zhili.core.scoping import has_any

    if can(actor, action, model, _root_path()):
        return
    if has_any(actor, model, "view"):
        raise PermissionDenied(gettext("没有修改%(noun)s的权限") % {"noun": noun}, code="forbidden")
    raise NotFound(gettext("%(noun)s不存在或不在您的管辖范围内") % {"noun": noun}, code="not_found")


@transaction.atomic
def indicator_create(
    *,
    actor: Any,
    code: str,
    name: str,
    unit_label: str = "起",
    components: list[str] | None = None,
    description: str = "",
    higher_is_better: bool = False,
) -> Indicator:
    """A new indicator the city adds (city-wide catalogue: the right over the whole city)."""
    _require_city(actor, "add", Indicator, gettext("平安指标"))
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationFailed(gettext("指标代码和名称不能为空"), code="required")
    if Indicator.objects.filter(code=code).exists():
        raise ValidationFailed(
            gettext("指标代码 %(code)s 已存在") % {"code": code}, code="duplicate"
        )
    parts = [c.strip() for c in (components or []) if c.strip()]
    if len(set(parts)) != len(parts):
        raise ValidationFailed(gettext("构成项不能重复"), code="duplicate_component")
    ind = Indicator.objects.create(
        code=code,
        name=name,
        unit_label=unit_label.strip() or "起",
        components=parts,
        description=description,
        higher_is_better=higher_is_better,
        seq=Indicator.objects.count() + 1,
    )
    audit_record(
        actor=actor, action="indicator.create", obj=ind, area_path=_root_path(),
        after={"code": code, "name": name, "components": parts},
    )  # fmt: skip
    return ind


def _check_period(year: int, month: int, problems: list[str]) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        problems.append(
            gettext("年份须在 %(min)s–%(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    if not 1 <= month <= 12:
        problems.append(gettext("月份须在 1–12 之间"))


def _components(
    ind: Indicator, components: dict[str, Any] | None, problems: list[str]
) -> dict[str, int]:
    if not components:
        return {}
    if not ind.components:
        problems.append(gettext("指标“%(name)s”没有构成项") % {"name": ind.name})
        return {}
    out = {}
    for k, v in components.items():
        if k not in ind.components:
            problems.append(gettext("“%(k)s”不是“%(name)s”的构成项") % {"k": k, "name": ind.name})
            continue
        d = imports.number(v, k, problems, whole=True)
        if d is not None:
            out[k] = int(d)
    return out


def _write_value(
    actor: Any, ind: Indicator, area: Area, year: int, month: int, value: Decimal,
    components: dict[str, int], source: str, note: str,
) -> IndicatorValue:  # fmt: skip
    current = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=ind, area=area, year=year, month=month)
        .first()
    )
    before = None
    if current is None:
        _check_one_level(ind, area, year, month)
        current = IndicatorValue.objects.create(
            indicator=ind, area=area, area_path=area.path, year=year, month=month, value=value,
            components=components, source=source, version=1, updated_by=actor,
        )  # fmt: skip
    else:
        if current.value == value and current.components == components and current.source == source:
            return current  # nothing changed: no new revision
        before = {"value": str(current.value), "source": current.source, "version": current.version}
        current.value, current.components, current.source = value, components, source
        current.version += 1
        current.updated_by = actor
        current.save()
    IndicatorRevision.objects.create(
        value=current, version=current.version, amount=value, components=components,
        source=source, note=note[:200], actor=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, action="indicator.value_set", obj=current, area_path=area.path,
        before=before, after={"value": str(value), "source": source, "version": current.version},
        note=note,
    )  # fmt: skip
    return current


def _check_one_level(ind: Indicator, area: Area, year: int, month: int) -> None:
    """An area's figure is the sum of the values recorded in its subtree, so one indicator's
    month is recorded at one level only: not both at a district and at one of its streets."""
    clash = (
        IndicatorValue.objects.filter(indicator=ind, year=year, month=month)
        .filter(Q(area_path__in=ancestor_paths(area.path)) | Q(area_path__startswith=area.path))
        .exclude(area=area)
        .select_related("area")
        .first()
    )
    if clash is not None:
        raise ValidationFailed(
            gettext(
                "%(name)s %(year)s 年 %(month)s 月已在 %(where)s 填报；同一指标同一月份只在一级填报"
            )
            % {"name": ind.name, "year": year, "month": month, "where": clash.area.name},
            code="level_clash",
        )


@transaction.atomic
def value_set(
    *,
    actor: Any,
    indicator: Indicator,
    area: Area,
    year: int,
    month: int,
    value: Any = None,
    components: dict[str, Any] | None = None,
    source: str,
    note: str = "",
) -> IndicatorValue:
    """Enter or revise one value. With components, the value is their sum (a given value must
    equal it). Every change is a new revision; the old ones stay readable."""
    require_at(actor, "change", IndicatorValue, area.path, noun=gettext("指标数值"))
    problems: list[str] = []
    _check_period(year, month, problems)
    if not area.is_current:
        problems.append(gettext("区域 %(name)s 已撤销") % {"name": area.name})
    parts = _components(indicator, components, problems)
    amount = None if value in (None, "") else imports.number(value, gettext("数值"), problems)
    if parts:
        total = Decimal(sum(parts.values()))
        if amount is not None and amount != total:
            problems.append(
                gettext("数值 %(amount)s 与构成项之和 %(total)s 不符")
                % {"amount": amount, "total": total}
            )
        amount = total
    elif amount is None and not problems:
        problems.append(gettext("数值为空"))
    if not source.strip():
        problems.append(gettext("来源不能为空"))
    if problems or amount is None:
        raise ValidationFailed("；".join(problems), code="invalid_value")
    return _write_value(
        actor, indicator, area, year, month, amount, parts, source.strip()[:200], note
    )


@transaction.atomic
def values_import(*, actor: Any, data: bytes, source: str = "") -> list[IndicatorValue]:
    """Import a workbook of values (columns 指标代码, 区域代码, 年份, 月份, 数值, 来源, and one
    column per component where wanted). All rows or none; errors name their row."""
    _head, rows = imports.read_values(data)
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    indicators.update({i.name: i for i in indicators.values()})
    codes = {imports.text(r.get("区域代码")) for _, r in rows}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    errors: list[dict[str, Any]] = []
    plan = []
    seen: dict[tuple[Any, ...], int] = {}
    for n, r in rows:
        problems: list[str] = []
        ind = indicators.get(imports.text(r.get("指标代码")))
        if ind is None:
            problems.append(
                gettext("指标“%(code)s”不存在") % {"code": imports.text(r.get("指标代码"))}
            )
        area = areas.get(imports.text(r.get("区域代码")))
        if area is None or not area.is_current:
            problems.append(
                gettext("区域代码“%(code)s”不存在或已撤销")
                % {"code": imports.text(r.get("区域代码"))}
            )
        elif not can(actor, "import", IndicatorValue, area.path):
            problems.append(gettext("没有导入 %(name)s 指标数值的权限") % {"name": area.name})
        year_d = imports.number(r.get("年份"), gettext("年份"), problems, whole=True)
        month_d = imports.number(r.get("月份"), gettext("月份"), problems, whole=True)
        if year_d is not None and month_d is not None:
            _check_period(int(year_d), int(month_d), problems)
        comp_cells = {}
        if ind is not None:
            comp_cells = {c: r.get(c) for c in ind.components if imports.text(r.get(c))}
        parts = _components(ind, comp_cells, problems) if ind is not None else {}
        given = imports.text(r.get("数值"))
        amount = imports.number(given, gettext("数值"), problems) if given or not parts else None
        if parts:
            total = Decimal(sum(parts.values()))
            if amount is not None and amount != total:
                problems.append(
                    gettext("数值 %(amount)s 与构成项之和 %(total)s 不符")
                    % {"amount": amount, "total": total}
                )
            amount = total
        row_source = imports.text(r.get("来源")) or source.strip()
        if not row_source:
            problems.append(gettext("来源为空（在表中填写或导入时统一填写）"))
        if ind is not None and area is not None and year_d is not None and month_d is not None:
            key = (ind.pk, area.pk, int(year_d), int(month_d))
            if key in seen:
                problems.append(gettext("与第 %(seen)s 行重复") % {"seen": seen[key]})
            seen.setdefault(key, n)
        if problems:
            errors.append({"row": n, "message": "；".join(problems)})
            continue
        assert ind and area and year_d is not None and month_d is not None and amount is not None
        plan.append((n, ind, area, int(year_d), int(month_d), amount, parts, row_source[:200]))
    if not rows:
        raise ValidationFailed(gettext("文件中没有数据行"), code="empty")
    if errors:
        raise ValidationFailed(
            gettext("有 %(errors)s 行错误，未导入任何数据") % {"errors": len(errors)},
            code="import_errors",
            detail=errors,
        )
    return _write_many(actor, plan)


def _write_many(actor: Any, plan: list[tuple[Any, ...]]) -> list[IndicatorValue]:
    """Write an import's rows in a fixed number of statements: the rows' current values locked
    and read at once, the one-level rule checked in memory (against the database and the file),
    new values and revisions inserted in bulk, one audit record for the import."""
    inds = {row[1].pk for row in plan}
    years = {row[3] for row in plan}
    existing = {
        (v.indicator_id, v.area_id, v.year, v.month): v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator_id__in=inds, year__in=years, area_id__in={row[2].pk for row in plan}
        )
    }
    recorded: dict[tuple[int, int, int], dict[str, Any]] = {}
    for ind_id, y, mo, path, name in IndicatorValue.objects.filter(
        indicator_id__in=inds, year__in=years
    ).values_list("indicator_id", "year", "month", "area_path", "area__name"):
        recorded.setdefault((ind_id, y, mo), {})[path] = name
    for n, ind, area, y, mo, *_ in plan:
        recorded.setdefault((ind.pk, y, mo), {}).setdefault(
            area.path, gettext("第 %(n)s 行的%(name)s") % {"n": n, "name": area.name}
        )
    errors = []
    for n, ind, area, y, mo, *_ in plan:
        for path, name in recorded[(ind.pk, y, mo)].items():
            if path != area.path and (path.startswith(area.path) or area.path.startswith(path)):
                errors.append({"row": n, "message": gettext("%(name)s %(year)s 年 %(month)s 月已在 %(where)s 填报；同一指标同一月份只在一级填报") % {"name": ind.name, "year": y, "month": mo, "where": name}})  # fmt: skip
                break
    if errors:
        raise ValidationFailed(
            gettext("有 %(errors)s 行错误，未导入任何数据") % {"errors": len(errors)},
            code="import_errors",
            detail=errors,
        )
    new, changed, out = [], [], []
    for _n, ind, area, y, mo, amount, parts, src in plan:
        v = existing.get((ind.pk, area.pk, y, mo))
        if v is None:
            v = IndicatorValue(indicator=ind, area=area, area_path=area.path, year=y, month=mo,
                               value=amount, components=parts, source=src, version=1,
                               updated_by=actor)  # fmt: skip
            new.append(v)
        elif (v.value, v.components, v.source) != (amount, parts, src):
            v.value, v.components, v.source = amount, parts, src
            v.version += 1
            v.updated_by = actor
            changed.append(v)
        out.append(v)
    IndicatorValue.objects.bulk_create(new, batch_size=1000)
    IndicatorValue.objects.bulk_update(
        changed, ["value", "components", "source", "version", "updated_by"], batch_size=1000
    )
    IndicatorRevision.objects.bulk_create(
        [
            IndicatorRevision(
                value=v,
                version=v.version,
                amount=v.value,
                components=v.components,
                source=v.source,
                note="导入",
                actor=actor,
            )
            for v in (*new, *changed)
        ],
        batch_size=1000,
    )
    common = commonpath([row[2].path for row in plan])
    top = common[: common.rfind("/") + 1] or f"{settings.ZHILI_ROOT_CODE}/"
    audit_record(actor=actor, action="indicator.values_import", object_type="indicators.indicatorvalue",
                 object_id="", object_repr=f"导入指标数值 {len(plan)} 行", area_path=top,
                 after={"rows": len(plan), "new": len(new), "changed": len(changed)})  # fmt: skip
    return out


# Survey -------------------------------------------------------------------------------------------


def default_instrument() -> SurveyInstrument:
    inst, _ = SurveyInstrument.objects.get_or_create(
        code="security",
        defaults={
            "name": "群众安全感调查",
            "question": "您觉得您所在地区的治安状况安全吗？",
            "scale": DEFAULT_SCALE,
            "positive": DEFAULT_POSITIVE,
        },
    )
    return inst


@transaction.atomic
def wave_create(
    *, actor: Any, instrument: SurveyInstrument, area: Area, year: int, planned: int = 0,
    source: str = "",
) -> SurveyWave:  # fmt: skip
    """A district's sample for a year (one per instrument, district and year)."""
    require_at(actor, "add", SurveyWave, area.path, noun=gettext("调查样本"))
    if area.level not in (Level.DISTRICT, Level.STREET):
        raise ValidationFailed(gettext("调查样本按区县（或街道）设置"), code="invalid_area")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            gettext("年份须在 %(min)s–%(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="invalid_year",
        )
    if SurveyWave.objects.filter(instrument=instrument, area=area, year=year).exists():
        raise ValidationFailed(
            gettext("%(name)s %(year)s 年的样本已存在") % {"name": area.name, "year": year},
            code="duplicate",
        )
    wave = SurveyWave.objects.create(
        instrument=instrument, area=area, area_path=area.path, year=year, planned=planned,
        source=source[:200],
    )  # fmt: skip
    audit_record(actor=actor, action="survey.wave_create", obj=wave, area_path=area.path,
                 after={"year": year, "planned": planned})  # fmt: skip
    return wave


@transaction.atomic
def responses_import(*, actor: Any, wave: SurveyWave, data: bytes, source: str = "") -> int:
    """Replace the wave's responses by the workbook's (样本编号, 回答, 权重). An answer off the scale
    is kept as invalid; weights are all given or all blank. All rows or none."""
    require(actor, "import", wave, noun=gettext("调查样本"))
    rows = imports.read_responses(data)
    if not rows:
        raise ValidationFailed(gettext("文件中没有数据行"), code="empty")
    errors: list[dict[str, Any]] = []
    plan = []
    seen: dict[str, int] = {}
    weighted = {bool(imports.text(r.get("权重"))) for _, r in rows}
    if len(weighted) > 1:
        raise ValidationFailed(gettext("权重须全部填写或全部留空"), code="mixed_weights")
    for n, r in rows:
        problems: list[str] = []
        ref = imports.text(r.get("样本编号"))
        if not ref:
            problems.append(gettext("样本编号为空"))
        elif ref in seen:
            problems.append(
                gettext("样本编号 %(ref)s 与第 %(seen)s 行重复") % {"ref": ref, "seen": seen[ref]}
            )
        seen.setdefault(ref, n)
        answer = imports.text(r.get("回答"))[:20]
        weight = None
        if imports.text(r.get("权重")):
            weight = imports.number(r.get("权重"), gettext("权重"), problems)
            if weight is not None and weight <= 0:
                problems.append(gettext("权重须大于 0"))
        if problems:
            errors.append({"row": n, "message": "；".join(problems)})
            continue
        plan.append(SurveyResponse(wave=wave, respondent=ref[:40], answer=answer, weight=weight))
    if errors:
        raise ValidationFailed(
            gettext("有 %(errors)s 行错误，未导入任何数据") % {"errors": len(errors)},
            code="import_errors",
            detail=errors,
        )
    before = SurveyResponse.objects.filter(wave=wave).count()
    SurveyResponse.objects.filter(wave=wave).delete()
    SurveyResponse.objects.bulk_create(plan, batch_size=1000)
    wave.imported_at = timezone.now()
    if source:
        wave.source = source[:200]
    wave.save(update_fields=["imported_at", "source"])
    audit_record(actor=actor, action="survey.responses_import", obj=wave, area_path=wave.area_path,
                 before={"responses": before}, after={"responses": len(plan)})  # fmt: skip
    return len(plan)


@transaction.atomic
def creation_pass_line_set(*, actor: Any, sheet: Any, pass_line: Any) -> Any:
    """The 平安创建 pass line of a year's sheet (city-wide: the right over the whole city)."""
    from zhili.indicators.models import CreationSheet

    _require_city(actor, "change", CreationSheet, gettext("平安创建评分表"))
    problems: list[str] = []
    value = imports.number(pass_line, gettext("达标线"), problems)
    if value is not None and value > 100:
        problems.append(gettext("达标线不能超过 100 分"))
    if problems or value is None:
        raise ValidationFailed("；".join(problems), code="invalid_pass_line")
    before = str(sheet.pass_line)
    sheet.pass_line = value
    sheet.save(update_fields=["pass_line"])
    audit_record(actor=actor, action="creation.pass_line_set", obj=sheet, area_path=_root_path(),
                 before={"pass_line": before}, after={"pass_line": str(value)})  # fmt: skip
    return sheet
