"""Dates and times printed without a format read as the pages' explicit ones do, in both
languages (zhili/core/formats, docs/i18n.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_and_a_time_without_a_format_read_as_the_explicit_ones(language: str) -> None:
    day = dt.date(2026, 12, 7)
    at = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 09:30 in the city
    template = Template('{{ day }} | {{ at }} | {{ day|date:"Y-m-d" }} | {{ at|date:"Y-m-d H:i" }}')
    with translation.override(language):
        text = template.render(Context({"day": day, "at": at}))
    assert text == "2026-12-07 | 2026-12-07 09:30 | 2026-12-07 | 2026-12-07 09:30"


def test_a_typed_date_is_still_read_in_either_language() -> None:
    """Only the display formats are set: a form reads what users type as before."""
    from django import forms

    class F(forms.Form):
        on = forms.DateField()

    for language in ("zh-hans", "en"):
        with translation.override(language):
            form = F({"on": "2026-12-07"})
            assert form.is_valid() and form.cleaned_data["on"] == dt.date(2026, 12, 7)
