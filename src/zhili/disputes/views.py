"""Dispute pages: list with queues, register, the case file with its actions, the audited reveal
of the parties' data, printable agreement, statistics. Thin: reads through selectors, writes
through services; the actions a page offers come from the rules table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhili.core import privacy
from zhili.core.errors import PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers, filter_area
from zhili.core.scoping import has_any
from zhili.disputes import selectors, services
from zhili.disputes.forms import (
    ActionForm,
    AgreeForm,
    AssignForm,
    ConfirmForm,
    DisputeForm,
    ExtendForm,
    NoteForm,
    ReasonForm,
    SessionForm,
)
from zhili.disputes.models import Dispute
from zhili.disputes.presenters import party_rows
from zhili.disputes.workflow import WORKFLOW, allowed_actions

QUEUES = {
    "": _("全部"),
    "overdue": _("超期未结"),
    "confirmation": _("待司法确认"),
    "follow_up": _("待回访"),
    "mine": _("我调解的"),
}


def _list(request: HttpRequest, queue: str) -> HttpResponse:
    area, area_error = filter_area(
        request.user, request.GET.get("area", ""), "disputes.dispute.view"
    )
    qs = selectors.dispute_list(
        request.user,
        status=request.GET.get("status", ""),
        channel=request.GET.get("channel", ""),
        queue=queue,
        area=area,
    )
    page = keyset_page(
        qs.none() if area_error else qs, order=("-id",), cursor=request.GET.get("cursor"), limit=50
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "disputes/list.html",
        {
            "page": page,
            "queue": queue,
            "queues": QUEUES,
            "area_text": request.GET.get("area", ""),
            "area_error": area_error,
            "params": params.urlencode(),
            "can_add": has_any(request.user, Dispute, "add"),
        },
    )


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    return _list(request, request.GET.get("queue", ""))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The disputes assigned to the user as mediator (a mediator's whole list)."""
    return _list(request, "mine")


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    from zhili.matters.selectors import matter_get

    number = (request.POST.get("matter") or request.GET.get("matter") or "").strip()
    initial: dict[str, Any] = {}
    reporter = None
    if not has_any(request.user, Dispute, "add"):
        raise PermissionDenied(gettext("您没有登记矛盾纠纷的权限"))
    if number:
        try:
            initial, reporter = selectors.matter_prefill(request.user, number)
        except ZhiliError:
            if request.method == "GET":
                raise
            # A wrong number posted: the form says so below (the service reads it again).
    form = DisputeForm(request.POST or None, initial=initial, reporter=reporter)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            parties = [
                {
                    "role": "applicant",
                    "name": d["applicant"],
                    "phone": d["applicant_phone"],
                    "id_number": d["applicant_id"],
                },
                {
                    "role": "respondent",
                    "name": d["respondent"],
                    "phone": d["respondent_phone"],
                    "is_organisation": d["respondent_is_org"],
                },
            ]
            case = services.dispute_register(
                actor=request.user,
                channel=d["channel"],
                subject=d["subject"],
                facts=d["facts"],
                area=d["area_code"],
                parties=parties,
                amount=d["amount"],
                referral_no=d["referral_no"],
                matter=matter_get(request.user, d["matter"].strip())
                if d["matter"].strip()
                else None,
                reporter_as_applicant=bool(d.get("applicant_is_reporter")),
                litigation_involved=d["litigation_involved"],
                parties_consent=d["parties_consent"],
                complex_case=d["complex_case"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已登记：%(number)s") % {"number": case.number})
            return redirect("disputes:detail", number=case.number)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": gettext("登记矛盾纠纷"),
            "back_url": "/disputes/",
            "submit_label": gettext("登记"),
        },
    )


# The input of each action; which of them a page shows comes from WORKFLOW.allowed_actions.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    "assign": AssignForm,
    "session": SessionForm,
    "extend": ExtendForm,
    "agree": AgreeForm,
    "fail": ReasonForm,
    "confirm": ConfirmForm,
    "close": NoteForm,
    "follow_up": NoteForm,
    "escalation": NoteForm,
}


