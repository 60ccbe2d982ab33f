"""Pages for residents, without login: report a matter on the web, look up its progress.

Nothing here shows staff names or anyone's personal data. Both forms are throttled per address
(``core.throttle.throttled``: a fixed window in Django's cache)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.core.i18n import Label
from zhili.core.throttle import throttled
from zhili.matters import selectors, services
from zhili.matters.actions import Resident
from zhili.matters.forms import (
    LookupForm,
    PublicRateForm,
    PublicReportForm,
    question_rows,
    read_answers,
)
from zhili.matters.models import Channel, Status

LOOKUP_LIMIT = int(getattr(settings, "ZHILI_PUBLIC_LOOKUP_LIMIT", 10))
LOOKUP_WINDOW = int(getattr(settings, "ZHILI_PUBLIC_LOOKUP_WINDOW", 15 * 60))
REPORT_LIMIT = int(getattr(settings, "ZHILI_PUBLIC_REPORT_LIMIT", 10))
REPORT_WINDOW = int(getattr(settings, "ZHILI_PUBLIC_REPORT_WINDOW", 60 * 60))
NOT_FOUND = gettext_lazy("未查到与该编号和手机号后四位相符的诉求，请核对后再试。")
SESSION_KEY = "zhili_public_report_number"
LOOKUP_KEY = "zhili_public_lookup_matter"  # the matter this browser proved it reported
DONE_LOOKUP_KEY = "zhili_public_report_lookup"  # whether the report left a phone to look up by
KEPT_KEY = "zhili_public_report_photos"  # hashes of the photos this browser uploaded


def _too_often() -> str:
    return gettext("提交过于频繁，请 %(REPORT_WINDOW)s 分钟后再试。") % {
        "REPORT_WINDOW": REPORT_WINDOW // 60
    }


def _store_photos(request: HttpRequest, form: PublicReportForm) -> list[Any] | None:
    """The staff forms' store and checks (type by magic bytes, size, count); what this browser
    stored is remembered in its session, so a later try keeps it (and only it)."""
    photos = form.store_photos()
    kept = set(request.session.get(KEPT_KEY, []))
    kept.update(a.sha256 for a in form.stored)
    request.session[KEPT_KEY] = sorted(kept)[-50:]
    return photos


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None, request.FILES or None)
    form.allowed_kept = set(request.session.get(KEPT_KEY, []))
    status = 200
    valid = request.method == "POST" and form.is_valid()
    if request.method == "POST" and not valid and "photos" not in form.errors:
        # Another field is wrong: keep the chosen photos (within the same throttle) so the
        # resident need not choose them again.
        if request.FILES and throttled("report", request, limit=REPORT_LIMIT, window=REPORT_WINDOW):
            form.add_error(None, _too_often())
            status = 429
        elif hasattr(form, "cleaned_data"):
            _store_photos(request, form)
    if valid:
        if throttled("report", request, limit=REPORT_LIMIT, window=REPORT_WINDOW):
            form.add_error(None, _too_often())
            status = 429
        elif (photos := _store_photos(request, form)) is not None:
            d = form.cleaned_data
            try:
                area = form.picked_area  # the form looked it up (and refused one not found)
                category = form.category_obj()
                if category is None:
                    raise ValidationFailed(gettext("请选择诉求类别"), code="invalid_category")
                matter = services.matter_create(
                    actor=None,
                    category=category,
                    channel=Channel.WEB,
                    description=d["description"],
                    area=area,
                    lat=d["lat"],  # kept with a picked area too (it may place it finer)
                    lng=d["lng"],
                    coord_system=d["coord_system"] or "wgs84",
                    address=d["address"],
                    reporter_name=d["reporter_name"],
                    reporter_phone=d["reporter_phone"],
                    anonymous=d["anonymous"],
                    answers=read_answers(request.POST, category),
                    attachments=photos,
                )
            except ZhiliError as exc:
                form.show_refusal(exc)
            else:
                request.session[SESSION_KEY] = matter.number
                request.session[DONE_LOOKUP_KEY] = bool(matter.reporter_phone)
                request.session.pop(KEPT_KEY, None)
                return redirect("public:report_done")
    category = form.category_obj()
    return render(
        request,
        "matters/public/report.html",
        {
            "form": form,
            "category": category,
            "questions": question_rows(
                category,
                read_answers(request.POST, category) if form.is_bound else {},
                errors=form.question_errors(),
            ),
            "with_anonymous": True,
            "anonymous_checked": bool(form["anonymous"].value()),
            "chain": selectors.area_picker_chain(None, form["area"].value() or ""),
            "options_url": "public:area_options",
            "public": True,
            "stored": form.stored,
        },
        status=status,
    )


@require_GET
def public_report_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get(SESSION_KEY)
    if not number:
        return redirect("public:report")
    lookup = request.session.get(DONE_LOOKUP_KEY, True)
    return render(request, "matters/public/report_done.html", {"number": number, "lookup": lookup})


@require_http_methods(["GET", "POST"])
def public_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    matter = None
    message: Label = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttled("lookup", request, limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW):
            message = gettext("查询次数过多，请 %(LOOKUP_WINDOW)s 分钟后再试。") % {
                "LOOKUP_WINDOW": LOOKUP_WINDOW // 60
            }
            status = 429
        else:
            matter = selectors.public_lookup(
                form.cleaned_data["number"], form.cleaned_data["phone_last4"]
            )
            if matter is None:
                message = NOT_FOUND
            else:  # proven: this browser may rate this matter (until the session ends)
                request.session[LOOKUP_KEY] = matter.pk
    return _lookup_page(request, form, matter, message=message, status=status)


def _lookup_page(
    request: HttpRequest,
    form: Any,
    matter: Any,
    *,
    message: Label = "",
    status: int = 200,
    rate_form: Any = None,
) -> HttpResponse:
    can_rate = matter is not None and matter.status == Status.CLOSED
    return render(
        request,
        "matters/public/lookup.html",
        {
            "form": form,
            "matter": matter,
            "steps": public_steps(matter) if matter else [],
            "status_text": public_status(matter) if matter else "",
            "message": message,
            "rate_form": (rate_form or PublicRateForm()) if can_rate else None,
        },
        status=status,
    )


@require_POST
def public_rate(request: HttpRequest) -> HttpResponse:
    """The resident rates their closed matter, after proving it on the lookup page."""
    pk = request.session.get(LOOKUP_KEY)
    matter = selectors.public_matter(int(pk)) if pk else None
    if matter is None:
        return redirect("public:lookup")
    form = PublicRateForm(request.POST)
    message, status = "", 200
    if form.is_valid():
        try:
            services.matter_rate(
                actor=Resident(matter.pk),
                matter=matter,
                solved=form.cleaned_data["solved"],
                satisfied=form.cleaned_data["satisfied"],
                note=form.cleaned_data["note"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            message = gettext("感谢您的评价。")
            matter = selectors.public_matter(matter.pk) or matter
    lookup = LookupForm(initial={"number": matter.number})
    rate_form = None if message else form
    return _lookup_page(
        request, lookup, matter, message=message, status=status, rate_form=rate_form
    )


# What a resident may see of each step: a label, the unit (never a person), and the note only
# where it is addressed to the resident (why a matter was not accepted, guidance on 私事).
PUBLIC_STEPS = {
    "submit": gettext_lazy("已受理"),
    "accept": gettext_lazy("已立案"),
    "reject": gettext_lazy("不予立案"),
    "triage": gettext_lazy("已分流"),
    "dispatch": gettext_lazy("已派遣至责任单位"),
    "sign": gettext_lazy("责任单位已签收"),
    "report": gettext_lazy("责任单位已反馈处置结果"),
    "verify": gettext_lazy("已核查"),
    "close": gettext_lazy("已办结"),
    "rate": gettext_lazy("已回访"),
    "reopen": gettext_lazy("重新办理"),
    "suspend": gettext_lazy("暂缓办理"),
    "resume": gettext_lazy("恢复办理"),
    "merge": gettext_lazy("已与相同诉求合并办理"),
    "self_handle": gettext_lazy("已现场处置"),
}
PUBLIC_NOTES = {"reject", "triage"}


def public_steps(matter: Any) -> list[dict[str, Any]]:
    steps = []
    for e in selectors.matter_timeline(matter):
        label: Label | None = PUBLIC_STEPS.get(e.action)
        if label is None:
            continue
        if e.action == "verify" and not (e.data or {}).get("passed"):
            label = gettext("核查未通过，返回责任单位继续办理")
        if e.action == "triage" and (e.data or {}).get("triage") != "private":
            continue  # an internal routing step; the resident sees the dispatch
        steps.append(
            {
                "label": label,
                "at": e.at,
                "unit": e.unit.name if e.unit and e.action in ("dispatch", "sign") else "",
                "note": e.note if e.action in PUBLIC_NOTES else "",
            }
        )
    return steps


@require_GET
def category_fields(request: HttpRequest) -> HttpResponse:
    """htmx: a category's hint, anonymity and extra questions (the catalogue is public)."""
    category = selectors.category_get(request.GET.get("category", ""))
    answers = read_answers(request.GET, category)
    return render(
        request,
        "matters/_category_fields.html",
        {
            "category": category,
            "questions": question_rows(category, answers),
            "anonymous_checked": request.GET.get("anonymous") == "on",
            "with_anonymous": request.GET.get("anon") != "0",
        },
    )


