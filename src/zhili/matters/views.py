"""Matter pages for staff: work queues, the detail page with one form per allowed action, the
audited reveal of personal data, attachments. Thin: reads via selectors, writes via services;
every ZhiliError is shown next to the form that caused it. Intake is in intake_views.py, the
public pages in public_views.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from zhili.core import privacy
from zhili.core.db_router import report_reads
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.related import related_to
from zhili.core.scoping import has_any
from zhili.matters import list_xlsx, selectors, services, workflow
from zhili.matters.actions import SPECS
from zhili.matters.forms import PhotosMixin, QueueFilterForm
from zhili.matters.models import Matter, Status

PAGE_SIZE = 30
COUNT_CAP = 1000  # queue_counts stops counting here


# Work queues ---------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = QueueFilterForm(request.GET or None, user=request.user)
    error = ""
    items: list[Matter] = []
    next_cursor = None
    if not form.is_bound or form.is_valid():
        try:
            page = keyset_page(
                selectors.matter_list(user, form.filters()),
                order=("-id",),
                cursor=request.GET.get("cursor") or None,
                limit=PAGE_SIZE,
            )
        except ZhiliError as exc:
            error = exc.message
        else:
            items, next_cursor = page.items, page.next
    elif "queue" in form.errors:  # a hidden field: its error is said above the list
        error = str(form.errors["queue"][0])
    current = form.filters().queue
    counts = selectors.queue_counts(user)
    total = 0
    if not error and (not form.is_bound or form.is_valid()):
        total = selectors.matter_list(user, form.filters())[:COUNT_CAP].count()
    tabs = [{"key": "", "label": gettext("全部"), "count": None, "active": current == ""}] + [
        {
            "key": key,
            "label": label,
            "count": f"{COUNT_CAP - 1}+" if counts[key] >= COUNT_CAP else counts[key],
            "active": key == current,
        }
        for key, label in selectors.user_queues(user).items()
    ]
    params = request.GET.copy()
    params.pop("cursor", None)
    now = timezone.now()
    return render(
        request,
        "matters/queue.html",
        {
            "form": form,
            "tabs": tabs,
            "total": total if total < COUNT_CAP else COUNT_CAP - 1,
            "total_capped": total >= COUNT_CAP,
            "rows": [_row(m, now) for m in items],
            "next_cursor": next_cursor,
            "params": params.urlencode(),
            "filters_used": any(v for k, v in request.GET.items() if k not in ("queue", "cursor")),
            "error": error,
            "can_add": has_any(user, Matter, "add"),
        },
    )


def _row(m: Matter, now: Any) -> dict[str, Any]:
    return {
        "m": m,
        "late": m.overdue or bool(m.is_open and m.due_at and m.due_at < now),
        "reporter": gettext("匿名") if m.anonymous else privacy.mask_name(m.reporter_name),
    }


def _export_filters(request: HttpRequest, data: Any) -> selectors.MatterFilters:
    form = QueueFilterForm(data or None, user=request.user)
    if form.is_bound and not form.is_valid():
        raise ValidationFailed(
            gettext("筛选条件有误，请在工作台修改后再导出"), code="invalid_filters"
        )
    return form.filters()


@login_required
@require_GET
@report_reads
def queue_export(request: HttpRequest) -> HttpResponse:
    """The queue as filtered on the page, as xlsx: at once up to ``export_now_limit()`` rows
    (10,000); above that, a page offering the background export (core.exports) of the same
    filters."""
    filters = _export_filters(request, request.GET)
    limit = list_xlsx.export_now_limit()
    rows = list(
        selectors.matter_list(request.user, filters)
        .select_related("category", "area", "lead_unit")
        .order_by("-id")[: limit + 1]
    )
    label = selectors.QUEUES.get(filters.queue, "全部")
    if len(rows) > limit:
        total = selectors.matter_list(request.user, filters)[
            : list_xlsx.BACKGROUND_LIMIT + 1
        ].count()
        return render(
            request,
            "matters/export_large.html",
            {
                "total": total,
                "too_large": total > list_xlsx.BACKGROUND_LIMIT,
                "limit": limit,
                "background_limit": list_xlsx.BACKGROUND_LIMIT,
                "params": request.GET.urlencode(),
                "label": label,
            },
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        list_xlsx.queue_workbook(rows, title=list_xlsx.export_title(label)),
        content_type=list_xlsx.XLSX_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="matters-{stamp}.xlsx"'
    return response


@login_required
@require_POST
def queue_export_background(request: HttpRequest) -> HttpResponse:
    """Start the background export of the queue as filtered (the filters travel in ``params``)."""
    from django.http import QueryDict

    from zhili.core.exports import export_request

    params = request.POST.get("params", "")
    filters = _export_filters(request, QueryDict(params))
    total = selectors.matter_list(request.user, filters)[: list_xlsx.BACKGROUND_LIMIT + 1].count()
    if total > list_xlsx.BACKGROUND_LIMIT:
        raise ValidationFailed(
            gettext("超过 %(n)s 件，请缩小筛选范围后再导出（或通过 API 分页读取）")
            % {"n": list_xlsx.BACKGROUND_LIMIT},
            code="export_too_large",
        )
    label = selectors.QUEUES.get(filters.queue, "全部")
    job = export_request(
        actor=request.user,
        kind="matters.queue",
        title=list_xlsx.export_title(label),
        params=params,
        total=total,
    )
    return redirect("exports:detail", pk=job.pk)


@login_required
@require_GET
def case_file(request: HttpRequest, number: str) -> HttpResponse:
    """一案一档: the whole file of one matter on one printable page."""
    user = request.user
    matter = selectors.matter_get(user, number)
    return render(
        request,
        "matters/case_file.html",
        {
            "matter": matter,
            "ancestors": [*_ancestor_names(matter)],
            "answers": _answers(matter),
            "co_units": selectors.matter_co_units(matter),
            "timeline": selectors.matter_timeline(matter),
            "reporter": _reporter(user, matter, None),
            "related": related_to(user, matter),
            "printed_at": timezone.localtime(),
            "printed_by": user,
        },
    )


# Detail and actions --------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    # ?open=<action>: that card drawn open (the folded cards' link, for a browser without script).
    opened = request.GET.get("open", "")
    return _detail(request, selectors.matter_get(request.user, number), opened=opened)


@login_required
@require_GET
def action_form(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One folded card's form, drawn when the card is opened (htmx): the page draws only the
    usual next step's form, so it does not pay for forms nobody opens."""
    if action not in SPECS:
        raise NotFound(
            gettext("未知的操作：%(action)s") % {"action": action}, code="unknown_action"
        )
    user = request.user
    matter = selectors.matter_get(user, number)
    if action not in workflow.allowed_actions(user, matter):
        return render(
            request,
            "matters/_action_gone.html",
            {"matter": matter, "label": workflow.label(action)},
        )
    card = _action_view(action, open_=True, status=matter.status)
    card.update(_action_form(user, matter, action))
    return render(request, "matters/_action_form_body.html", {"f": card, "matter": matter})


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in SPECS:
        raise NotFound(
            gettext("未知的操作：%(action)s") % {"action": action}, code="unknown_action"
        )
    user = request.user
    matter = selectors.matter_get(user, number)
    form = SPECS[action].make_form(user=user, matter=matter, data=request.POST, files=request.FILES)
    status = 200
    if form.is_valid():
        extra: dict[str, Any] | None = {}
        if isinstance(form, PhotosMixin):
            photos = form.store_photos()
            extra = {"attachments": photos} if photos is not None else None
        if extra is not None:
            try:
                handler = getattr(services, f"matter_{action}")
                handler(
                    actor=user,
                    matter=matter,
                    version=form.cleaned_data.get("version"),
                    **form.service_kwargs(),
                    **extra,
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                if isinstance(exc, PermissionDenied):
                    status = exc.status
                if isinstance(exc, Conflict):
                    # Show the matter as it is now; a second submit is then a deliberate choice.
                    matter = selectors.matter_get(user, number)
                    fresh = request.POST.copy()
                    fresh[form.add_prefix("version")] = str(matter.version)
                    form.data = fresh
            else:
                label = workflow.label(action)
                messages.success(
                    request,
                    gettext("%(number)s：已%(label)s。")
                    % {"number": matter.number, "label": label},
                )
                return redirect("matters:detail", number=matter.number)
    return _detail(request, matter, bound=form, bound_action=action, status=status)


def _detail(
    request: HttpRequest,
    matter: Matter,
    *,
    bound: Any = None,
    bound_action: str = "",
    revealed: dict[str, str] | None = None,
    reveal_error: str = "",
    status: int = 200,
    opened: str = "",
) -> HttpResponse:
    user = request.user
    co_units = selectors.matter_co_units(matter)  # first: the actions below then need no query
    allowed = workflow.allowed_actions(user, matter)
    forms = []
    for action in allowed:
        card = _action_view(action, open_=action in (bound_action, opened), status=matter.status)
        if card["open"]:  # a folded card's form is drawn when it is opened (action_form)
            card.update(
                _action_form(user, matter, action, bound if action == bound_action else None)
            )
        forms.append(card)
    forms.sort(key=lambda f: not f["open"])  # the usual next step first, the rest folded below
    lost = bound is not None and bound_action not in allowed
    return render(
        request,
        "matters/detail.html",
        {
            "matter": matter,
            "ancestors": [*_ancestor_names(matter)],
            "answers": _answers(matter),
            "co_units": co_units,
            "merged_matters": selectors.matter_merged_in(user, matter),
            "merged_into_link": selectors.matter_merged_into_visible(user, matter),
            "timeline": selectors.matter_timeline(matter),
            "forms": forms,
            "lost_form": bound if lost else None,
            "lost_label": workflow.label(bound_action) if lost else "",
            "lost_values": _typed_text(bound) if lost else [],
            "duplicates": _duplicates(user, matter) if matter.status in _DUP_STATUSES else [],
            "can_merge": "merge" in allowed,
            "reporter": _reporter(user, matter, revealed),
            "reveal_error": reveal_error,
            "late": _row(matter, timezone.now())["late"],
            "related": related_to(user, matter),
        },
        status=status,
    )


def _typed_text(form: Any) -> list[tuple[str, str]]:
    """What the user typed into a form that can no longer be shown, so it is not lost."""
    return [
        (str(f.label), str(f.value()))
        for f in form.visible_fields()
        if isinstance(f.field.widget, forms.Textarea | forms.TextInput) and f.value()
    ]


def _action_view(action: str, *, open_: bool, status: str) -> dict[str, Any]:
    """An action's card: its words, and whether it is drawn open (the usual next step, the
    card the user just submitted, or the one asked for)."""
    spec = SPECS[action]
    again = status in spec.again
    return {
        "action": action,
        "label": spec.again_label if again else workflow.label(action),
        "form": None,
        "button": spec.again_label if again else spec.button,
        "style": "btn-outline-primary" if again else spec.style,
        "open": open_ or (spec.primary and not again),
        "multipart": False,
        "suggestion": None,
    }


def _action_form(user: Any, matter: Matter, action: str, bound: Any = None) -> dict[str, Any]:
    """An open card's form (``bound``: the one just submitted, with its errors); the dispatch
    form with the routing suggestion preselected."""
    form = bound if bound is not None else SPECS[action].make_form(user=user, matter=matter)
    drawn: dict[str, Any] = {"form": form, "multipart": isinstance(form, PhotosMixin)}
    if action == "dispatch":
        suggestion = _suggestion(matter)
        if suggestion:
            _preselect(form, suggestion)
            if suggestion.get("rule_unit_name") or suggestion.get("learned_unit_name"):
                drawn["suggestion"] = suggestion
    return drawn


def _ancestor_names(matter: Matter) -> list[str]:
    from zhili.areas.selectors import area_ancestors

    return [a.name for a in area_ancestors(matter.area)[1:]]


def _answers(matter: Matter) -> list[tuple[str, str]]:
    labels = {q["key"]: q["label"] for q in matter.category.questions or []}
    out = []
    for key, value in (matter.answers or {}).items():
        shown = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        out.append((labels.get(key, key), shown))
    return out


_DUP_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)


