"""Pages of 四议两公开 and 一事一议: lists, the record with the form of its next step (a phone
is the village secretary's tool), the project with its book; public publicity pages. Thin:
reads through selectors, writes through services, actions offered from the rules tables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from zhili.core.errors import PermissionDenied, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers
from zhili.core.privacy import mask, may_see
from zhili.core.scoping import has_any
from zhili.deliberation import forms, selectors, services
from zhili.deliberation.models import OPEN_STATUSES, Deliberation, Project, Status
from zhili.deliberation.publicity import current_publicity
from zhili.deliberation.rules import Tally
from zhili.deliberation.services import StepInput, Upload
from zhili.deliberation.workflow import PROJECTS, STAGE_OF, STEP_ACTIONS, WORKFLOW


def _form_page(request: HttpRequest, form: Any, title: str, back: str) -> HttpResponse:
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": title, "back_url": back, "submit_label": gettext("保存")},
    )


@login_required
@require_GET
def deliberation_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.deliberation_list(request.user, status=request.GET.get("status", ""))
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), limit=50)
    return render(
        request,
        "deliberation/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "status": request.GET.get("status", ""),
            "can_add": has_any(request.user, Deliberation, "add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_create(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Deliberation, "add"):
        raise PermissionDenied(gettext("您没有登记四议两公开事项的权限"))
    home = getattr(getattr(request.user, "area", None), "code", "")
    form = forms.DeliberationForm(request.POST or None, initial={"area_code": home})
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            d = services.deliberation_create(
                actor=request.user,
                area=c["area_code"],
                title=c["title"],
                content=c["content"],
                merged_posts=c["merged_posts"],
                review_before=c["review_before"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已登记：%(number)s") % {"number": d.number})
            return redirect("deliberation:detail", number=d.number)
    return _form_page(request, form, gettext("登记四议两公开事项"), "/deliberation/")


def _upload(f: Any) -> Upload | None:
    return Upload(f.name, f.read()) if f else None


def _step_input(c: dict[str, Any], files: Any) -> StepInput:
    def n(key: str) -> int:
        return int(c.get(key) or 0)

    return StepInput(
        held_on=c["held_on"],
        text=c["text"],
        due=n("due"),
        present=n("present"),
        votes_for=n("votes_for"),
        votes_against=n("votes_against"),
        abstain=n("abstain"),
        households_due=n("households_due"),
        households_present=n("households_present"),
        assembly=c.get("assembly", ""),
        witness=c.get("witness"),
        public_from=c.get("public_from"),
        public_until=c.get("public_until"),
        signatures=_upload(files.get("signatures")),
    )


def _detail_forms(request: HttpRequest, d: Deliberation, posted: str) -> list[tuple[str, str, Any]]:
    data = request.POST if request.method == "POST" else None
    out = []
    for key in WORKFLOW.allowed_actions(request.user, d):
        bound = (data, request.FILES) if posted == key else (None, None)
        if key in STAGE_OF:
            form: Any = forms.StepForm(
                *bound,
                stage=STAGE_OF[key],
                witnesses=selectors.witnesses(d),
                initial={"version": d.version, "held_on": timezone.localdate()},
            )
        else:
            form = forms.ReasonForm(bound[0], initial={"version": d.version})
        out.append((key, str(WORKFLOW.rules[key].label), form))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    d = selectors.deliberation_get(user, number)
    posted = request.POST.get("action", "") if request.method == "POST" else ""
    action_forms = _detail_forms(request, d, posted)
    review_form = forms.ReviewRequestForm(request.POST if posted == "request_review" else None)
    page_error, status = "", 200
    if posted:
        offered = {k: f for k, _label, f in action_forms}
        try:
            if posted == "request_review":
                if review_form.is_valid():
                    services.deliberation_request_review(
                        actor=user, deliberation=d, question=review_form.cleaned_data["question"]
                    )
                    messages.success(request, gettext("已送法律顾问审查"))
                    return redirect("deliberation:detail", number=number)
            elif posted not in offered:
                page_error, status = gettext("当前不能进行这一步，请刷新页面"), 409
            elif offered[posted].is_valid():
                c = offered[posted].cleaned_data
                if posted in STEP_ACTIONS:
                    services.step_record(
                        actor=user,
                        deliberation=d,
                        action=posted,
                        step=_step_input(c, request.FILES),
                        version=c.get("version"),
                    )
                else:
                    services.deliberation_withdraw(
                        actor=user, deliberation=d, reason=c["reason"], version=c.get("version")
                    )
                messages.success(request, gettext("已保存"))
                return redirect("deliberation:detail", number=number)
        except ZhiliError as exc:
            status = 200 if exc.status == 422 else exc.status
            target = offered.get(posted) if posted != "request_review" else review_form
            if target is not None:
                target.add_error(None, exc.message)
            else:
                page_error = exc.message
    waiting = [
        (str(rule.label), reason)
        for key, rule in WORKFLOW.rules.items()
        if d.status in rule.sources
        and not rule.system
        and WORKFLOW.may(user, key, d)
        and (reason := WORKFLOW.refusal(user, key, d))
        and key != "propose_merged"
    ]
    review = selectors.deliberation_review(d)
    return render(
        request,
        "deliberation/detail.html",
        {
            "d": d,
            "forms": action_forms,
            "waiting": waiting,
            "review": review,
            # Offered while a step waits for the review and none is pending.
            "review_form": review_form
            if d.review_before
            and WORKFLOW.may(user, "propose", d)
            and d.status in OPEN_STATUSES
            and (review is None or review.status == "objected")
            else None,
            "steps": selectors.deliberation_steps(d),
            "events": selectors.deliberation_events(d),
            "page_error": page_error,
        },
        status=status,
    )


@login_required
@require_GET
def signatures(request: HttpRequest, number: str, pk: int) -> FileResponse:
    d = selectors.deliberation_get(request.user, number)
    step = selectors.deliberation_steps(d).filter(pk=pk).first()
    if step is None or not step.signatures:
        raise Http404
    return FileResponse(
        step.signatures.open("rb"),
        as_attachment=True,
        filename=step.signatures_name or step.signatures.name or "signatures",
    )


# 一事一议 ---------------------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.project_list(request.user, status=request.GET.get("status", ""))
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), limit=50)
    return render(
        request,
        "deliberation/projects.html",
        {"page": page, "can_add": has_any(request.user, Project, "add")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Project, "add"):
        raise PermissionDenied(gettext("您没有提议一事一议项目的权限"))
    home = getattr(getattr(request.user, "area", None), "code", "")
    form = forms.ProjectForm(request.POST or None, initial={"area_code": home})
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            p = services.project_create(
                actor=request.user,
                area=c["area_code"],
                title=c["title"],
                purpose=c["purpose"],
                description=c["description"],
                proposer=c["proposer"],
                signers=c["signers"] or 0,
                villagers=c["villagers"],
                representatives=c["representatives"] or 0,
                budget=c["budget"],
                money_per_person=c["money_per_person"] or 0,
                labour_per_person=c["labour_per_person"] or 0,
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已提议：%(number)s") % {"number": p.number})
            return redirect("deliberation:project", number=p.number)
    return _form_page(request, form, gettext("提议一事一议项目"), "/deliberation/projects/")


PROJECT_FORMS: dict[str, type[forms.Versioned]] = {
    "notice": forms.NoticeForm,
    "canvass": forms.CanvassForm,
    "vote": forms.VoteForm,
    "approve_township": forms.DecisionForm,
    "reply": forms.DecisionForm,
    "contribute": forms.ContributionForm,
    "book": forms.LedgerForm,
    "finish": forms.NoteForm,
}


def _project_run(user: Any, p: Project, action: str, c: dict[str, Any]) -> None:
    v: dict[str, Any] = {"actor": user, "project": p, "version": c.get("version")}
    if action == "notice":
        services.project_notice(**v, notice_from=c["notice_from"], notice_until=c["notice_until"])
    elif action == "canvass":
        services.project_canvass(
            **v, households=c["households"], canvassed=c["canvassed"], agree=c["agree"]
        )
    elif action == "vote":
        tally = Tally(
            **{
                k: c.get(k) or 0
                for k in (
                    "due",
                    "present",
                    "votes_for",
                    "votes_against",
                    "abstain",
                    "households_due",
                    "households_present",
                )
            }
        )
        services.project_vote(
            **v, assembly=c["assembly"], tally=tally, held_on=c["held_on"], note=c["note"]
        )
    elif action == "approve_township":
        services.project_township(**v, approve=c["approve"], note=c["note"])
    elif action == "reply":
        services.project_reply(**v, approved=c["approve"], note=c["note"])
    elif action == "contribute":
        services.contribution_add(
            **v,
            household=c["household"],
            phone=c["phone"],
            persons=c["persons"],
            on=c["on"],
            money=c["money"] or 0,
            labour_days=c["labour_days"] or 0,
            exempt_reason=c["exempt_reason"],
        )
    elif action == "book":
        services.ledger_add(**v, kind=c["kind"], amount=c["amount"], on=c["on"], note=c["note"])
    elif action == "finish":
        services.project_finish(**v, note=c["note"])


@login_required
@require_http_methods(["POST"])
def project_personal(request: HttpRequest, number: str) -> HttpResponse:
    """显示完整信息: the households unmasked, audited by the service; never kept."""
    p = selectors.project_get(request.user, number)
    try:
        revealed = services.contributions_reveal(actor=request.user, project=p)
    except ZhiliError as exc:
        return _project_page(request, p, page_error=exc.message, status=exc.status)
    return _project_page(request, p, revealed={r["id"]: r for r in revealed})


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _project_page(request, selectors.project_get(request.user, number))


def _project_page(
    request: HttpRequest,
    p: Project,
    *,
    revealed: dict[str, dict[str, str]] | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    number = p.number
    posted = request.POST.get("action", "") if request.method == "POST" and revealed is None else ""
    allowed = [a for a in PROJECTS.allowed_actions(user, p) if a in PROJECT_FORMS]
    action_forms = []
    for key in allowed:
        form = PROJECT_FORMS[key](
            request.POST if posted == key else None, initial={"version": p.version}
        )
        action_forms.append((key, str(PROJECTS.rules[key].label), form))
    if posted:
        offered = {k: f for k, _l, f in action_forms}
        if posted not in offered:
            page_error, status = gettext("当前不能进行这一步，请刷新页面"), 409
        elif offered[posted].is_valid():
            try:
                _project_run(user, p, posted, offered[posted].cleaned_data)
            except ZhiliError as exc:
                offered[posted].add_error(None, exc.message)
                status = 200 if exc.status == 422 else exc.status
            else:
                messages.success(request, gettext("已保存"))
                return redirect("deliberation:project", number=number)
    shown = revealed or {}
    contributions = [
        {
            "row": c,
            "household": shown[str(c.pk)]["household"]
            if str(c.pk) in shown
            else mask("name", c.household),
            "phone": shown[str(c.pk)]["phone"] if str(c.pk) in shown else mask("phone", c.phone),
        }
        for c in selectors.project_contributions(p)
    ]
    return render(
        request,
        "deliberation/project.html",
        {
            "p": p,
            "forms": action_forms,
            "book": selectors.project_book(p),
            "contributions": contributions,
            "ledger": selectors.project_ledger(p),
            "events": selectors.project_events(p),
            "can_reveal": revealed is None and bool(contributions) and may_see(user, p),
            "page_error": page_error,
        },
        status=status,
    )


# Public -------------------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """村务公开: what is on display today (no login)."""
    return render(request, "deliberation/public.html", {"items": current_publicity()})


@require_GET
def public_item(request: HttpRequest, number: str) -> HttpResponse:
    items = [i for i in current_publicity() if i.url.rstrip("/").endswith(number)]
    if not items:
        raise Http404
    return render(request, "deliberation/public.html", {"items": items, "single": True})
