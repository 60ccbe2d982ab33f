"""Forms of the matter pages. They translate input into service arguments; the services hold the
rules (and their Chinese messages), so most text fields are optional here and checked there."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.areas.models import Area
from zhili.core.errors import ZhiliError
from zhili.core.forms import StyledForm
from zhili.core.i18n import Label, lazy_format
from zhili.core.pickers import AreaField, bind_pickers
from zhili.matters import selectors
from zhili.matters.models import Category, Channel, HandlingMode, Status, Topic, Triage
from zhili.matters.questions import answer_problems

MAX_PHOTOS = 9
PHOTO_TYPES = "image/jpeg,image/png,image/webp,application/pdf"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


# Shared fields ---------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (photos); at most MAX_PHOTOS."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_TYPES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                gettext("最多上传 %(MAX_PHOTOS)s 个文件") % {"MAX_PHOTOS": MAX_PHOTOS},
                code="too_many",
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AreaChainInput(forms.Widget):
    """The area picker posts one ``area`` per level; the deepest chosen one counts."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        values = data.getlist(name) if isinstance(data, QueryDict) else [data.get(name, "")]
        chosen = [v.strip() for v in values if v and v.strip()]
        return chosen[-1] if chosen else ""


def category_choices() -> list[Any]:
    """The catalogue as grouped choices (one <optgroup> per group)."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    children: list[Category] = []
    for c in selectors.category_list():
        if c.parent_id is None:
            groups[c.pk] = (c.name, [])
        else:
            children.append(c)
    for c in children:
        if c.parent_id in groups:
            groups[c.parent_id][1].append((c.code, c.name))
    return [("", gettext("— 请选择诉求类别 —"))] + [
        (name, opts) for name, opts in groups.values() if opts
    ]


def read_answers(data: Any, category: Category | None) -> dict[str, Any]:
    """The answers to a category's extra questions, posted as ``q_<key>``."""
    answers: dict[str, Any] = {}
    for q in (category.questions if category else None) or []:
        name = f"q_{q['key']}"
        if q.get("type") == "multi":
            answers[q["key"]] = [v for v in data.getlist(name) if v]
        else:
            answers[q["key"]] = (data.get(name) or "").strip()
    return answers


