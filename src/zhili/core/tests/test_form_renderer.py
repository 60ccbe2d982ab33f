"""The project's form renderer draws choice widgets in Python: the markup must be Django's."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from zhili.core.form_renderer import Renderer

GROUPED = [
    ("", "— 请选择 —"),
    ("建议", [("500103003", '解放碑街道 <"&">'), ("500103004", "七星岗街道")]),
    ("a&b", "A & B"),
    ("x\"y'z", mark_safe("<b>安全</b>")),
    (7, "七"),
]


class Sample(forms.Form):
    one = forms.ChoiceField(choices=GROUPED)
    optional = forms.ChoiceField(choices=GROUPED, required=False, disabled=True)
    many = forms.MultipleChoiceField(choices=GROUPED)
    radio = forms.ChoiceField(choices=GROUPED, widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=GROUPED, widget=forms.CheckboxSelectMultiple)
    styled = forms.ChoiceField(
        choices=GROUPED,
        widget=forms.Select(attrs={"class": "form-select", "data-x": '"<q>"', "hidden": True}),
    )
    yes_no = forms.NullBooleanField()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"one": "500103003", "many": ["a&b", "7"], "radio": "x\"y'z", "boxes": ["500103004"]},
        {"one": "nope", "many": [], "radio": "", "yes_no": "true"},
    ],
)
def test_the_choice_widgets_draw_as_djangos_templates_draw_them(data: Any) -> None:
    ours, django = Renderer(), DjangoTemplates()
    form = Sample(data=data, auto_id="id_%s") if data is not None else Sample()
    for name in form.fields:
        field = form[name]
        expected = field.as_widget(attrs={"aria-describedby": "h"})
        field.form.renderer = ours
        got = field.as_widget(attrs={"aria-describedby": "h"})
        field.form.renderer = django
        assert got == expected, name
        assert got == field.as_widget(attrs={"aria-describedby": "h"}), name


def test_a_widget_with_its_own_option_template_goes_through_the_templates() -> None:
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Own(choices=[("a", "A")])
    got = widget.render("w", "a", renderer=Renderer())
    assert got == widget.render("w", "a", renderer=DjangoTemplates())


def test_it_is_the_projects_renderer() -> None:
    assert settings.FORM_RENDERER == "zhili.core.form_renderer.Renderer"
