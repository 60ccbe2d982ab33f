"""English is a choice of the reader: what the wage checks store stays Chinese."""

from __future__ import annotations

from django.utils import translation

from zhili.wages import services
from zhili.wages.models import Project, RuleCode, Warning


def test_labels_are_english_for_an_english_reader() -> None:
    with translation.override("en"):
        assert str(Project._meta.verbose_name) == "Projects under construction"
        assert (
            str(RuleCode.NO_PAYROLL.label) == "Wages not paid monthly through the dedicated account"
        )
    assert str(Project._meta.verbose_name) == "在建项目"


def test_the_rule_named_in_a_proposed_risk_is_chinese_in_an_english_request() -> None:
    warning = Warning(rule=RuleCode.NO_PAYROLL)
    with translation.override("en"):
        assert warning.get_rule_display() == "Wages not paid monthly through the dedicated account"
        assert services._rule_name(warning) == "未按月通过专用账户发放工资"
