"""楼栋工作日: plans, the visit's states, residents (personal data), and a demand becoming a
matter in one step (channel 楼栋工作日, routed like any matter, linked both ways)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent
from zhili.core.related import related_to
from zhili.matters.models import Category, Channel, Matter
from zhili.matters.routing import rule_unit
from zhili.testing import factories as f
from zhili.visits import selectors, services
from zhili.visits.models import Demand, Status, VisitEvent

pytestmark = pytest.mark.django_db


def test_schedule_only_buildings_inside_the_plan(plan: Any, today: dt.date) -> None:
    street = f.user("jiefangbei")
    with pytest.raises(ValidationFailed) as exc:
        services.visit_schedule(actor=street, plan=plan, building=f.area(f.GRID), date=today)
    assert exc.value.code == "not_a_building"
    elsewhere = services.plan_create(
        actor=street, cadre=f.user("grid_jfb_01"), area=f.area(f.OTHER_GRID), title="莲花池"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.visit_schedule(
            actor=street, plan=elsewhere, building=f.area(f.BUILDING), date=today
        )
    assert exc.value.code == "outside_plan"


def test_plan_needs_the_right_and_a_place(today: dt.date) -> None:
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=f.user("grid_jfb_01"),
            cadre=f.user("grid_jfb_01"),
            area=f.area(f.GRID),
            title="自己排",
        )
    with pytest.raises(NotFound):
        services.plan_create(
            actor=f.user("wanzhou"), cadre=f.user("wanzhou"), area=f.area(f.GRID), title="越界"
        )
    with pytest.raises(ValidationFailed):
        services.plan_create(
            actor=f.user("yuzhong"), cadre=f.user("yuzhong"), area=f.area(f.YUZHONG), title="区"
        )


def test_cadre_records_own_visit_and_states_are_checked(visit: Any, today: dt.date) -> None:
    cadre = f.user("grid_jfb_01")
    assert selectors.visit_visible(cadre).filter(pk=visit.pk).exists()
    with pytest.raises(ValidationFailed):
        services.visit_record(actor=cadre, visit=visit, visited_on=today + dt.timedelta(days=1))
    with pytest.raises(Conflict):
        services.visit_record(actor=cadre, visit=visit, version=visit.version + 5)
    done = services.visit_record(actor=cadre, visit=visit, summary="召开楼栋坝坝会")
    assert done.status == Status.DONE and done.visited_on == today
    with pytest.raises(Conflict):
        services.visit_miss(actor=f.user("jiefangbei"), visit=done, reason="下雨")
    actions = list(VisitEvent.objects.filter(visit=visit).values_list("action", flat=True))
    assert actions == ["schedule", "record"]
    assert AuditEvent.objects.filter(action="visit.record", object_id=str(visit.pk)).exists()


def test_only_the_cadre_or_the_street_records(plan: Any, visit: Any) -> None:
    other = f.user("mediator_jfb")
    with pytest.raises((PermissionDenied, NotFound)):
        services.visit_record(actor=other, visit=visit)
    with pytest.raises(NotFound):
        services.visit_record(actor=f.user("wanzhou"), visit=visit)
    missed = services.visit_miss(actor=f.user("jiefangbei"), visit=visit, reason="楼栋封闭施工")
    assert missed.status == Status.MISSED
    with pytest.raises(Conflict):
        services.resident_add(actor=f.user("grid_jfb_01"), visit=missed, name="王五")


def test_residents_are_personal_data(visit: Any) -> None:
    cadre = f.user("grid_jfb_01")
    services.resident_add(
        actor=cadre, visit=visit, name="王小明", phone="139 0000 1111", room="3-2"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.resident_add(actor=cadre, visit=visit, name="王*明")
    assert exc.value.code == "masked_value"
    shown = selectors.residents_masked(visit)
    assert shown[0]["name"] == "王**" and "0000" not in shown[0]["phone"]
    with pytest.raises(PermissionDenied):
        services.visit_reveal(actor=cadre, visit=visit)  # grid workers may not unmask
    rows = services.visit_reveal(actor=f.user("jiefangbei"), visit=visit)
    assert rows[0]["name"] == "王小明" and rows[0]["phone"] == "13900001111"
    assert AuditEvent.objects.filter(action="privacy.reveal", object_id=str(visit.pk)).count() == 1


def test_demand_becomes_a_matter_in_one_step(visit: Any) -> None:
    cadre = f.user("grid_jfb_01")
    resident = services.resident_add(
        actor=cadre, visit=visit, name="李大姐", phone="13800001234", room="2 单元 501"
    )
    category = Category.objects.get(code="streetlight")
    demand = services.demand_add(
        actor=cadre,
        visit=visit,
        text="楼道灯坏了两个月，晚上看不见",
        category=category,
        resident=resident,
        to_matter=True,
    )
    demand.refresh_from_db()
    matter = Matter.objects.get(pk=demand.matter_id)
    # A matter like any other: channel 楼栋工作日, at the building, routed by the catalogue.
    assert matter.channel == Channel.BUILDING_DAY
    assert matter.area_id == visit.building_id and matter.status == "submitted"
    assert matter.reporter_name == "李大姐" and matter.reporter_phone == "13800001234"
    assert matter.suggested_unit_id == getattr(rule_unit(category, visit.building), "pk", None)
    assert matter.events.get().action == "submit"
    # Linked both ways: the matter's page shows the visit, the visit shows the matter.
    links = [link.url for r in related_to(cadre, matter) for link in r.items]
    assert f"/visits/{visit.pk}/" in links
    shown = selectors.demands_of(cadre, visit)
    assert shown[0].matter.number == matter.number and shown[0].matter_shown
    assert VisitEvent.objects.filter(visit=visit, action="to_matter").get().data["number"] == (
        matter.number
    )
    with pytest.raises(Conflict):
        services.demand_to_matter(actor=cadre, demand=demand)
    # Outside the scope the link is not shown.
    far = [link.url for r in related_to(f.user("wanzhou"), matter) for link in r.items]
    assert not any(u.startswith("/visits/") for u in far)


def test_demand_kept_then_converted(visit: Any) -> None:
    cadre = f.user("grid_jfb_01")
    category = Category.objects.get(code="streetlight")
    demand = services.demand_add(actor=cadre, visit=visit, text="想加装电梯", category=category)
    assert demand.matter_id is None
    with pytest.raises(ValidationFailed):
        services.demand_add(actor=cadre, visit=visit, text="", category=category)
    with pytest.raises(ValidationFailed):
        services.demand_add(actor=cadre, visit=visit, text="x", category=category.parent)
    done = services.demand_to_matter(actor=cadre, demand=demand)
    assert Demand.objects.get(pk=done.pk).matter.channel == Channel.BUILDING_DAY  # type: ignore[union-attr]
