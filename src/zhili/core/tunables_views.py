"""The business-parameters page (业务参数): thin; reads and writes go through core.tunables."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from zhili.core import tunables
from zhili.core.errors import ZhiliError


@login_required
def tunables_page(request: HttpRequest) -> HttpResponse:
    may_change = tunables.tunables_may_change(request.user)
    failed: dict[str, str] = {}
    typed: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        key = request.POST.get("key", "")
        reason = request.POST.get("reason", "")
        restore = request.POST.get("action") == "reset"
        raw = "" if restore else request.POST.get("value", "")
        try:
            after = tunables.tunable_set(actor=request.user, key=key, value=raw, reason=reason)
            label = tunables.definition(key).label
            messages.success(
                request, gettext("已保存“%(label)s”：%(after)s") % {"label": label, "after": after}
            )
            return redirect("tunables")
        except ZhiliError as exc:
            if exc.status == 403:
                raise
            failed[key], typed[key] = exc.message, raw
    return render(
        request,
        "core/tunables.html",
        {
            "groups": [
                (
                    group,
                    [
                        (row, failed.get(row.tunable.key, ""), typed.get(row.tunable.key, ""))
                        for row in rows
                    ],
                )
                for group, rows in tunables.tunable_rows()
            ],
            "may_change": may_change,
            "reason": reason,
        },
    )
