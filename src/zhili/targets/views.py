"""Pages of target management (打表推进). Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhili.core.db_router import report_reads
from zhili.core.errors import PermissionDenied, ZhiliError
from zhili.core.scoping import can, has_any, require
from zhili.targets import exports, holders, imports, selectors, services
from zhili.targets.forms import (
    IncidentForm,
    PlanImportForm,
    ReportForm,
    ReviewForm,
    RuleForm,
    SplitForm,
    TableFilterForm,
    WithdrawForm,
    uploads_of,
)
from zhili.targets.models import Assignment, Incident, Method, Plan
from zhili.targets.states import SYMBOL, CellState, css_rules, milestone_state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _is_office(user: Any, plan: Plan) -> bool:
    return can(user, "change", Plan, plan.area.path)


# Plans and import ----------------------------------------------------------------------------


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.plan_list(request.user))
    return render(
        request,
        "targets/plans.html",
        {"plans": rows, "can_import": has_any(request.user, Plan, "import")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Plan, "import"):
        raise PermissionDenied(gettext("只有市委政法委考核办可以导入考核方案"))
    form = PlanImportForm(request.POST or None, request.FILES or None)
    error_rows: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = services.plan_import(
                actor=request.user,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                data=upload.read(),
                filename=upload.name,
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            error_rows = exc.detail if isinstance(exc.detail, list) else []
        else:
            # lint: allow-related the tasks of the plan this user has just imported
            count = plan.tasks.count()
            messages.success(
                request,
                gettext("已导入%(title)s：%(count)s 项任务")
                % {"title": plan.title, "count": count},
            )
            return redirect("targets:table", plan=plan.pk)
    return render(request, "targets/import.html", {"form": form, "error_rows": error_rows})


@login_required
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(imports.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="targets-plan-template.xlsx"'
    return response


# The table -----------------------------------------------------------------------------------


def _table(request: HttpRequest, plan: Plan) -> tuple[TableFilterForm, selectors.Table]:
    chosen = request.GET.get("by")
    form = TableFilterForm(
        request.GET or None,
        units=selectors.plan_units(request.user, plan),
        districts=selectors.plan_districts(request.user, plan),
        default_by=chosen or holders.table_default_by(request.user, plan),
    )
    table = selectors.table_build(request.user, plan, selectors.TableFilters(**form.values()))
    return form, table


@login_required
def table(request: HttpRequest, plan: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    form, tbl = _table(request, the_plan)
    legend = [
        {
            "state": s.value,
            "label": s.label,
            "symbol": SYMBOL[s],
            "count": tbl.counts.get(s.value, 0),
        }
        for s in CellState
    ]
    reminders, total = selectors.latest_reminders(request.user, the_plan)
    return render(
        request,
        "targets/table.html",
        {
            "plan": the_plan,
            "form": form,
            "table": tbl,
            "legend": legend,
            "palette_css": css_rules(),
            "methods": dict(Method.choices),
            "query": request.GET.urlencode(),
            "is_office": _is_office(request.user, the_plan),
            "reminders": reminders,
            "reminders_total": total,
        },
    )


@login_required
@report_reads
def export(request: HttpRequest, plan: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    _form, tbl = _table(request, the_plan)
    response = HttpResponse(exports.table_xlsx(tbl), content_type=XLSX)
    name = f"targets-{the_plan.year}-{tbl.by}-{tbl.on:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# A cell: history, evidence and the actions on it ---------------------------------------------


def _cell_context(
    request: HttpRequest, plan: Plan, reports: list[Any], failed: tuple[int, str, Any] | None = None
) -> dict[str, Any]:
    """The reports of a cell with what the user may do on each; ``failed`` puts a rejected form
    (report id, "report" or "review", form) back in place with its errors and input."""
    actions = selectors.report_actions(request.user, reports)
    on = plan.clock()
    items = []
    for r in reports:
        state = milestone_state(
            due=r.milestone.due, status=r.status, on=on, risk_days=plan.risk_days
        )
        allowed = actions[r.pk]
        decisions = [a for a in ("accept", "return") if a in allowed]
        item = {
            "report": r,
            "state": state,
            "symbol": SYMBOL[state],
            "can_submit": "submit" in allowed,
            "can_review": bool(decisions),
            "report_form": ReportForm(auto_id=f"r{r.pk}_%s", initial={"version": r.version}),
            "review_form": ReviewForm(
                auto_id=f"v{r.pk}_%s", initial={"version": r.version}, decisions=decisions
            ),
            "open": False,
        }
        if failed and failed[0] == r.pk:
            item[f"{failed[1]}_form"] = failed[2]
            item["open"] = True
        items.append(item)
    back = request.headers.get("HX-Current-URL") or request.get_full_path()
    return {
        "plan": plan,
        "items": items,
        "next": _next(request, back),
        "palette_css": css_rules(),
    }


@login_required
def cell(request: HttpRequest, plan: int, assignment: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    a = selectors.assignment_get(request.user, the_plan, assignment)
    ctx = _cell_context(request, the_plan, selectors.cell_reports(request.user, a))
    streets = selectors.street_choices(request.user, a)
    ctx.update(
        {
            "assignment": a,
            "task": a.task,
            "title": f"{a.task.number} {a.task.title} · {a.assignee_name}",
            "shares": selectors.shares_of(request.user, a),
            "split_form": SplitForm(streets=streets) if streets and the_plan.is_active else None,
        }
    )
    name = "targets/_cell.html" if getattr(request, "htmx", False) else "targets/cell.html"
    return render(request, name, ctx)


@login_required
def period_cell(request: HttpRequest, plan: int, task: int, period: str) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    the_task = selectors.task_get(request.user, the_plan, task)
    ctx = _cell_context(
        request, the_plan, selectors.period_reports(request.user, the_plan, the_task, period)
    )
    ctx.update(
        {
            "task": the_task,
            "title": f"{the_task.number} {the_task.title} · {period}",
            "by_period": True,
        }
    )
    name = "targets/_cell.html" if getattr(request, "htmx", False) else "targets/cell.html"
    return render(request, name, ctx)


def _after_action(request: HttpRequest, report: Any, default: str) -> HttpResponse:
    return redirect(_next(request, default))


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    back = reverse("targets:cell", args=[report.plan_id, report.assignment_id])
    form = ReportForm(request.POST, request.FILES, auto_id=f"r{report.pk}_%s")
    if form.is_valid():
        try:
            services.report_submit(
                actor=request.user,
                report=report,
                text=form.cleaned_data["text"],
                uploads=uploads_of(form.cleaned_data["files"]),
                keep_previous=form.cleaned_data["keep_previous"],
                version=form.cleaned_data["version"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("已报送：%(number)s %(label)s节点，等待审核")
                % {"number": report.milestone.task.number, "label": report.milestone.label},
            )
            return _after_action(request, report, back)
    return _form_failed(request, report, form=form, kind="report")


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    back = reverse("targets:cell", args=[report.plan_id, report.assignment_id])
    form = ReviewForm(request.POST, auto_id=f"v{report.pk}_%s")
    if form.is_valid():
        try:
            services.report_review(
                actor=request.user,
                report=report,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                version=form.cleaned_data["version"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            done = (
                gettext("已通过：%(assignee_name)s %(number)s %(label)s节点")
                if form.cleaned_data["decision"] == "accept"
                else gettext("已退回：%(assignee_name)s %(number)s %(label)s节点")
            )
            messages.success(
                request,
                done
                % {
                    "assignee_name": report.assignment.assignee_name,
                    "number": report.milestone.task.number,
                    "label": report.milestone.label,
                },
            )
            return _after_action(request, report, back)
    return _form_failed(request, report, form=form, kind="review")


def _form_failed(request: HttpRequest, report: Any, *, form: Any, kind: str) -> HttpResponse:
    """Show the cell again with the error in place and what was typed kept (files excepted)."""
    plan = report.plan
    a = selectors.assignment_get(request.user, plan, report.assignment_id)
    reports = selectors.cell_reports(request.user, a)
    ctx = _cell_context(request, plan, reports, failed=(report.pk, kind, form))
    ctx.update(
        {
            "assignment": a,
            "task": a.task,
            "title": f"{a.task.number} {a.task.title} · {a.assignee_name}",
            "shares": selectors.shares_of(request.user, a),
        }
    )
    return render(request, "targets/cell.html", ctx, status=422)


@login_required
@require_POST
def share_split(request: HttpRequest, plan: int, assignment: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    a = selectors.assignment_get(request.user, the_plan, assignment)
    streets = selectors.street_choices(request.user, a)
    form = SplitForm(request.POST, streets=streets)
    back = reverse("targets:cell", args=[the_plan.pk, a.pk])
    if form.is_valid():
        chosen = [s for s in streets if s.code in form.cleaned_data["streets"]]
        try:
            rows = services.share_split(
                actor=request.user, assignment=a, streets=chosen, note=form.cleaned_data["note"]
            )
        except ZhiliError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("已分解到 %(rows_count)s 个街道（乡镇）") % {"rows_count": len(rows)},
            )
    else:
        messages.error(request, gettext("请至少选择一个街道（乡镇）"))
    return redirect(back)


@login_required
def evidence(request: HttpRequest, sha256: str) -> FileResponse:
    item = selectors.evidence_get(request.user, sha256)
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not item.content_type.startswith(("image/", "application/pdf")),
        filename=item.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


# Ranking and scores --------------------------------------------------------------------------


@login_required
def ranking_latest(request: HttpRequest) -> HttpResponse:
    plan = selectors.plan_latest(request.user)
    if plan is None:
        return redirect("targets:plans")
    return redirect("targets:ranking", plan=plan.pk)


@login_required
def ranking(request: HttpRequest, plan: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    by = request.GET.get("by", "district")
    rows = selectors.ranking(request.user, the_plan, by)
    return render(request, "targets/ranking.html", {"plan": the_plan, "by": by, "rows": rows})


@login_required
def score(request: HttpRequest, plan: int, pk: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    s = selectors.score_get(request.user, the_plan, pk)
    return render(request, "targets/score.html", {"plan": the_plan, "score": s})


# Warnings ------------------------------------------------------------------------------------


@login_required
def late_latest(request: HttpRequest) -> HttpResponse:
    plan = selectors.plan_latest(request.user)
    if plan is None:
        return redirect("targets:plans")
    return redirect("targets:late_plan", plan=plan.pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """待审核: the reports waiting for this user's decision, oldest first."""
    rows = selectors.review_queue(request.user)
    return render(request, "targets/review_queue.html", {"rows": rows})


