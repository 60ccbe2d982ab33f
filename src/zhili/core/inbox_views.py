"""Inbox pages: the list (unread first), open a notice, mark one or all read. Thin: reads and
writes go through core.inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhili.core import inbox


@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    page = inbox.inbox_page(request.user, cursor=request.GET.get("cursor"))
    return render(
        request,
        "core/inbox.html",
        {"page": page, "unread": inbox.unread_count(request.user), "params": ""},
    )


@login_required
def inbox_open(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Follow a notice's link; opening it marks it read. GET is safe to repeat."""
    notice = inbox.notice_mark_read(user=request.user, notice_id=notice_id)
    target = notice.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("inbox")
    return redirect(target)


@login_required
@require_POST
def inbox_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = inbox.notice_mark_read(user=request.user, notice_id=notice_id)
    if getattr(request, "htmx", False):
        row = render(request, "core/inbox.html#notice-row", {"n": notice})
        badge = render(
            request,
            "core/_inbox_badge.html",
            {"inbox_unread": inbox.unread_count(request.user), "oob": True},
        )
        row.content += badge.content
        return row
    return redirect("inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    inbox.notice_mark_all_read(user=request.user)
    return redirect("inbox")
