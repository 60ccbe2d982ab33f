"""Matter pages (placeholder views until the pages land; each renders real data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhili.matters import selectors


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    f = selectors.MatterFilters(queue=request.GET.get("queue", ""))
    rows = selectors.matter_list(request.user, f).order_by("-id")[:50]
    return render(request, "matters/queue.html", {"rows": rows})


@login_required
def metrics(request: HttpRequest) -> HttpResponse:
    return render(request, "matters/queue.html", {"rows": []})


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    return render(request, "matters/queue.html", {"rows": []})


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    matter = selectors.matter_get(request.user, number)
    return render(request, "matters/queue.html", {"rows": [matter]})
