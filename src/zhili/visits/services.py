"""Every write of 楼栋工作日: plans, scheduled visits, the visit record (planned → done / missed
through ``WORKFLOW``), residents met, demands, and a demand turned into a matter in one step
(``matters.services.matter_create`` with channel 楼栋工作日, so it is routed like any matter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core import privacy
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.core.privacy import personal_phone, personal_value
from zhili.core.scoping import require, require_at
from zhili.core.validation import clean_text
from zhili.matters.models import Category, Channel
from zhili.matters.services import matter_create
from zhili.visits.models import Demand, Resident, Status, Visit, VisitPlan
from zhili.visits.workflow import WORKFLOW

PLAN_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)


def _street_code(area: Area) -> str:
    parts = [p for p in area.path.split("/") if p]
    return parts[2] if len(parts) > 2 else parts[-1]


def _current(area: Area | None, what: str) -> Area:
    if area is None:
        raise ValidationFailed(gettext("请选择%(what)s") % {"what": what}, code="area_required")
    if not area.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，请选择现行区域") % {"name": area.name}, code="area_ended"
        )
    return area


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    cadre: Any,
    area: Area | None,
    title: str,
    visits: list[tuple[Area, dt.date]] | None = None,
) -> VisitPlan:
    """A cadre's plan over a street, community or grid, with its first scheduled visits."""
    area = _current(area, gettext("走访范围"))
    if area.level not in PLAN_LEVELS:
        raise ValidationFailed(gettext("走访范围须为街道、社区或网格"), code="invalid_area")
    require_at(actor, "add", VisitPlan, area.path, noun=gettext("走访计划"))
    if cadre is None or not cadre.is_active:
        raise ValidationFailed(gettext("请选择在职的走访干部"), code="invalid_cadre")
    plan = VisitPlan.objects.create(
        cadre=cadre,
        title=clean_text(title, gettext("计划名称"), limit=120),
        area=area,
        area_path=area.path,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="visitplan.create",
        obj=plan,
        area_path=area.path,
        after={"cadre": cadre.username, "title": plan.title, "area": area.code},
    )
    for building, date in visits or []:
        visit_schedule(actor=actor, plan=plan, building=building, date=date)
    return plan


@transaction.atomic
def visit_schedule(*, actor: Any, plan: VisitPlan, building: Area | None, date: dt.date) -> Visit:
    """One building on one date of the plan; the building must lie inside the plan's area."""
    building = _current(building, gettext("楼栋"))
    if building.level != Level.BUILDING:
        raise ValidationFailed(
            gettext("%(name)s 不是小区/楼栋") % {"name": building.name}, code="not_a_building"
        )
    if not building.path.startswith(plan.area_path):
        raise ValidationFailed(
            gettext("%(name)s 不在计划的走访范围（%(plan_area)s）内")
            % {"name": building.name, "plan_area": plan.area.name},
            code="outside_plan",
        )
    require(actor, "view", plan, noun=gettext("走访计划"))
    require_at(actor, "add", Visit, building.path, noun=gettext("走访"))
    if date is None:
        raise ValidationFailed(gettext("请填写计划日期"), code="date_required")
    visit = Visit.objects.create(
        plan=plan,
        cadre_id=plan.cadre_id,
        building=building,
        area_path=building.path,
        street_code=_street_code(building),
        date=date,
    )
    WORKFLOW.record(
        actor=actor,
        obj=visit,
        action="schedule",
        before="",
        data={"building": building.code, "building_name": building.name, "date": str(date)},
    )
    return visit


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    visit: Visit,
    summary: str = "",
    visited_on: dt.date | None = None,
    version: int | None = None,
) -> Visit:
    """记录走访: the visit took place (not in the future); planned → done."""
    today = timezone.localdate()
    on = visited_on or today
    if on > today:
        raise ValidationFailed(gettext("走访日期不能晚于今天"), code="future_date")
    text = clean_text(summary, gettext("现场情况"), required=False, limit=2000)

    def apply(v: Visit, now: dt.datetime) -> None:
        v.visited_on = on
        v.summary = text

    return WORKFLOW.transition(
        actor=actor,
        obj=visit,
        action="record",
        apply=apply,
        data={"visited_on": str(on)},
        version=version,
    )


