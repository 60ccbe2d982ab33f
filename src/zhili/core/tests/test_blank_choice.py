"""Defect 6: the empty choice of a select reads "请选择…" on every form (it read "- Select an
option -", Django's default, which has no zh-hans translation)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import override_settings

from zhili.areas.models import Area


def test_a_form_built_anywhere_offers_a_chinese_empty_choice() -> None:
    class AnyForm(forms.Form):
        area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False)
        level = Area._meta.get_field("level").formfield(required=False)

    html = str(AnyForm())
    assert "Select an option" not in html
    assert html.count('<option value="" selected>请选择…</option>') == 2


@pytest.mark.django_db
def test_the_dispute_assignment_form_reads_in_chinese(login: Any) -> None:
    from zhili.demo.cases import demo_cases
    from zhili.disputes.models import Dispute, Status

    with override_settings(DEBUG=True):
        demo_cases(say=lambda _m: None)
    dispute = Dispute.objects.filter(status=Status.REGISTERED).first()
    assert dispute is not None
    page = login("jiefangbei").get(f"/disputes/{dispute.number}/").content.decode()
    assert 'name="committee"' in page
    assert "Select an option" not in page and "请选择…" in page


def test_every_styled_form_draws_its_widgets_the_same_way() -> None:
    """One ``core.forms.style_fields`` for every module's forms (nine modules once had their own
    copy, each a little different): a box for a checkbox or radio, a select for a choice, a
    text field for the rest, nothing on a hidden input, the phone keypad on a phone field, the
    classes a form set itself kept; ``large`` for the phone pages."""
    from zhili.core.forms import StyledForm

    class AnyForm(StyledForm):
        name = forms.CharField()
        kind = forms.ChoiceField(choices=[("a", "A")])
        agree = forms.BooleanField(required=False)
        one = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
        version = forms.IntegerField(widget=forms.HiddenInput)
        reporter_phone = forms.CharField()
        own = forms.CharField(widget=forms.TextInput(attrs={"class": "mine"}))

    class Large(AnyForm):
        large = True

    classes = {n: f.widget.attrs.get("class") for n, f in AnyForm().fields.items()}
    assert classes == {
        "name": "form-control",
        "kind": "form-select",
        "agree": "form-check-input",
        "one": "form-check-input",
        "many": "form-check-input",
        "version": None,
        "reporter_phone": "form-control",
        "own": "mine",
    }
    assert AnyForm().fields["reporter_phone"].widget.attrs["inputmode"] == "tel"
    large = {n: f.widget.attrs.get("class") for n, f in Large().fields.items()}
    assert large["name"] == "form-control form-control-lg"
    assert large["kind"] == "form-select form-select-lg" and large["agree"] == "form-check-input"
