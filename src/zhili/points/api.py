"""Points bank API under /api/v1/points/: the same services as the pages, scoped reads.

Every write that moves points takes the client's idempotency ``key``: a retry returns the first
result, the same key with other fields answers 409."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from zhili.areas.selectors import area_by_code
from zhili.core.errors import ValidationFailed
from zhili.core.schemas import ErrorOut, IsoDate
from zhili.points import households_xlsx, selectors, services
from zhili.points.presenters import (
    account_out,
    household_out,
    order_out,
    record_out,
    transfer_out,
)
from zhili.points.rules import item_in_force
from zhili.points.schemas import (
    PointsAccountOut,
    PointsAllocateIn,
    PointsGoodsIn,
    PointsGoodsOut,
    PointsHouseholdImportOut,
    PointsHouseholdIn,
    PointsHouseholdOut,
    PointsOrderActIn,
    PointsOrderIn,
    PointsOrderOut,
    PointsRankOut,
    PointsRecordActIn,
    PointsRecordIn,
    PointsRecordOut,
    PointsReverseIn,
    PointsStockIn,
    PointsTransferOut,
    PointsVillageRankOut,
)

router = Router(tags=["points"])
ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


@router.get(
    "/villages/{code}/households", response=list[PointsHouseholdOut], url_name="points_households"
)
def households(request: HttpRequest, code: str) -> list[PointsHouseholdOut]:
    village = selectors.village_get(request.user, code)
    return [household_out(h) for h in selectors.households(request.user, village=village)[:1000]]


@router.post(
    "/households", response={201: PointsHouseholdOut, **ERRORS}, url_name="points_household_create"
)
def household_create(
    request: HttpRequest, payload: PointsHouseholdIn
) -> Status[PointsHouseholdOut]:
    area = area_by_code(payload.area)
    if area is None:
        raise ValidationFailed(gettext("区域代码不存在"), code="area")
    h = services.household_create(
        actor=request.user, area=area, number=payload.number, head_name=payload.head_name
    )
    return Status(201, household_out(h))


@router.post(
    "/villages/{code}/households/import",
    response={200: PointsHouseholdImportOut, **ERRORS},
    url_name="points_households_import",
    summary="导入农户表（xlsx，整表校验）",
    description=(
        "每行一人：户号、户主、网格或楼栋（代码或名称）、成员姓名、与户主关系。按“村（社区）＋户号”"
        "去重：已登记的农户不重复登记、不修改，只补登新成员；同一文件再导入不改变任何数据。"
        "有错误时返回 422，code 为 xlsx_rows，detail 为 [{row, errors}]，不写入任何数据。"
    ),
)
def households_import(
    request: HttpRequest, code: str, file: File[UploadedFile]
) -> PointsHouseholdImportOut:
    village = selectors.village_get(request.user, code)
    result = households_xlsx.households_import(
        actor=request.user, village=village, data=households_xlsx.upload_bytes(file)
    )
    return PointsHouseholdImportOut(
        created=result.created, members_added=result.members_added, unchanged=result.unchanged
    )


@router.get("/accounts/{pk}", response={200: PointsAccountOut, **ERRORS}, url_name="points_account")
def account(request: HttpRequest, pk: int) -> PointsAccountOut:
    return account_out(selectors.account_get(request.user, pk))


@router.get(
    "/accounts/{pk}/transfers",
    response={200: list[PointsTransferOut], **ERRORS},
    url_name="points_account_transfers",
)
def account_transfers(request: HttpRequest, pk: int) -> list[PointsTransferOut]:
    acc = selectors.account_get(request.user, pk)
    return [transfer_out(t) for t in selectors.account_transfers(request.user, acc)]


@router.post("/budgets", response={201: PointsTransferOut, **ERRORS}, url_name="points_allocate")
def allocate(request: HttpRequest, payload: PointsAllocateIn) -> Status[PointsTransferOut]:
    village = selectors.village_get(request.user, payload.village)
    t = services.budget_allocate(
        actor=request.user,
        village=village,
        funding_source=payload.funding_source,
        amount=payload.amount,
        key=payload.key,
    )
    return Status(201, transfer_out(t))


@router.post(
    "/transfers/{pk}/reverse",
    response={201: PointsTransferOut, **ERRORS},
    url_name="points_reverse",
)
def reverse(request: HttpRequest, pk: int, payload: PointsReverseIn) -> Status[PointsTransferOut]:
    t = selectors.transfer_get(request.user, pk)
    r = services.transfer_reverse(
        actor=request.user, transfer=t, key=payload.key, memo=payload.memo
    )
    return Status(201, transfer_out(r))


@router.post("/records", response={201: PointsRecordOut, **ERRORS}, url_name="points_record_create")
def record_create(
    request: HttpRequest, payload: Form[PointsRecordIn], photo: File[UploadedFile] | None = None
) -> Status[PointsRecordOut]:
    from zhili.matters.attachments import attachment_store

    h = selectors.household_get(request.user, payload.household_id)
    item = item_in_force(h.village, payload.item_code, payload.occurred_on)
    if item is None:
        raise ValidationFailed(
            gettext("该积分事项在发生日期不适用于本村"), code="rule_not_in_force"
        )
    evidence = attachment_store(data=photo.read(), name=photo.name or "photo") if photo else None
    r = services.record_create(
        actor=request.user,
        household=h,
        item=item,
        occurred_on=payload.occurred_on,
        note=payload.note,
        evidence=evidence,
    )
    return Status(201, record_out(r, request.user))


@router.get("/records/{pk}", response={200: PointsRecordOut, **ERRORS}, url_name="points_record")
def record(request: HttpRequest, pk: int) -> PointsRecordOut:
    return record_out(selectors.record_get(request.user, pk), request.user)


@router.post(
    "/records/{pk}/{action}",
    response={200: PointsRecordOut, **ERRORS},
    url_name="points_record_act",
)
def record_act(
    request: HttpRequest, pk: int, action: str, payload: PointsRecordActIn
) -> PointsRecordOut:
    r = selectors.record_get(request.user, pk)
    r = services.record_act(
        actor=request.user, record=r, action=action, note=payload.note, version=payload.version
    )
    return record_out(r, request.user)


@router.post("/orders", response={201: PointsOrderOut, **ERRORS}, url_name="points_order_create")
def order_create(request: HttpRequest, payload: PointsOrderIn) -> Status[PointsOrderOut]:
    h = selectors.household_get(request.user, payload.household_id)
    g = selectors.goods_get(request.user, payload.goods_id)
    o = services.order_place(
        actor=request.user, household=h, goods=g, quantity=payload.quantity, key=payload.key
    )
    return Status(201, order_out(o))


@router.post(
    "/orders/{pk}/{action}", response={200: PointsOrderOut, **ERRORS}, url_name="points_order_act"
)
def order_act(
    request: HttpRequest, pk: int, action: str, payload: PointsOrderActIn
) -> PointsOrderOut:
    o = selectors.order_get(request.user, pk)
    return order_out(
        services.order_act(
            actor=request.user,
            order=o,
            action=action,
            version=payload.version,
            cash_paid=payload.cash_paid,
        )
    )


def _on(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


@router.get(
    "/villages/{code}/ranking",
    response={200: list[PointsRankOut], **ERRORS},
    url_name="points_ranking",
)
def ranking(
    request: HttpRequest, code: str, period: str = "month", on: Query[IsoDate | None] = None
) -> list[PointsRankOut]:
    village = selectors.village_get(request.user, code)
    rows = selectors.household_ranking_for(request.user, village, period, _on(on))
    return [PointsRankOut(**r.__dict__) for r in rows]


@router.get(
    "/ranking/villages",
    response={200: list[PointsVillageRankOut], **ERRORS},
    url_name="points_village_ranking",
)
def village_ranking(
    request: HttpRequest, period: str = "month", on: Query[IsoDate | None] = None
) -> list[PointsVillageRankOut]:
    rows = selectors.village_ranking(request.user, period, _on(on))
    return [PointsVillageRankOut(**r.__dict__) for r in rows]


def _goods_out(g: Any) -> PointsGoodsOut:
    return PointsGoodsOut(id=g.pk, name=g.name, price=g.price, stock=g.stock, active=g.active)


@router.get(
    "/villages/{code}/goods",
    response={200: list[PointsGoodsOut], **ERRORS},
    url_name="points_goods",
)
def goods_list(request: HttpRequest, code: str) -> list[PointsGoodsOut]:
    village = selectors.village_get(request.user, code)
    return [_goods_out(g) for g in selectors.goods(request.user, village)]


@router.post(
    "/villages/{code}/goods",
    response={201: PointsGoodsOut, **ERRORS},
    url_name="points_goods_create",
)
def goods_create(request: HttpRequest, code: str, payload: PointsGoodsIn) -> Status[PointsGoodsOut]:
    village = selectors.village_get(request.user, code)
    g = services.goods_create(
        actor=request.user,
        village=village,
        name=payload.name,
        price=payload.price,
        stock=payload.stock,
    )
    return Status(201, _goods_out(g))


@router.post(
    "/goods/{pk}/stock", response={200: PointsGoodsOut, **ERRORS}, url_name="points_goods_stock"
)
def goods_stock(request: HttpRequest, pk: int, payload: PointsStockIn) -> PointsGoodsOut:
    g = selectors.goods_get(request.user, pk)
    return _goods_out(services.goods_stock(actor=request.user, goods=g, quantity=payload.quantity))