@login_required
def late(request: HttpRequest, plan: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    state = request.GET.get("state", "")
    items = selectors.late_list(request.user, the_plan, state=state)
    return render(
        request,
        "targets/late.html",
        {
            "plan": the_plan,
            "items": items[:500],
            "total": len(items),
            "who": selectors.late_by_assignee(items),
            "state": state,
            "palette_css": css_rules(),
        },
    )


# Negative list -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def negative(request: HttpRequest, plan: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    items = list(selectors.negative_items(request.user, the_plan))
    office = can(request.user, "add", Incident, the_plan.area.path) and the_plan.is_active
    form = None
    if office:
        units, districts = selectors.assignee_choices(the_plan)
        form = IncidentForm(
            request.POST or None,
            request.FILES or None,
            items=items,
            units=units,
            districts=districts,
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            kind, _, ident = d["target"].partition(":")
            try:
                services.incident_record(
                    actor=request.user,
                    item=selectors.negative_item_get(request.user, the_plan, d["item"]),
                    occurred_on=d["occurred_on"],
                    description=d["description"],
                    uploads=uploads_of(d["files"]),
                    unit=next((u for u in units if f"{u.pk}" == ident), None)
                    if kind == "u"
                    else None,
                    district=next((a for a in districts if a.code == ident), None)
                    if kind == "a"
                    else None,
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("已认定负面清单事件，相关得分已重算"))
                return redirect("targets:negative", plan=the_plan.pk)
    elif request.method == "POST":
        raise PermissionDenied(gettext("只有市委政法委考核办可以认定负面清单事件"))
    return render(
        request,
        "targets/negative.html",
        {
            "plan": the_plan,
            "items": items,
            "incidents": selectors.incident_list(request.user, the_plan),
            "form": form,
            "withdraw_form": WithdrawForm() if office else None,
        },
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def incident_withdraw(request: HttpRequest, plan: int, pk: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    incident = selectors.incident_get(request.user, the_plan, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请写明撤销理由"))
    else:
        try:
            services.incident_withdraw(
                actor=request.user, incident=incident, reason=form.cleaned_data["reason"]
            )
        except ZhiliError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已撤销该事件的认定，相关得分已重算"))
    return redirect("targets:negative", plan=the_plan.pk)


# The scoring rule ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rule(request: HttpRequest, plan: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    require(request.user, "change", the_plan)  # the city office, over the plan's area
    form = RuleForm(request.POST or None, initial=RuleForm.initial_for(the_plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_rule_update(actor=request.user, plan=the_plan, **form.cleaned_data)
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("评分规则已保存，全部得分已重算"))
            return redirect("targets:ranking", plan=the_plan.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": gettext("评分规则 · %(title)s") % {"title": the_plan.title},
            "back_url": reverse("targets:table", args=[the_plan.pk]),
            "back_label": gettext("打表推进"),
        },
    )


# Tasks and their decomposition ---------------------------------------------------------------


@login_required
def task(request: HttpRequest, plan: int, pk: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    the_task = selectors.task_get(request.user, the_plan, pk)
    return render(
        request,
        "targets/task.html",
        {
            "plan": the_plan,
            "task": the_task,
            # lint: allow-related the milestones of a task read in scope (task_get)
            "milestones": list(the_task.milestones.all()),
            "assignments": selectors.task_assignments(request.user, the_task),
            "can_assign": the_plan.is_active
            and can(request.user, "add", Assignment, the_plan.area.path),
            "choices": selectors.assignee_choices(the_plan)
            if _is_office(request.user, the_plan)
            else ([], []),
        },
    )


@login_required
@require_POST
def assign(request: HttpRequest, plan: int, pk: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    the_task = selectors.task_get(request.user, the_plan, pk)
    units, districts = selectors.assignee_choices(the_plan)
    target = request.POST.get("target", "")
    kind, _, ident = target.partition(":")
    unit = next((u for u in units if f"{u.pk}" == ident), None) if kind == "u" else None
    district = next((a for a in districts if a.code == ident), None) if kind == "a" else None
    try:
        a = services.assignment_add(actor=request.user, task=the_task, unit=unit, district=district)
    except ZhiliError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("已将任务 %(number)s 分解给 %(assignee_name)s")
            % {"number": the_task.number, "assignee_name": a.assignee_name},
        )
    return redirect("targets:task", plan=the_plan.pk, pk=the_task.pk)


@login_required
@require_POST
def unassign(request: HttpRequest, plan: int, pk: int) -> HttpResponse:
    the_plan = selectors.plan_get(request.user, plan)
    a = selectors.assignment_get(request.user, the_plan, pk)
    try:
        services.assignment_remove(actor=request.user, assignment=a)
    except ZhiliError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("已移除 %(assignee_name)s 承担的任务 %(number)s")
            % {"assignee_name": a.assignee_name, "number": a.task.number},
        )
    return redirect("targets:task", plan=the_plan.pk, pk=a.task_id)