def _duplicates(user: Any, matter: Matter) -> list[tuple[Matter, float]]:
    """Possible duplicates from zhili.matters.duplicates (when installed), within the user's scope."""
    try:
        from zhili.matters.duplicates import duplicate_candidates
    except (ImportError, AttributeError):
        return []
    found = list(duplicate_candidates(matter, user=user) or [])
    visible = set(
        selectors.matter_visible(user)
        .filter(pk__in=[m.pk for m, _ in found])
        .values_list("pk", flat=True)
    )
    return [(m, score) for m, score in found if m.pk in visible and m.pk != matter.pk]


def _suggestion(matter: Matter) -> dict[str, Any] | None:
    """The routing suggestion from zhili.matters.routing.suggest (when installed)."""
    found: dict[str, Any] | None = None
    try:
        from zhili.matters.routing import suggest
    except (ImportError, AttributeError):
        pass
    else:
        # Not limited to the user's units: a street dispatches to district departments too; the
        # page keeps only the units the dispatch form offers (see _preselect).
        found = suggest(matter)
    if matter.suggested_unit_id and not (found or {}).get("rule_unit"):
        found = {**(found or {}), "rule_unit": matter.suggested_unit}  # the rule at intake
    if not found:
        return None
    confidence = found.get("confidence")
    return {
        "rule_unit": found.get("rule_unit"),
        "learned_unit": found.get("learned_unit"),
        "confidence": round(float(confidence) * 100) if confidence is not None else None,
    }


