"""Every write to matters: intake and the actions of the closed loop (DOMAIN.md §3).

Each action is ``matter_<action>(*, actor, matter, ...)``; illegal ones raise Conflict (409) with
the reason, missing rights PermissionDenied (403), bad input ValidationFailed (422).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhili.areas.coords import to_wgs84
from zhili.areas.models import LEVEL_ORDER, Area, Level
from zhili.core import context, privacy, tunables
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.models import AuditEvent
from zhili.core.privacy import personal_phone
from zhili.core.scoping import can
from zhili.core.validation import clean_text, next_in_sequence, number_in_sequence, phone_number
from zhili.matters import rollups, steps
from zhili.matters.actions import SPECS
from zhili.matters.models import (
    Category,
    Channel,
    HandlingMode,
    Matter,
    MatterCounter,
    MatterEvent,
    MatterRollupState,
    MatterUnit,
    RoutingRule,
    Status,
    Triage,
)
from zhili.matters.questions import check_answers
from zhili.matters.routing import rule_unit
from zhili.matters.triage import community_committee, mode_after
from zhili.matters.workflow import WORKFLOW, set_co_units, transition

PUBLIC_CHANNELS = {Channel.WEB, Channel.OPEN311}


def sample_rate() -> float:
    """The share of self-handled matters drawn for a spot check (业务参数, in %)."""
    return float(tunables.value("matters.self_handle_sample_percent")) / 100


_text = clean_text


NUMBER_DIGITS = 6  # Q + yyyymmdd + the day's sequence


def number_matter(matter: Matter) -> str:
    """Give a matter saved under ``_placeholder_number`` the day's next number, Q + yyyymmdd + the
    day's sequence in six digits, as the last write before its audit record."""
    day = timezone.localtime(matter.created_at).date()
    return number_in_sequence(
        matter, "number", f"Q{day:%Y%m%d}", NUMBER_DIGITS, MatterCounter, day=day
    )


def _placeholder_number() -> str:
    """A matter's number until ``number_matter`` draws it, later in the same transaction
    (unique, never committed; not of the Q-yyyymmdd form)."""
    return f"~{uuid.uuid4().hex[:19]}"


def _district_code(area: Area) -> str:
    parts = [p for p in area.path.split("/") if p]
    return parts[1] if len(parts) > 1 else parts[0]


# Said when a new matter has neither a place nor a point (the staff forms say it beside the place).
AREA_REQUIRED = gettext_lazy("请选择所在区域或提供经纬度")


def check_intake_area(area: Area | None, *, located: bool) -> Area:
    """Where a new matter may be filed: a current area, picked by hand at street level or below.
    A point resolves to the deepest area whose boundary is loaded; where that is only the
    district (``located``), the matter is accepted into the district centre's 待分拨 queue
    (定位 places it). The public form runs this on the picked area before the rest. Returns
    the area, checked."""
    if area is None:
        raise ValidationFailed(str(AREA_REQUIRED), code="area_required")
    if not area.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，请选择现行区域") % {"name": area.name}, code="area_ended"
        )
    if area.level == Level.CITY or (area.level == Level.DISTRICT and not located):
        raise ValidationFailed(gettext("请至少选到街道（乡镇）"), code="area_too_coarse")
    return area


