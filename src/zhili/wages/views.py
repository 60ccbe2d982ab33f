"""Pages of the wages module: projects (with imports), the warning queue, the dashboard, the
blacklist, interviews and the rules. Thin: forms in, services and selectors, templates out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhili.areas.selectors import area_get
from zhili.core.db_router import report_reads
from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers, filter_area
from zhili.core.privacy import may_see
from zhili.core.scoping import can, has_any
from zhili.wages import exports, forms, imports, selectors, services
from zhili.wages.models import (
    BlacklistEntry,
    ImportKind,
    Interview,
    Project,
    RuleCode,
    Severity,
    WageRule,
    WarningStatus,
)
from zhili.wages.workflow import WORKFLOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _params(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


# -- projects --------------------------------------------------------------------------------------


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    g = request.GET
    area, area_error = filter_area(request.user, g.get("area", ""), "wages.project.view")
    qs = selectors.project_list(request.user, q=g.get("q", ""), area=area)
    page = keyset_page(
        qs.none() if area_error else qs, order=("-id",), cursor=g.get("cursor"), limit=50
    )
    return render(
        request,
        "wages/projects.html",
        {
            "page": page,
            "q": g.get("q", ""),
            "area": g.get("area", ""),
            "area_error": area_error,
            "params": _params(request),
            "can_add": has_any(request.user, Project, "add"),
        },
    )


def _firm(actor: Any, name: str, code: str) -> Any:
    return services.firm_create(actor=actor, name=name, credit_code=code)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProjectForm(request.POST or None)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            area = d["area_code"]
            subs = []
            if d["subcontractor_name"]:
                subs.append(_firm(request.user, d["subcontractor_name"], d["subcontractor_code"]))
            p = services.project_create(
                actor=request.user,
                number=d["number"],
                name=d["name"],
                area=area,
                address=d["address"],
                builder=_firm(request.user, d["builder_name"], d["builder_code"]),
                contractor=_firm(request.user, d["contractor_name"], d["contractor_code"]),
                subcontractors=subs,
                contract_value=d["contract_value"],
                labour_share=d["labour_share"],
                start_on=d["start_on"],
                labour_manager=d["labour_manager"],
                labour_manager_phone=d["labour_manager_phone"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记在建项目"))
            return redirect("wages:project", pk=p.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("登记在建项目"),
            "back_url": "/wages/",
            "submit_label": _("登记"),
        },
        status=422 if form.errors else 200,
    )


PROJECT_FORMS = {
    "import": forms.ImportForm,
    "account": forms.AccountForm,
    "deposit": forms.DepositForm,
    "progress": forms.ProgressForm,
    "notice": forms.NoticeForm,
    "complaint": forms.ComplaintForm,
}


def _project_act(request: HttpRequest, p: Project, action: str, d: dict[str, Any]) -> str:
    user = request.user
    if action == "import":
        f = d["file"]
        batch, new = services.project_import(
            actor=user, project=p, kind=d["kind"], data=f.read(), filename=f.name
        )
        if not new:
            return _("该文件已于 %(at)s 导入过，未重复导入") % {
                "at": timezone.localtime(batch.at).strftime("%Y-%m-%d %H:%M")
            }
        return _("已导入 %(n)d 行，并已重新检查预警规则") % {"n": batch.rows}
    if action == "account":
        services.account_set(
            actor=user,
            project=p,
            bank=d["bank"],
            account_number=d["account_number"],
            opened_on=d["opened_on"],
        )
    elif action == "deposit":
        services.deposit_add(
            actor=user,
            project=p,
            kind=d["kind"],
            amount=d["amount"],
            bank=d["bank"],
            valid_until=d["valid_until"],
        )
    elif action == "progress":
        services.progress_set(actor=user, project=p, month=d["month"], percent=d["percent"])
    elif action == "notice":
        services.notice_board_set(
            actor=user, project=p, data=d["photo"].read(), name=d["photo"].name
        )
    elif action == "complaint":
        from zhili.matters.selectors import matter_get

        services.complaint_link(actor=user, project=p, matter=matter_get(user, d["matter"].strip()))
    return _("已保存")


@login_required
@require_http_methods(["GET", "POST"])
def project(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.project_get(request.user, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = {
        k: cls(
            request.POST if k == action else None,
            request.FILES if k == action else None,
            auto_id=f"id_{k}_%s",
        )
        for k, cls in PROJECT_FORMS.items()
    }
    status, personal, import_errors = 200, None, []
    if action in bound and bound[action].is_valid():
        try:
            note = _project_act(request, p, action, bound[action].cleaned_data)
        except ZhiliError as exc:
            bound[action].add_error(None, exc.message)
            if isinstance(exc.detail, dict):
                import_errors = exc.detail.get("errors", [])
            status = exc.status
        else:
            messages.success(request, note)
            return redirect("wages:project", pk=p.pk)
    elif action in bound:
        status = 422
    elif action == "reveal":
        try:
            personal = services.roster_reveal(actor=request.user, project=p)
        except ZhiliError as exc:
            messages.error(request, exc.message)
            status = exc.status
    roster, roster_total = selectors.roster_rows(p)
    return render(
        request,
        "wages/project.html",
        {
            "p": p,
            "forms": bound,
            "action": action,
            "import_errors": import_errors,
            "subcontractors": selectors.project_firms(p),
            "months": selectors.project_months(p),
            "balance": selectors.project_balance(p),
            "roster": personal if personal is not None else roster,
            "revealed": personal is not None,
            "roster_total": roster_total,
            "imports": selectors.project_imports(p),
            "warnings": selectors.project_warnings(request.user, p)[:50],
            "complaints": selectors.project_complaints(request.user, p),
            "can_change": can(request.user, "change", Project, p.area_path),
            "can_import": can(request.user, "import", Project, p.area_path),
            "can_personal": may_see(request.user, p),
            "kinds": ImportKind.choices,
            "account": getattr(p, "account", None),
            "deposits": selectors.project_deposits(p),
        },
        status=status,
    )


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ImportKind.values:
        raise ValidationFailed(_("导入类型无效"), code="invalid_kind")
    return _xlsx(imports.template(kind), f"{kind}.xlsx")


@login_required
def projects_export(request: HttpRequest) -> HttpResponse:
    area, error = filter_area(request.user, request.GET.get("area", ""), "wages.project.view")
    if error:
        raise ValidationFailed(error, code="area_not_found")
    qs = selectors.project_list(request.user, q=request.GET.get("q", ""), area=area)
    return _xlsx(exports.projects_xlsx(qs), "projects.xlsx")


# -- warnings --------------------------------------------------------------------------------------


def _warning_filters(request: HttpRequest) -> tuple[selectors.WarningFilters, str]:
    """The filters, and the 区域 filter's error (its area picked or typed, core.pickers)."""
    g = request.GET
    area, error = filter_area(request.user, g.get("area", ""), "wages.warning.view")
    f = selectors.WarningFilters(
        status=g.get("status", "active"),
        severity=g.get("severity", ""),
        rule=g.get("rule", ""),
        area=area,
    )
    return f, error


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    f, area_error = _warning_filters(request)
    rows = selectors.warning_list(request.user, f)
    page = keyset_page(
        rows.none() if area_error else rows,
        order=("-id",),
        cursor=request.GET.get("cursor"),
        limit=50,
    )
    return render(
        request,
        "wages/warnings.html",
        {
            "page": page,
            "f": f,
            "params": _params(request),
            "area_text": request.GET.get("area", ""),
            "area_error": area_error,
            "statuses": WarningStatus.choices,
            "severities": Severity.choices,
            "rules": RuleCode.choices,
        },
    )