def _unit_pk(unit: Any) -> int | None:
    if unit is None:
        return None
    if isinstance(unit, int):
        return unit
    if isinstance(unit, dict):
        return unit.get("id")
    return getattr(unit, "pk", None)


def _preselect(form: Any, suggestion: dict[str, Any]) -> None:
    """Preselect the suggested lead unit (the rule's, else the learned one) in the dispatch form
    (unless it is the one just submitted), and name both units for the page."""
    choices = {u.pk: u for u in form.fields["unit"].queryset}
    if not form.is_bound:
        for key in ("rule_unit", "learned_unit"):
            pk = _unit_pk(suggestion.get(key))
            if pk in choices:
                form.initial["unit"] = pk
                break
    for key in ("rule_unit", "learned_unit"):  # names for the page
        pk = _unit_pk(suggestion.get(key))
        suggestion[f"{key}_name"] = choices[pk].name if pk in choices else _name(suggestion[key])


def _name(unit: Any) -> str:
    if unit is None:
        return ""
    if isinstance(unit, dict):
        return str(unit.get("name", ""))
    return str(getattr(unit, "name", "") or "")


def _reporter(user: Any, matter: Matter, revealed: dict[str, str] | None) -> dict[str, Any]:
    if matter.anonymous:
        return {"anonymous": True}
    if revealed is not None:
        return {
            "name": revealed["reporter_name"],
            "phone": revealed["reporter_phone"],
            "full": True,
        }
    return {
        "name": privacy.mask_name(matter.reporter_name),
        "phone": privacy.mask_phone(matter.reporter_phone),
        "full": False,
        "can_reveal": privacy.may_see(user, matter)
        and bool(matter.reporter_name or matter.reporter_phone),
    }


