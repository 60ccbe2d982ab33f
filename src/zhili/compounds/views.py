"""Compounds pages: the registry of old compounds, a compound's meetings, recording a joint
meeting (parties, people, cost sharing, tasks, matters), one meeting with its tasks. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhili.compounds import selectors, services
from zhili.compounds.forms import (
    CompleteForm,
    CompoundForm,
    FollowUpForm,
    LinkForm,
    MeetingForm,
)
from zhili.compounds.models import Compound, Coverage, FollowUp, Meeting, MeetingKind
from zhili.compounds.workflow import WORKFLOW
from zhili.core.errors import ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers


@login_required
@require_GET
def compound_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    f = selectors.CompoundFilters(
        coverage=g.get("coverage", ""), owners_committee=g.get("committee", ""), q=g.get("q", "")
    )
    page = keyset_page(
        selectors.compound_list(request.user, f), order=("-id",), cursor=g.get("cursor"), limit=50
    )
    params = g.copy()
    params.pop("cursor", None)
    return render(
        request,
        "compounds/list.html",
        {
            "page": page,
            "f": f,
            "params": params.urlencode(),
            "coverages": Coverage.choices,
            "counts": selectors.coverage_counts(request.user),
            "can_add": selectors.may_add(request.user, Compound),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def compound_create(request: HttpRequest) -> HttpResponse:
    form = CompoundForm(request.POST or None)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            compound = services.compound_create(actor=request.user, area=d.pop("area"), **d)
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记"))
            return redirect("compounds:detail", pk=compound.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("登记老旧小区"),
            "back_url": "/compounds/",
            "submit_label": _("登记"),
        },
    )


@login_required
@require_GET
def compound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = selectors.compound_get(request.user, pk)
    return render(
        request,
        "compounds/detail.html",
        {
            "compound": compound,
            "meetings": list(selectors.meeting_list(request.user, compound)[:100]),
            "can_meet": selectors.may_add(request.user, Meeting),
        },
    )


def _matters(user: Any, numbers: str) -> list[Any]:
    from zhili.matters.selectors import matter_get

    return [matter_get(user, n) for n in numbers.replace("，", " ").replace(",", " ").split()]


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    compound = selectors.compound_get(request.user, pk)
    kind = request.GET.get("kind") or MeetingKind.FIVE_PARTY
    form = MeetingForm(
        request.POST or None,
        initial={"kind": kind},
        parties=services.default_parties(kind if kind in MeetingKind.values else "five"),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parties, attendees, tasks = form.rows()
        try:
            meeting = services.meeting_create(
                actor=request.user,
                compound=compound,
                kind=d["kind"],
                held_on=d["held_on"],
                place=d["place"],
                topic=d["topic"],
                agenda=d["agenda"],
                decisions=d["decisions"],
                total_cost=d.get("total_cost") or 0,
                parties=parties,
                attendees=attendees,
                followups=tasks,
                matters=_matters(request.user, d.get("matters") or ""),
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("会议已记录"))
            return redirect("compounds:meeting", pk=meeting.pk)
    return render(
        request,
        "compounds/meeting_form.html",
        {"form": form, "compound": compound, "kinds": MeetingKind.choices},
    )


@login_required
@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    page = keyset_page(
        selectors.meeting_list(request.user),
        order=("-id",),
        cursor=request.GET.get("cursor"),
        limit=50,
    )
    return render(
        request,
        "compounds/meetings.html",
        {
            "page": page,
            "overdue": list(
                selectors.followups_overdue(request.user).select_related("owner", "meeting")[:100]
            ),
        },
    )


def _meeting_post(request: HttpRequest, meeting: Meeting, forms: dict[str, Any]) -> str | None:
    user, action = request.user, request.POST.get("action", "")
    form = forms.get(action)
    if form is None or not form.is_valid():
        return None
    d = form.cleaned_data
    if action == "link":
        from zhili.matters.selectors import matter_get

        services.meeting_link_matter(
            actor=user, meeting=meeting, matter=matter_get(user, d["matter"].strip())
        )
        return _("已关联诉求")
    if action == "task":
        owner = next(p for p in forms["parties"] if str(p.pk) == d["owner"])
        services.followup_add(
            actor=user, meeting=meeting, text=d["text"], owner=owner, due=d["due"]
        )
        return _("已布置任务")
    followup = selectors.followup_get(user, int(request.POST.get("followup") or 0))
    services.followup_complete(
        actor=user, followup=followup, result=d["result"], version=d.get("version")
    )
    return _("任务已完成")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_get(user, pk)
    parties = selectors.parties_of(meeting)
    post = request.POST if request.method == "POST" else None
    action = post.get("action", "") if post else ""
    forms: dict[str, Any] = {
        "parties": parties,
        "link": LinkForm(post if action == "link" else None, prefix="l"),
        "task": FollowUpForm(post if action == "task" else None, prefix="t", parties=parties),
        "complete": CompleteForm(post if action == "complete" else None, prefix="c"),
    }
    if post is not None:
        try:
            done = _meeting_post(request, meeting, forms)
        except ZhiliError as exc:
            form = forms.get(action)
            if isinstance(form, LinkForm | FollowUpForm | CompleteForm):
                form.add_error(None, exc.message)
        else:
            if done:
                messages.success(request, done)
                return redirect("compounds:meeting", pk=meeting.pk)
    followups = selectors.followups_of(user, meeting)
    return render(
        request,
        "compounds/meeting.html",
        {
            "meeting": meeting,
            "parties": parties,
            "attendees": selectors.attendees_of(meeting),
            "followups": [(t, WORKFLOW.allowed_actions(user, t)) for t in followups],
            "matters": selectors.matters_of_meeting(user, meeting),
            "forms": forms,
            "can_change": _may(user, meeting, "change"),
            "can_task": selectors.may_add(user, FollowUp),
            "events": selectors.followup_events(meeting),
        },
    )


def _may(user: Any, obj: Any, action: str) -> bool:
    from zhili.core.scoping import can, object_path

    return can(user, action, type(obj), object_path(obj))
