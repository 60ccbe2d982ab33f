"""The holiday-calendar page (节假日调整): overrides for years chinese-calendar does not know.
Thin: reads and writes go through core.calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhili.core import calendar
from zhili.core.errors import ZhiliError
from zhili.core.forms import style_fields


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class CalendarDayForm(_Styled):
    date = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("安排"),
        choices=[("0", gettext_lazy("放假")), ("1", gettext_lazy("上班（调休）"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=100, required=False)


class CalendarImportForm(_Styled):
    text = forms.CharField(
        label=gettext_lazy("整年安排"),
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": gettext_lazy(
                    "2027-01-01 放假 元旦\n2027-02-06~2027-02-14 放假 春节\n2027-02-15 上班 春节调休"
                ),
            }
        ),
        help_text=gettext_lazy(
            "每行一天或一个日期范围（用 ~ 连接），然后写“放假”或“上班”，可加说明。全部正确才会导入。"
        ),
    )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    may_change = calendar.calendar_may_change(request.user)
    day_form, import_form = CalendarDayForm(prefix="day"), CalendarImportForm(prefix="import")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "set":
                day_form = CalendarDayForm(request.POST, prefix="day")
                if day_form.is_valid():
                    d = day_form.cleaned_data
                    calendar.calendar_day_set(
                        actor=request.user,
                        date=d["date"],
                        is_workday=d["is_workday"],
                        note=d["note"],
                    )
                    messages.success(
                        request, gettext("已保存 %(d)s") % {"d": format(d["date"], "%Y-%m-%d")}
                    )
                    return redirect("calendar")
            elif action == "import":
                import_form = CalendarImportForm(request.POST, prefix="import")
                if import_form.is_valid():
                    n = calendar.calendar_import(
                        actor=request.user, text=import_form.cleaned_data["text"]
                    )
                    messages.success(request, gettext("已导入 %(n)s 天") % {"n": n})
                    return redirect("calendar")
            elif action == "delete":
                date = dt.date.fromisoformat(request.POST.get("date", ""))
                calendar.calendar_day_delete(actor=request.user, date=date)
                messages.success(
                    request, gettext("已删除 %(date)s 的调整") % {"date": format(date, "%Y-%m-%d")}
                )
                return redirect("calendar")
        except ValueError:
            messages.error(request, "日期无效")
        except ZhiliError as exc:
            if exc.status == 403:
                raise
            messages.error(request, exc.message)
    years = calendar.calendar_years(calendar.this_and_next_year())
    since = dt.date(timezone.localdate().year - 1, 1, 1)
    return render(
        request,
        "core/calendar.html",
        {
            "years": years,
            "missing": [y for y in years if y.missing],
            "days": calendar.calendar_days(since=since),
            "may_change": may_change,
            "day_form": day_form,
            "import_form": import_form,
        },
    )
