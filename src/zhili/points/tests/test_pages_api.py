"""The pages and the API: what a scorer, a supervisor and a shopkeeper do, the public board, and
the API's idempotency, errors and scope."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhili.points import services
from zhili.points.models import Account, Order, OrderStatus, Record, RecordStatus, Transfer
from zhili.testing.factories import png

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post_json(c: Client, url: str, body: dict) -> Any:
    return c.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_scorer_records_with_photo_and_supervisor_approves_in_pages(
    village: Any, people: dict, budget: Any, catalogue: Any, households: list
) -> None:
    scorer = _client(people["points_scorer"])
    page = scorer.get(f"/points/v/{village.code}/score/")
    assert page.status_code == 200 and "村庄大扫除" in page.content.decode()
    # The date is prefilled in the ISO form a date input accepts (a localised one reads as empty).
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()
    form = {
        "household": households[0].pk,
        "item": "B01",
        "occurred_on": timezone.localdate().isoformat(),
        "note": "清理沟渠",
    }
    # Without the photo the item needs: the form comes back with the message, nothing written.
    r = scorer.post(f"/points/v/{village.code}/score/", form)
    assert r.status_code == 200 and "须附现场照片" in r.content.decode()
    assert not Record.objects.exists()
    photo = io.BytesIO(png())
    photo.name = "现场.png"
    r = scorer.post(f"/points/v/{village.code}/score/", {**form, "photo": photo})
    assert r.status_code == 302
    record = Record.objects.get()
    assert record.evidence is not None and record.status == RecordStatus.RECORDED
    # The scorer sees no approve button; the supervisor does and approves.
    assert "审核通过" not in scorer.get(f"/points/v/{village.code}/review/").content.decode()
    r = scorer.post(f"/points/records/{record.pk}/approve/", {"version": record.version})
    assert r.status_code == 403 and "无权" in r.content.decode()
    sup = _client(people["points_supervisor"])
    assert "审核通过" in sup.get(f"/points/v/{village.code}/review/").content.decode()
    r = sup.post(f"/points/records/{record.pk}/approve/", {"version": record.version})
    assert r.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLIC
    # The review list shows the day it happened in the same style as the end of its window.
    review = sup.get(f"/points/v/{village.code}/review/").content.decode()
    until = timezone.localtime(record.public_until)
    assert f"{record.occurred_on:%Y-%m-%d} · 公示至 {until:%Y-%m-%d %H:%M}" in review
    # The public board shows it in its window, names masked, without logging in.
    board = Client().get(f"/points/public/{village.code}/").content.decode()
    assert "1-01" in board and "村庄大扫除" in board and "张大山" not in board and "张**" in board


def test_shop_page_order_and_pickup(
    village: Any, people: dict, budget: Any, households: list
) -> None:
    h = households[0]
    services.budget_allocate(
        actor=people["points_committee"],
        village=village,
        funding_source="区财政",
        amount=1,
        key="extra",
    )
    from zhili.points import ledger
    from zhili.points.models import TransferCode

    ledger.transfer_create(
        actor=None,
        key="gift",
        debit=services.budget_account(village, "区财政"),
        credit=h.account,
        amount=30,
        code=TransferCode.ISSUE,
    )
    goods = services.goods_create(
        actor=people["points_committee"], village=village, name="洗衣粉", price=12, stock=4
    )
    shop = _client(people["points_shop"])
    page = shop.get(f"/points/v/{village.code}/shop/").content.decode()
    assert "洗衣粉" in page
    r = shop.post(
        f"/points/v/{village.code}/shop/",
        {"household": h.pk, "goods": goods.pk, "quantity": 3, "key": "page-order-1"},
    )
    assert r.status_code == 200 and "不足" in r.content.decode()  # 36 > 30: refused, re-shown
    r = shop.post(
        f"/points/v/{village.code}/shop/",
        {"household": h.pk, "goods": goods.pk, "quantity": 2, "key": "page-order-2"},
    )
    assert r.status_code == 302
    order = Order.objects.get()
    assert Account.objects.get(pk=h.account_id).available == 6
    r = shop.post(f"/points/orders/{order.pk}/pickup/", {"version": order.version})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP
    assert Account.objects.get(pk=h.account_id).balance == 6


def test_rules_page_import_errors_are_shown_with_row_numbers(
    village: Any, people: dict, catalogue: Any
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "事项", "分值"])
    ws.append(["X1", "", 3])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "rules.xlsx"
    c = _client(people["points_committee"])
    r = c.post(
        f"/points/v/{village.code}/rules/",
        {"import": "1", "effective_from": "2026-05-01", "file": out},
    )
    assert r.status_code == 200 and "第2行" in r.content.decode()
    export = c.get(f"/points/rules/{catalogue.pk}.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_api_allocate_retry_same_key_and_conflict(village: Any, people: dict) -> None:
    c = _client(people["points_committee"])
    body = {"village": village.code, "funding_source": "县财政", "amount": 500, "key": "api-1"}
    first = _post_json(c, "/api/v1/points/budgets", body)
    assert first.status_code == 201, first.content
    again = _post_json(c, "/api/v1/points/budgets", body)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = _post_json(c, "/api/v1/points/budgets", {**body, "amount": 501})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert Transfer.objects.filter(key="api-1").count() == 1
    bad = _post_json(c, "/api/v1/points/budgets", {**body, "amount": 0, "key": "api-2"})
    assert bad.status_code == 422
    # A scorer may not allocate money; another district's officer cannot even see the village.
    scorer = _client(people["points_scorer"])
    assert _post_json(scorer, "/api/v1/points/budgets", {**body, "key": "api-3"}).status_code == 403
    from zhili.testing.factories import user

    wanzhou = _client(user("wanzhou"))
    assert (
        _post_json(wanzhou, "/api/v1/points/budgets", {**body, "key": "api-4"}).status_code == 404
    )


def test_api_record_flow_order_and_ranking(
    village: Any, people: dict, budget: Any, catalogue: Any, households: list
) -> None:
    h = households[1]
    scorer = _client(people["points_scorer"])
    r = scorer.post(
        "/api/v1/points/records",
        {"household_id": h.pk, "item_code": "A01", "occurred_on": "2026-03-02"},
    )
    assert r.status_code == 201, r.content
    rec = r.json()
    assert rec["rule_version"] == catalogue.number and rec["actions"] == []
    sup = _client(people["points_supervisor"])
    r = _post_json(sup, f"/api/v1/points/records/{rec['id']}/approve", {"version": 99})
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    r = _post_json(sup, f"/api/v1/points/records/{rec['id']}/approve", {"version": rec["version"]})
    assert r.status_code == 200 and r.json()["status"] == "public"
    record = Record.objects.get(pk=rec["id"])
    services.records_count_due(now=record.public_until)
    ranking = sup.get(
        f"/api/v1/points/villages/{village.code}/ranking?period=month&on=2026-03-15"
    ).json()
    assert [(x["number"], x["points"]) for x in ranking][:1] == [(h.number, 1)]
    assert {x["points"] for x in ranking[1:]} == {0}
    assert ranking[1]["rank"] == ranking[2]["rank"] == 2
    homes = sup.get(f"/api/v1/points/villages/{village.code}/households").json()
    assert {x["number"]: x["balance"] for x in homes}[h.number] == 1
    assert all("*" in x["head_name"] for x in homes)


def test_ranking_figures_recomputed_from_the_records(
    village: Any, people: dict, budget: Any, catalogue: Any, households: list
) -> None:
    from zhili.points import selectors

    on = dt.date(2026, 3, 2)
    for h, code in [(households[0], "B02"), (households[0], "A01"), (households[2], "C01")]:
        rec = services.record_create(
            actor=people["points_scorer"],
            household=h,
            item=catalogue.items.get(code=code),
            occurred_on=on,
            evidence=None if code == "A01" else _photo(),
        )
        services.record_act(actor=people["points_supervisor"], record=rec, action="approve")
    services.records_count_due(now=timezone.now() + dt.timedelta(days=10))
    rows = selectors.household_ranking(village, "month", on)
    expected: dict[int, int] = {}
    for r in Record.objects.filter(status=RecordStatus.COUNTED, occurred_on__month=3):
        expected[r.household_id] = expected.get(r.household_id, 0) + r.points
    assert {r.household_id: r.points for r in rows if r.points} == expected
    assert [r.rank for r in rows] == [1, 2, 3]
    week = selectors.household_ranking(village, "week", on + dt.timedelta(days=7))
    assert all(r.points == 0 for r in week)
    villages = selectors.village_ranking(people["points_committee"], "month", on)
    assert [(v.code, v.points, v.households) for v in villages] == [(village.code, 31, 3)]
    assert villages[0].per_household == round(31 / 3, 2)


def _photo() -> Any:
    from zhili.testing.factories import make_attachment

    return make_attachment()


def test_api_goods_and_stock(village: Any, people: dict) -> None:
    c = _client(people["points_committee"])
    r = _post_json(c, f"/api/v1/points/villages/{village.code}/goods",
                   {"name": "毛巾", "price": 5, "stock": 10})  # fmt: skip
    assert r.status_code == 201, r.content
    goods = r.json()
    r = _post_json(c, f"/api/v1/points/goods/{goods['id']}/stock", {"quantity": -11})
    assert r.status_code == 422
    r = _post_json(c, f"/api/v1/points/goods/{goods['id']}/stock", {"quantity": -4})
    assert r.status_code == 200 and r.json()["stock"] == 6
    listed = c.get(f"/api/v1/points/villages/{village.code}/goods").json()
    assert [(g["name"], g["stock"]) for g in listed] == [("毛巾", 6)]
    scorer = _client(people["points_scorer"])
    r = _post_json(scorer, f"/api/v1/points/villages/{village.code}/goods",
                   {"name": "x", "price": 1})  # fmt: skip
    assert r.status_code in (403, 404)