@transaction.atomic
def visit_miss(*, actor: Any, visit: Visit, reason: str, version: int | None = None) -> Visit:
    """标记未走访, with the reason; planned → missed."""
    text = clean_text(reason, gettext("未走访原因"), limit=200)

    def apply(v: Visit, now: dt.datetime) -> None:
        v.miss_reason = text

    return WORKFLOW.transition(
        actor=actor, obj=visit, action="miss", apply=apply, data={"reason": text}, version=version
    )


def _may_write(actor: Any, visit: Visit) -> Visit:
    """Residents and demands are added by whoever may record the visit (its cadre, the street),
    before or after it is recorded, never to a visit that did not take place."""
    locked = WORKFLOW.lock(visit)
    require(actor, "view", locked, noun=gettext("走访"))
    if not WORKFLOW.may(actor, "record", locked):
        raise PermissionDenied(gettext("您不能登记这次走访的情况"), code="forbidden")
    if locked.status == Status.MISSED:
        raise Conflict(
            gettext("这次走访已标记为未走访，不能登记群众或诉求"), code="illegal_transition"
        )
    return locked


@transaction.atomic
def resident_add(
    *, actor: Any, visit: Visit, name: str, phone: str = "", room: str = ""
) -> Resident:
    """A resident met on the visit (personal data: shown masked, revealed with an audit)."""
    locked = _may_write(actor, visit)
    name = personal_value(clean_text(name, gettext("群众姓名"), limit=64), gettext("群众姓名"), 64)
    phone = personal_phone(phone, gettext("联系电话"))
    room = personal_value(
        clean_text(room, gettext("门牌/房号"), required=False, limit=64), gettext("门牌/房号"), 64
    )
    resident = Resident.objects.create(visit=locked, name=name, phone=phone, room=room)
    count = Resident.objects.filter(visit=locked).count()
    WORKFLOW.record(actor=actor, obj=locked, action="resident", data={"count": count})
    return resident


@transaction.atomic
def demand_add(
    *,
    actor: Any,
    visit: Visit,
    text: str,
    category: Category | None,
    resident: Resident | None = None,
    to_matter: bool = False,
) -> Demand:
    """A demand raised on the visit; with ``to_matter`` it becomes a matter at once."""
    locked = _may_write(actor, visit)
    text = clean_text(text, gettext("诉求内容"), limit=2000)
    if category is None or not category.is_active or category.parent_id is None:
        raise ValidationFailed(gettext("请选择具体的诉求分类"), code="invalid_category")
    if resident is not None and resident.visit_id != locked.pk:
        raise ValidationFailed(gettext("反映人不是这次走访登记的群众"), code="invalid_resident")
    demand = Demand.objects.create(visit=locked, resident=resident, text=text, category=category)
    WORKFLOW.record(actor=actor, obj=locked, action="demand", data={"text": text[:60]})
    if to_matter:
        demand_to_matter(actor=actor, demand=demand)
    return demand


@transaction.atomic
def demand_to_matter(*, actor: Any, demand: Demand) -> Demand:
    """One step: the demand becomes a matter (channel 楼栋工作日) at the visit's building,
    reported by the resident who raised it, routed by the catalogue like any matter; the
    matter and the visit are linked both ways (``Demand.matter``, shown through core.related)."""
    locked_demand = (
        Demand.objects.select_for_update(of=("self",)).select_related("resident").get(pk=demand.pk)
    )
    visit = _may_write(actor, locked_demand.visit)
    if locked_demand.matter_id:
        raise Conflict(gettext("该诉求已转为事项"), code="already_converted")
    resident = locked_demand.resident
    building = visit.building
    matter = matter_create(
        actor=actor,
        category=locked_demand.category,
        channel=Channel.BUILDING_DAY,
        description=locked_demand.text,
        area=building,
        address=" ".join(p for p in (building.name, resident.room if resident else "") if p),
        reporter_name=resident.name if resident else "",
        reporter_phone=resident.phone if resident else "",
    )
    locked_demand.matter = matter
    locked_demand.save(update_fields=["matter"])
    WORKFLOW.record(
        actor=actor,
        obj=visit,
        action="to_matter",
        data={"number": matter.number, "demand": locked_demand.pk},
    )
    return locked_demand


def visit_reveal(*, actor: Any, visit: Visit) -> list[dict[str, str]]:
    """The residents met, unmasked, for holders of ``visits.visit.view_personal`` (audited)."""
    rows = [
        {"name": r.name, "phone": r.phone, "room": r.room}
        for r in Resident.objects.filter(visit=visit).order_by("id")
    ]
    return privacy.reveal(actor=actor, obj=visit, rows=rows, what="走访群众")