class PhotosMixin(StyledForm):
    """Photos, plus those already stored by an earlier try (kept by hash, so a failed submission
    does not make the user choose them again)."""

    photos = MultipleFileField(
        label=gettext_lazy("照片或材料"),
        help_text=gettext_lazy("JPG、PNG、WebP 图片或 PDF，每个不超过 10 MB"),
    )
    kept = forms.CharField(required=False, widget=forms.HiddenInput)

    stored: list[Any] = []
    # Hashes a kept list may name (None: any). The public form keeps only what this browser
    # uploaded (its session), so a resident cannot attach someone else's stored file.
    allowed_kept: set[str] | None = None

    def kept_hashes(self) -> list[str]:
        raw = self.cleaned_data.get("kept") or ""
        found = [h for h in raw.split(",") if SHA256.match(h)]
        if self.allowed_kept is not None:
            found = [h for h in found if h in self.allowed_kept]
        return found

    def store_photos(self) -> list[Any] | None:
        """Store the chosen files (attachments.attachment_store checks type and size); those
        stored by an earlier try come back by hash. None, with the error on the form naming the
        file, when one is refused."""
        from django.conf import settings

        from zhili.core.errors import ValidationFailed, ZhiliError
        from zhili.matters.attachments import attachment_store, attachments_by_hash

        self.stored = []
        ok = True
        kept = self.kept_hashes()
        if kept:
            try:
                self.stored.extend(attachments_by_hash(kept))
            except ValidationFailed as exc:
                self.add_error("photos", exc.message)
                ok = False
        limit = int(getattr(settings, "ZHILI_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
        for upload in self.cleaned_data.get("photos") or []:
            try:  # read at most one byte over the limit: the store refuses it by size
                self.stored.append(attachment_store(data=upload.read(limit + 1), name=upload.name))
            except ZhiliError as exc:
                self.add_error("photos", f"{upload.name}：{exc.message}")
                ok = False
        return self.stored if ok else None


# Work queue filters --------------------------------------------------------------------------


YES_NO = [("1", gettext_lazy("是")), ("0", gettext_lazy("否"))]


class QueueFilterForm(StyledForm):
    queue = forms.ChoiceField(
        choices=[("", gettext_lazy("全部")), *selectors.QUEUES.items()],
        required=False,
        widget=forms.HiddenInput,
    )
    q = forms.CharField(label=gettext_lazy("编号或标题"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部状态")), *Status.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=category_choices, required=False
    )
    category = forms.ChoiceField(label=_("类别"), choices=category_choices, required=False)
    area = AreaField(label=_("区域"), permission="matters.matter.view", required=False)
    overdue = forms.ChoiceField(
        label=gettext_lazy("超期"),
        choices=[
            ("", gettext_lazy("全部")),
            ("1", gettext_lazy("已超期")),
            ("0", gettext_lazy("未超期")),
        ],
        required=False,
    )
    triage = forms.ChoiceField(
        label=gettext_lazy("三事分流"),
        choices=[("", gettext_lazy("全部")), *Triage.choices],
        required=False,
    )
    handling_mode = forms.ChoiceField(
        label=gettext_lazy("四事四办"),
        choices=[("", gettext_lazy("全部")), *HandlingMode.choices],
        required=False,
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("五事"),
        choices=[("", gettext_lazy("全部")), *Topic.choices],
        required=False,
    )
    created_from = forms.DateField(
        label=gettext_lazy("受理日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = forms.DateField(
        label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        bind_pickers(self, user)
        self.user = user

    def clean_queue(self) -> str:
        """A queue only some people work (待审批延期, 待分拨) is not opened by typing its address."""
        queue = self.cleaned_data.get("queue") or ""
        if queue and self.user is not None and queue not in selectors.user_queues(self.user):
            raise forms.ValidationError(_("您不办理这个队列"), code="queue_not_yours")
        return queue

    def clean_q(self) -> str:
        q = self.cleaned_data["q"].strip()
        # A matter number typed in lower case still finds the matter.
        return q.upper() if re.fullmatch(r"[qQ]\d{6,}", q) else q

    def clean_area(self) -> str:
        """The code of the area picked or typed (core.pickers; a name, "上级 · 名称" or a code)."""
        area = self.cleaned_data.get("area")
        return str(area.code) if area is not None else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", gettext("截止日期不能早于起始日期"))
        return data

    def filters(self) -> selectors.MatterFilters:
        d = self.cleaned_data if self.is_bound and self.is_valid() else {}
        overdue = {"1": True, "0": False}.get(d.get("overdue") or "")
        return selectors.MatterFilters(
            queue=d.get("queue") or "",
            q=d.get("q") or "",
            status=d.get("status") or "",
            category=d.get("category") or "",
            area=(d.get("area") or "").strip(),
            overdue=overdue,
            created_from=d.get("created_from"),
            created_to=d.get("created_to"),
            triage=d.get("triage") or "",
            handling_mode=d.get("handling_mode") or "",
            topic=d.get("topic") or "",
        )


# Actions on one matter ------------------------------------------------------------------------


NOTE_LABEL = gettext_lazy("说明")


def _note(
    label: Label = NOTE_LABEL, *, rows: int = 2, placeholder: Label = "", needed: bool = False
) -> forms.CharField:
    """A free-text field; ``needed``: the service refuses it empty, so it is marked required
    (the service's message stays the one shown)."""
    attrs: dict[str, Any] = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs=attrs))
    field.show_required = needed  # type: ignore[attr-defined]
    return field


def _radio(label: Label, choices: list[tuple[str, Label]], message: Label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ActionForm(StyledForm):
    """One action of the closed loop. ``version`` makes a stale page answer with a conflict."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any = None, matter: Any = None, **kwargs: Any) -> None:
        self.user, self.matter = user, matter
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.cleaned_data.get("note", "")}


class NoteForm(ActionForm):
    note = _note()


class ReasonForm(ActionForm):
    reason = _note(gettext_lazy("理由"), rows=3)

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class TriageForm(ActionForm):
    triage = _radio(
        gettext_lazy("三事分流"), list(Triage.choices), gettext_lazy("请选择大事、小事或私事")
    )
    reason = _note(
        gettext_lazy("分流理由"), rows=3, placeholder=gettext_lazy("私事请写明给群众的指导意见")
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"triage": self.cleaned_data["triage"], "reason": self.cleaned_data["reason"]}


class ModeForm(ActionForm):
    mode = _radio(
        gettext_lazy("办理方式"),
        list(HandlingMode.choices),
        gettext_lazy("请选择四事四办的办理方式"),
    )
    reason = _note(gettext_lazy("调整理由"), rows=2)

    def service_kwargs(self) -> dict[str, Any]:
        return {"mode": self.cleaned_data["mode"], "reason": self.cleaned_data["reason"]}


class DispatchForm(ActionForm):
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("主办单位"),
        queryset=None,
        empty_label=gettext_lazy("— 请选择主办单位 —"),
        error_messages={
            "required": gettext_lazy("请选择主办单位"),
            "invalid_choice": gettext_lazy("主办单位不存在或不在可派遣范围内"),
        },
    )
    co_units: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("协办单位（可选）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("协办单位不在可派遣范围内")},
    )
    note = _note(gettext_lazy("派遣意见"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.dispatch_units(self.user, self.matter)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"unit": d["unit"], "co_units": list(d["co_units"]), "note": d["note"]}


class SignForm(ActionForm):
    contacted = forms.BooleanField(label=gettext_lazy("已联系群众"), required=False)
    note = _note()

    def service_kwargs(self) -> dict[str, Any]:
        return {"contacted": self.cleaned_data["contacted"], "note": self.cleaned_data["note"]}


class ReportForm(ActionForm, PhotosMixin):
    result = _note(gettext_lazy("处置情况"), rows=4, needed=True)
    contacted = forms.BooleanField(label=gettext_lazy("已联系群众"), required=False, initial=True)

    def service_kwargs(self) -> dict[str, Any]:
        return {"result": self.cleaned_data["result"], "contacted": self.cleaned_data["contacted"]}


class SelfHandleForm(ActionForm, PhotosMixin):
    result = _note(gettext_lazy("处置情况"), rows=3, needed=True)

    def service_kwargs(self) -> dict[str, Any]:
        return {"result": self.cleaned_data["result"]}


class CoReportForm(ActionForm, PhotosMixin):
    result = _note(_("本单位协办情况"), rows=3, needed=True)

    def service_kwargs(self) -> dict[str, Any]:
        return {"result": self.cleaned_data["result"]}


class SpotCheckForm(ActionForm):
    passed = _radio(
        _("抽查结果"),
        [("1", _("抽查合格")), ("0", _("抽查不合格"))],
        _("请选择抽查结果"),
    )
    note = _note(_("抽查情况（不合格时必填）"))

    def service_kwargs(self) -> dict[str, Any]:
        return {"passed": self.cleaned_data["passed"] == "1", "note": self.cleaned_data["note"]}


class VerifyForm(ActionForm):
    passed = _radio(
        gettext_lazy("核查结果"),
        [("1", gettext_lazy("核查通过")), ("0", gettext_lazy("不通过，返工"))],
        gettext_lazy("请选择核查结果"),
    )
    note = _note(gettext_lazy("核查意见（不通过时必填）"))

    def service_kwargs(self) -> dict[str, Any]:
        return {"passed": self.cleaned_data["passed"] == "1", "note": self.cleaned_data["note"]}


class RateForm(ActionForm):
    solved = _radio(
        gettext_lazy("问题是否解决"),
        [("1", gettext_lazy("已解决")), ("0", gettext_lazy("未解决"))],
        gettext_lazy("请选择问题是否解决"),
    )
    satisfied = _radio(
        gettext_lazy("群众是否满意"),
        [("1", gettext_lazy("满意")), ("0", gettext_lazy("不满意"))],
        gettext_lazy("请选择群众是否满意"),
    )
    note = _note(gettext_lazy("回访记录"))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"solved": d["solved"] == "1", "satisfied": d["satisfied"] == "1", "note": d["note"]}


class ExtendForm(ActionForm):
    days = forms.IntegerField(
        label=gettext_lazy("延期天数（工作日）"),
        error_messages={
            "required": gettext_lazy("请填写延期天数"),
            "invalid": gettext_lazy("延期天数须为整数"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = _note(gettext_lazy("延期理由"), rows=3)

    def service_kwargs(self) -> dict[str, Any]:
        return {"days": self.cleaned_data["days"], "reason": self.cleaned_data["reason"]}


class ApproveExtensionForm(ActionForm):
    approved = _radio(
        gettext_lazy("审批结果"),
        [("1", gettext_lazy("批准延期")), ("0", gettext_lazy("不批准"))],
        gettext_lazy("请选择是否批准"),
    )
    note = _note(gettext_lazy("审批意见"))

    def service_kwargs(self) -> dict[str, Any]:
        return {"approved": self.cleaned_data["approved"] == "1", "note": self.cleaned_data["note"]}


class PlaceForm(ActionForm):
    """定位: a street, community or grid of the matter's district, with the suggestions."""

    area = forms.ChoiceField(
        label=gettext_lazy("定位到"),
        error_messages={
            "required": gettext_lazy("请选择街道、社区或网格"),
            "invalid_choice": gettext_lazy("只能选择本区县内您管辖的街道、社区或网格"),
        },
    )
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        if self.matter is None:
            return
        # Suggestions (a scan of the district's grids and buildings) only where they are needed:
        # a matter located only to its district, not on every matter page that can be placed.
        from zhili.areas.models import Level

        at_district = self.matter.area.level == Level.DISTRICT
        suggestions = selectors.place_suggestions(self.matter) if at_district else []
        choices: list[tuple[str, str]] = [("", gettext("— 请选择 —"))]
        if suggestions:
            choices.append((gettext("建议"), [(s.area.code, s.label) for s in suggestions]))  # type: ignore[arg-type]
        choices += [
            (a.code, selectors.place_label(a))
            for a in selectors.place_choices(self.user, self.matter)
        ]
        field.choices = choices  # type: ignore[attr-defined]
        if suggestions:
            self.initial.setdefault("area", suggestions[0].area.code)
            field.help_text = gettext("建议依据：") + "；".join(s.reason for s in suggestions)

    def service_kwargs(self) -> dict[str, Any]:
        from zhili.areas.selectors import area_by_code

        area = area_by_code(self.cleaned_data["area"])
        return {"area": area, "note": self.cleaned_data["note"]}


class MergeForm(ActionForm):
    into = forms.CharField(
        label=gettext_lazy("并入的诉求编号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写要并入的诉求编号")},
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如 Q20260105000001")}),
    )
    note = _note()

    def service_kwargs(self) -> dict[str, Any]:
        number = self.cleaned_data["into"].strip().upper()
        target = selectors.matter_get(self.user, number)  # NotFound shows as the form's error
        return {"into": target, "note": self.cleaned_data["note"]}


# Intake -------------------------------------------------------------------------------------


def _text(label: Label, *, limit: int, required: bool = False, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "max_length": lazy_format(
                gettext_lazy("%(label)s不能超过 %(limit)s 个字"), {"label": label, "limit": limit}
            )
        },
    )


def _description() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("诉求内容"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": gettext_lazy("发生了什么、在哪里、持续多久")}
        ),
    )


class _IntakeBase(StyledForm):
    category = forms.ChoiceField(
        label=gettext_lazy("诉求类别"),
        choices=category_choices,
        error_messages={
            "required": gettext_lazy("请选择诉求类别"),
            "invalid_choice": gettext_lazy("请选择诉求类别"),
        },
    )
    description = _description()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        # Checked by the service (with its message), marked as required for the user.
        self.fields["description"].show_required = True  # type: ignore[attr-defined]
        # Choosing a category fetches its hint, anonymity and extra questions (htmx).
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("public:category_fields"),
                "hx-target": "#category-fields",
                "hx-swap": "outerHTML",
                "hx-vals": json.dumps({"anon": "1" if "anonymous" in self.fields else "0"}),
            }
        )

    # Said when neither a place nor a point is given: a form's own words, else the service's.
    area_missing: Any = None

    def category_obj(self) -> Category | None:
        return selectors.category_get(self.data.get("category", "") if self.is_bound else "")

    def clean(self) -> dict[str, Any]:
        """A place or a point is asked for with the other fields, and the category's questions
        are checked with them (``answer_problems``: every one at once), each error drawn beside
        its question."""
        data = super().clean() or {}
        has_point = data.get("lat") is not None and data.get("lng") is not None
        unplaced = "area" in self.fields and not data.get("area") and not has_point
        if unplaced and "area" not in self.errors and "lat" not in self.errors:
            from zhili.matters.services import AREA_REQUIRED  # services imports these forms

            self.add_error("area", self.area_missing or AREA_REQUIRED)
        category = self.category_obj()
        if category is not None:
            problems = answer_problems(category, read_answers(self.data, category))
            for key, problem in problems.items():
                self.add_question_error(key, problem.message)
        return data

    def add_question_error(self, key: str, message: str) -> None:
        """An error beside the category's question ``key`` (its input is named ``q_<key>``,
        drawn by the category's fields, not a field of this form)."""
        errors: ErrorDict = self.errors  # validates first where not yet validated
        errors.setdefault(f"q_{key}", self.error_class()).append(message)

    def show_refusal(self, exc: ZhiliError) -> None:
        """The service's refusal beside the field it is about (the place, a question), else
        above the form."""
        key = exc.detail.get("key") if isinstance(exc.detail, dict) else None
        if key and exc.code in ("answer_required", "invalid_answer", "blocked"):
            self.add_question_error(key, exc.message)
        elif (
            exc.code.startswith("area_") or exc.code == "invalid_point"
        ) and "area" in self.fields:
            self.add_error("area", exc.message)
        else:
            self.add_error(None, exc.message)

    def summary(self) -> list[str]:
        """The first error of each field and question in the page's order (the questions come
        right after the category), for the list at the top; the form-wide errors are drawn on
        their own above it."""
        if not self.is_bound:
            return []
        names = list(self.fields)
        questions = [k for k in self.errors if k.startswith("q_")]
        at = names.index("category") + 1
        order = [*names[:at], *questions, *names[at:]]
        return [str(self.errors[k][0]) for k in order if k in self.errors]

    def question_errors(self) -> dict[str, str]:
        """The questions' errors by question key (for ``question_rows``)."""
        if not self.is_bound:
            return {}
        return {k[2:]: str(v[0]) for k, v in self.errors.items() if k.startswith("q_")}


