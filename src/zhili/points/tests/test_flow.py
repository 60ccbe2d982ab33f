"""The business around the ledger: the rule catalogue's versions, a record's way from scorer to
counted points (approval by another person, the public window, objections), and the shop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.core.system import system_user
from zhili.org.models import Role
from zhili.org.services import grant_create
from zhili.points import rules, services
from zhili.points.models import (
    Account,
    Goods,
    OrderStatus,
    RecordStatus,
    StockMovement,
    TransferKind,
)
from zhili.testing.factories import make_attachment

pytestmark = pytest.mark.django_db


def _item(version: Any, code: str) -> Any:
    return version.items.get(code=code)


def _counted(people: dict, household: Any, version: Any, code: str, **kw: Any) -> Any:
    record = services.record_create(
        actor=people["points_scorer"],
        household=household,
        item=_item(version, code),
        occurred_on=dt.date(2026, 3, 2),
        evidence=make_attachment(),
        **kw,
    )
    services.record_act(actor=people["points_supervisor"], record=record, action="approve")
    record.refresh_from_db()
    services.records_count_due(now=record.public_until)
    record.refresh_from_db()
    return record


def test_scorer_records_another_approves_window_then_counted(
    people: dict, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[0]
    record = services.record_create(
        actor=people["points_scorer"],
        household=h,
        item=_item(catalogue, "B01"),
        occurred_on=dt.date(2026, 3, 2),
        evidence=make_attachment(),
    )
    # A scorer has no right to approve.
    with pytest.raises(PermissionDenied, match="无权"):
        services.record_act(actor=people["points_scorer2"], record=record, action="approve")
    # Never the same person, even one who holds both roles.
    both = people["points_scorer"]
    grant_create(
        actor=system_user(),
        user=both,
        role=Role.objects.get(slug="points_supervisor"),
        area=record.household.village,
    )
    with pytest.raises(PermissionDenied, match="不同的人"):
        services.record_act(actor=both, record=record, action="approve")
    services.record_act(actor=people["points_supervisor"], record=record, action="approve")
    record.refresh_from_db()
    assert (
        record.status == RecordStatus.PUBLIC and record.approved_by == people["points_supervisor"]
    )
    # Before the window ends nothing is counted.
    assert services.records_count_due(now=record.public_until - dt.timedelta(seconds=1)) == 0
    assert Account.objects.get(pk=h.account_id).balance == 0
    assert services.records_count_due(now=record.public_until) == 1
    assert services.records_count_due(now=record.public_until) == 0
    record.refresh_from_db()
    assert record.status == RecordStatus.COUNTED and record.transfer.amount == 5
    assert Account.objects.get(pk=h.account_id).balance == 5
    assert [e.action for e in record.events.all()] == ["record", "approve", "count"]


def test_objection_holds_the_record_until_resolved(
    people: dict, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[1]
    record = services.record_create(
        actor=people["points_scorer"],
        household=h,
        item=_item(catalogue, "C01"),
        occurred_on=dt.date(2026, 3, 2),
        evidence=make_attachment(),
    )
    services.record_act(actor=people["points_supervisor"], record=record, action="approve")
    with pytest.raises(ValidationFailed):
        services.record_act(actor=people["points_committee"], record=record, action="object")
    services.record_act(
        actor=people["points_committee"], record=record, action="object", note="庭院并未整治"
    )
    record.refresh_from_db()
    assert services.records_count_due(now=record.public_until) == 0
    services.record_act(
        actor=people["points_supervisor"], record=record, action="uphold", note="核实属实"
    )
    services.record_act(
        actor=people["points_committee"], record=record, action="appeal", note="已补拍照片"
    )
    services.record_act(
        actor=people["points_supervisor"], record=record, action="dismiss", note="复核通过"
    )
    record.refresh_from_db()
    assert services.records_count_due(now=record.public_until) == 1
    assert Account.objects.get(pk=h.account_id).balance == 20


def test_deduction_takes_no_more_than_the_household_has(
    people: dict, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[2]
    _counted(people, h, catalogue, "A01")
    record = _counted(people, h, catalogue, "A02")
    assert record.transfer.amount == 1 and Account.objects.get(pk=h.account_id).balance == 0
    record = _counted(people, h, catalogue, "A02")
    assert record.status == RecordStatus.COUNTED and record.transfer is None


def test_rule_versions_keep_old_records_on_their_rule(
    people: dict, village: Any, catalogue: Any, households: list
) -> None:
    v2 = rules.rules_publish(
        actor=people["points_committee"],
        area=village,
        effective_from=dt.date(2026, 4, 1),
        items=[rules.ItemSpec(code="B01", name="村庄大扫除", points=6)],
    )
    assert rules.item_in_force(village, "B01", dt.date(2026, 3, 31)).points == 5
    assert rules.item_in_force(village, "B01", dt.date(2026, 4, 1)).version == v2
    assert rules.item_in_force(village, "C01", dt.date(2026, 4, 2)) is None
    with pytest.raises(ValidationFailed, match="当日生效"):
        services.record_create(
            actor=people["points_scorer"],
            household=households[0],
            item=_item(catalogue, "B01"),
            occurred_on=dt.date(2026, 4, 2),
            evidence=make_attachment(),
        )
    with pytest.raises(ValidationFailed, match="照片"):
        services.record_create(
            actor=people["points_scorer"],
            household=households[0],
            item=_item(catalogue, "B01"),
            occurred_on=dt.date(2026, 3, 2),
        )


def test_template_copy_and_xlsx_round_trip(people: dict, village: Any) -> None:
    from zhili.core.system import system_user
    from zhili.testing.factories import area

    district = area("500103")
    template = rules.rules_publish(
        actor=system_user(),
        area=district,
        effective_from=dt.date(2026, 1, 1),
        is_template=True,
        items=[
            rules.ItemSpec(code="A01", name="参加会议", points=1),
            rules.ItemSpec(code="D01", name="违规建房", points=-50, veto=True),
        ],
    )
    assert template in rules.templates_for(village)
    copy = rules.rules_copy(
        actor=people["points_committee"],
        template=template,
        area=village,
        effective_from=dt.date(2026, 2, 1),
    )
    assert [(i.code, i.points, i.veto) for i in copy.items.all()] == [
        ("A01", 1, False),
        ("D01", -50, True),
    ]
    data = rules.rules_export(copy)
    again = rules.rules_import(
        actor=people["points_committee"],
        area=village,
        effective_from=dt.date(2026, 3, 1),
        data=data,
    )
    assert rules.specs_of(again) == rules.specs_of(copy)


def test_xlsx_errors_are_row_numbered_and_nothing_is_written(people: dict, village: Any) -> None:
    import io

    from openpyxl import Workbook

    from zhili.points.models import RuleVersion

    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "事项", "分值", "上限周期"])
    ws.append(["A01", "参加会议", 1, "每月"])
    ws.append(["A02", "", 0, "每天"])
    ws.append(["A01", "重复", "x", ""])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationFailed) as err:
        rules.rules_import(
            actor=people["points_committee"],
            area=village,
            effective_from=dt.date(2026, 3, 1),
            data=out.getvalue(),
        )
    assert [e["row"] for e in err.value.detail] == [3, 4]
    assert "第3行" in err.value.message and "第4行" in err.value.message
    assert not RuleVersion.objects.filter(area=village).exists()
    with pytest.raises(ValidationFailed, match="xlsx"):
        rules.rules_import(
            actor=people["points_committee"],
            area=village,
            effective_from=dt.date(2026, 3, 1),
            data=b"not a workbook",
        )


def test_shop_hold_pickup_cancel_expire(
    people: dict, village: Any, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[0]
    _counted(people, h, catalogue, "C01")  # 20 points
    shop_user = people["points_shop"]
    oil = services.goods_create(
        actor=people["points_committee"], village=village, name="食用油", price=8, stock=3
    )
    order = services.order_place(actor=shop_user, household=h, goods=oil, quantity=2, key="o1")
    assert order.points == 16 and order.status == OrderStatus.HELD
    assert (
        services.order_place(actor=shop_user, household=h, goods=oil, quantity=2, key="o1") == order
    )
    with pytest.raises(Conflict):
        services.order_place(actor=shop_user, household=h, goods=oil, quantity=1, key="o1")
    acc = Account.objects.get(pk=h.account_id)
    assert (acc.balance, acc.available) == (20, 4)
    with pytest.raises(Conflict, match="不足"):
        services.order_place(actor=shop_user, household=h, goods=oil, quantity=1, key="o2")
    services.order_act(actor=shop_user, order=order, action="pickup")
    acc = Account.objects.get(pk=h.account_id)
    assert (acc.balance, acc.available) == (4, 4)
    assert Goods.objects.get(pk=oil.pk).stock == 1
    # Cancel gives points and goods back; an order left too long expires.
    soap = services.goods_create(
        actor=people["points_committee"], village=village, name="肥皂", price=2, stock=5
    )
    o2 = services.order_place(actor=shop_user, household=h, goods=soap, quantity=1, key="o3")
    services.order_act(actor=shop_user, order=o2, action="cancel")
    o3 = services.order_place(actor=shop_user, household=h, goods=soap, quantity=2, key="o4")
    assert services.orders_expire_due(now=timezone.now()) == 0
    assert services.orders_expire_due(now=o3.expires_at) == 1
    o3.refresh_from_db()
    assert o3.status == OrderStatus.EXPIRED
    assert o3.hold.resolutions.get().kind == TransferKind.EXPIRE
    assert Goods.objects.get(pk=soap.pk).stock == 5
    assert Account.objects.get(pk=h.account_id).available == 4
    moves = list(StockMovement.objects.filter(goods=soap).values_list("delta", flat=True))
    assert moves == [5, -1, 1, -2, 2]
    with pytest.raises(Conflict):
        services.order_act(actor=shop_user, order=o3, action="pickup")


def test_cap_per_period_is_enforced(
    people: dict, village: Any, catalogue: Any, households: list
) -> None:
    v2 = rules.rules_publish(
        actor=people["points_committee"],
        area=village,
        effective_from=dt.date(2026, 2, 1),
        items=[rules.ItemSpec(code="B02", name="道路维护", points=10, cap=2, cap_period="month")],
    )
    item = v2.items.get()
    for day in (2, 9):
        services.record_create(
            actor=people["points_scorer"],
            household=households[0],
            item=item,
            occurred_on=dt.date(2026, 3, day),
            evidence=make_attachment(),
        )
    with pytest.raises(ValidationFailed, match="上限"):
        services.record_create(
            actor=people["points_scorer"],
            household=households[0],
            item=item,
            occurred_on=dt.date(2026, 3, 20),
            evidence=make_attachment(),
        )
    services.record_create(  # another month, another household: allowed
        actor=people["points_scorer"],
        household=households[0],
        item=item,
        occurred_on=dt.date(2026, 4, 1),
        evidence=make_attachment(),
    )
    services.record_create(
        actor=people["points_scorer"],
        household=households[1],
        item=item,
        occurred_on=dt.date(2026, 3, 20),
        evidence=make_attachment(),
    )


def test_points_expire_to_the_expiry_account(
    people: dict, village: Any, budget: Any, households: list
) -> None:
    from zhili.points import ledger
    from zhili.points.models import AccountKind, TransferCode

    h = households[0]
    ledger.transfer_create(
        actor=None,
        key="e-issue",
        debit=budget,
        credit=h.account,
        amount=9,
        code=TransferCode.ISSUE,
    )
    t = services.household_points_expire(
        actor=people["points_committee"], household=h, key="expire-2026-1-01", memo="年度清零"
    )
    assert t is not None and t.amount == 9
    assert t.credit.kind == AccountKind.EXPIRY
    assert Account.objects.get(pk=h.account_id).balance == 0
    again = services.household_points_expire(
        actor=people["points_committee"], household=h, key="expire-2026-1-01", memo=""
    )
    assert again is not None and again.pk == t.pk  # a retry returns the first result
    assert (
        services.household_points_expire(
            actor=people["points_committee"], household=h, key="expire-2027", memo=""
        )
        is None
    )  # nothing left to expire
    with pytest.raises(PermissionDenied):
        services.household_points_expire(
            actor=people["points_scorer"], household=h, key="x", memo=""
        )