def matter_prepare(
    *,
    actor: Any,
    category: Category,
    channel: str,
    description: str,
    title: str = "",
    area: Area | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    answers: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    route: bool = True,
    coord_system: str = "wgs84",
) -> Matter:
    """受理's checks and the new matter, unsaved and without its number: every rule of intake,
    shared by ``matter_create`` and ``matter_create_batch``. ``route=False`` leaves
    ``suggested_unit`` for the caller to set (the batch looks the rules up for all its items)."""
    if channel not in Channel.values:
        raise ValidationFailed(gettext("来源渠道无效"), code="invalid_channel")
    if not category.is_active or category.parent_id is None:
        raise ValidationFailed(gettext("请选择具体的诉求分类"), code="invalid_category")
    description = _text(description, gettext("诉求内容"), limit=4000)
    title = _text(title, gettext("标题"), required=False, limit=120) or description[:30]
    if (lat is None) != (lng is None):
        raise ValidationFailed(gettext("经度和纬度须同时提供"), code="invalid_point")
    if lat is not None and lng is not None:
        lat, lng = to_wgs84(lat, lng, coord_system)  # stored points are WGS-84
    area, located = place_of(area, lat, lng)
    area = check_intake_area(area, located=located)
    staff = _staff(actor)
    if staff and channel == Channel.OPEN311:  # only the Open311 endpoint files through Open311
        raise ValidationFailed(
            gettext("Open311 渠道只能由 Open311 接口设定"), code="invalid_channel"
        )
    if staff and channel not in PUBLIC_CHANNELS and not can(actor, "add", Matter, area.path):
        raise PermissionDenied(gettext("您不能在该区域登记诉求"))
    if anonymous and not category.allow_anonymous:
        raise ValidationFailed(
            gettext("“%(name)s”类诉求不能匿名反映") % {"name": category.name},
            code="anonymous_not_allowed",
        )
    reporter_phone = _text(
        "".join((reporter_phone or "").split()),  # "138 0013 8000" is a phone number too
        gettext("联系电话"),
        required=not anonymous and channel in PUBLIC_CHANNELS | {Channel.HOTLINE},
        limit=32,
    )
    if channel in PUBLIC_CHANNELS:  # a resident's own number: a real Chinese phone number
        reporter_phone = phone_number(reporter_phone)
    else:
        reporter_phone = personal_phone(reporter_phone, gettext("联系电话"))
    clean_answers = check_answers(category, answers or {})
    now = at or timezone.now()
    matter = Matter(
        title=title,
        description=description,
        category=category,
        channel=channel,
        handling_mode=category.handling_mode,
        area=area,
        area_path=area.path,
        district_code=_district_code(area),
        address=_text(address, gettext("地址"), required=False, limit=200),
        lat=lat,
        lng=lng,
        anonymous=anonymous,
        reporter_name=""
        if anonymous
        else _text(reporter_name, gettext("反映人"), required=False, limit=64),
        reporter_phone="" if anonymous else reporter_phone,
        answers=clean_answers,
        suggested_unit=rule_unit(category, area) if route else None,
        created_by=actor if staff else None,
        created_at=now,
    )
    steps.submit(matter, now)
    return matter


def place_of(area: Area | None, lat: float | None, lng: float | None) -> tuple[Area | None, bool]:
    """Where a new matter is: the area picked, made finer by the point when the point lies inside
    it at a deeper level (a street picked, the point in one of its grids); with no area, the
    deepest area the point falls in. Second: whether the place came from the point."""
    if lat is None or lng is None:
        return area, False
    from zhili.areas.geo import area_locate

    try:
        found = area_locate(lat=lat, lng=lng)
    except NotFound:
        if area is None:
            raise
        return area, False  # a point outside the known boundaries: the picked area stands
    if area is None or found.pk == area.pk:  # the point confirms the area
        return found, True
    deeper = LEVEL_ORDER.index(found.level) > LEVEL_ORDER.index(area.level)
    if deeper and found.path.startswith(area.path):
        return found, True
    return area, False


