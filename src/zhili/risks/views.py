"""Risk register pages: register, map, review queue, candidates, detail with its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhili.areas.selectors import area_get
from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.scoping import has_any
from zhili.risks import selectors, services
from zhili.risks.forms import (
    AcceptForm,
    AssessForm,
    AssignForm,
    CloseForm,
    MeasureForm,
    ReasonForm,
    RiskForm,
)
from zhili.risks.models import Category, Level, Risk, Status
from zhili.risks.supervision import review_queue


@login_required
def register(request: HttpRequest) -> HttpResponse:
    g = request.GET
    f = selectors.RiskFilters(
        status=g.get("status", ""),
        level=g.get("level", ""),
        category=g.get("category", ""),
        area=g.get("area", ""),
        q=g.get("q", ""),
    )
    page = keyset_page(
        selectors.risk_list(request.user, f), order=("-id",), cursor=g.get("cursor"), limit=50
    )
    params = g.copy()
    params.pop("cursor", None)
    return render(
        request,
        "risks/register.html",
        {
            "page": page,
            "f": f,
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


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    from zhili.matters.selectors import matter_get

    initial: dict[str, Any] = {}
    candidate = None
    if request.GET.get("matter"):
        m = matter_get(request.user, request.GET["matter"])
        initial = {
            "title": m.title,
            "description": m.description,
            "area_code": m.area.code,
            "address": m.address,
            "source": "matter",
            "matter": m.number,
            "person_name": m.reporter_name,
        }
    if request.GET.get("candidate"):
        candidate = selectors.candidate_get(request.user, int(request.GET["candidate"]))
        initial = {
            "title": candidate.title[:120],
            "description": candidate.title,
            "area_code": candidate.area.code,
            "source": "dispute" if candidate.dispute_id else "matter",
        }
        # lint: allow-related (kernel merge pending)
        first = candidate.matters.first()
        if first is not None:
            initial.update(
                {
                    "matter": first.number,
                    "address": first.address,
                    "person_name": first.reporter_name,
                }
            )
    form = RiskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            area = area_get(request.user, d["area_code"].strip())
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
            messages.success(request, f"已入库：{risk.number}")
            return redirect("risks:detail", number=risk.number)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": "风险入库", "back_url": "/risks/", "submit_label": "入库"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    from zhili.org.selectors import unit_list, user_list

    risk = selectors.risk_get(request.user, number)
    action = request.POST.get("action", "")
    forms_ = {
        "assess": AssessForm(request.POST if action == "assess" else None),
        "assign": AssignForm(request.POST if action == "assign" else None),
        "measure": MeasureForm(request.POST if action == "measure" else None),
        "close": CloseForm(
            request.POST if action == "close" else None,
            request.FILES if action == "close" else None,
        ),
        "accept": AcceptForm(request.POST if action == "accept" else None),
        "reopen": ReasonForm(request.POST if action == "reopen" else None),
    }
    forms_["assign"].fields["unit"].queryset = unit_list(request.user)  # type: ignore[attr-defined]
    personal = None
    if request.method == "POST" and action in forms_ and forms_[action].is_valid():
        d = forms_[action].cleaned_data
        try:
            if action == "assess":
                tests = (
                    {
                        k: d[k]
                        for k in ("legality", "reasonableness", "feasibility", "controllability")
                    }
                    if risk.category == "project"
                    else {}
                )
                services.risk_assess(
                    actor=request.user,
                    risk=risk,
                    kind=d["kind"],
                    likelihood=d["likelihood"],
                    impact=d["impact"],
                    confidence=d["confidence"],
                    stability_tests=tests,
                    note=d["note"],
                )
            elif action == "assign":
                person = user_list(request.user).filter(username=d["person"].strip()).first()
                if person is None:
                    raise ValidationFailed(f"账号 {d['person']} 不存在或不在您的管辖范围内")
                services.risk_assign(actor=request.user, risk=risk, person=person, unit=d["unit"])
            elif action == "measure":
                owner = user_list(request.user).filter(username=d["owner"].strip()).first()
                if owner is None:
                    raise ValidationFailed(f"账号 {d['owner']} 不存在或不在您的管辖范围内")
                services.measure_add(
                    actor=request.user, risk=risk, text=d["text"], owner=owner, due=d["due"]
                )
            elif action == "close":
                files = []
                if d.get("evidence"):
                    from zhili.matters.attachments import attachment_store

                    files = [attachment_store(data=d["evidence"].read(), name=d["evidence"].name)]
                services.risk_close(
                    actor=request.user,
                    risk=risk,
                    final_rating=d["final_rating"],
                    note=d["note"],
                    attachments=files,
                )
            elif action == "accept":
                services.risk_accept(
                    actor=request.user, risk=risk, reason=d["reason"], expires=d["expires"]
                )
            elif action == "reopen":
                services.risk_reopen(actor=request.user, risk=risk, reason=d["reason"])
        except ZhiliError as exc:
            forms_[action].add_error(None, exc.message)
        else:
            messages.success(request, "已保存")
            return redirect("risks:detail", number=risk.number)
    elif request.method == "POST" and action == "measure_done":
        # lint: allow-related (kernel merge pending)
        measure = risk.measures.filter(pk=request.POST.get("measure") or 0).first()
        if measure is not None:
            services.measure_done(actor=request.user, measure=measure)
        return redirect("risks:detail", number=risk.number)
    elif request.method == "POST" and action == "reveal":
        personal = services.risk_reveal_personal(actor=request.user, risk=risk)
    return render(
        request,
        "risks/detail.html",
        {
            "risk": risk,
            "forms": forms_,
            # lint: allow-related (kernel merge pending)
            "elements": risk.elements.all(),
            "personal": personal,
            # lint: allow-related (kernel merge pending)
            "assessments": risk.assessments.select_related("assessor"),
            # lint: allow-related (kernel merge pending)
            "measures": risk.measures.select_related("owner"),
            # lint: allow-related (kernel merge pending)
            "events": risk.events.prefetch_related("attachments"),
            "can_personal": selectors.can_see_personal(request.user, risk),
            # lint: allow-related (kernel merge pending)
            "disputes": list(risk.matter.disputes.all()) if risk.matter else [],
        },
    )


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "proposed")
    return render(
        request,
        "risks/candidates.html",
        {"rows": selectors.candidate_list(request.user, status=status)[:200], "status": status},
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
        messages.success(request, "已排除该线索")
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
            messages.success(request, "已保存")
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
        raise ValidationFailed("请填写整数天数", code="invalid_number") from None
