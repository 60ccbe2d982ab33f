"""The village committee's desk: households and members from the building/grid level, goods with
stock, and the village's settings (what its public board publishes, masked names) — each write
through its service, audited, refused with a clear message when wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent
from zhili.points import services
from zhili.points.models import Goods, Household, Member, StockMovement, VillagePoints
from zhili.points.tests.conftest import BUILDING

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_committee_registers_households_and_members_on_the_page(
    village: Any, people: dict, households: list
) -> None:
    c = _client(people["points_committee"])
    url = f"/points/v/{village.code}/manage/"
    page = c.get(url).content.decode()
    assert "张**" in page and "张大山" not in page  # names masked on the desk
    r = c.post(url, {"action": "household", "household-area_code": BUILDING,
                     "household-number": "2-01", "household-head_name": "赵小红"})  # fmt: skip
    assert r.status_code == 302
    h = Household.objects.get(village=village, number="2-01")
    assert h.area.code == BUILDING and h.account.kind == "household"
    # The same number twice, and a place outside the village: a message, nothing written.
    again = c.post(url, {"action": "household", "household-area_code": BUILDING,
                         "household-number": "2-01", "household-head_name": "x"})  # fmt: skip
    assert again.status_code == 409 and "本村已有户号" in again.content.decode()
    outside = c.post(url, {"action": "household", "household-area_code": "500101001",
                           "household-number": "9-9", "household-head_name": "x"})  # fmt: skip
    assert outside.status_code == 422 and "不是本村" in outside.content.decode()
    assert Household.objects.filter(village=village).count() == 4
    r = c.post(url, {"action": "member", "member-household": str(h.pk),
                     "member-name": "赵大牛", "member-relation": "子"})  # fmt: skip
    assert r.status_code == 302
    assert list(Member.objects.filter(household=h).values_list("name", "relation")) == [
        ("赵大牛", "子")
    ]
    assert AuditEvent.objects.filter(action="points.member_add").count() == 1
    html = c.get(url).content.decode()
    assert "赵**（子）" in html


def test_goods_and_stock_on_the_page_and_the_shopkeeper_may_not_add_goods(
    village: Any, people: dict
) -> None:
    c = _client(people["points_committee"])
    url = f"/points/v/{village.code}/manage/"
    r = c.post(url, {"action": "goods", "goods-name": "洗衣粉", "goods-price": "30",
                     "goods-cash_top_up": "2.50", "goods-stock": "10"})  # fmt: skip
    assert r.status_code == 302
    g = Goods.objects.get(name="洗衣粉")
    assert (g.price, g.stock, str(g.cash_top_up)) == (30, 10, "2.50")
    r = c.post(url, {"action": "stock", "stock-goods": str(g.pk), "stock-quantity": "-3"})
    assert r.status_code == 302
    g.refresh_from_db()
    assert g.stock == 7
    assert list(StockMovement.objects.filter(goods=g).values_list("delta", flat=True)) == [10, -3]
    too_many = c.post(url, {"action": "stock", "stock-goods": str(g.pk), "stock-quantity": "-8"})
    assert too_many.status_code == 422 and "库存数量不正确" in too_many.content.decode()
    bad = c.post(url, {"action": "goods", "goods-name": "米", "goods-price": "0",
                       "goods-cash_top_up": "0", "goods-stock": "0"})  # fmt: skip
    assert bad.status_code == 422 and Goods.objects.count() == 1
    html = c.get(url).content.decode()
    assert "洗衣粉" in html and '<td data-label="库存">7</td>' in html
    shop = _client(people["points_shop"]).get(url).content.decode()
    assert 'id="form-stock"' in shop and 'id="form-goods"' not in shop
    with pytest.raises(PermissionDenied):
        services.goods_create(actor=people["points_shop"], village=village, name="x", price=1)
    with pytest.raises(ValidationFailed):
        services.goods_create(
            actor=people["points_committee"], village=village, name="x", price=1, cash_top_up="-1"
        )


def test_settings_page_chooses_what_the_public_board_shows(
    village: Any, people: dict, households: list
) -> None:
    c = _client(people["points_committee"])
    url = f"/points/v/{village.code}/manage/"
    r = c.post(url, {"action": "settings", "settings-objection_days": "5",
                     "settings-hold_hours": "48", "settings-publish_ranking": "on"})  # fmt: skip
    assert r.status_code == 302
    s = VillagePoints.objects.get(area=village)
    assert (s.objection_days, s.hold_hours, s.publish_ranking, s.mask_names) == (5, 48, True, False)
    audit = AuditEvent.objects.get(action="points.settings_update")
    assert audit.before["mask_names"] is True and audit.after["mask_names"] is False
    bad = c.post(url, {"action": "settings", "settings-objection_days": "0",
                       "settings-hold_hours": "48"})  # fmt: skip
    assert bad.status_code == 422
    # The scorer sees the page but not the settings form, and the service refuses them.
    scorer = _client(people["points_scorer"]).get(url).content.decode()
    assert 'id="form-settings"' not in scorer
    with pytest.raises((PermissionDenied, NotFound)):  # out of their rights: not even seen
        services.village_settings_update(actor=people["points_scorer"], village=village,
                                         objection_days=3, hold_hours=72, publish_ranking=True,
                                         mask_names=True)  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.village_settings_update(actor=people["points_committee"], village=village,
                                         objection_days=3, hold_hours=0, publish_ranking=True,
                                         mask_names=True)  # fmt: skip