def _staff(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


PUBLIC_ACTOR = "群众"  # the event's actor name (stored) when a resident reports without an account


def _submit_event(matter: Matter, actor: Any) -> MatterEvent:
    """The "submit" event ``matter_create`` records, unsaved (the batch writes them in bulk)."""
    staff = _staff(actor)
    return MatterEvent(
        matter=matter,
        action="submit",
        from_status="",
        to_status=matter.status,
        actor=actor if staff else None,
        actor_name=getattr(actor, "username", "") if staff else PUBLIC_ACTOR,
        at=matter.created_at,
        data={"channel": matter.channel},
    )


def _create_audit(matter: Matter) -> dict[str, Any]:
    return {"number": matter.number, "category": matter.category.code, "channel": matter.channel}


@transaction.atomic
def matter_create(
    *,
    actor: Any,
    category: Category,
    channel: str,
    description: str,
    title: str = "",
    area: Area | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    answers: dict[str, Any] | None = None,
    attachments: list[Any] | None = None,
    at: dt.datetime | None = None,
    coord_system: str = "wgs84",
) -> Matter:
    """受理: record a matter from any channel; it waits for 立案 (or is fixed on the spot)."""
    matter = matter_prepare(
        coord_system=coord_system,
        actor=actor,
        category=category,
        channel=channel,
        description=description,
        title=title,
        area=area,
        lat=lat,
        lng=lng,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        anonymous=anonymous,
        answers=answers,
        at=at,
    )
    # The number is drawn after every other write but the audit record: the day's counter row
    # stays locked until commit and every intake in the city waits for it, so the matter is
    # inserted under a placeholder and given its number last (on PostgreSQL the counter's upsert
    # and the matter's UPDATE are one statement).
    matter.number = _placeholder_number()
    matter.save()
    staff = _staff(actor)
    WORKFLOW.record(
        actor=actor if staff else None,
        obj=matter,
        action="submit",
        before="",
        data={"channel": matter.channel},
        at=matter.created_at,
        event_fields={} if staff else {"actor_name": PUBLIC_ACTOR},
        attachments=attachments,
        audit=False,  # the intake's own audit record follows
    )
    number_matter(matter)
    audit_record(
        actor=actor if _staff(actor) else None,
        action="matter.create",
        obj=matter,
        area_path=matter.area_path,
        after=_create_audit(matter),
    )
    return matter


MAX_BATCH = 500


def _at_index(exc: ZhiliError, index: int) -> ZhiliError:
    """The same error, its detail naming the batch item that caused it."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    if exc.detail is not None and not isinstance(exc.detail, dict):
        detail = {"detail": exc.detail}
    return type(exc)(
        gettext("第 %(index)s 件：%(message)s") % {"index": index + 1, "message": exc.message},
        code=exc.code,
        detail={"index": index, **detail},
    )


def _route_all(matters: list[Matter]) -> None:
    """``rule_unit`` for every matter with one query: the rule on the deepest ancestor-or-self of
    the matter's area for its category (ties: the first row, as ``rule_unit`` takes it)."""
    wanted = {m.category_id for m in matters}
    codes: dict[int, set[str]] = {}
    for m in matters:
        codes[id(m)] = {*m.area.ancestor_codes, m.area.code}
    every = set().union(*codes.values()) if codes else set()
    rules = list(
        RoutingRule.objects.filter(category_id__in=wanted, area__code__in=every).select_related(
            "unit", "area"
        )
    )
    by_category: dict[int, list[RoutingRule]] = {}
    for r in rules:
        by_category.setdefault(r.category_id, []).append(r)
    for m in matters:
        mine = [r for r in by_category.get(m.category_id, ()) if r.area.code in codes[id(m)]]
        best = max(mine, key=lambda r: r.area.depth, default=None)
        m.suggested_unit = best.unit if best else None


def matter_create_batch(
    *, actor: Any, items: list[dict[str, Any]], at: dt.datetime | None = None
) -> list[Matter]:
    """受理 of many matters at once (hotline systems, imports): all or nothing.

    Each item holds ``matter_create``'s arguments (``category`` and ``area`` as objects; no
    attachments) and is checked by the same ``matter_prepare``; an error names the item's index
    in its detail and nothing is written. The rows are those ``len(items)`` single intakes write
    (matter, "submit" event, rollup state, rollups, audit event), with consecutive numbers drawn
    at once, written by bulk inserts and one rollup flush. The items are checked before the write
    transaction opens (``matter_create`` checks inside its own)."""
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValidationFailed(
            gettext("每批 1 至 %(MAX_BATCH)s 件") % {"MAX_BATCH": MAX_BATCH},
            code="batch_size",
            detail={"size": len(items)},
        )
    now = at or timezone.now()
    matters = []
    for i, item in enumerate(items):
        if item.get("attachments"):
            raise _at_index(
                ValidationFailed(gettext("批量登记不支持附件"), code="attachments_not_supported"), i
            )
        try:
            matters.append(matter_prepare(actor=actor, at=now, route=False, **item))
        except ZhiliError as exc:
            raise _at_index(exc, i) from exc
    _route_all(matters)
    # Only the writes hold the transaction (on SQLite, the database's one write lock): the checks
    # above read committed data as matter_create's do, and take most of the time.
    with transaction.atomic():
        _write_batch(actor, matters, now)
    return matters


def _write_batch(actor: Any, matters: list[Matter], now: dt.datetime) -> None:
    # Drawn last, as in matter_create: n consecutive numbers in one upsert.
    day = timezone.localtime(now).date()
    last = next_in_sequence(MatterCounter, day=day, n=len(matters))
    for k, m in enumerate(matters):
        m.number = f"Q{day:%Y%m%d}{last - len(matters) + 1 + k:06d}"
    Matter.objects.bulk_create(matters)
    events = MatterEvent.objects.bulk_create([_submit_event(m, actor) for m in matters])
    d, states = rollups.Deltas(), {}
    for m, e in zip(matters, events, strict=True):
        states[m.pk] = rollups.apply_event(d, m, e, rollups.State())
    rollups.add_repeats(d, matters, states)
    rollups.flush(d)
    MatterRollupState.objects.bulk_create(
        [MatterRollupState(matter_id=pk, **asdict(s)) for pk, s in states.items()]
    )
    AuditEvent.objects.bulk_create([_audit_row(actor, m) for m in matters])


def _audit_row(actor: Any, matter: Matter) -> AuditEvent:
    """The audit event ``audit_record(actor=…, action="matter.create", obj=matter, …)`` appends
    in ``matter_create``, unsaved (the batch appends them all at once)."""
    ctx = context.current()
    actor = actor if _staff(actor) else None
    return AuditEvent(
        actor=actor,
        actor_name=getattr(actor, "username", "") or "system",
        action="matter.create",
        object_type=matter._meta.label_lower,
        object_id=str(matter.pk),
        object_repr=str(matter)[:255],
        area_path=matter.area_path,
        after=_create_audit(matter),
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


# The closed loop -------------------------------------------------------------------------------
# Each service checks its inputs (with the Chinese message a person reads) and hands them to
# ``_act``, which runs the action as its spec (actions.SPECS) says: the step with its arguments and
# the event's note and data, through the workflow (lock, 404 / 409 / 403, event, rollups, audit).


def _act(
    name: str,
    *,
    actor: Any,
    matter: Matter,
    version: int | None,
    at: dt.datetime | None,
    attachments: list[Any] | None = None,
    check: Callable[[Matter], None] | None = None,
    then: Callable[[Matter], None] | None = None,
    **inputs: Any,
) -> Matter:
    """``check`` looks at the locked matter before the step, ``then`` after it (co-units)."""
    spec = SPECS[name]

    def apply(m: Matter, now: dt.datetime) -> str | None:
        if check:
            check(m)
        status = spec.step(m, now, inputs)
        if then:
            then(m)
        return status

    return transition(
        actor=actor,
        matter=matter,
        action=name,
        apply=apply,
        note=str(inputs.get(spec.note) or ""),
        data=spec.data(inputs),
        attachments=attachments,
        version=version,
        at=at,
        unit=spec.event_unit(inputs),
    )


@transaction.atomic
def matter_accept(
    *,
    actor: Any,
    matter: Matter,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    return _act("accept", actor=actor, matter=matter, version=version, at=at, note=note)


@transaction.atomic
def matter_reject(
    *,
    actor: Any,
    matter: Matter,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    reason = _text(reason, gettext("不予立案理由"), limit=1000)
    return _act("reject", actor=actor, matter=matter, version=version, at=at, reason=reason)


@transaction.atomic
def matter_triage(
    *,
    actor: Any,
    matter: Matter,
    triage: str,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """三事分流: 大事 and 小事 go on to dispatch; 私事 closes with guidance to the resident."""
    if triage not in Triage.values:
        raise ValidationFailed(gettext("分流结果须为大事、小事或私事"), code="invalid_triage")
    reason = _text(reason, gettext("分流理由"), limit=1000)
    # 小事 goes to the community's committee: found first, so a missing one refuses the triage.
    committee = community_committee(matter) if triage == Triage.SMALL else None
    now = at or timezone.now()
    triaged = _act(
        "triage",
        actor=actor,
        matter=matter,
        version=version,
        at=now,
        triage=triage,
        reason=reason,
        mode=mode_after(matter, triage),
        from_mode=matter.handling_mode,
    )
    if committee is None or triaged.status == Status.CLOSED:
        return triaged
    return _act(
        "dispatch",
        actor=actor,
        matter=triaged,
        version=None,
        at=now,
        then=lambda m: set_co_units(m, []),
        unit=committee,
        co_units=[],
        note=gettext("三事分流：小事，由村（社区）办理"),
    )


@transaction.atomic
def matter_mode(
    *,
    actor: Any,
    matter: Matter,
    mode: str,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """四事四办: change the handling mode (e.g. raise to 急事特事特办) with a reason; the running
    deadlines are recounted with the new mode's limits (``steps.mode``). Those who dispatch may."""
    if mode not in HandlingMode.values:
        raise ValidationFailed(gettext("办理方式须为四事四办之一"), code="invalid_mode")
    reason = _text(reason, gettext("调整理由"), limit=1000)

    def same(m: Matter) -> None:
        if m.handling_mode == mode:
            raise ValidationFailed(gettext("办理方式没有变化"), code="same_mode")

    return _act(
        "mode",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        check=same,
        mode=mode,
        from_mode=matter.handling_mode,
        reason=reason,
    )


@transaction.atomic
def matter_dispatch(
    *,
    actor: Any,
    matter: Matter,
    unit: Any,
    co_units: list[Any] | None = None,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """派遣 to one lead unit (首接负责) with optional co-units; re-dispatch after a return."""
    if unit is None or not unit.is_active:
        raise ValidationFailed(gettext("请选择启用中的主办单位"), code="unit_required")
    co_units = [u for u in (co_units or []) if u.pk != unit.pk]
    if matter.status == Status.DISPATCHED and matter.lead_unit_id == unit.pk:
        held = set(MatterUnit.objects.filter(matter=matter).values_list("unit_id", flat=True))
        if held == {u.pk for u in co_units}:  # nothing would change but the counts
            raise ValidationFailed(
                gettext("该诉求已派给%(unit)s、尚未签收：改派请选择另一主办单位，或调整协办单位")
                % {"unit": unit.name},
                code="same_dispatch",
            )
    return _act(
        "dispatch",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        then=lambda m: set_co_units(m, co_units),
        unit=unit,
        co_units=co_units,
        note=note,
    )


@transaction.atomic
def matter_sign(
    *,
    actor: Any,
    matter: Matter,
    contacted: bool = False,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """签收. ``contacted`` records first contact with the resident at the same time."""
    return _act(
        "sign", actor=actor, matter=matter, version=version, at=at, contacted=contacted, note=note
    )


@transaction.atomic
def matter_return(
    *,
    actor: Any,
    matter: Matter,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """退单: the unit says it is not theirs; the centre re-dispatches."""
    reason = _text(reason, gettext("退单理由"), limit=1000)
    return _act("return", actor=actor, matter=matter, version=version, at=at, reason=reason)


@transaction.atomic
def matter_report(
    *,
    actor: Any,
    matter: Matter,
    result: str,
    attachments: list[Any] | None = None,
    contacted: bool = True,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """处置反馈 with evidence."""
    result = _text(result, gettext("处置情况"), limit=4000)
    return _act(
        "report",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        attachments=attachments,
        result=result,
        contacted=contacted,
    )


@transaction.atomic
def matter_verify(
    *,
    actor: Any,
    matter: Matter,
    passed: bool,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """核查: pass → ready to close; fail → 返工 (back to the unit, handling)."""
    if not passed:
        note = _text(note, gettext("返工原因"), limit=1000)
    return _act(
        "verify", actor=actor, matter=matter, version=version, at=at, passed=passed, note=note
    )


@transaction.atomic
def matter_close(
    *,
    actor: Any,
    matter: Matter,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    return _act("close", actor=actor, matter=matter, version=version, at=at, note=note)


@transaction.atomic
def matter_rate(
    *,
    actor: Any,
    matter: Matter,
    solved: bool,
    satisfied: bool,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """回访: was it solved, is the resident satisfied? Unsatisfied call-backs may be reopened.
    The resident may give it themselves from the lookup page (``actor`` an ``actions.Resident``)."""
    from zhili.matters.actions import Resident

    return _act(
        "rate",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        solved=solved,
        satisfied=satisfied,
        note=_text(note, gettext("评价意见"), required=False, limit=500),
        by_resident=isinstance(actor, Resident),
    )


@transaction.atomic
def matter_reopen(
    *,
    actor: Any,
    matter: Matter,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """重开: back to the lead unit to sign and handle again, with a fresh handling limit."""
    reason = _text(reason, gettext("重新办理理由"), limit=1000)
    return _act("reopen", actor=actor, matter=matter, version=version, at=at, reason=reason)


def max_extension_days() -> int:
    return int(tunables.value("matters.max_extension_workdays"))


def _no_pending_extension(m: Matter) -> None:
    if m.extension_requested_days:
        raise ValidationFailed(gettext("已有待审批的延期申请"), code="extension_pending")


def _pending_extension(m: Matter) -> None:
    if not m.extension_requested_days:
        raise ValidationFailed(gettext("没有待审批的延期申请"), code="no_extension")


@transaction.atomic
def matter_extend(
    *,
    actor: Any,
    matter: Matter,
    days: int,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """延期申请 by the unit; takes effect when approved."""
    most = max_extension_days()
    if not isinstance(days, int) or not 1 <= days <= most:
        raise ValidationFailed(
            gettext("延期天数须在 1 到 %(most)s 个工作日之间") % {"most": most}, code="invalid_days"
        )
    reason = _text(reason, gettext("延期理由"), limit=1000)
    return _act(
        "extend",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        check=_no_pending_extension,
        days=days,
        reason=reason,
    )


@transaction.atomic
def matter_approve_extension(
    *,
    actor: Any,
    matter: Matter,
    approved: bool,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    return _act(
        "approve_extension",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        check=_pending_extension,
        approved=approved,
        note=note,
    )


@transaction.atomic
def matter_suspend(
    *,
    actor: Any,
    matter: Matter,
    reason: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """挂起/缓办: the clock stops; suspended matters leave the rates' denominators."""
    reason = _text(reason, gettext("挂起理由"), limit=1000)
    return _act("suspend", actor=actor, matter=matter, version=version, at=at, reason=reason)


@transaction.atomic
def matter_resume(
    *,
    actor: Any,
    matter: Matter,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    return _act("resume", actor=actor, matter=matter, version=version, at=at, note=note)


@transaction.atomic
def matter_place(
    *,
    actor: Any,
    matter: Matter,
    area: Area,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """定位: a matter located only to its district (or to the wrong street) goes to a street,
    community or grid of the same district where the actor dispatches; its counts move with it."""
    if not area.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，请选择现行区域") % {"name": area.name}, code="area_ended"
        )
    if LEVEL_ORDER.index(area.level) <= LEVEL_ORDER.index(Level.DISTRICT):
        raise ValidationFailed(gettext("请定位到街道（乡镇）、社区或网格"), code="area_too_coarse")
    if _district_code(area) != matter.district_code:
        raise ValidationFailed(gettext("只能定位到本区县内的区域"), code="other_district")
    if not can(actor, "dispatch", Matter, area.path):
        raise PermissionDenied(gettext("您不能把诉求定位到%(name)s") % {"name": area.name})

    def check(m: Matter) -> None:
        if m.area_id == area.pk:
            raise ValidationFailed(
                gettext("诉求已在%(name)s") % {"name": area.name}, code="same_area"
            )
        if m.area_path != matter.area_path:  # moved since it was read
            raise Conflict(gettext("诉求已被他人定位，请刷新后再试"), code="stale")

    return _act(
        "place",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        check=check,
        area=area,
        from_path=matter.area_path,
        from_name=matter.area.name,
        suggested_unit=rule_unit(matter.category, area),
        note=_text(note, gettext("说明"), required=False, limit=1000),
    )


@transaction.atomic
def matter_merge(
    *,
    actor: Any,
    matter: Matter,
    into: Matter,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """并单: a duplicate joins the matter it repeats; its reporter is followed there."""
    if into.pk == matter.pk:
        raise ValidationFailed(gettext("不能与自身并单"), code="merge_self")
    # Both rows locked in one fixed order (by id) before anything else: merges of one pair in
    # opposite directions wait for each other instead of deadlocking (the merged row's new
    # foreign key would take a share lock on the target), and the target below is read under
    # the lock, so a three-way race cannot merge into a matter merged a moment ago.
    for pk in sorted((matter.pk, into.pk)):
        Matter.objects.select_for_update().filter(pk=pk).values_list("pk").first()
    target = Matter.objects.visible_to(actor).filter(pk=into.pk).first()
    if target is None:
        raise ValidationFailed(gettext("目标诉求不存在或不在您的管辖范围内"), code="merge_target")
    if target.status in (Status.MERGED, Status.REJECTED):
        raise ValidationFailed(
            gettext("目标诉求 %(number)s 已%(get_status_display)s，不能并入")
            % {"number": target.number, "get_status_display": target.get_status_display()},
            code="merge_target",
        )
    if target.merged_into_id == matter.pk:
        raise ValidationFailed(gettext("两件诉求不能互相并单"), code="merge_cycle")
    return _act("merge", actor=actor, matter=matter, version=version, at=at, into=target, note=note)


@transaction.atomic
def matter_self_handle(
    *,
    actor: Any,
    matter: Matter,
    result: str,
    attachments: list[Any] | None = None,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """自行处置: the grid worker fixed it on the spot; closed at once, verified by sampling."""
    result = _text(result, gettext("处置情况"), limit=4000)
    if not attachments:
        raise ValidationFailed(
            gettext("自行处置须上传处置后的照片或材料"), code="evidence_required"
        )
    return _act(
        "self_handle",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        attachments=attachments,
        result=result,
        sampled=random.random() < sample_rate(),
    )


@transaction.atomic
def matter_co_report(
    *,
    actor: Any,
    matter: Matter,
    result: str,
    attachments: list[Any] | None = None,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """协办反馈 (首接负责): a co-unit's staff report their unit's part. Only a co-unit of the
    matter may (the rule's ``only_also``: 403 for anyone else, the lead unit included); the part
    is kept on the co-unit's row, which the lead unit and the centre read on the matter. The lead
    unit's 处置反馈 and the centre's 结案 stay theirs."""
    result = _text(result, gettext("协办情况"), limit=4000)
    now = at or timezone.now()
    unit_id = int(getattr(actor, "unit_id", None) or 0)  # 0: no unit (the rule refuses it)

    def record(m: Matter) -> None:
        MatterUnit.objects.filter(matter_id=m.pk, unit_id=unit_id).update(
            reported_at=now, report=result
        )

    return _act(
        "co_report",
        actor=actor,
        matter=matter,
        version=version,
        at=now,
        attachments=attachments,
        then=record,
        result=result,
    )


@transaction.atomic
def matter_spot_check(
    *,
    actor: Any,
    matter: Matter,
    passed: bool,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Matter:
    """抽查核实: the centre (those who verify) records the result of a spot check of a
    self-handled matter drawn for sampling (``sampled``), once; a failure needs a note. The
    result counts in the metrics (抽查合格率)."""
    if not passed:
        note = _text(note, gettext("抽查不合格的情况"), limit=1000)

    def drawn(m: Matter) -> None:
        if not (m.self_handled and m.sampled):
            raise Conflict(gettext("该诉求未被抽中抽查"), code="not_sampled")
        if m.spot_check:
            raise Conflict(gettext("该诉求已抽查过"), code="already_checked")

    return _act(
        "spot_check",
        actor=actor,
        matter=matter,
        version=version,
        at=at,
        check=drawn,
        passed=passed,
        note=note,
    )


def matter_reveal_personal(*, actor: Any, matter: Matter) -> dict[str, str]:
    """The reporter's unmasked name and phone, for roles with the right (core.privacy.reveal:
    404 out of scope, 403 without ``view_personal``, one audit record per view)."""
    try:
        [row] = privacy.reveal(
            actor=actor,
            obj=matter,
            rows=[{"reporter_name": matter.reporter_name, "reporter_phone": matter.reporter_phone}],
            what=gettext("反映人姓名和电话"),
        )
    except PermissionDenied as exc:
        raise PermissionDenied(gettext("您没有查看反映人个人信息的权限"), code=exc.code) from exc
    return row