@require_GET
def area_options(request: HttpRequest) -> HttpResponse:
    """htmx: the next select of the public area picker (district → street → community)."""
    area = selectors.area_picker_area(None, request.GET.get("area", ""))
    options = selectors.area_picker_children(None, area) if area else []
    return render(
        request,
        "matters/_area_chain.html",
        {
            "chain": [{"options": options, "selected": ""}] if options else [],
            "options_url": "public:area_options",
        },
    )


STATUS_PUBLIC = {
    Status.SUBMITTED: gettext_lazy("已受理，等待立案"),
    Status.ACCEPTED: gettext_lazy("已立案，等待派遣"),
    Status.RETURNED: gettext_lazy("正在重新派遣"),
    Status.DISPATCHED: gettext_lazy("已派遣，等待责任单位签收"),
    Status.HANDLING: gettext_lazy("责任单位正在处置"),
    Status.REPORTED: gettext_lazy("处置完毕，正在核查"),
    Status.VERIFIED: gettext_lazy("核查通过，即将办结"),
    Status.CLOSED: gettext_lazy("已办结"),
    Status.RATED: gettext_lazy("已办结并回访"),
    Status.REJECTED: gettext_lazy("不予立案"),
    Status.SUSPENDED: gettext_lazy("暂缓办理"),
    Status.MERGED: gettext_lazy("已与相同诉求合并办理"),
}


def public_status(matter: Any) -> str:
    return STATUS_PUBLIC.get(matter.status, matter.get_status_display())