class MatterCreateForm(_IntakeBase, PhotosMixin):
    """Staff intake (代报, 热线, 楼栋工作日 ...)."""

    channel = forms.ChoiceField(
        label=gettext_lazy("来源渠道"),
        choices=[
            (Channel.STAFF, Channel.STAFF.label),
            (Channel.HOTLINE, Channel.HOTLINE.label),
            (Channel.BUILDING_DAY, Channel.BUILDING_DAY.label),
            (Channel.GRID, Channel.GRID.label),
            (Channel.REFERRAL, Channel.REFERRAL.label),
        ],
        initial=Channel.STAFF,
    )
    title = _text(gettext_lazy("标题（可选）"), limit=120)
    area = forms.CharField(label=gettext_lazy("所在区域"), required=False, widget=AreaChainInput)
    address = _text(gettext_lazy("详细地址"), limit=200)
    reporter_name = _text(gettext_lazy("反映人"), limit=64, autocomplete="off")
    reporter_phone = _text(gettext_lazy("联系电话"), limit=32, inputmode="tel", autocomplete="off")
    anonymous = forms.BooleanField(label=gettext_lazy("匿名反映"), required=False)

    field_order = ["channel", "category", "title", "description", "area", "address"]


def _coord_system(**kwargs: Any) -> forms.ChoiceField:
    from zhili.areas.coords import COORD_SYSTEMS

    return forms.ChoiceField(
        label=gettext_lazy("坐标来源"),
        choices=list(COORD_SYSTEMS.items()),
        initial="wgs84",
        required=False,
        help_text=gettext_lazy("从高德、腾讯地图复制的坐标选 GCJ-02，从百度地图复制的选 BD-09"),
        error_messages={"invalid_choice": gettext_lazy("坐标系只能是 WGS-84、GCJ-02 或 BD-09")},
        **kwargs,
    )


