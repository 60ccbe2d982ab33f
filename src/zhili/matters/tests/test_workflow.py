"""Every action of the closed loop: legal transitions, illegal ones (409 with the reason), rights,
deadlines, and two officers acting at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.areas.models import Area
from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.matters import services as s
from zhili.matters.models import Category, Matter, MatterEvent, Status, Triage
from zhili.matters.workflow import RULES, allowed_actions
from zhili.org.models import Role, RoleGrant, Unit, User

GRID = "500103003013001"  # a demo grid in 解放碑街道


@pytest.fixture
def unit(db: Any) -> Unit:
    return Unit.objects.get(name="渝中区住房城乡建委")


@pytest.fixture
def handler(db: Any, unit: Unit, area: Any) -> User:
    user = User.objects.create(
        username="jw_handler", full_name="经办人", area=area("500103"), unit=unit
    )
    RoleGrant.objects.create(
        user=user, role=Role.objects.get(slug="unit_handler"), area=area("500103")
    )
    return user


@pytest.fixture
def new_matter(users: dict[str, Any], area: Any) -> Any:
    def make(category: str = "streetlight", **kw: Any) -> Matter:
        return s.matter_create(
            actor=users["jiefangbei"],
            category=Category.objects.get(code=category),
            channel="staff",
            description=kw.pop("description", "民生路 12 号门口路灯不亮"),
            area=area(kw.pop("area", GRID)),
            reporter_name="张三",
            reporter_phone="13800138000",
            **kw,
        )

    return make


def test_full_loop_writes_one_event_per_step(
    new_matter: Any, users: Any, unit: Unit, handler: User
) -> None:
    officer = users["jiefangbei"]
    m = new_matter()
    assert m.status == Status.SUBMITTED and m.number.startswith("Q")
    m = s.matter_accept(actor=officer, matter=m)
    m = s.matter_dispatch(actor=officer, matter=m, unit=unit)
    assert m.status == Status.DISPATCHED and m.sign_due and m.handle_due
    m = s.matter_sign(actor=handler, matter=m, contacted=True)
    m = s.matter_report(actor=handler, matter=m, result="已更换灯泡")
    m = s.matter_verify(actor=officer, matter=m, passed=True)
    m = s.matter_close(actor=officer, matter=m)
    m = s.matter_rate(actor=officer, matter=m, solved=True, satisfied=True)
    assert m.status == Status.RATED and m.solved and m.satisfied
    actions = list(MatterEvent.objects.filter(matter=m).values_list("action", flat=True))
    assert actions == ["submit", "accept", "dispatch", "sign", "report", "verify", "close", "rate"]
    assert m.contacted_at is not None


@pytest.mark.parametrize("action", sorted(RULES))
def test_every_action_is_refused_from_a_state_it_does_not_start_from(
    action: str, new_matter: Any, users: Any
) -> None:
    m = new_matter()
    s.matter_reject(actor=users["jiefangbei"], matter=m, reason="重复反映")  # final state
    kwargs: dict[str, Any] = {
        "reject": {"reason": "x"},
        "triage": {"triage": "big", "reason": "x"},
        "mode": {"mode": "urgent", "reason": "x"},
        "dispatch": {"unit": Unit.objects.first()},
        "return": {"reason": "x"},
        "report": {"result": "x"},
        "verify": {"passed": True},
        "rate": {"solved": True, "satisfied": True},
        "reopen": {"reason": "x"},
        "extend": {"days": 2, "reason": "x"},
        "approve_extension": {"approved": True},
        "suspend": {"reason": "x"},
        "merge": {"into": new_matter()},
        "place": {"area": Area.objects.get(code="500103003")},
        "self_handle": {"result": "x", "attachments": [object()]},
        "co_report": {"result": "x"},
        "spot_check": {"passed": True},
    }.get(action, {})
    with pytest.raises(Conflict) as exc:
        getattr(s, f"matter_{action}")(actor=users["city_admin"], matter=m, **kwargs)
    assert exc.value.status == 409
    assert "不予立案" in exc.value.message


def test_unit_staff_cannot_accept_and_officer_of_another_district_cannot_see(
    new_matter: Any, users: Any, handler: User
) -> None:
    m = new_matter()
    with pytest.raises(Exception) as exc:
        s.matter_accept(actor=handler, matter=m)
    assert getattr(exc.value, "status", None) == 404  # not dispatched to their unit: invisible
    with pytest.raises(Exception) as exc2:
        s.matter_accept(actor=users["wanzhou"], matter=m)
    assert getattr(exc2.value, "status", None) == 404


def test_only_the_lead_unit_signs(
    new_matter: Any, users: Any, unit: Unit, handler: User, area: Any
) -> None:
    officer = users["jiefangbei"]
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=new_matter()), unit=unit
    )
    other_unit = Unit.objects.get(name="渝中区人民法院")
    outsider = User.objects.create(username="court_clerk", area=area("500103"), unit=other_unit)
    RoleGrant.objects.create(
        user=outsider, role=Role.objects.get(slug="unit_handler"), area=area("500103")
    )
    with pytest.raises(Exception) as exc:
        s.matter_sign(actor=outsider, matter=m)
    assert getattr(exc.value, "status", None) in (403, 404)
    assert s.matter_sign(actor=handler, matter=m).status == Status.HANDLING


def test_return_and_redispatch_counts(
    new_matter: Any, users: Any, unit: Unit, handler: User
) -> None:
    officer = users["jiefangbei"]
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=new_matter()), unit=unit
    )
    m = s.matter_return(actor=handler, matter=m, reason="不属于本单位职责")
    assert m.status == Status.RETURNED
    m = s.matter_dispatch(actor=officer, matter=m, unit=Unit.objects.get(name="渝中区综治中心"))
    assert m.dispatch_count == 2 and m.status == Status.DISPATCHED


def test_verify_fail_is_rework(new_matter: Any, users: Any, unit: Unit, handler: User) -> None:
    officer = users["jiefangbei"]
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=new_matter()), unit=unit
    )
    m = s.matter_report(
        actor=handler, matter=s.matter_sign(actor=handler, matter=m), result="已处理"
    )
    with pytest.raises(ValidationFailed):
        s.matter_verify(actor=officer, matter=m, passed=False, note="")
    m = s.matter_verify(actor=officer, matter=m, passed=False, note="现场仍未修好")
    assert m.status == Status.HANDLING and m.rework_count == 1


def test_triage_private_closes_with_guidance_and_big_goes_to_dispatch(
    new_matter: Any, users: Any
) -> None:
    officer = users["jiefangbei"]
    m = s.matter_triage(
        actor=officer,
        matter=new_matter(category="neighbour-dispute"),
        triage=Triage.PRIVATE,
        reason="家庭内部事务，已告知可申请人民调解",
    )
    assert m.status == Status.CLOSED and m.triage == "private"
    m2 = s.matter_triage(
        actor=officer, matter=new_matter(), triage=Triage.BIG, reason="需区级部门办理"
    )
    assert m2.status == Status.ACCEPTED


def test_extension_needs_approval_and_moves_the_deadline(
    new_matter: Any, users: Any, unit: Unit, handler: User
) -> None:
    officer = users["yuzhong"]
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=new_matter()), unit=unit
    )
    m = s.matter_sign(actor=handler, matter=m)
    due = m.handle_due
    m = s.matter_extend(actor=handler, matter=m, days=3, reason="需采购配件")
    assert m.handle_due == due
    with pytest.raises(ValidationFailed):
        s.matter_extend(actor=handler, matter=m, days=2, reason="再次申请")
    with pytest.raises(PermissionDenied):
        s.matter_approve_extension(actor=handler, matter=m, approved=True)
    m = s.matter_approve_extension(actor=officer, matter=m, approved=True)
    assert m.handle_due > due and m.extension_count == 1


def test_extension_beyond_the_rule_is_refused(
    new_matter: Any, users: Any, unit: Unit, handler: User
) -> None:
    officer = users["yuzhong"]
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=new_matter()), unit=unit
    )
    with pytest.raises(ValidationFailed):
        s.matter_extend(actor=handler, matter=m, days=99, reason="太久")


def test_suspend_stops_the_clock(new_matter: Any, users: Any, unit: Unit) -> None:
    officer = users["yuzhong"]
    t0 = timezone.now() - dt.timedelta(days=3)
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=new_matter()), unit=unit
    )
    Matter.objects.filter(pk=m.pk).update(suspended_at=None)
    m = s.matter_suspend(actor=officer, matter=m, reason="等待业主委员会表决")
    Matter.objects.filter(pk=m.pk).update(suspended_at=t0)
    due = Matter.objects.get(pk=m.pk).handle_due
    m = s.matter_resume(actor=officer, matter=Matter.objects.get(pk=m.pk))
    assert m.status == Status.DISPATCHED
    # The handling limit counts working days: it moves by the working days suspended.
    from zhili.core.workdays import add_workdays, workdays_between

    moved = workdays_between(t0, timezone.now())
    assert m.handle_due == add_workdays(due, moved) and (moved == 0 or m.handle_due > due)


def test_merge_and_reopen(new_matter: Any, users: Any, unit: Unit, handler: User) -> None:
    officer = users["jiefangbei"]
    first, dup = new_matter(), new_matter(description="民生路路灯坏了好几天")
    with pytest.raises(ValidationFailed):
        s.matter_merge(actor=officer, matter=dup, into=dup)
    dup = s.matter_merge(actor=officer, matter=dup, into=first)
    assert dup.status == Status.MERGED and dup.merged_into_id == first.pk
    m = s.matter_dispatch(
        actor=officer, matter=s.matter_accept(actor=officer, matter=first), unit=unit
    )
    m = s.matter_report(actor=handler, matter=s.matter_sign(actor=handler, matter=m), result="修好")
    m = s.matter_close(actor=officer, matter=s.matter_verify(actor=officer, matter=m, passed=True))
    m = s.matter_rate(actor=officer, matter=m, solved=False, satisfied=False)
    m = s.matter_reopen(actor=officer, matter=m, reason="回访不满意：晚上仍不亮")
    assert m.status == Status.DISPATCHED and m.reopen_count == 1 and m.solved is None


def test_self_handle_needs_evidence(new_matter: Any, users: Any) -> None:
    grid = users["grid_jfb_01"]
    m = new_matter()
    with pytest.raises(ValidationFailed):
        s.matter_self_handle(actor=grid, matter=m, result="已清理", attachments=[])


def test_two_officers_at_once_one_wins(new_matter: Any, users: Any, unit: Unit) -> None:
    m = new_matter()
    seen_version = m.version
    s.matter_accept(actor=users["jiefangbei"], matter=m, version=seen_version)
    with pytest.raises(Conflict) as exc:
        s.matter_reject(actor=users["yuzhong"], matter=m, reason="不属实", version=seen_version)
    assert exc.value.code == "version_conflict"
    with pytest.raises(Conflict) as exc2:  # without a version: the state machine refuses
        s.matter_accept(actor=users["yuzhong"], matter=m)
    assert exc2.value.code == "illegal_transition"


def test_blocking_answer_and_anonymous_rule(users: Any, area: Any) -> None:
    hazard = Category.objects.get(code="safety-hazard")
    with pytest.raises(ValidationFailed) as exc:
        s.matter_create(
            actor=None,
            category=hazard,
            channel="web",
            description="楼道堆放煤气罐",
            area=area(GRID),
            anonymous=True,
            answers={"danger": "是"},
        )
    assert exc.value.code == "blocked" and "110" in exc.value.message
    assert not Matter.objects.filter(description="楼道堆放煤气罐").exists()
    with pytest.raises(ValidationFailed) as exc2:
        s.matter_create(
            actor=None,
            category=Category.objects.get(code="wage-arrears"),
            channel="web",
            description="工地欠薪",
            area=area(GRID),
            anonymous=True,
            answers={"workers": 12, "site": "是"},
        )
    assert exc2.value.code == "anonymous_not_allowed"


def test_allowed_actions_follow_state_and_role(new_matter: Any, users: Any) -> None:
    m = new_matter()
    assert "accept" in allowed_actions(users["jiefangbei"], m)
    assert "accept" not in allowed_actions(users["grid_jfb_01"], m)
    assert allowed_actions(users["wanzhou"], m) == []


def test_the_api_lists_the_actions_the_page_offers(
    new_matter: Any, users: Any, unit: Unit, client: Any, bearer: Any
) -> None:
    """GET /matters/{number} and each action's answer carry ``actions`` from the rules table:
    by state, by right (the lead unit's staff without the area right), one extension at a time."""
    officer, staff = users["jiefangbei"], users["unit_yz_jw"]
    m = s.matter_accept(actor=officer, matter=new_matter())

    def actions(user: str) -> dict[str, str]:
        resp = client.get(f"/api/v1/matters/{m.number}", headers=bearer(user))
        assert resp.status_code == 200
        return {a["action"]: a["label"] for a in resp.json()["actions"]}

    got = actions("jiefangbei")
    assert got["dispatch"] == "派遣" and "accept" not in got and "sign" not in got
    resp = client.post(
        f"/api/v1/matters/{m.number}/actions/dispatch",
        {"unit": unit.pk, "version": m.version},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert resp.status_code == 200
    m = Matter.objects.get(pk=m.pk)
    after = [a["action"] for a in resp.json()["actions"]]
    # 改派: the centre may re-dispatch a matter the unit has not signed for yet.
    assert after == allowed_actions(officer, m) and "dispatch" in after
    assert {"sign", "return", "extend"} <= set(actions("unit_yz_jw"))
    assert "approve_extension" not in actions("yuzhong")
    m = s.matter_sign(actor=staff, matter=m)
    assert "dispatch" not in allowed_actions(officer, m)  # signed for: 退单 first, then 改派
    m = s.matter_extend(actor=staff, matter=m, days=3, reason="材料未到")
    assert "extend" not in actions("unit_yz_jw")  # one request at a time
    assert actions("yuzhong")["approve_extension"] == "审批延期"
    assert client.get(f"/api/v1/matters/{m.number}", headers=bearer("wanzhou")).status_code == 404


def test_deadline_counts_working_days_over_a_weekend(
    new_matter: Any, users: Any, unit: Unit
) -> None:
    officer = users["jiefangbei"]
    friday = timezone.make_aware(dt.datetime(2026, 11, 27, 10, 0))
    m = new_matter(category="road-damage", at=friday)  # 难事限时办: handle 7 working days
    m = s.matter_accept(actor=officer, matter=m)
    from zhili.matters.deadlines import stage_due

    due = stage_due(m, "handle", friday)
    assert timezone.localtime(due).date() == dt.date(2026, 12, 8)
