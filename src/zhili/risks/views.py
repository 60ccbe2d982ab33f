"""Risk register pages: register, map, review queue, candidates, detail with its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers, filter_area
from zhili.core.privacy import may_see, visible_value
from zhili.core.scoping import has_any
from zhili.risks import selectors, services
from zhili.risks.forms import (
    AcceptForm,
    ActionForm,
    AssessForm,
    AssignForm,
    CloseForm,
    MeasureDoneForm,
    MeasureForm,
    ReasonForm,
    RiskForm,
)
from zhili.risks.models import Category, Level, Risk, Status
from zhili.risks.presenters import element_rows
from zhili.risks.supervision import review_queue
from zhili.risks.workflow import WORKFLOW


@login_required
def register(request: HttpRequest) -> HttpResponse:
    g = request.GET
    area_code, area_error = filter_area(request.user, g.get("area", ""), "risks.risk.view")
    f = selectors.RiskFilters(
        status=g.get("status", ""),
        level=g.get("level", ""),
        category=g.get("category", ""),
        area=area_code,
        q=g.get("q", ""),
    )
    rows = selectors.risk_list(request.user, f)
    page = keyset_page(
        rows.none() if area_error else rows, order=("-id",), cursor=g.get("cursor"), limit=50
    )
    params = g.copy()
    params.pop("cursor", None)
    return render(
        request,
        "risks/register.html",
        {
            "page": page,
            "f": f,
            "area_text": g.get("area", ""),
            "area_error": area_error,
            "params": params.urlencode(),
            "levels": Level.choices,
            "statuses": Status.choices,
            "categories": Category.choices,
            "counts": selectors.level_counts(request.user),
            "can_add": has_any(request.user, Risk, "add"),
        },
    )


@login_required
def risk_map(request: HttpRequest) -> HttpResponse:
    return render(request, "risks/map.html", {})


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"districts": selectors.map_counts(request.user)})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "risks/queue.html", {"rows": review_queue(request.user)[:200]})


def _persons(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"name": d["person_name"], "id_number": d["person_id"], "phone": d["person_phone"]}]
    if d.get("person2_name"):
        rows.append({"name": d["person2_name"]})
    return rows


def _elements(d: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    if d.get("organisation"):
        out.append({"kind": "organisation", "name": d["organisation"]})
    if d.get("place"):
        out.append({"kind": "place", "name": d["place"]})
    return out


def _prefill_from_matter(user: Any, m: Any) -> tuple[dict[str, Any], str]:
    """What a matter gives a new risk: its facts and place; its reporter only masked, as a hint."""
    initial = {
        "title": (m.title or "")[:120],
        "description": m.description,
        "area_code": m.area.code,
        "address": m.address,
        "source": "matter",
        "matter": m.number,
    }
    return initial, visible_value(user, m, "name", m.reporter_name)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    from zhili.matters.selectors import matter_get

    initial: dict[str, Any] = {}
    reporter = ""
    candidate = None
    if request.GET.get("matter"):
        initial, reporter = _prefill_from_matter(
            request.user, matter_get(request.user, request.GET["matter"])
        )
    if request.GET.get("candidate"):
        candidate = selectors.candidate_get(request.user, request.GET["candidate"])
        first = selectors.candidate_first_matter(request.user, candidate)
        if first is not None:
            initial, reporter = _prefill_from_matter(request.user, first)
        initial.update(
            {
                "title": candidate.title[:120],
                "description": candidate.title,
                "area_code": candidate.area.code,
                "source": "dispute" if candidate.dispute_id else "matter",
            }
        )
        # A candidate proposed by another module brings the facts it found (a wage warning: the
        # project, its contractor, the labour manager, the rule and its figures).
        initial.update(selectors.candidate_prefill(candidate))
    form = RiskForm(request.POST or None, initial=initial)
    bind_pickers(form, request.user)
    form.hint_person(reporter)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            area = d["area_code"]
            matter = matter_get(request.user, d["matter"].strip()) if d["matter"].strip() else None
            risk = services.risk_register(
                actor=request.user,
                title=d["title"],
                description=d["description"],
                category=d["category"],
                source=d["source"],
                area=area,
                address=d["address"],
                persons=_persons(d),
                elements=_elements(d),
                matter=matter,
                dispute=candidate.dispute if candidate else None,
                candidate=candidate,
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已入库：%(number)s") % {"number": risk.number})
            return redirect("risks:detail", number=risk.number)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": gettext("风险入库"),
            "back_url": "/risks/",
            "submit_label": gettext("入库"),
        },
    )


# -- one risk: its page and its actions (the buttons are the workflow's allowed actions) -------

ACTION_FORMS: dict[str, type[ActionForm]] = {
    "assess": AssessForm,
    "assign": AssignForm,
    "measure": MeasureForm,
    "close": CloseForm,
    "accept": AcceptForm,
    "reopen": ReasonForm,
}
STABILITY = ("legality", "reasonableness", "feasibility", "controllability")


def _evidence(d: dict[str, Any]) -> list[Any]:
    if not d.get("evidence"):
        return []
    from zhili.matters.attachments import attachment_store

    return [attachment_store(data=d["evidence"].read(), name=d["evidence"].name)]


def _act(user: Any, risk: Risk, action: str, d: dict[str, Any]) -> None:
    """Run one action with the form's data and the page's version."""
    v = d.get("version")
    if action == "assess":
        tests = {k: d[k] for k in STABILITY} if risk.category == "project" else {}
        services.risk_assess(
            actor=user,
            risk=risk,
            kind=d["kind"],
            likelihood=d["likelihood"],
            impact=d["impact"],
            confidence=d["confidence"],
            stability_tests=tests,
            note=d["note"],
            version=v,
        )
    elif action == "assign":
        services.risk_assign(actor=user, risk=risk, person=d["person"], unit=d["unit"], version=v)
    elif action == "measure":
        services.measure_add(
            actor=user, risk=risk, text=d["text"], owner=d["owner"], due=d["due"], version=v
        )
    elif action == "close":
        services.risk_close(
            actor=user,
            risk=risk,
            final_rating=d["final_rating"],
            note=d["note"],
            attachments=_evidence(d),
            version=v,
        )
    elif action == "accept":
        services.risk_accept(
            actor=user, risk=risk, reason=d["reason"], expires=d["expires"], version=v
        )
    elif action == "reopen":
        services.risk_reopen(actor=user, risk=risk, reason=d["reason"], version=v)


def _forms(request: HttpRequest, risk: Risk, action: str) -> dict[str, ActionForm]:
    from zhili.org.selectors import unit_list

    out = {}
    for key, form_class in ACTION_FORMS.items():
        bound = request.method == "POST" and key == action
        out[key] = form_class(
            request.POST if bound else None,
            request.FILES if bound else None,
            initial={"version": risk.version},
            auto_id=f"id_{key}_%s",
        )
    out["assign"].fields["unit"].queryset = unit_list(request.user)  # type: ignore[attr-defined]
    bind_pickers(out["assign"], request.user, area=risk.area)
    bind_pickers(out["measure"], request.user, area=risk.area)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    risk = selectors.risk_get(request.user, number)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms_ = _forms(request, risk, action)
    personal = None
    status = 200
    if action in forms_ and forms_[action].is_valid():
        form = forms_[action]
        try:
            _act(request.user, risk, action, form.cleaned_data)
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            if isinstance(exc, PermissionDenied):
                status = exc.status
            if isinstance(exc, Conflict):  # show the risk as it is now
                risk = selectors.risk_get(request.user, number)
                fresh = request.POST.copy()
                fresh["version"] = str(risk.version)
                form.data = fresh
        else:
            messages.success(
                request,
                gettext("%(number)s：已%(label)s。")
                % {"number": risk.number, "label": WORKFLOW.rules[action].label},
            )
            return redirect("risks:detail", number=risk.number)
    elif action == "measure_done":
        done = MeasureDoneForm(request.POST)
        try:
            if not done.is_valid():
                raise ValidationFailed(gettext("请刷新页面后再试"))
            services.measure_done(
                actor=request.user,
                measure=selectors.measure_get(risk, done.cleaned_data["measure"]),
                version=done.cleaned_data["version"],
            )
        except ZhiliError as exc:
            messages.error(request, exc.message)
        return redirect("risks:detail", number=risk.number)
    elif action == "reveal":
        try:
            personal = services.risk_reveal_personal(actor=request.user, risk=risk)
        except ZhiliError as exc:
            messages.error(request, exc.message)
    allowed = WORKFLOW.allowed_actions(request.user, risk)
    shown = [a for a in allowed if a in forms_]
    if action in forms_ and forms_[action].errors and action not in shown:
        shown.append(action)  # keep a refused form with its message in view
    return render(
        request,
        "risks/detail.html",
        {
            "risk": risk,
            "actions": [(a, WORKFLOW.rules[a].label, forms_[a]) for a in shown],
            "can_finish_measures": "measure_done" in allowed,
            "elements": element_rows(selectors.risk_elements(risk), personal),
            "revealed": personal is not None,
            "assessments": selectors.risk_assessments(risk),
            "measures": selectors.risk_measures(risk),
            "events": selectors.risk_events(risk),
            "can_personal": may_see(request.user, risk),
            "links": selectors.risk_links(request.user, risk),
        },
        status=status,
    )


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "proposed")
    return render(
        request,
        "risks/candidates.html",
        {"rows": selectors.candidate_page(request.user, status=status), "status": status},
    )


@login_required
@require_POST
def candidate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(request.user, pk)
    try:
        services.candidate_dismiss(
            actor=request.user, candidate=candidate, note=request.POST.get("note", "")
        )
    except ZhiliError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已排除该线索"))
    return redirect("risks:candidates")


@login_required
@require_http_methods(["GET", "POST"])
def risk_settings(request: HttpRequest) -> HttpResponse:
    """分级管控规则 and risk matrices: the city edits them; everyone with risk access reads them."""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "policy":
                services.policy_update(
                    actor=request.user,
                    level=request.POST.get("level", ""),
                    handle_days=_int(request.POST.get("handle_days")),
                    review_days=_int(request.POST.get("review_days")),
                    escalate=request.POST.get("escalate") == "on",
                )
            elif request.POST.get("action") == "matrix":
                rows = [
                    line.split()
                    for line in request.POST.get("cells", "").strip().splitlines()
                    if line.strip()
                ]
                services.matrix_save(
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    cells=rows,
                    likelihood_labels=request.POST.get("likelihood_labels", "").split(),
                    impact_labels=request.POST.get("impact_labels", "").split(),
                    make_default=request.POST.get("make_default") == "on",
                )
        except ZhiliError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已保存"))
            return redirect("risks:settings")
    return render(
        request,
        "risks/settings.html",
        {**selectors.settings_data(), "levels": Level.choices, "posted": request.POST},
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise ValidationFailed(gettext("请填写整数天数"), code="invalid_number") from None
