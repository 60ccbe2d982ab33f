"""Optional cash top-up (现金补差): goods priced in points plus cash are handed over only when the
shopkeeper confirms the cash; the points go through the ledger as for any redemption."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhili.core.errors import ValidationFailed
from zhili.points import services
from zhili.points.models import Account, Order, OrderEvent, OrderStatus
from zhili.points.tests.test_flow import _counted

pytestmark = pytest.mark.django_db


def test_pickup_needs_the_cash_and_records_it(
    people: dict, village: Any, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[0]
    _counted(people, h, catalogue, "C01")  # 20 points
    shop = people["points_shop"]
    rice = services.goods_create(actor=people["points_committee"], village=village, name="大米",
                                 price=5, stock=4, cash_top_up="2.50")  # fmt: skip
    order = services.order_place(actor=shop, household=h, goods=rice, quantity=2, key="rice-1")
    assert (order.points, order.cash, order.cash_paid) == (10, Decimal("5.00"), False)
    with pytest.raises(ValidationFailed, match=r"现金补差 5\.00 元"):
        services.order_act(actor=shop, order=order, action="pickup")
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD  # nothing posted
    assert Account.objects.get(pk=h.account_id).balance == 20
    done = services.order_act(actor=shop, order=order, action="pickup", cash_paid=True)
    assert done.status == OrderStatus.PICKED_UP and done.cash_paid
    assert Account.objects.get(pk=h.account_id).balance == 10
    assert OrderEvent.objects.get(order=order, action="pickup").data == {"cash": "5.00"}
    # Goods without a top-up need no confirmation.
    soap = services.goods_create(actor=people["points_committee"], village=village, name="肥皂",
                                 price=2, stock=1)  # fmt: skip
    o2 = services.order_place(actor=shop, household=h, goods=soap, quantity=1, key="soap-1")
    assert services.order_act(actor=shop, order=o2, action="pickup").cash_paid is False


def test_the_shop_page_and_the_api_ask_for_the_cash(
    people: dict, village: Any, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[0]
    _counted(people, h, catalogue, "C01")
    oil = services.goods_create(actor=people["points_committee"], village=village, name="食用油",
                                price=8, stock=3, cash_top_up="3")  # fmt: skip
    shop = people["points_shop"]
    o1 = services.order_place(actor=shop, household=h, goods=oil, quantity=1, key="oil-1")
    c = Client()
    c.force_login(shop)
    page = c.get(f"/points/v/{village.code}/shop/").content.decode()
    assert "另收现金 3.00 元" in page and 'name="cash_paid"' in page and "＋现金 3.00 元" in page
    c.post(f"/points/orders/{o1.pk}/pickup/", {"version": o1.version})
    assert Order.objects.get(pk=o1.pk).status == OrderStatus.HELD
    c.post(f"/points/orders/{o1.pk}/pickup/", {"version": o1.version, "cash_paid": "on"})
    assert Order.objects.get(pk=o1.pk).status == OrderStatus.PICKED_UP
    o2 = services.order_place(actor=shop, household=h, goods=oil, quantity=1, key="oil-2")
    url = f"/api/v1/points/orders/{o2.pk}/pickup"
    refused = c.post(url, {"version": o2.version}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "cash_unpaid"
    ok = c.post(url, {"version": o2.version, "cash_paid": True}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["cash"] == "3.00" and ok.json()["cash_paid"]
