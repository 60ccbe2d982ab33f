"""Defects of issue 10 on the risk register, each pinned by a test that failed before its fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.core.audit import AuditEvent
from zhili.core.errors import ValidationFailed
from zhili.core.models import Notice
from zhili.matters import services as ms
from zhili.matters.models import Category as MatterCategory
from zhili.org.models import Role, RoleGrant, User
from zhili.risks import services as rs
from zhili.risks.models import Risk, RiskEvent, Status

GRID = "500103003013001"
STREET = "500103003"  # 解放碑街道


def register(users: Any, area_of: Any, **kw: Any) -> Risk:
    args: dict[str, Any] = {
        "actor": users["jiefangbei"],
        "title": "某小区业主聚集维权",
        "description": "开发商逾期交房，业主多次聚集",
        "category": "petition",
        "source": "manual",
        "area": area_of(GRID),
        "address": "民生路 88 号",
        "persons": [{"name": "李四", "id_number": "500103199001011234", "phone": "13900001111"}],
    }
    args.update(kw)
    return rs.risk_register(**args)


def assess_red(users: Any, risk: Risk) -> None:
    rs.risk_assess(
        actor=users["jiefangbei"],
        risk=risk,
        kind="current",
        likelihood=5,
        impact=5,
        confidence="high",
    )


def officer(username: str, area: Any, *, active: bool = True) -> User:
    user = User.objects.create(username=username, full_name=username, is_active=active)
    RoleGrant.objects.create(user=user, role=Role.objects.get(slug="district_officer"), area=area)
    return user


def escalation_notices(user: User) -> int:
    return Notice.objects.filter(recipient=user, kind="risk_escalated").count()


# -- defect 3: red-risk escalation notifies only active holders on current areas ---------------


def test_escalation_skips_deactivated_officers(users: Any, area: Any) -> None:
    retired = officer("retired_yz", area("500103"), active=False)
    assess_red(users, register(users, area))
    assert escalation_notices(users["yuzhong"]) == 1
    assert escalation_notices(retired) == 0


def test_escalation_skips_grants_on_ended_areas(users: Any, area: Any) -> None:
    from zhili.areas.models import Area

    risk = register(users, area)
    city_officer = officer("city_risk_officer", area("500000"))  # current: still notified
    Area.objects.filter(code="500103").update(valid_to=timezone.localdate())
    assess_red(users, risk)
    assert escalation_notices(city_officer) == 1
    assert escalation_notices(users["yuzhong"]) == 0  # his only grant is on the ended district


def test_no_copy_of_grant_allows_in_risks() -> None:
    import inspect

    from zhili.risks import services

    assert "_grant_allows" not in dir(services)
    assert "fnmatch" not in inspect.getsource(services)


# -- defect 4: acceptance expiry goes through the workflow --------------------------------------


def test_acceptance_expiry_is_an_audited_transition(users: Any, area: Any) -> None:
    from zhili.risks.supervision import sweep

    risk = register(users, area)
    rs.risk_assess(
        actor=users["jiefangbei"], risk=risk, kind="current", likelihood=1, impact=1,
        confidence="high",
    )  # fmt: skip
    risk = rs.risk_accept(
        actor=users["yuzhong"],
        risk=risk,
        reason="影响小，持续关注",
        expires=timezone.localdate() + dt.timedelta(days=30),
    )
    version = risk.version
    assert sweep(now=timezone.now() + dt.timedelta(days=40))["expired"] == 1
    risk.refresh_from_db()
    assert risk.status == Status.OPEN and risk.version == version + 1
    event = RiskEvent.objects.filter(risk=risk).order_by("-id").first()
    assert event is not None and event.action == "acceptance_expired"
    assert (event.from_status, event.to_status) == (Status.ACCEPTED, Status.OPEN)
    assert AuditEvent.objects.filter(
        action="risk.acceptance_expired", object_type="risks.risk", object_id=str(risk.pk)
    ).exists()


# -- defect 5: linked disputes are read through the disputes' scoping --------------------------


def _matter(users: Any, area: Any, grid: str = GRID) -> Any:
    return ms.matter_create(
        actor=users["jiefangbei"],
        category=MatterCategory.objects.get(code="wage-arrears"),
        channel="staff",
        description="某工地拖欠 30 名工人工资",
        area=area(grid),
        reporter_name="孙八",
        reporter_phone="13512345678",
        answers={"workers": 30, "site": "是"},
    )


def _grid_of(username: str) -> str:
    return RoleGrant.objects.select_related("area").get(user__username=username).area.code


def test_linked_dispute_hidden_from_who_cannot_see_it(login: Any, users: Any, area: Any) -> None:
    from zhili.disputes import services as ds

    grid = _grid_of("grid_jfb_01")
    m = _matter(users, area, grid)
    risk = register(users, area, source="matter", matter=m, area=area(grid))
    d = ds.dispute_register(
        actor=users["jiefangbei"],
        channel="matter",
        subject="工资纠纷",
        facts="拖欠工资",
        area=area(STREET),  # a street-level case: outside the grid worker's grid
        parties=[{"role": "applicant", "name": "孙八"}, {"role": "respondent", "name": "某公司"}],
        matter=m,
    )
    seen = login("jiefangbei").get(f"/risks/{risk.number}/").content.decode()
    assert d.number in seen  # the street officer sees the dispute
    page = login("grid_jfb_01").get(f"/risks/{risk.number}/")
    assert page.status_code == 200 and d.number not in page.content.decode()


# -- defect 1 (risk half): a matter's reporter is never prefilled unmasked ----------------------


def test_prefill_from_a_matter_masks_the_reporter_for_a_grid_worker(
    login: Any, users: Any, area: Any
) -> None:
    m = _matter(users, area, _grid_of("grid_jfb_01"))
    page = login("grid_jfb_01").get(f"/risks/new/?matter={m.number}")
    body = page.content.decode()
    assert page.status_code == 200 and "某工地拖欠" in body
    assert "孙八" not in body and "13512345678" not in body


def test_prefill_from_a_matter_masks_the_reporter_for_a_unit_handler(
    login: Any, users: Any, area: Any
) -> None:
    from zhili.matters.models import Matter

    m = _matter(users, area)
    Matter.objects.filter(pk=m.pk).update(lead_unit=users["unit_yz_jw"].unit)
    page = login("unit_yz_jw").get(f"/risks/new/?matter={m.number}")
    body = page.content.decode()
    assert page.status_code == 200 and "某工地拖欠" in body
    assert "孙八" not in body and "13512345678" not in body


def test_a_masked_value_is_never_stored_as_a_person(login: Any, users: Any, area: Any) -> None:
    m = _matter(users, area)
    form = {
        "title": "工地欠薪可能引发聚集",
        "category": "labour",
        "source": "matter",
        "matter": m.number,
        "description": m.description,
        "area_code": GRID,
        "address": "民生路工地",
        "person_name": "孙*",
        "person_phone": "135****5678",
    }
    page = login("jiefangbei").post("/risks/new/", form)
    assert page.status_code == 200 and "脱敏" in page.content.decode()
    assert not Risk.objects.filter(matter=m).exists()
    with pytest.raises(ValidationFailed) as exc:
        register(users, area, persons=[{"name": "孙*", "phone": "135****5678"}])
    assert exc.value.code == "masked_value"
