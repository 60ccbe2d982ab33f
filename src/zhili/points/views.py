"""Points bank pages: the village's desk (committee, street), the scorer's and the shopkeeper's
phone pages, the review queue, the rule catalogue and the public board. Thin: services decide."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.core.errors import Conflict, ValidationFailed, ZhiliError
from zhili.core.scoping import can
from zhili.points import households_xlsx, rules, selectors, services
from zhili.points.forms import (
    CopyForm,
    GoodsForm,
    HouseholdForm,
    HouseholdImportForm,
    ImportForm,
    MemberForm,
    OrderForm,
    RecordForm,
    SettingsForm,
    StockForm,
)
from zhili.points.models import (
    Goods,
    Household,
    Order,
    Record,
    RecordStatus,
    RuleVersion,
    VillagePoints,
)
from zhili.points.workflow import ORDER_WORKFLOW, RECORD_WORKFLOW


def _period(request: HttpRequest) -> tuple[str, dt.date]:
    period = request.GET.get("period", "month")
    if period not in ("week", "month", "year"):
        period = "month"
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    return period, on


def _version(request: HttpRequest, current: int) -> int:
    """The version the page was shown at (a stale page answers with a conflict)."""
    try:
        return int(request.POST.get("version") or current)
    except ValueError as exc:
        raise ValidationFailed(_("版本号无效"), code="version") from exc


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    villages = selectors.villages(request.user)
    if len(villages) == 1:
        return redirect("points:village", code=villages[0].code)
    period, on = _period(request)
    ranking = selectors.village_ranking(request.user, period, on)
    return render(
        request,
        "points/home.html",
        {"villages": villages, "ranking": ranking, "period": period, "on": on},
    )


@login_required
@require_GET
def village(request: HttpRequest, code: str) -> HttpResponse:
    v = selectors.village_get(request.user, code)
    period, on = _period(request)
    homes = list(selectors.households(request.user, village=v)[:500])
    counts = {s: selectors.records(request.user, status=s, village=v).count() for s in RecordStatus}
    return render(
        request,
        "points/village.html",
        {
            "village": v,
            "households": homes,
            "counts": [(RecordStatus(s).label, n) for s, n in counts.items()],
            "ranking": selectors.household_ranking_for(request.user, v, period, on),
            "period": period,
            "on": on,
            "can_score": can(request.user, "record", Record, v.path),
            "can_review": can(request.user, "approve", Record, v.path)
            or can(request.user, "resolve", Record, v.path),
            "can_shop": can(request.user, "pickup", Order, v.path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, code: str) -> HttpResponse:
    """The scorer's phone page: record an act with its photo."""
    v = selectors.village_get(request.user, code)
    today = timezone.localdate()
    homes = selectors.households(request.user, village=v)
    items = selectors.rules_in_force(v, today)
    form = RecordForm(request.POST or None, request.FILES or None, households=homes, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            evidence = form.evidence()
            item = rules.item_in_force(v, d["item"], d["occurred_on"])
            if item is None:
                raise ZhiliError(_("该积分事项在发生日期不适用于本村"))
            services.record_create(
                actor=request.user,
                household=selectors.household_get(request.user, int(d["household"])),
                item=item,
                occurred_on=d["occurred_on"],
                note=d["note"],
                evidence=evidence,
            )
            messages.success(request, _("已记录，等待审核"))
            return redirect("points:score", code=code)
        except ZhiliError as exc:
            form.add_error(None, exc.message)
    mine = selectors.records(request.user, village=v).filter(recorded_by_id=request.user.pk)[:30]
    return render(request, "points/score.html", {"village": v, "form": form, "mine": mine})


@login_required
@require_GET
def review(request: HttpRequest, code: str) -> HttpResponse:
    v = selectors.village_get(request.user, code)
    groups = []
    for status in (RecordStatus.RECORDED, RecordStatus.OBJECTED, RecordStatus.PUBLIC):
        rows = list(selectors.records(request.user, status=status, village=v)[:100])
        groups.append(
            (
                RecordStatus(status).label,
                [(r, RECORD_WORKFLOW.buttons(request.user, r)) for r in rows],
            )
        )
    return render(request, "points/review.html", {"village": v, "groups": groups})


@login_required
@require_POST
def record_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    record = selectors.record_get(request.user, pk)
    code = record.household.village.code
    try:
        services.record_act(
            actor=request.user,
            record=record,
            action=action,
            note=request.POST.get("note", ""),
            version=_version(request, record.version),
        )
        messages.success(request, _("已处理"))
    except (Conflict, ValidationFailed) as exc:  # 404 and 403 answer as such
        messages.error(request, exc.message)
    return redirect("points:review", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def shop(request: HttpRequest, code: str) -> HttpResponse:
    """The shopkeeper's phone page: place an order (a hold), hand over held orders."""
    v = selectors.village_get(request.user, code)
    homes = selectors.households(request.user, village=v)
    goods = selectors.goods(request.user, v)
    form = OrderForm(
        request.POST or None, households=homes, goods=goods, initial={"key": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.order_place(
                actor=request.user,
                household=selectors.household_get(request.user, int(d["household"])),
                goods=selectors.goods_get(request.user, int(d["goods"])),
                quantity=d["quantity"],
                key=d["key"],
            )
            messages.success(request, _("已下单，积分已冻结，待领取"))
            return redirect("points:shop", code=code)
        except ZhiliError as exc:
            form.add_error(None, exc.message)
    held = [
        (o, ORDER_WORKFLOW.buttons(request.user, o))
        for o in selectors.held_orders(request.user, v)[:100]
    ]
    return render(
        request, "points/shop.html", {"village": v, "form": form, "goods": goods, "held": held}
    )


@login_required
@require_POST
def order_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = selectors.order_get(request.user, pk)
    try:
        services.order_act(
            actor=request.user,
            order=order,
            action=action,
            version=_version(request, order.version),
            cash_paid=request.POST.get("cash_paid") == "on",
        )
        messages.success(request, _("已领取") if action == "pickup" else _("已取消，积分已退回"))
    except (Conflict, ValidationFailed) as exc:  # 404 and 403 answer as such
        messages.error(request, exc.message)
    return redirect("points:shop", code=order.household.village.code)


@login_required
@require_http_methods(["GET", "POST"])
def rule_catalogue(request: HttpRequest, code: str) -> HttpResponse:
    v = selectors.village_get(request.user, code)
    templates = rules.templates_for(v)
    upload = ImportForm(request.POST if "import" in request.POST else None, request.FILES or None)
    copy = CopyForm(request.POST if "copy" in request.POST else None, templates=templates)
    try:
        if "import" in request.POST and upload.is_valid():
            rules.rules_import(
                actor=request.user,
                area=v,
                effective_from=upload.cleaned_data["effective_from"],
                data=upload.cleaned_data["file"].read(),
            )
            messages.success(request, _("规则已导入并发布"))
            return redirect("points:rules", code=code)
        if "copy" in request.POST and copy.is_valid():
            template = next(t for t in templates if str(t.pk) == copy.cleaned_data["template"])
            rules.rules_copy(
                actor=request.user,
                template=template,
                area=v,
                effective_from=copy.cleaned_data["effective_from"],
            )
            messages.success(request, _("已复制模板为本村新版本"))
            return redirect("points:rules", code=code)
    except ZhiliError as exc:
        (upload if "import" in request.POST else copy).add_error(None, exc.message)
    return render(
        request,
        "points/rules.html",
        {
            "village": v,
            "versions": selectors.rule_versions(request.user, v),
            "items": selectors.rules_in_force(v, timezone.localdate()),
            "upload": upload,
            "copy": copy,
            "can_publish": can(request.user, "publish", RuleVersion, v.path),
        },
    )


@login_required
@require_GET
def rules_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.rule_version_get(request.user, pk)
    response = HttpResponse(
        rules.rules_export(version),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="points-rules-v{version.number}.xlsx"'
    return response


@login_required
@require_GET
def households_export(request: HttpRequest, code: str) -> HttpResponse:
    """The village's households as the table the import reads (names masked)."""
    v = selectors.village_get(request.user, code)
    return _xlsx(households_xlsx.households_export(request.user, v), f"households-{v.code}.xlsx")


@login_required
@require_GET
def households_template(request: HttpRequest, code: str) -> HttpResponse:
    """The empty households table (its header row)."""
    selectors.village_get(request.user, code)
    return _xlsx(households_xlsx.households_template(), "households-template.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=households_xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def public_board(request: HttpRequest, code: str) -> HttpResponse:
    """The village's public board (no login): its ranking and the records in their window."""
    period, on = _period(request)
    v, rows, masked = selectors.public_board(code, period, on)
    public = [
        (r.household.number, r.item.name, r.points, r.public_until)
        for r in selectors.public_records(v)[:200]
    ]
    return render(
        request,
        "points/public.html",
        {
            "village": v,
            "rows": rows,
            "masked": masked,
            "period": period,
            "on": on,
            "public": public,
        },
    )


def _manage_act(request: HttpRequest, v: Any, action: str, d: dict[str, Any]) -> str:
    """One form of the village's management page, through its service."""
    user = request.user
    if action == "settings":
        services.village_settings_update(actor=user, village=v, **d)
        return _("已保存村积分设置")
    if action == "household":
        area = selectors.village_place(v, d["area_code"])
        services.household_create(
            actor=user, area=area, number=d["number"], head_name=d["head_name"]
        )
        return _("已登记农户")
    if action == "import":
        data = households_xlsx.upload_bytes(d["file"])
        result = households_xlsx.households_import(actor=user, village=v, data=data)
        return _(
            "已导入农户表：新登记%(created)d户，已登记农户新增成员%(members)d人，%(same)d户已登记、无新内容"
        ) % {
            "created": len(result.created),
            "members": result.members_added,
            "same": result.unchanged,
        }
    if action == "member":
        household = selectors.household_get(user, int(d["household"]))
        services.member_add(actor=user, household=household, name=d["name"], relation=d["relation"])
        return _("已登记家庭成员")
    if action == "goods":
        services.goods_create(actor=user, village=v, **d)
        return _("已上架商品")
    goods = selectors.goods_get(user, int(d["goods"]))
    services.goods_stock(actor=user, goods=goods, quantity=d["quantity"])
    return _("已登记库存变动")


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, code: str) -> HttpResponse:
    """The village committee's desk: households and members (from the building/grid level), the
    shop's goods and stock, and the village's settings (what its public board shows)."""
    v = selectors.village_get(request.user, code)
    homes = selectors.households(request.user, village=v)
    goods = selectors.goods(request.user, v)
    settings = services.village_settings(v)
    action = request.POST.get("action", "") if request.method == "POST" else ""

    def bound(key: str, cls: Any, **kw: Any) -> Any:
        if key != action:
            return cls(None, prefix=key, **kw)
        return cls(request.POST, request.FILES, prefix=key, **kw)

    forms_ = {
        "settings": bound(
            "settings",
            SettingsForm,
            initial={f: getattr(settings, f) for f in services.SETTINGS_FIELDS},
        ),
        "household": bound("household", HouseholdForm),
        "import": bound("import", HouseholdImportForm),
        "member": bound("member", MemberForm, households=homes),
        "goods": bound("goods", GoodsForm),
        "stock": bound("stock", StockForm, goods=goods),
    }
    status = 200
    if action in forms_:
        form = forms_[action]
        if form.is_valid():
            try:
                note = _manage_act(request, v, action, form.cleaned_data)
            except ValidationFailed as exc:
                for line in households_xlsx.page_messages(exc):
                    form.add_error(None, line)
                status = exc.status
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, note)
                return redirect("points:manage", code=code)
        else:
            status = 422
    user = request.user
    allowed = {
        "settings": can(user, "change", VillagePoints, v.path),
        "household": can(user, "add", Household, v.path),
        "import": can(user, "add", Household, v.path),
        "member": can(user, "change", Household, v.path),
        "goods": can(user, "add", Goods, v.path),
        "stock": can(user, "stock", Goods, v.path),
    }
    return render(
        request,
        "points/manage.html",
        {
            "village": v,
            "settings": settings,
            "households": selectors.household_rows(request.user, v),
            "goods": list(goods),
            "forms": [(k, f) for k, f in forms_.items() if allowed[k]],
        },
        status=status,
    )
