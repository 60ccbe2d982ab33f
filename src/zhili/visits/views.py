"""楼栋工作日 pages: my visits (phone), plans (desktop), one visit with its record, residents,
demands and their matters, the counts and bulletin, and the 包片 check. Thin: services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhili.areas.selectors import area_get
from zhili.core.db_router import report_reads
from zhili.core.errors import ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers
from zhili.core.privacy import may_see
from zhili.matters.forms import category_choices
from zhili.matters.selectors import category_get
from zhili.visits import exports, figures, selectors, services
from zhili.visits.forms import (
    DemandForm,
    MissForm,
    PlanForm,
    RecordForm,
    ResidentForm,
    ScheduleForm,
)
from zhili.visits.liaisons import liaison_check, limits
from zhili.visits.workflow import WORKFLOW


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The cadre's own visits: today's and the coming ones first, big buttons."""
    today = timezone.localdate()
    qs = selectors.visit_list(request.user, selectors.VisitFilters(mine=True))
    return render(
        request,
        "visits/mine.html",
        {
            "todo": list(qs.filter(status="planned").order_by("date", "id")[:50]),
            "recent": list(qs.exclude(status="planned").order_by("-date", "-id")[:20]),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                cadre=d["cadre"],
                area=d["area"],
                title=d["title"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("走访计划已建立，请安排走访的楼栋和日期"))
            return redirect("visits:plan", pk=plan.pk)
    page = keyset_page(
        selectors.plan_list(request.user),
        order=("-id",),
        cursor=request.GET.get("cursor"),
        limit=50,
    )
    return render(
        request,
        "visits/plans.html",
        {"page": page, "form": form, "can_add": selectors.may_add_plan(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, pk)
    buildings = list(selectors.plan_buildings(request.user, the_plan)[:500])
    form = ScheduleForm(request.POST or None, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_schedule(
                actor=request.user,
                plan=the_plan,
                building=area_get(request.user, d["building"]),
                date=d["date"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已安排走访"))
            return redirect("visits:plan", pk=the_plan.pk)
    visits = selectors.visit_list(request.user, selectors.VisitFilters(plan=the_plan.pk))
    return render(
        request,
        "visits/plan.html",
        {"plan": the_plan, "visits": list(visits.order_by("date", "id")[:500]), "form": form},
    )


def _visit_forms(request: HttpRequest, visit: Any, residents: list[dict[str, Any]]) -> dict:
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if post else ""
    initial = {"version": visit.version}
    return {
        "record": RecordForm(post if action == "record" else None, initial=initial),
        "miss": MissForm(post if action == "miss" else None, initial=initial),
        "resident": ResidentForm(post if action == "resident" else None, prefix="r"),
        "demand": DemandForm(
            post if action == "demand" else None,
            prefix="d",
            categories=category_choices(),
            residents=residents,
        ),
    }


def _post(request: HttpRequest, visit: Any, forms: dict[str, Any]) -> str | None:
    """Run the posted action; returns a message on success (errors go into the form)."""
    user, action = request.user, request.POST.get("action", "")
    if action == "to_matter":
        demand = selectors.demand_get(user, visit, int(request.POST.get("demand") or 0))
        done = services.demand_to_matter(actor=user, demand=demand)
        return _("已转为诉求 %(number)s") % {"number": done.matter.number if done.matter else ""}
    form = forms.get(action)
    if form is None or not form.is_valid():
        return None
    d = form.cleaned_data
    if action == "record":
        services.visit_record(
            actor=user, visit=visit, summary=d["summary"], version=d.get("version")
        )
        return _("已记录走访")
    if action == "miss":
        services.visit_miss(actor=user, visit=visit, reason=d["reason"], version=d.get("version"))
        return _("已标记未走访")
    if action == "resident":
        services.resident_add(actor=user, visit=visit, **d)
        return _("已登记走访群众")
    resident = selectors.resident_get(visit, int(d["resident"]) if d["resident"] else None)
    demand = services.demand_add(
        actor=user,
        visit=visit,
        text=d["text"],
        category=category_get(d["category"]),
        resident=resident,
        to_matter=d["to_matter"],
    )
    if demand.matter_id:
        return _("已登记诉求并转为诉求事项 %(number)s") % {"number": demand.matter.number}  # type: ignore[union-attr]
    return _("已登记诉求")


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = selectors.visit_get(user, pk)
    residents = selectors.residents_masked(visit)
    revealed = False
    forms = _visit_forms(request, visit, residents)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "reveal":
                residents = services.visit_reveal(actor=user, visit=visit)
                revealed = True
            else:
                done = _post(request, visit, forms)
                if done:
                    messages.success(request, done)
                    return redirect("visits:detail", pk=visit.pk)
        except ZhiliError as exc:
            form = forms.get(action)
            if form is not None:
                form.add_error(None, exc.message)
            else:
                error = exc.message
    may_write = WORKFLOW.may(user, "record", visit) and visit.status != "missed"
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "residents": residents,
            "revealed": revealed,
            "can_reveal": may_see(user, visit) and residents and not revealed,
            "demands": selectors.demands_of(user, visit),
            "forms": forms,
            "allowed": WORKFLOW.allowed_actions(user, visit),
            "may_write": may_write,
            "events": selectors.visit_events(visit),
            "error": error,
            "open_form": request.POST.get("action", "") if request.method == "POST" else "",
        },
    )


def _period(request: HttpRequest) -> tuple[Any, Any, str]:
    g = request.GET
    if g.get("week"):
        start, end = figures.week_of(figures.parse_day(g["week"]))
        return start, end, "week"
    start, end = figures.parse_month(g.get("month"))
    return start, end, "month"


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    start, end, kind = _period(request)
    fig = figures.figures(request.user, start, end)
    return render(
        request,
        "visits/report.html",
        {
            "fig": fig,
            "kind": kind,
            "month": f"{start:%Y-%m}",
            "week": f"{start:%Y-%m-%d}",
            "weekly_min": figures.weekly_minimum(),
            "warned": [r for r in fig.by_cadre if not r.weekly_ok],
        },
    )


@login_required
@require_GET
@report_reads
def bulletin_xlsx(request: HttpRequest) -> HttpResponse:
    start, end, kind = _period(request)
    fig = figures.figures(request.user, start, end)
    title = (
        _("楼栋工作日周联系情况")
        if kind == "week"
        else _("楼栋工作日 %(year)s 年 %(month)s 月通报")
        % {"year": start.year, "month": f"{start:%m}"}
    )
    data = exports.bulletin_xlsx(fig, title)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"visits-{kind}-{start:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def liaisons(request: HttpRequest) -> HttpResponse:
    rows = liaison_check(request.user)
    low, high = limits()
    return render(
        request,
        "visits/liaisons.html",
        {"rows": rows, "warnings": [r for r in rows if r.problem], "low": low, "high": high},
    )
