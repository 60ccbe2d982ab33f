"""Dispute pages: list with queues, register, the case file with its actions, printable
agreement, statistics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhili.areas.selectors import area_get
from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.scoping import has_any
from zhili.disputes import selectors, services
from zhili.disputes.forms import (
    AgreeForm,
    AssignForm,
    ConfirmForm,
    DisputeForm,
    ExtendForm,
    NoteForm,
    ReasonForm,
    SessionForm,
)
from zhili.disputes.models import Channel, Dispute, Status

QUEUES = {
    "": "全部",
    "overdue": "超期未结",
    "confirmation": "待司法确认",
    "follow_up": "待回访",
    "mine": "我调解的",
}


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    queue = request.GET.get("queue", "")
    qs = selectors.dispute_list(
        request.user,
        status=request.GET.get("status", ""),
        channel=request.GET.get("channel", ""),
        queue=queue,
    )
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), limit=50)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "disputes/list.html",
        {
            "page": page,
            "queue": queue,
            "queues": QUEUES,
            "params": params.urlencode(),
            "can_add": has_any(request.user, Dispute, "add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    from zhili.matters.selectors import matter_get

    initial: dict[str, Any] = {}
    if request.GET.get("matter"):
        m = matter_get(request.user, request.GET["matter"])
        initial = {
            "channel": Channel.MATTER,
            "matter": m.number,
            "subject": m.title,
            "facts": m.description,
            "area_code": m.area.code,
            "applicant": m.reporter_name,
            "applicant_phone": m.reporter_phone,
        }
    form = DisputeForm(request.POST or None, initial=initial)
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
                area=area_get(request.user, d["area_code"].strip()),
                parties=parties,
                amount=d["amount"],
                referral_no=d["referral_no"],
                matter=matter_get(request.user, d["matter"].strip())
                if d["matter"].strip()
                else None,
                litigation_involved=d["litigation_involved"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记：{case.number}")
            return redirect("disputes:detail", number=case.number)
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": "登记矛盾纠纷", "back_url": "/disputes/", "submit_label": "登记"},
    )


ACTION_FORMS = {
    "assign": ("指派调解员", AssignForm, (Status.REGISTERED, Status.MEDIATING)),
    "session": ("记录调解", SessionForm, (Status.MEDIATING,)),
    "extend": ("延长调解期限", ExtendForm, (Status.REGISTERED, Status.MEDIATING)),
    "agree": ("达成协议", AgreeForm, (Status.MEDIATING,)),
    "fail": ("调解不成", ReasonForm, (Status.REGISTERED, Status.MEDIATING)),
    "confirm": ("记录司法确认", ConfirmForm, (Status.AGREED,)),
    "close": ("结案", NoteForm, (Status.AGREED,)),
    "follow_up": ("回访", NoteForm, (Status.CLOSED, Status.FAILED)),
    "escalation": (
        "标记激化迹象",
        NoteForm,
        (Status.REGISTERED, Status.MEDIATING, Status.AGREED, Status.FAILED),
    ),
}


def _run(user: Any, d: Dispute, action: str, c: dict[str, Any]) -> None:
    from zhili.org.selectors import user_list

    if action == "assign":
        mediator = user_list(user).filter(username=c["mediator"].strip()).first()
        if mediator is None:
            raise ValidationFailed(f"调解员账号 {c['mediator']} 不存在或不在您的管辖范围内")
        services.dispute_assign(actor=user, dispute=d, committee=c["committee"], mediator=mediator)
    elif action == "session":
        services.session_add(actor=user, dispute=d, at=c["at"], notes=c["notes"], place=c["place"])
    elif action == "extend":
        services.dispute_extend(
            actor=user,
            dispute=d,
            days=c["days"],
            parties_request=c["parties_request"],
            note=c["note"],
        )
    elif action == "agree":
        services.dispute_agree(actor=user, dispute=d, agreement=c["agreement"])
    elif action == "fail":
        services.dispute_fail(actor=user, dispute=d, reason=c["reason"])
    elif action == "confirm":
        services.dispute_confirm(actor=user, dispute=d, confirmed_on=c["confirmed_on"])
    elif action == "close":
        services.dispute_close(actor=user, dispute=d, note=c["note"])
    elif action == "follow_up":
        services.dispute_follow_up(actor=user, dispute=d, note=c["note"])
    elif action == "escalation":
        services.dispute_flag_escalation(actor=user, dispute=d, note=c["note"])


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    from zhili.org.models import UnitType
    from zhili.org.selectors import unit_list

    d = selectors.dispute_get(request.user, number)
    posted = request.POST.get("action", "")
    forms_ = []
    for key, (label, cls, states) in ACTION_FORMS.items():
        if d.status not in states:
            continue
        form = cls(request.POST if posted == key else None)
        if key == "assign":
            committees = unit_list(request.user).filter(type=UnitType.MEDIATION_COMMITTEE)
            form.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        forms_.append((key, label, form))
    for key, _label, form in forms_:
        if request.method == "POST" and key == posted and form.is_valid():
            try:
                _run(request.user, d, key, form.cleaned_data)
            except ZhiliError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存")
                return redirect("disputes:detail", number=d.number)
    return render(
        request,
        "disputes/detail.html",
        {
            "d": d,
            "forms": forms_,
            # lint: allow-related (kernel merge pending)
            "parties": d.parties.all(),
            # lint: allow-related (kernel merge pending)
            "sessions": d.sessions.select_related("mediator"),
            # lint: allow-related (kernel merge pending)
            "events": d.events.all(),
            # lint: allow-related (kernel merge pending)
            "risks": d.risks.all(),
        },
    )


@login_required
def agreement(request: HttpRequest, number: str) -> HttpResponse:
    d = selectors.dispute_get(request.user, number)
    if not d.agreement_text:
        raise ValidationFailed("本案尚未达成调解协议")
    # lint: allow-related (kernel merge pending)
    return render(request, "disputes/agreement.html", {"d": d, "parties": d.parties.all()})


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    return render(request, "disputes/stats.html", {"stats": selectors.stats(request.user)})
