"""Catalogue pages: categories (two levels), routing rules, xlsx export and import. Thin: the rules
live in ``catalogue`` and ``catalogue_xlsx``."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from zhili.core.errors import PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.i18n import lazy_format
from zhili.core.pagination import keyset_page
from zhili.core.pickers import AreaField
from zhili.core.selectors import object_history
from zhili.matters import catalogue, catalogue_xlsx
from zhili.matters.models import STAGES, HandlingMode, Topic, default_limit
from zhili.org.forms import PickerForm
from zhili.org.selectors import unit_list

QUESTIONS_EXAMPLE = gettext_lazy(
    '[{"key": "danger", "label": "是否正在发生火情", "type": "single", '
    '"options": ["是", "否"], "required": true, '
    '"block": {"values": ["是"], "message": "请立即拨打 119"}}]'
)


def _stage_help(stage: str) -> str:
    defaults = "，".join(
        f"{HandlingMode(mode).label[2:]} {catalogue.limit_text(default_limit(mode, stage))}"
        for mode in HandlingMode.values
    )
    return gettext("留空按四事四办默认（%(defaults)s）；如 5wd（工作日）或 24h（小时）") % {
        "defaults": defaults
    }


class CategoryForm(PickerForm):
    code = forms.CharField(
        label=gettext_lazy("代码"),
        max_length=40,
        help_text=gettext_lazy("字母、数字、连字符，创建后不可改"),
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60)
    parent = forms.ChoiceField(label=gettext_lazy("所属大类"), required=False)
    topic = forms.ChoiceField(label=gettext_lazy("五事"), choices=Topic.choices)
    handling_mode = forms.ChoiceField(label=gettext_lazy("四事四办"), choices=HandlingMode.choices)
    limit_dispatch = forms.CharField(label=gettext_lazy("立案派遣时限"), required=False)
    limit_sign = forms.CharField(label=gettext_lazy("签收时限"), required=False)
    limit_contact = forms.CharField(label=gettext_lazy("联系群众时限"), required=False)
    limit_handle = forms.CharField(label=gettext_lazy("办结时限"), required=False)
    hint = forms.CharField(
        label=gettext_lazy("填报提示"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    questions = forms.CharField(
        label=gettext_lazy("补充问题（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=lazy_format(
            "%(types)s%(example)s",
            {
                "types": gettext_lazy("类型 text/number/date/single/multi；block 为拦截规则。例："),
                "example": QUESTIONS_EXAMPLE,
            },
        ),
    )
    allow_anonymous = forms.BooleanField(label=gettext_lazy("允许匿名反映"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)
    order = forms.IntegerField(label=gettext_lazy("排序"), min_value=0, initial=0)

    def __init__(self, *args: Any, groups: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent: Any = self.fields["parent"]
        parent.choices = [("", gettext("（无：这是一个大类）"))] + [
            (g.code, g.name) for g in groups
        ]
        self._groups = {g.code: g for g in groups}
        for stage in STAGES:
            self.fields[f"limit_{stage}"].help_text = _stage_help(stage)
            self.fields[f"limit_{stage}"].widget.attrs["placeholder"] = gettext("默认")

    def clean_parent(self) -> Any:
        return self._groups.get(self.cleaned_data.get("parent") or "")

    def clean_questions(self) -> list[Any]:
        text = (self.cleaned_data.get("questions") or "").strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                gettext("不是有效的 JSON：%(msg)s（第 %(lineno)s 行）")
                % {"msg": exc.msg, "lineno": exc.lineno}
            ) from exc
        return value if isinstance(value, list) else [value]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limits = {}
        for stage in STAGES:
            try:
                limits[stage] = catalogue.parse_limit(data.get(f"limit_{stage}"), stage)
            except ValidationFailed as exc:
                self.add_error(f"limit_{stage}", exc.message)
        data["limits"] = {s: v for s, v in limits.items() if v}
        return data

    @staticmethod
    def initial_for(c: Any) -> dict[str, Any]:
        limits = c.limits or {}
        return {
            "code": c.code,
            "name": c.name,
            "parent": c.parent.code if c.parent_id else "",
            "topic": c.topic,
            "handling_mode": c.handling_mode,
            **{
                f"limit_{s}": catalogue.limit_text(limits[s]) if limits.get(s) else ""
                for s in STAGES
            },
            "hint": c.hint,
            "questions": json.dumps(c.questions, ensure_ascii=False, indent=1)
            if c.questions
            else "",
            "allow_anonymous": c.allow_anonymous,
            "is_active": c.is_active,
            "order": c.order,
        }


def _service_kwargs(d: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "parent", "topic", "handling_mode", "limits", "hint", "questions")
    flags = ("allow_anonymous", "is_active", "order")
    return {k: d[k] for k in (*keys, *flags)}


class RuleForm(PickerForm):
    category = forms.ChoiceField(label=gettext_lazy("分类"))
    area_code = AreaField(
        label=gettext_lazy("区域"),
        permission="matters.matter.view",
        help_text=gettext_lazy("规则覆盖该区域的整个下级范围，最深的规则优先"),
    )
    unit_name = forms.CharField(label=gettext_lazy("责任单位名称"), max_length=120)
    unit_area = forms.CharField(
        label=gettext_lazy("单位所属区域代码"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("单位重名时填写"),
    )

    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["category"]
        field.choices = [(c.code, f"{c.parent.name} · {c.name}") for c in categories]
        self.fields["unit_name"].widget.attrs["list"] = "unit-names"
        self._categories = {c.code: c for c in categories}

    def clean_category(self) -> Any:
        return self._categories.get(self.cleaned_data.get("category") or "")


def _require_change(request: HttpRequest) -> None:
    if not catalogue.can_change(request.user):
        raise PermissionDenied(gettext("只有市级管理员可以修改诉求分类目录"))


def _leaves(user: Any) -> list[Any]:
    return [c for _, children in catalogue.category_tree(user) for c in children]


# Pages -----------------------------------------------------------------------------------------


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    catalogue.require_view(request.user)
    tree = catalogue.category_tree(request.user)
    rule_counts = catalogue.rule_counts(request.user)
    rows = [
        (
            group,
            [
                {
                    "c": c,
                    "handle": catalogue.limit_label(c.limit("handle")),
                    "overridden": bool(c.limits),
                    "rules": rule_counts.get(c.pk, 0),
                }
                for c in children
            ],
        )
        for group, children in tree
    ]
    return render(
        request,
        "matters/categories.html",
        {"rows": rows, "can_change": catalogue.can_change(request.user)},
    )


def _category_form_page(
    request: HttpRequest, form: CategoryForm, title: str, category: Any = None
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "title": title, "category": category}
    if category is not None:
        context["limits"] = catalogue.effective_limits(category)
        context["rules"] = catalogue.routing_rule_list(request.user, category=category)
        context["history"] = object_history(request.user, category)[:20]
    return render(request, "matters/category_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    _require_change(request)
    groups = list(catalogue.group_choices(request.user))
    parent = request.GET.get("parent", "")
    initial = {"parent": parent, "is_active": True, "order": 0}
    group = next((g for g in groups if g.code == parent), None)
    if group is not None:
        initial["topic"] = group.topic
    form = CategoryForm(request.POST or None, user=request.user, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = catalogue.category_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                **_service_kwargs(form.cleaned_data),
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("已新建%(value)s：%(name)s")
                % {"value": "分类" if created.parent_id else "大类", "name": created.name},
            )
            return redirect("matters:category_edit", code=created.code)
    return _category_form_page(request, form, gettext("新建大类或分类"))


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    category = catalogue.category_get(request.user, code)
    editable = catalogue.can_change(request.user)
    if request.method == "POST":
        _require_change(request)
    groups = [g for g in catalogue.group_choices(request.user) if g.pk != category.pk]
    form = CategoryForm(
        request.POST or None,
        user=request.user,
        groups=groups,
        initial=CategoryForm.initial_for(category),
    )
    form.fields["code"].disabled = True
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.category_update(
                actor=request.user, category=category, **_service_kwargs(form.cleaned_data)
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已保存"))
            return redirect("matters:category_edit", code=category.code)
    if category.parent_id:
        title = gettext("编辑分类：%(name)s") if editable else gettext("查看分类：%(name)s")
    else:
        title = gettext("编辑大类：%(name)s") if editable else gettext("查看大类：%(name)s")
    title = title % {"name": category.name}
    return _category_form_page(request, form, title, category)


@login_required
@require_http_methods(["GET", "POST"])
def category_rules(request: HttpRequest) -> HttpResponse:
    catalogue.require_view(request.user)
    editable = catalogue.can_change(request.user)
    leaves = _leaves(request.user)
    chosen = request.GET.get("category", "")
    form = RuleForm(
        request.POST or None, user=request.user, categories=leaves, initial={"category": chosen}
    )
    if request.method == "POST":
        _require_change(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                area = d["area_code"]  # an Area the user may view (PickerForm: core.pickers)
                unit = catalogue.unit_by_name(d["unit_name"], d["unit_area"].strip(), area)
                rule = catalogue.routing_rule_set(
                    actor=request.user, category=d["category"], area=area, unit=unit
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("已保存派单规则：%(rule)s") % {"rule": rule})
                return redirect(
                    f"{reverse('matters:category_rules')}?category={rule.category.code}"
                )
    selected = next((c for c in leaves if c.code == chosen), None)
    rules = catalogue.routing_rule_list(request.user, category=selected).select_related(
        "category__parent"
    )
    page = keyset_page(
        rules,
        order=("category__order", "category__code", "area__path", "id"),
        cursor=request.GET.get("cursor"),
        limit=50,
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "matters/category_rules.html",
        {
            "page": page,
            "params": params.urlencode(),
            "form": form,
            "can_change": editable,
            "leaves": leaves,
            "selected": selected,
            "unit_names": sorted(
                {u.name for u in unit_list(request.user).filter(is_active=True)[:2000]}
            ),
        },
    )


@login_required
@require_POST
def category_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = catalogue.routing_rule_get(request.user, pk)
    code = rule.category.code
    catalogue.routing_rule_delete(actor=request.user, rule=rule)
    messages.success(request, gettext("已删除派单规则"))
    return redirect(f"{reverse('matters:category_rules')}?category={code}")


@login_required
def catalogue_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        catalogue_xlsx.catalogue_export(request.user), content_type=catalogue_xlsx.XLSX_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="catalogue.xlsx"'
    return response


class ImportForm(PickerForm):
    file = forms.FileField(label=gettext_lazy("目录文件（.xlsx）"))


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    _require_change(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    error_rows: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.ZHILI_MAX_IMPORT_BYTES:
            form.add_error("file", gettext("文件过大"))
        else:
            try:
                summary = catalogue_xlsx.catalogue_import(
                    actor=request.user, data=upload.read(), filename=upload.name or ""
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                error_rows = exc.detail if isinstance(exc.detail, list) else []
            else:
                messages.success(request, gettext("导入完成：%(summary)s") % {"summary": summary})
                return redirect("matters:categories")
    return render(
        request,
        "matters/category_import.html",
        {
            "form": form,
            "catalogue_errors": error_rows,
            "title": gettext("导入诉求分类目录"),
            "back_url": reverse("matters:categories"),
            "submit_label": gettext("导入"),
        },
    )