@login_required
def warnings_export(request: HttpRequest) -> HttpResponse:
    f, error = _warning_filters(request)
    if error:
        raise ValidationFailed(error, code="area_not_found")
    qs = selectors.warning_list(request.user, f)
    return _xlsx(exports.warnings_xlsx(qs), "warnings.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def warning(request: HttpRequest, pk: int) -> HttpResponse:
    w = selectors.warning_get(request.user, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    initial = {"version": w.version}
    made = {
        "assign": forms.AssignForm(
            request.POST if action == "assign" else None, initial=initial, auto_id="id_assign_%s"
        ),
        "close": forms.NoteForm(
            request.POST if action == "close" else None, initial=initial, auto_id="id_close_%s"
        ),
        "reopen": forms.NoteForm(
            request.POST if action == "reopen" else None, initial=initial, auto_id="id_reopen_%s"
        ),
    }
    bind_pickers(made["assign"], request.user, area=w.project.area)
    status = 200
    if action in made and made[action].is_valid():
        d = made[action].cleaned_data
        try:
            if action == "assign":
                services.warning_assign(
                    actor=request.user, warning=w, assignee=d["assignee"], version=d["version"]
                )
            elif action == "close":
                services.warning_close(
                    actor=request.user, warning=w, note=d["note"], version=d["version"]
                )
            else:
                services.warning_reopen(
                    actor=request.user, warning=w, note=d["note"], version=d["version"]
                )
        except ZhiliError as exc:
            made[action].add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已%(label)s") % {"label": WORKFLOW.rules[action].label})
            return redirect("wages:warning", pk=w.pk)
    elif action in made:
        status = 422
    allowed = WORKFLOW.allowed_actions(request.user, w)
    shown = [a for a in made if a in allowed or (a == action and made[a].errors)]
    return render(
        request,
        "wages/warning.html",
        {
            "w": w,
            "actions": [(a, WORKFLOW.rules[a].label, made[a]) for a in shown],
            "events": selectors.warning_events(w),
            "candidates": selectors.assignable(request.user, w)[:20] if "assign" in shown else [],
        },
        status=status,
    )


@login_required
@report_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = selectors.dashboard(request.user)
    chart = {
        "districts": [r.name for r in rows],
        "red": [r.red for r in rows],
        "yellow": [r.yellow for r in rows],
        "projects": [r.projects for r in rows],
    }
    return render(request, "wages/dashboard.html", {"rows": rows, "chart": chart})


@login_required
@report_reads
def dashboard_export(request: HttpRequest) -> HttpResponse:
    return _xlsx(exports.dashboard_xlsx(selectors.dashboard(request.user)), "dashboard.xlsx")


# -- blacklist, interviews, rules ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def blacklist(request: HttpRequest) -> HttpResponse:
    g = request.GET
    form = forms.BlacklistForm(request.POST if request.POST.get("action") == "add" else None)
    bind_pickers(form, request.user)
    removal = forms.RemovalForm(request.POST if request.POST.get("action") == "remove" else None)
    status = 200
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            services.blacklist_add(
                actor=request.user,
                firm=services.firm_by_code(d["firm_code"]),
                area=d["area_code"],
                reason=d["reason"],
                arrears=d["arrears"],
                listed_on=d["listed_on"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已列入失信名单"))
            return redirect("wages:blacklist")
    elif removal.is_bound and removal.is_valid():
        try:
            entry = selectors.blacklist_get(request.user, int(request.POST.get("entry") or 0))
            services.blacklist_remove_early(
                actor=request.user,
                entry=entry,
                rectified_on=removal.cleaned_data["rectified_on"],
                committed=removal.cleaned_data["committed"],
            )
        except (ZhiliError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("请求无效")))
            status = getattr(exc, "status", 400)
        else:
            messages.success(request, _("已提前移出失信名单"))
            return redirect("wages:blacklist")
    elif form.is_bound:
        status = 422
    current = g.get("all", "") != "1"
    qs = selectors.blacklist_list(request.user, q=g.get("q", ""), current=current)
    page = keyset_page(qs, order=("-id",), cursor=g.get("cursor"), limit=50)
    return render(
        request,
        "wages/blacklist.html",
        {
            "page": page,
            "q": g.get("q", ""),
            "current": current,
            "params": _params(request),
            "form": form,
            "removal": removal,
            "can_add": has_any(request.user, BlacklistEntry, "add"),
            "can_change": has_any(request.user, BlacklistEntry, "change"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def interviews(request: HttpRequest) -> HttpResponse:
    form = forms.InterviewForm(request.POST or None)
    bind_pickers(form, request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            firm = services.firm_by_code(d["firm_code"]) if d["firm_code"] else None
            services.interview_record(
                actor=request.user,
                area=d["area_code"],
                held_on=d["held_on"],
                interviewees=d["interviewees"],
                record=d["record"],
                firm=firm,
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已登记约谈记录"))
            return redirect("wages:interviews")
    elif request.method == "POST":
        status = 422
    page = keyset_page(
        selectors.interview_list(request.user),
        order=("-id",),
        cursor=request.GET.get("cursor"),
        limit=50,
    )
    return render(
        request,
        "wages/interviews.html",
        {
            "page": page,
            "form": form,
            "params": _params(request),
            "can_add": has_any(request.user, Interview, "add"),
        },
        status=status,
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "wages/rules.html",
        {
            "rules": selectors.rule_list(request.user),
            "can_change": has_any(request.user, WageRule, "change"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def minimum_wage(request: HttpRequest) -> HttpResponse:
    """The local monthly minimum wage by district (the below-minimum rule's floor): everyone with
    the rules' view right reads it; the city's administrator adds or corrects rows (audited)."""
    from zhili.wages.models import MinimumWage

    if not has_any(request.user, MinimumWage, "view"):
        raise Http404
    can_change = has_any(request.user, MinimumWage, "change")
    rows = selectors.minimum_wage_list(request.user)
    form = forms.MinimumWageForm(request.POST or None) if can_change else None
    status = 200
    if request.method == "POST":
        if form is None:
            return HttpResponse(_("只有市级管理员可以修改最低工资标准"), status=403)
        if form.is_valid():
            d = form.cleaned_data
            try:
                area = area_get(request.user, d["area_code"].strip())
                services.minimum_wage_set(
                    actor=request.user,
                    area=area,
                    monthly=d["monthly"],
                    effective_from=d["effective_from"],
                    tier=d["tier"],
                    source=d["source"],
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("已保存最低工资标准"))
                return redirect("wages:minimum_wage")
        else:
            status = 422
    return render(
        request,
        "wages/minimum_wage.html",
        {
            "rows": rows,
            "form": form,
            "history": selectors.minimum_wage_history(request.user)[:20],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    rule = selectors.rule_get(request.user, code)
    initial = {
        "severity": rule.severity,
        "threshold": rule.threshold,
        "red_above": rule.red_above,
        "reason": rule.reason,
        "enabled": rule.enabled,
    }
    form = forms.RuleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已修改预警规则"))
            return redirect("wages:rules")
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("修改预警规则：%(name)s") % {"name": rule.get_code_display()},
            "back_url": "/wages/rules/",
            "submit_label": _("保存"),
        },
        status=status,
    )