@login_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """显示完整联系方式: audited by the service; never stored in the page's URL or session."""
    matter = selectors.matter_get(request.user, number)
    try:
        revealed = services.matter_reveal_personal(actor=request.user, matter=matter)
    except ZhiliError as exc:
        if getattr(request, "htmx", False):
            return render(
                request,
                "matters/_reporter.html",
                {
                    "matter": matter,
                    "reporter": _reporter(request.user, matter, None),
                    "reveal_error": exc.message,
                },
                status=exc.status,
            )
        return _detail(request, matter, reveal_error=exc.message, status=exc.status)
    if getattr(request, "htmx", False):
        return render(
            request,
            "matters/_reporter.html",
            {"matter": matter, "reporter": _reporter(request.user, matter, revealed)},
        )
    return _detail(request, matter, revealed=revealed)


# Files -------------------------------------------------------------------------------------


@login_required
@require_GET
def attachment(request: HttpRequest, sha256: str, thumb: bool = False) -> FileResponse:
    att = selectors.attachment_visible(request.user, sha256)
    stored = att.thumbnail if thumb else att.file
    if not stored:
        raise NotFound(gettext("该附件没有缩略图"), code="no_thumbnail")
    response = FileResponse(
        stored.open("rb"),
        content_type="image/jpeg" if thumb else att.content_type,
        as_attachment=not thumb and not att.is_image,
        filename=att.original_name,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