def _run(user: Any, d: Dispute, action: str, c: dict[str, Any]) -> None:
    v: dict[str, Any] = {"actor": user, "dispute": d, "version": c.get("version")}
    if action == "assign":
        services.dispute_assign(**v, committee=c["committee"], mediator=c["mediator"])
    elif action == "session":
        services.session_add(**v, at=c["at"], notes=c["notes"], place=c["place"])
    elif action == "extend":
        services.dispute_extend(
            **v, days=c["days"], parties_request=c["parties_request"], note=c["note"]
        )
    elif action == "agree":
        services.dispute_agree(**v, agreement=c["agreement"])
    elif action == "fail":
        services.dispute_fail(**v, reason=c["reason"])
    elif action == "confirm":
        services.dispute_confirm(**v, confirmed_on=c["confirmed_on"], applied_on=c["applied_on"])
    elif action == "close":
        services.dispute_close(**v, note=c["note"])
    elif action == "follow_up":
        services.dispute_follow_up(**v, note=c["note"])
    elif action == "escalation":
        services.dispute_flag_escalation(**v, note=c["note"])


def _action_form(request: HttpRequest, d: Dispute, key: str, posted: str) -> ActionForm:
    from zhili.org.models import UnitType
    from zhili.org.selectors import unit_list

    form = ACTION_FORMS[key](
        request.POST if posted == key else None, initial={"version": d.version}
    )
    if key == "assign":
        committees = unit_list(request.user).filter(type=UnitType.MEDIATION_COMMITTEE)
        form.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        bind_pickers(form, request.user, area=d.area, unit_field="committee")
    return form


def _post_action(request: HttpRequest, d: Dispute, forms_: list[Any]) -> tuple[str, int]:
    """Run the posted action; (error for the page, status). Success redirects (status 302)."""
    posted = request.POST.get("action", "")
    if posted not in ACTION_FORMS:
        return "", 200
    offered = {key: form for key, _label, form in forms_}
    form = offered.get(posted) or _action_form(request, d, posted, posted)
    if not form.is_valid():
        return ("" if posted in offered else gettext("请检查填写的内容")), 200
    try:
        _run(request.user, d, posted, form.cleaned_data)
    except ZhiliError as exc:
        # A validation message goes on the form; a refusal (403/404/409) also sets the status.
        status = 200 if exc.status == 422 else exc.status
        if posted in offered:
            form.add_error(None, exc.message)
            return "", status
        return exc.message, status
    return "", 302


def _detail(
    request: HttpRequest,
    d: Dispute,
    *,
    revealed: list[dict[str, str]] | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    posted = request.POST.get("action", "") if request.method == "POST" else ""
    forms_ = [
        (key, WORKFLOW.rules[key].label, _action_form(request, d, key, posted))
        for key in allowed_actions(user, d)
    ]
    if posted:
        page_error, status = _post_action(request, d, forms_)
        if status == 302:
            messages.success(request, gettext("已保存"))
            return redirect("disputes:detail", number=d.number)
    parties = list(selectors.dispute_parties(d))
    return render(
        request,
        "disputes/detail.html",
        {
            "d": d,
            "forms": forms_,
            "page_error": page_error,
            "parties": party_rows(parties, revealed),
            "revealed": revealed is not None,
            "can_reveal": revealed is None
            and privacy.may_see(user, d)
            and any(p.phone or p.id_number or p.address for p in parties),
            "sessions": selectors.dispute_sessions(d),
            "events": selectors.dispute_events(d),
            "risks": selectors.dispute_risks(user, d),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors.dispute_get(request.user, number))


@login_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """显示当事人完整信息: audited by the service; never kept in the URL or the session."""
    d = selectors.dispute_get(request.user, number)
    try:
        revealed = services.dispute_reveal_parties(actor=request.user, dispute=d)
    except ZhiliError as exc:
        return _detail(request, d, page_error=exc.message, status=exc.status)
    return _detail(request, d, revealed=revealed)


@login_required
def agreement(request: HttpRequest, number: str) -> HttpResponse:
    d = selectors.dispute_get(request.user, number)
    if not d.agreement_text:
        raise ValidationFailed(gettext("本案尚未达成调解协议"))
    return render(
        request,
        "disputes/agreement.html",
        {"d": d, "parties": party_rows(selectors.dispute_parties(d))},
    )


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    return render(request, "disputes/stats.html", {"stats": selectors.stats(request.user)})
