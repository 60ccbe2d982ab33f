"""Forms of target management: they translate input; the services hold the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import style_fields
from zhili.targets.evidence import ACCEPT, Upload
from zhili.targets.models import Method, Plan, PlanStatus
from zhili.targets.states import CellState


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(d, initial) for d in items if d]


def uploads_of(files: list[Any]) -> list[Upload]:
    return [Upload(name=f.name, data=f.read()) for f in files]


class PlanImportForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("方案名称"), max_length=200, required=False)
    file = forms.FileField(label=_("方案文件（.xlsx，使用系统模板）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["title"].widget.attrs["placeholder"] = gettext(
            "留空则为“某年市域社会治理试点目标任务”"
        )
        self.fields["file"].widget.attrs["accept"] = ".xlsx"
        style_fields(self)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("进展情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("佐证材料"), help_text=_("PDF、图片、Word 或 Excel，每个不超过 10 MB，可多选")
    )
    keep_previous = forms.BooleanField(
        label=_("保留上次报送的佐证材料"), required=False, initial=True
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["keep_previous"].widget.attrs["class"] = "form-check-input"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("accept", pgettext_lazy("review", "通过")), ("return", _("退回"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, decisions: Sequence[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if decisions:  # only the decisions the reviewer may take now
            field = self.fields["decision"]
            field.choices = [c for c in field.choices if c[0] in decisions]  # type: ignore[attr-defined]
        style_fields(self)


class TableFilterForm(forms.Form):
    by = forms.ChoiceField(
        label=_("列"),
        choices=[("unit", _("按责任单位")), ("district", _("按区县")), ("period", _("按月份"))],
        required=False,
    )
    method = forms.ChoiceField(label=_("治理方式"), required=False)
    unit = forms.TypedChoiceField(label=_("责任单位"), required=False, coerce=int, empty_value=None)
    district = forms.ChoiceField(label=_("区县"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    on = forms.DateField(
        label=_("查看日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]] = (),  # type: ignore[assignment]
        districts: list[tuple[str, str]] = (),  # type: ignore[assignment]
        default_by: str = "unit",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Without a choice, the table opens where the user's tasks are; the form says so.
        self.default_by = default_by
        self.fields["by"].initial = default_by
        if self.is_bound and not self.data.get("by"):
            data = cast(Any, self.data).copy()  # a QueryDict's copy is mutable
            data["by"] = default_by
            self.data = data
        choices = {
            "method": [("", gettext("全部治理方式")), *Method.choices],
            "unit": [("", gettext("全部单位")), *units],
            "district": [("", gettext("全部区县")), *districts],
            "state": [("", gettext("全部状态")), *CellState.choices],
        }
        for name, options in choices.items():
            self.fields[name].choices = options  # type: ignore[attr-defined]
        style_fields(self)

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data if self.is_valid() else {}
        return {
            "by": d.get("by") or self.default_by,
            "method": d.get("method") or "",
            "unit": d.get("unit"),
            "district": d.get("district") or "",
            "state": d.get("state") or "",
            "on": d.get("on"),
        }


class RuleForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=PlanStatus.choices)
    as_of = forms.DateField(
        label=_("统计基准日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空按今天计算；回看往年方案时填写当年的某一天"),
    )
    risk_days = forms.IntegerField(label=_("临期天数 N"), min_value=0, max_value=90)
    share_completion = forms.DecimalField(
        label=_("完成度占比"), min_value=0, max_value=1, decimal_places=2
    )
    share_timeliness = forms.DecimalField(
        label=_("及时性占比"), min_value=0, max_value=1, decimal_places=2
    )
    share_quality = forms.DecimalField(
        label=_("审核质量占比"), min_value=0, max_value=1, decimal_places=2
    )
    return_penalty = forms.DecimalField(
        label=_("每次退回扣减审核质量"), min_value=0, max_value=1, decimal_places=2
    )
    veto_score = forms.DecimalField(
        label=_("一票否决后得分上限"), min_value=0, max_value=100, decimal_places=2
    )
    grade_excellent = forms.DecimalField(
        label=_("优秀线"), min_value=0, max_value=100, decimal_places=2
    )
    grade_good = forms.DecimalField(label=_("良好线"), min_value=0, max_value=100, decimal_places=2)
    grade_pass = forms.DecimalField(label=_("合格线"), min_value=0, max_value=100, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    @classmethod
    def initial_for(cls, plan: Plan) -> dict[str, Any]:
        return {name: getattr(plan, name) for name in cls.base_fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shares = [data.get(k) for k in ("share_completion", "share_timeliness", "share_quality")]
        if all(isinstance(s, Decimal) for s in shares) and sum(shares) != 1:  # type: ignore[arg-type]
            raise forms.ValidationError(gettext("完成度、及时性、审核质量三项占比之和须为 1"))
        return data


class SplitForm(forms.Form):
    streets = forms.MultipleChoiceField(
        label=_("分解到街道（乡镇）"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("分解说明"), max_length=200, required=False)

    def __init__(self, *args: Any, streets: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["streets"].choices = [(a.code, a.name) for a in streets]  # type: ignore[attr-defined]
        self.fields["note"].widget.attrs["class"] = "form-control"


class IncidentForm(forms.Form):
    item = forms.TypedChoiceField(label=_("负面清单事项"), coerce=int)
    target = forms.ChoiceField(label=_("责任单位或区县"))
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("情况说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("佐证材料（通报、处理决定等）"))  # type: ignore[assignment]

    def __init__(
        self,
        *args: Any,
        items: list[Any] = (),  # type: ignore[assignment]
        units: list[Any] = (),  # type: ignore[assignment]
        districts: list[Any] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [  # type: ignore[attr-defined]
            (
                i.pk,
                f"{i.number} {i.title}（"
                + (
                    gettext("%(effect)s %(points)s 分")
                    % {"effect": i.get_effect_display(), "points": i.points}
                    if i.effect == "deduct"
                    else str(i.get_effect_display())
                )
                + "）",
            )
            for i in items
        ]
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            (gettext("责任单位"), [(f"u:{u.pk}", u.name) for u in units]),
            (gettext("区县"), [(f"a:{a.code}", a.name) for a in districts]),
        ]
        self.fields["occurred_on"].initial = dt.date.today()
        style_fields(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
