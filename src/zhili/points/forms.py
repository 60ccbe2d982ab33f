"""Forms of the points pages (input translation only; the services hold the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.privacy import mask_name


class Styled(StyledForm):
    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _household_choices(households: Any) -> list[tuple[str, Any]]:
    return [("", _("请选择…"))] + [
        (
            str(h.pk),
            gettext("%(number)s %(head_name)s（可用 %(available)s 分）")
            % {
                "number": h.number,
                "head_name": mask_name(h.head_name),
                "available": h.account.available,
            },
        )
        for h in households
    ]


class RecordForm(Styled):
    household = forms.ChoiceField(label=_("农户"))
    item = forms.ChoiceField(label=_("积分事项"))
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    photo = forms.FileField(label=_("现场照片"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, households: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("household", _household_choices(households))
        self._choices(
            "item",
            [("", _("请选择…"))]
            + [
                (
                    i.code,
                    f"{i.code} {i.name}（{i.points:+d}）{gettext('·需照片') if i.evidence_required else ''}",
                )
                for i in items
            ],
        )
        self.fields["photo"].widget.attrs["accept"] = "image/*"
        self.fields["photo"].widget.attrs["capture"] = "environment"
        self.initial.setdefault("occurred_on", timezone.localdate())

    def evidence(self) -> Any:
        """The uploaded photo stored as an attachment (the kernel checks size and type)."""
        from zhili.matters.attachments import attachment_store

        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        return attachment_store(data=photo.read(), name=photo.name or "photo.jpg")


class OrderForm(Styled):
    household = forms.ChoiceField(label=_("农户"))
    goods = forms.ChoiceField(label=_("商品"))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=1000, initial=1)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, households: Any, goods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("household", _household_choices(households))
        self._choices(
            "goods",
            [("", _("请选择…"))]
            + [
                (
                    str(g.pk),
                    gettext("%(name)s（%(price)s 分%(cash)s，库存 %(stock)s）")
                    % {
                        "name": g.name,
                        "price": g.price,
                        "stock": g.stock,
                        "cash": (
                            gettext("＋现金 %(cash)s 元") % {"cash": g.cash_top_up}
                            if g.cash_top_up
                            else ""
                        ),
                    },
                )
                for g in goods
            ],
        )


class ImportForm(Styled):
    file = forms.FileField(label=_("规则表（xlsx）"))
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class CopyForm(Styled):
    template = forms.ChoiceField(label=_("上级模板"))
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args: Any, templates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "template",
            [("", _("请选择…"))]
            + [
                (
                    str(t.pk),
                    gettext("%(name)s 第%(number)s版（%(effective_from)s起）")
                    % {"name": t.area.name, "number": t.number, "effective_from": t.effective_from},
                )
                for t in templates
            ],
        )


class SettingsForm(Styled):
    objection_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30)
    hold_hours = forms.IntegerField(label=_("兑换保留小时"), min_value=1, max_value=720)
    publish_ranking = forms.BooleanField(label=_("公开榜显示排名"), required=False)
    mask_names = forms.BooleanField(label=_("公开时隐去户主姓名"), required=False)


class HouseholdForm(Styled):
    area_code = forms.CharField(label=_("网格或楼栋代码"), max_length=32)
    number = forms.CharField(label=_("户号"), max_length=30)
    head_name = forms.CharField(label=_("户主"), max_length=60)


class HouseholdImportForm(Styled):
    file = forms.FileField(label=_("农户表（xlsx）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"


class MemberForm(Styled):
    household = forms.ChoiceField(label=_("农户"))
    name = forms.CharField(label=_("成员姓名"), max_length=60)
    relation = forms.CharField(label=_("与户主关系"), max_length=20, required=False)

    def __init__(self, *args: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "household",
            [("", _("请选择…"))]
            + [(str(h.pk), f"{h.number} {mask_name(h.head_name)}") for h in households],
        )


class GoodsForm(Styled):
    name = forms.CharField(label=_("商品"), max_length=80)
    price = forms.IntegerField(label=_("积分价"), min_value=1, max_value=1_000_000)
    cash_top_up = forms.DecimalField(
        label=_("现金补差（元，可为 0）"),
        min_value=0,
        max_value=10000,
        max_digits=8,
        decimal_places=2,
        initial=0,
    )
    stock = forms.IntegerField(label=_("初始库存"), min_value=0, max_value=100000, initial=0)


class StockForm(Styled):
    goods = forms.ChoiceField(label=_("商品"))
    quantity = forms.IntegerField(
        label=_("数量（入库为正，报损为负）"), min_value=-100000, max_value=100000
    )

    def __init__(self, *args: Any, goods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "goods",
            [("", _("请选择…"))]
            + [
                (
                    str(g.pk),
                    gettext("%(name)s（库存 %(stock)s）") % {"name": g.name, "stock": g.stock},
                )
                for g in goods
            ],
        )
