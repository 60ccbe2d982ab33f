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