class GridReportForm(_IntakeBase, PhotosMixin):
    """The grid worker's phone form."""

    area = forms.ChoiceField(label=gettext_lazy("所在网格/楼栋"), required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    # The phone's own position is WGS-84; a page that takes a point from a map SDK says which.
    coord_system = _coord_system(widget=forms.HiddenInput)
    address = _text(
        gettext_lazy("具体位置（可选）"), limit=200, placeholder=gettext_lazy("如 3 号楼东侧")
    )
    reporter_name = _text(gettext_lazy("群众姓名（可选）"), limit=64, autocomplete="off")
    reporter_phone = _text(
        gettext_lazy("群众电话（可选）"), limit=32, inputmode="tel", autocomplete="off"
    )
    self_handled = forms.BooleanField(label=gettext_lazy("现场已处置（自行处置）"), required=False)
    result = forms.CharField(
        label=gettext_lazy("处置情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("现场如何处置的")}),
    )

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", gettext("— 请选择网格或楼栋 —"))] + [  # type: ignore[attr-defined]
            (a.code, area_label(a)) for a in areas
        ]
        self.fields["area"].error_messages["invalid_choice"] = gettext("只能选择您负责的网格或楼栋")


def area_label(area: Any) -> str:
    if area.level == "building" and area.parent_id:
        return f"{area.parent.name} · {area.name}"
    return area.name


class PublicReportForm(_IntakeBase, PhotosMixin):
    """Residents, without login (channel web)."""

    area = forms.CharField(label=gettext_lazy("所在区域"), required=False, widget=AreaChainInput)
    lat = forms.FloatField(
        label=gettext_lazy("纬度"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": gettext_lazy("纬度须为数字"),
            "min_value": gettext_lazy("纬度超出范围"),
            "max_value": gettext_lazy("纬度超出范围"),
        },
    )
    lng = forms.FloatField(
        label=gettext_lazy("经度"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": gettext_lazy("经度须为数字"),
            "min_value": gettext_lazy("经度超出范围"),
            "max_value": gettext_lazy("经度超出范围"),
        },
    )
    coord_system = _coord_system()
    address = _text(
        gettext_lazy("详细地址"), limit=200, placeholder=gettext_lazy("如 民族路 100 号附近")
    )
    reporter_name = _text(gettext_lazy("您的姓名"), limit=64, autocomplete="name")
    reporter_phone = _text(gettext_lazy("手机号码"), limit=32, inputmode="tel", autocomplete="tel")
    reporter_phone.help_text = gettext_lazy("用于联系和回访；凭手机号后四位查询办理进度。")
    anonymous = forms.BooleanField(label=gettext_lazy("匿名反映"), required=False)
    picked_area: Area | None = None
    area_missing = gettext_lazy("请选择所在区域，或使用经纬度定位")

    def clean(self) -> dict[str, Any]:
        """Every mistake at once, each beside its field (the service checks them again)."""
        from zhili.core.errors import ValidationFailed
        from zhili.core.validation import phone_number
        from zhili.matters.services import check_intake_area  # the service's rule, run early

        data = super().clean() or {}
        if not (data.get("description") or "").strip() and "description" not in self.errors:
            self.add_error("description", gettext("请填写诉求内容"))
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if data.get("area"):
            self.picked_area = selectors.area_picker_area(None, data["area"])
            if self.picked_area is None:
                self.add_error("area", gettext("请从列表中选择所在区域"))
            elif not has_point:  # with a point the service may place the matter finer
                try:
                    check_intake_area(self.picked_area, located=False)
                except ValidationFailed as exc:
                    self.add_error("area", exc.message)
        phone = data.get("reporter_phone") or ""
        if not phone and not data.get("anonymous"):
            may_hide = getattr(self.category_obj(), "allow_anonymous", False)
            self.add_error(  # only where the category offers 匿名反映
                "reporter_phone",
                gettext("请填写手机号码（匿名反映可不填）")
                if may_hide
                else gettext("请填写手机号码"),
            )
        elif phone:
            try:
                data["reporter_phone"] = phone_number(phone)
            except ValidationFailed as exc:
                self.add_error("reporter_phone", exc.message)
        return data


class PublicRateForm(StyledForm):
    """The resident's own rating of a closed matter, on the lookup page."""

    solved = forms.TypedChoiceField(
        label=gettext_lazy("问题解决了吗"),
        choices=[("1", gettext_lazy("已解决")), ("0", gettext_lazy("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择问题是否已解决")},
    )
    satisfied = forms.TypedChoiceField(
        label=gettext_lazy("您对办理结果满意吗"),
        choices=[("1", gettext_lazy("满意")), ("0", gettext_lazy("不满意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择是否满意")},
    )
    note = forms.CharField(
        label=gettext_lazy("意见（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("意见不能超过 500 个字")},
    )


class LookupForm(StyledForm):
    number = forms.CharField(
        label=gettext_lazy("诉求编号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写诉求编号")},
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("如 Q20260105000001"), "autocomplete": "off"}
        ),
    )
    phone_last4 = forms.CharField(
        label=gettext_lazy("手机号后四位"),
        max_length=4,
        min_length=4,
        error_messages={
            "required": gettext_lazy("请填写手机号后四位"),
            "min_length": gettext_lazy("请填写手机号后四位"),
            "max_length": gettext_lazy("请填写手机号后四位"),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}
        ),
    )


# A category's extra questions, as rows for the templates ---------------------------------------


def blocked_messages(category: Category | None, answers: dict[str, Any]) -> dict[str, str]:
    """For each answered question whose answer blocks submission, the catalogue's message (found
    by the same check the service applies on submit)."""
    from types import SimpleNamespace

    from zhili.core.errors import ValidationFailed
    from zhili.matters.questions import check_answers

    out: dict[str, str] = {}
    for q in (category.questions if category else None) or []:
        value = answers.get(q["key"])
        if not q.get("block") or value in (None, "", []):
            continue
        try:
            check_answers(SimpleNamespace(questions=[{**q, "required": False}]), {q["key"]: value})
        except ValidationFailed as exc:
            if exc.code == "blocked":
                out[q["key"]] = exc.message
    return out


def question_rows(
    category: Category | None, answers: dict[str, Any], errors: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The category's questions to draw, each with its answer, its blocking message (live, as
    the resident answers) and the error the last submit found (``errors`` by key)."""
    blocked = blocked_messages(category, answers)
    errors = errors or {}
    rows = []
    for q in (category.questions if category else None) or []:
        value = answers.get(q["key"])
        rows.append(
            {
                "q": q,
                "name": f"q_{q['key']}",
                "value": "" if value is None or isinstance(value, list) else value,
                "values": value if isinstance(value, list) else [value] if value else [],
                "blocked": blocked.get(q["key"], ""),
                "error": "" if q["key"] in blocked else errors.get(q["key"], ""),
                "live": bool(q.get("block")),
            }
        )
    return rows
